"""CLI: ``textmine code``, ``train``, ``evaluate``, ``review``, ``agreement`` (coding comments against a codebook)."""

from __future__ import annotations

import json
import re
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from textmine.pipeline import REVIEW_CORRECTIONS_CODER

console = Console(stderr=True)


def _fail(msg: str, code: int = 2) -> None:
    """Print the error on one unwrapped line (paths and theme lists stay intact) and exit."""
    from textmine.cli import redact_message  # (as the service's messages: personal data never printed)

    typer.secho("error: ", fg="red", err=True, nl=False)
    typer.echo(redact_message(msg), err=True)
    raise typer.Exit(code)


def _coder(model: Optional[Path], codebook: Optional[Path], background: bool = False):
    """Trained coder (checked against the codebook when both are given) or zero-shot for the codebook
    (``background``: with :class:`~textmine.classify.ZeroShotCoder`'s background check)."""
    from textmine import classify
    from textmine.classify import ArtefactError, load_coder
    from textmine.codebook import CodebookError, load_codebook

    try:
        if model is not None:
            return load_coder(model, codebook=codebook)
        if codebook is None:
            _fail("give --codebook (zero-shot) or --model")
        return classify.ZeroShotCoder(load_codebook(codebook), background=background)
    except (ArtefactError, CodebookError) as exc:
        _fail(str(exc))


ZERO_SHOT_BACKGROUND_HELP = (
    "zero-shot coding (no --model) of a codebook of fewer than 13 themes: a theme must also stand out from generic "
    "survey topics that belong to no codebook, so an answer may get no theme (fewer answers forced onto the nearest "
    "theme)")


def _check_zero_shot_background(model: Optional[Path], engine: str) -> None:
    """``--zero-shot-background`` goes with zero-shot coding on the local engine: refused before any work."""
    if model is not None:
        _fail("--zero-shot-background applies to zero-shot coding (without --model); a trained model codes from its "
              "labels — drop --zero-shot-background or --model")
    if engine == "dask":
        _fail("--zero-shot-background is not available with --engine dask; use --engine local")


CSV_SEP_HELP = (
    "field separator of the CSV written: ',' (default), ';' (Norwegian Excel opens it with a double-click; decimals "
    "then with a comma, as Excel writes them there) or 'tab'; textmine reads each back")


def _csv_sep(sep: Optional[str], out: Optional[Path] = None, flag: str = "--out") -> dict:
    """``--csv-sep`` as the ``DataFrame.to_csv`` options of :func:`textmine.io.csv_options`, checked before any work:
    a known separator, for a .csv ``out`` (the option that names it: ``flag``); ``{}`` when not given."""
    from textmine.io import csv_options

    if sep is None:
        return {}
    try:
        opts = csv_options(sep)
    except ValueError as exc:
        _fail(f"--csv-sep: {exc}")
    if out is None:
        _fail(f"--csv-sep goes with {flag} (the CSV file it separates)")
    if out.suffix.lower() != ".csv":
        _fail(f"--csv-sep applies to a .csv {flag}; {out} is not a CSV file — drop --csv-sep or give a .csv name")
    return opts


def _excel_csv(out: Path, opts: dict) -> dict:
    """What :func:`_write` writes an analyst's table ``out`` with: a CSV as UTF-8 with the byte-order mark Excel
    needs (:data:`textmine.io.EXCEL_CSV_ENCODING`, else «å» opens as «Ã¥»), in ``opts``' separator (:func:`_csv_sep`)."""
    from textmine.io import EXCEL_CSV_ENCODING

    return {"encoding": EXCEL_CSV_ENCODING, **opts} if out.suffix.lower() == ".csv" else {}


def _data_csv(sep: Optional[str], out: Path) -> dict:
    """``--csv-sep`` for coded or cleaned data (:func:`_csv_sep`): UTF-8 without a byte-order mark, as other tools
    read it, unless written for Excel (``;`` or tab: :func:`_excel_csv`)."""
    opts = _csv_sep(sep, out)
    return _excel_csv(out, opts) if sep not in (None, ",") else opts


def _background_note(coder) -> None:
    """Say when ``--zero-shot-background`` changes nothing: a codebook of too many themes for the check."""
    limit = coder.BACKGROUND_MAX_THEMES
    n = sum(not t.exclusive for t in coder.codebook.themes)
    if n >= limit:
        _note(f"--zero-shot-background changes nothing for a codebook of {n} themes (without catch-all themes): the "
              f"background check is for codebooks of fewer than {limit}")


def _share_note(coder, coded, questions=None) -> None:
    """The zero-shot share warning over the whole coded file (its answered rows), per question when ``questions``
    (one per row) are given, on stderr as the CLI's other warnings; nothing for a trained model or plausible
    shares."""
    if getattr(coder, "kind", "") != "zeroshot" or not len(coded):
        return
    from textmine.classify.zeroshot import question_share_warnings

    cb = coder.codebook
    decided = coded[[f"theme_{t}" for t in cb.theme_ids]].fillna(0).to_numpy(dtype="int8")
    answered = coded["is_non_answer"].fillna(1).to_numpy() == 0
    for msg in question_share_warnings(cb, decided, answered, questions, small_below=coder.BACKGROUND_MAX_THEMES):
        _note(msg)


def _read(path: Path, text_cols=(), sheet: Optional[str] = None, encoding: Optional[str] = None,
          header_row: int = 1):
    """``path`` read as a table; ``text_cols`` (None entries skipped) as written, never as numbers («1,2» stays)."""
    import warnings

    from textmine.io import read_table

    try:
        with warnings.catch_warnings(record=True) as got:  # the read's warnings (a second header row, merged
            warnings.simplefilter("always", UserWarning)  # cells) said as the CLI says them
            df = read_table(path, text_cols=tuple(c for c in text_cols if c), sheet=sheet, encoding=encoding,
                            header_row=header_row)
    except (ValueError, OSError) as exc:
        _fail(header_row_wording(str(exc)))
    for w in got:
        if issubclass(w.category, UserWarning):
            _note(header_row_wording(str(w.message)))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return df


HEADER_ROW_HELP = "Excel/CSV: the file row holding the column names (rows above it, e.g. a title, are skipped)"
FILES_HEADER_ROW_HELP = HEADER_ROW_HELP + "; applies to every labelled file given"
TITLE_HINT = "if the column names are on a later row (a title above them), give --header-row N"
_HEADER_ROW_WORDING = (
    (re.compile(r"\bpass header_row=N\b"), "give --header-row N"),
    (re.compile(r"\bheader_row=(\d+)"), r"--header-row \1"),
    (re.compile(r"\bleave it at 1\b"), "drop --header-row"),
    (re.compile(r"\bheader_row\b"), "--header-row"),
)


def header_row_wording(message: str) -> str:
    """A read error as the CLI says it: ``--header-row`` for the library's ``header_row``."""
    for pattern, repl in _HEADER_ROW_WORDING:
        message = pattern.sub(repl, message)
    return message


def _title_hint(df) -> str:
    """'; if the column names are on a later row …' for a missing column when the CSV/Excel header read was row 1
    and holds one name only (a title, likely)."""
    return f"; {TITLE_HINT}" if len(df.columns) == 1 and df.attrs.get("first_data_row") == 2 else ""


ENCODING_HELP = ("CSV/SAV input: its text encoding, e.g. cp1252, latin-1 or utf-8 (default: detected / as the .sav "
                 "declares)")


def _check_encoding(encoding: Optional[str], path: Path) -> Optional[str]:
    """``--encoding`` checked before any work: a known text codec, for a CSV or .sav input. Returns the codec's
    canonical name (``latin-1`` → ``iso8859-1``, which the .sav reader's iconv also knows)."""
    import codecs

    if encoding is None:
        return None
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        _fail(f"--encoding {encoding!r} is not a known text encoding; give one such as cp1252, latin-1 or utf-8")
    suffix = path.suffix.lower()
    if path.is_dir() or suffix not in (".csv", ".txt", ".tsv", ".sav"):
        what = "a folder" if path.is_dir() else f"a {suffix or 'file without suffix'} file"
        _fail(f"--encoding applies to CSV and .sav input; {path} is {what}, whose text encoding the format "
              f"fixes — drop --encoding")
    return info.name


def _columns(df) -> str:
    """'columns are: …' for a missing-column error (naming the sheet read and the workbook's others); names redacted
    and shortened, with a hint when the header looks like a row of data (:func:`textmine.io.column_names_text`)."""
    from textmine.io import column_names_text

    return f"columns are: {column_names_text(df.columns)}{_sheet_hint(df)}"


def _sheet_hint(df) -> str:
    """' (in sheet …; the workbook also has sheet(s) …: choose one with --sheet)' for a workbook of several sheets."""
    sheets = df.attrs.get("sheets") or []
    if len(sheets) <= 1:
        return ""
    others = [s for s in sheets if s != df.attrs.get("sheet")]
    return (f" (in sheet {df.attrs.get('sheet')!r}; the workbook also has sheet(s) "
            f"{', '.join(map(repr, others))}: choose one with --sheet)")


def _refuse_input(out: Path, inputs, flag: str) -> None:
    """Stop when the output ``out`` is one of the input files."""
    for inp in inputs:
        if inp is not None and inp.exists() and out.exists() and out.resolve() == inp.resolve():
            _fail(f"{out}: {flag} is the input file {inp}; writing there would replace your data — choose another path")


def _check_out(out: Path, *inputs: Optional[Path], df=None, flag: str = "--out") -> list:
    """Refuse an output path before any work: unsupported type, not writable, or one of the input files."""
    from textmine.io import check_output

    _refuse_input(out, inputs, flag)
    try:
        return check_output(out, df)
    except ValueError as exc:
        _fail(str(exc))


def _write(df, out: Path, **kw) -> None:
    from textmine.io import write_table

    try:
        write_table(df, out, **kw)
    except (ValueError, OSError) as exc:
        msg = str(exc.strerror or exc) if isinstance(exc, OSError) else str(exc)
        _fail(msg if msg.startswith(str(out)) else f"could not write {out}: {msg}")


def _write_text(path: Path, text: str) -> None:
    """Write a text file whole or not at all (a temporary file renamed over ``path``)."""
    from textmine.io import replacing

    try:
        with replacing(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"could not write {path}: {exc.strerror or exc}")


def _coded_identity(coder, model: Optional[Path], text_col: str, question: Optional[str]) -> dict:
    """What coded a ``textmine code`` output (:func:`textmine.pipeline.coded_identity`): written beside it."""
    from textmine.pipeline import coded_identity

    return coded_identity(coder.codebook, model, text_col, question, coder=coder)


def _check_model_out(out: Path, flag: str = "--out") -> None:
    """A model is written as a folder: refuse a file, or a folder with other things in it, before training."""
    if out.exists() and not out.is_dir():
        _fail(f"{out}: {flag} is a file; a model is saved as a folder — give a new folder name")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").exists():
        _fail(f"{out}: {flag} is a folder that is not a textmine model; saving there would mix the model with "
              f"its files — give a new folder name")
    _check_json_out(out / "manifest.json")


def _check_json_out(path: Path, *inputs: Optional[Path]) -> None:
    from textmine.io import existing_folder_for

    _refuse_input(path, inputs, "--json")
    if path.is_dir():
        _fail(f"{path}: is a folder, not a file to write the JSON report to")
    try:
        existing_folder_for(path, "the JSON report")
    except ValueError as exc:
        _fail(str(exc))


def _question_priors_note(known, text_col: str) -> None:
    """The note both engines print when the model knows per-question theme rates and none was given."""
    known = sorted(known)
    if known:
        hint = f" (the text column's name is one of them: --question {text_col})" if text_col in known else ""
        console.print(f"note: the model knows the theme rates of the survey questions {', '.join(known)}; "
                      f"--question or --question-col applies them{hint}")


def _note(msg: str) -> None:
    console.print(f"warning: {msg}", highlight=False, markup=False, soft_wrap=True)


SHEET_HELP = "Excel files: the sheet to read (default: the first)"


def _personal_id_warning(ids, id_col: str, path: Path) -> None:
    """Warn when ids copied into ``path`` (the review queue) are personal data (the report's check,
    :func:`textmine.report.excel.personal_id_count`): the column's name and the count, never a value. The ids stay
    (the analyst needs them to find the comments)."""
    from textmine.report.excel import personal_id_count

    n = personal_id_count(ids)
    if n:
        _note(f"--id-col {id_col!r}: {n} id{'s' if n != 1 else ''} in {path} {'are' if n != 1 else 'is'} personal "
              f"data (a national identity number, phone number, e-mail, name …), copied as they are so you can find the "
              f"comments: keep the file where personal data may be stored, and delete it when the review is done")


def _read_labelled(path: Path, cb, sheet: Optional[str] = None, *, warn=None, header_row: int = 1,
                   row_refs: bool = False, mismatch: bool = False, **cols):
    """A labelled file read and checked against the codebook (errors name the file, data row, id and column).
    ``row_refs``: add a ``row_ref`` column, "FILE: data row N (id X)" per row (data rows counted from 1).
    ``mismatch``: an error over theme ids the codebook does not know starts with one line summing them up
    (:func:`textmine.evaluate.label_codebook_mismatch`)."""
    from textmine.review import read_labelled

    id_col = cols.get("id_col", "id")
    df = _read(path, [cols.get("text_col", "text"), cols.get("themes_col", "themes")], sheet=sheet,
               header_row=header_row)  # (theme ids «1,2» are two ids, not the number 1.2)
    ids = (df[id_col].astype("string").fillna("").astype(str).str.strip().tolist()
           if id_col and id_col in df.columns else [""] * len(df))
    show = warn or _note
    try:
        out = read_labelled(df, codebook=cb, where=str(path), warn=lambda m: show(_with_ids(m, ids, id_col)),
                            **cols)
    except ValueError as exc:
        first = (_label_mismatch(df, cb, cols.get("themes_col", "themes"))
                 if mismatch and "unknown theme id" in str(exc) else None)
        head = f"{first}\n" if first else ""
        _fail(f"{head}{exc}{_sheet_hint(df) if 'no column' in str(exc) else ''}")
    if row_refs:
        out = out.assign(row_ref=[f"{path}: data row {i + 1}" + (f" ({id_col} {v!r})" if v else "")
                                  for i, v in enumerate(ids)])
    return out


def _label_mismatch(df, cb, themes_col: str) -> Optional[str]:
    """:func:`textmine.evaluate.label_codebook_mismatch` for a labelled file's ``themes_col`` and columns (None
    without that column)."""
    from textmine.codebook import parse_theme_list
    from textmine.evaluate import label_codebook_mismatch

    if themes_col not in df.columns:
        return None
    labels = []
    for v in df[themes_col].tolist():
        try:
            labels.append(parse_theme_list(v))
        except (TypeError, ValueError):
            continue  # (the per-row errors say what is wrong with it)
    return label_codebook_mismatch(labels, cb, df.columns)


_DATA_ROWS = re.compile(r"\(data rows (\d+(?:, \d+)*)( …)?\)")


def _with_ids(msg: str, ids: list[str], id_col: Optional[str]) -> str:
    """A note's "(data rows 52, 60)" with each row's id where the file has one: "(data row 52 (id 'P005'), …)"."""
    def name(m: re.Match) -> str:
        rows = [int(x) for x in m.group(1).split(", ")]
        if not any(0 < r <= len(ids) and ids[r - 1] for r in rows):
            return m.group(0)
        shown = ", ".join(f"{r} ({id_col} {ids[r - 1]!r})" if 0 < r <= len(ids) and ids[r - 1] else str(r)
                          for r in rows)
        return f"(data row{'s' if len(rows) > 1 else ''} {shown}{m.group(2) or ''})"

    return _DATA_ROWS.sub(name, msg)


@contextmanager
def _warnings_as_notes(rewrite=None):
    """Python warnings raised inside the block printed as one-line ``warning:`` notes (no file path or source
    line), after ``rewrite(message)`` when given; also when the block fails."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            yield
        finally:
            for w in caught:
                _note(rewrite(str(w.message)) if rewrite else str(w.message))


_COUNTED_FROM_0 = re.compile(r"^(?P<head>.*): (?P<rows>row \d+(?:, row \d+)*)(?P<more> …)? \(rows counted from 0\)$",
                             re.DOTALL)


def _fit_rows_as_data_rows(msg: str, refs: list[str]) -> str:
    """The coder's "…: row 55, row 56 (rows counted from 0)" (positions in the labelled files read together) as
    those rows' files, data rows (from 1) and ids, as every other message names them."""
    m = _COUNTED_FROM_0.match(msg)
    if not m:
        return msg
    pos = [int(x) for x in re.findall(r"\d+", m.group("rows"))]
    if any(p >= len(refs) for p in pos):
        return msg
    return f"{m.group('head')}: {'; '.join(refs[p] for p in pos)}{m.group('more') or ''}"


def _evaluation_wording(msg: str) -> str:
    """A labelled file's "trained as 'no theme applies'" note worded for evaluation (which trains nothing)."""
    return msg.replace("they are trained as 'no theme applies' — give their theme ids if that is not meant",
                       "they count as answers with no theme — give their theme ids if that is not meant")


def _not_unlabelled_note(msg: str) -> None:
    """:func:`_note` except the "empty 'themes' cell … trained as 'no theme applies'" note (for the training files a
    model records: they were trained that way already)."""
    if "trained as 'no theme applies'" not in msg:
        _note(msg)


def _recorded_path(recorded: str, model: Optional[Path]) -> Path:
    """A training file a model records: absolute (models trained now), else relative to the working directory or,
    failing that, to the model directory or one of its parents (older models recorded the path as typed)."""
    from textmine.classify.artefact import recorded_paths

    p = Path(recorded)
    if p.is_absolute() or model is None:
        return p
    found = recorded_paths(p, model)
    return found[0] if found else p


def _warn_unknown_questions(coder, given, what: str) -> None:
    """Warn when a --question / --question-col value is a survey question the trained model has no theme rates for
    (those rows are coded without a question, silently, otherwise). Not under zero-shot: it has no per-question
    rates for any question, so the warning would be noise."""
    from textmine.classify import ZeroShotCoder
    from textmine.classify.table import unknown_questions

    if isinstance(coder, ZeroShotCoder):
        return
    unknown, known = unknown_questions(coder, given)
    _unknown_questions_warning(unknown, known, what)


def _zero_shot_model(model: Optional[Path]) -> bool:
    """Whether ``--model`` (None: zero-shot for the codebook) codes zero-shot (a saved zero-shot model)."""
    if model is None:
        return True
    from textmine.classify.artefact import ArtefactError, read_manifest

    try:
        return read_manifest(model).get("kind") == "zeroshot"
    except ArtefactError:
        return False


def _unknown_questions_warning(unknown, known, what: str) -> None:
    if not unknown:
        return
    from textmine.classify.table import shown_questions

    shown = shown_questions(unknown)
    knows = (f"the questions it knows are: {', '.join(known)}" if known
             else "it learned no per-question theme rates (trained without survey questions, or no question had "
             "enough labelled answers)")
    console.print(f"warning: the model does not know {what} {shown}; those comments are coded without a "
                  f"question's theme rates ({knows})", highlight=False, markup=False)


def _check_correction_ids(corr_df, corrections: Path, input: Path, id_col: Optional[str],
                          sheet: Optional[str], header_row: int = 1, coder=None, text_col: str = "text"):
    """``review --corrections``: an explicit ``--id-col`` must be a column of the corrections file, and its ids should
    be those of INPUT (the comments the queue was drawn from): ids not there are warned about (another survey's or
    wave's corrections?) — they still train, as each correction carries its own text. Returns ``corr_df`` with
    Excel's changes undone (:func:`_undo_excel`)."""
    col = id_col or "id"
    if col not in corr_df.columns:
        if id_col is not None:
            _fail(f"{corrections}: no id column {id_col!r} (--id-col); {_columns(corr_df)}")
        return corr_df
    data = _read(input, [text_col], sheet=sheet, header_row=header_row)
    if col not in data.columns:
        if id_col is not None:
            _fail(f"{input}: no id column {id_col!r} (--id-col); {_columns(data)}")
        return corr_df
    corr_df = _undo_excel(corr_df, data, col, corrections, input, coder, text_col)
    known = set(data[col].astype("string").fillna("").astype(str).str.strip())
    ids = corr_df[col].astype("string").fillna("").astype(str).str.strip().tolist()
    missing = [(i + 1, v) for i, v in enumerate(ids) if v and v not in known]
    if missing:
        shown = ", ".join(f"data row {r} ({col} {v!r})" for r, v in missing[:10])
        _note(f"{corrections}: {len(missing)} correction(s) have an id that is not in {input}'s {col!r} column: "
              f"{shown}{' …' if len(missing) > 10 else ''}; expected the ids of the comments the queue was drawn "
              f"from — check that the corrections belong to this survey (they are still used for retraining)")
    return corr_df


def _rows_said(rows: list[int]) -> str:
    return ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")


def _source_text_col(corr_df, data, col: str, ids: list[str], text_col: str) -> Optional[str]:
    """INPUT's column the queue's texts came from: --text-col where INPUT has it, else the corrections' one question
    when INPUT has that column, else the text column holding most of the corrections' texts under their ids."""
    import pandas as pd

    if text_col in data.columns:
        return text_col
    asked = (corr_df["question"].astype("string").fillna("").astype(str).str.strip().unique().tolist()
             if "question" in corr_df.columns else [])
    if len(asked) == 1 and asked[0] in data.columns:
        return asked[0]
    keyed = data.assign(_id=data[col].astype("string").fillna("").astype(str).str.strip()).drop_duplicates("_id")
    rows = keyed.set_index("_id").reindex(ids)
    texts = corr_df["text"].astype("string").fillna("").astype(str).str.strip().tolist()
    best, hits = None, 0
    for c in data.columns:
        if c == col or not pd.api.types.is_string_dtype(data[c]):
            continue
        n = sum(t != "" and str(v).strip() == t for t, v in zip(texts, rows[c].tolist()))
        if n > hits:
            best, hits = c, n
    return best


def _undo_excel(corr_df, data, col: str, corrections: Path, input: Path, coder, text_col: str):
    """``review --corrections``: a queue file saved by Excel back as INPUT wrote it, with a note for each kind of
    change: ids Excel took for numbers ("1554" or "1554.0" for "01554", :func:`textmine.review.restore_correction_ids`),
    and texts where Windows-1252 lost characters (an emoji as '?') or UTF-8 was read as Windows-1252 ("KÃ¸"), taken
    again from INPUT's comment of the same id as the queue wrote it (:func:`textmine.review.restore_correction_texts`;
    INPUT's text column: --text-col, else the corrections' one question when INPUT has that column)."""
    from textmine.review import restore_correction_ids, restore_correction_texts

    known = data[col].astype("string").fillna("").astype(str).str.strip().tolist()
    ids = corr_df[col].astype("string").fillna("").astype(str).str.strip().tolist()
    fixed, n = restore_correction_ids(ids, known)
    if n:
        rows = [i + 1 for i, (a, b) in enumerate(zip(ids, fixed)) if a != b]
        _note(f"{corrections}: {n} id(s) in column {col!r} read as INPUT {input} writes them (Excel shows an id of "
              f"digits as a number and drops its leading zeros: 1554 for 01554; data rows {_rows_said(rows)})")
        corr_df = corr_df.assign(**{col: fixed})
    if coder is None or "text" not in corr_df.columns:
        return corr_df
    source_col = _source_text_col(corr_df, data, col, fixed, text_col)
    if source_col is None:
        return corr_df
    from collections import Counter

    once = {k for k, n in Counter(known).items() if n == 1}  # an id with several answers (long format): which one
    wanted = set(fixed) & once                                 # the queue showed is not known here, so none is used
    pick = [i for i, k in enumerate(known) if k in wanted]
    raw = data[source_col].iloc[pick].astype("string").fillna("").astype(str).tolist()
    cleaned = coder.clean(raw)["text_clean"].astype(str).tolist() if pick else []
    texts = corr_df["text"].astype("string").fillna("").astype(str).tolist()
    restored, rows = restore_correction_texts(texts, fixed, {known[i]: t for i, t in zip(pick, cleaned)})
    if rows:
        _note(f"{corrections}: {len(rows)} text(s) taken again from INPUT {input}'s comment of the same id: Excel had "
              f"changed them (characters Windows-1252 lacks, such as emoji, saved as '?', or UTF-8 read as "
              f"Windows-1252: two odd characters for one Norwegian letter; data rows {_rows_said(rows)}) — save the "
              f"queue as .xlsx or «CSV UTF-8» to keep them")
        corr_df = corr_df.assign(text=restored)
    return corr_df


def _question_labels(survey: Optional[Path], asked: str, question_col: Optional[str], *,
                     given: Optional[str] = None) -> dict:
    """``--survey``: {free-text question column: its label}, the labels an answer that only repeats them is a
    non-answer for (``{}`` without a survey). Warns when neither ``--question-col`` nor ``asked`` (``--question`` or
    ``--text-col``) names one of the survey's free-text questions (no label is then known); a ``--question``
    (``given``) the survey does not have is an error (a typo would code every answer without its question)."""
    if survey is None:
        return {}
    from textmine.cli.stats import load_survey

    labels = {q.column: q.label for q in load_survey(survey).free_text}
    if given is not None and labels and given not in labels:
        _fail(f"--question {given!r} is not one of --survey {survey.name}'s free-text questions "
              f"({', '.join(labels)}); give one of them (or leave out --survey)")
    if question_col is None and asked not in labels:
        _note(f"--survey {survey}: {asked!r} is not one of its free-text questions ({', '.join(labels) or 'none'}); "
              f"answers that repeat a question are not counted as non-answers — give --question QUESTION")
    return labels


def _survey_id_cols(survey: Optional[Path]) -> list[str]:
    """``--survey``: its respondent id column and wave column, for the dask engine's duplicate-id warning."""
    if survey is None:
        return []
    from textmine.cli.stats import load_survey

    s = load_survey(survey)
    return [c for c in (s.id_column, getattr(s, "wave_column", None)) if c]


class _DaskProgress:
    """``--engine dask`` progress as the local engine shows it (a transient rich bar, silent when the output is not
    a terminal): rows coded as partitions finish, against the total when it is known (Parquet input)."""

    def __init__(self):
        self.bar = None
        self.task = None

    def checking(self, done: int, total: int) -> None:  # the CSV's rows checked before coding (bytes)
        self._show("checking the CSV's rows", total, done)

    def update(self, done: int, total: Optional[int], seconds: float) -> None:
        self._show("coding (dask)", total, done)

    def _show(self, what: str, total: Optional[int], done: int) -> None:
        if self.bar is None:
            from rich.progress import Progress

            self.bar = Progress(transient=True, console=console)
            self.bar.start()
        if self.task is None or self.bar.tasks[-1].description != what:  # (a new stage: its own line)
            if self.task is not None:
                self.bar.remove_task(self.task)
            self.task = self.bar.add_task(what, total=total)
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


class _Progress:
    """Retraining stages on stderr with the time since the start ("[  12.3 s] embedding 7,000 texts"), so that a
    retraining of minutes is not silent."""

    def __init__(self):
        import time

        self.clock = time.monotonic
        self.start = self.clock()

    def __call__(self, msg: str) -> None:
        import sys

        print(f"[{self.clock() - self.start:7.1f} s] {msg}", file=sys.stderr, flush=True)


def _embedder_said(spec: str, asked: str) -> str:
    """The embedder a training uses, and why when ``--embedder auto`` chose it."""
    if asked.strip().lower() != "auto":
        return f"embedder {spec}"
    from textmine.classify.supervised import FEW_LABELS

    why = f"fewer than {FEW_LABELS:,}" if spec == "e5" else f"at least {FEW_LABELS:,}"
    return f"embedder {spec} (auto: {why} labelled answers)"


def _training_said(coder, seconds: float) -> str:
    """What ``textmine train`` did, in one line: codebook, embedder, cross-validation, first stage, time taken."""
    m = coder.training_metrics_
    folds = m.get("cv_folds")
    cv = (f"{folds}-fold cross-validation " + ("holding out whole files" if m.get("cv_grouped") else
                                               "on shuffled rows (fewer than 3 files)") if folds else "")
    first = (f"fast first stage answers {coder.lexical_share:.0%} of comments" if coder.lexical_ is not None
             else "no fast first stage")
    cb = coder.codebook
    return (f"trained codebook {cb.name} {cb.version} ({len(cb.theme_ids)} themes) on {m['n_train']:,} answered "
            f"comments and {m.get('n_codebook_rows', 0)} codebook examples; embedder {coder.embedder_spec}; {cv}; "
            f"{first}; took {_duration(seconds)}")


def _duration(seconds: float) -> str:
    """``75.3`` -> "1 min 15 s"; under a minute "12.3 s"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest} s"


def _with_question(corr_df, question: str):
    """``review --corrections --question Q``: Q as the question of the rows without one (a row's own wins)."""
    corr_df = corr_df.copy()
    if "question" not in corr_df.columns:
        corr_df["question"] = question
    else:
        own = corr_df["question"].astype("string").fillna("").astype(str).str.strip()
        corr_df["question"] = own.where(own != "", question)
    return corr_df


def _stored_corrections(model: Optional[Path]):
    """The corrections a retrained model keeps in its folder and their source files ((None, []) without); a changed
    or missing file stops ``review`` (exit 2) rather than train without them."""
    if model is None:
        return None, []
    from textmine.classify.artefact import ArtefactError, read_manifest
    from textmine.review import read_kept_corrections

    try:
        manifest = read_manifest(model)
    except ArtefactError:
        return None, []
    try:
        return read_kept_corrections(model, manifest)
    except ValueError as exc:
        _fail(str(exc))


#: what a retrained model's ``corrections.csv`` records as its coder (:func:`textmine.pipeline.coded_identity`): the
#: themes there are the analyst's corrections, not a model's output
CORRECTIONS_CODED_BY = REVIEW_CORRECTIONS_CODER


def _store_corrections(out: Path, stored, corrections: Path, earlier_sources, codebook) -> None:
    """The corrections a model was trained on into its folder (:func:`textmine.review.keep_corrections`), with the
    corrections files of all rounds (the earlier ones' rows are in this model's corrections too), and beside them
    the record of their codebook that ``textmine code`` writes beside its output (:func:`_write_record`)."""
    from textmine.classify.artefact import recorded_training_file  # as the manifest's training_data names it
    from textmine.pipeline import coded_identity
    from textmine.review import CORRECTIONS_FILE, keep_corrections

    keep_corrections(out, stored, [*earlier_sources, recorded_training_file(corrections.resolve())])
    _write_record(out / CORRECTIONS_FILE, coded_identity(codebook, None, "text", coded_by=CORRECTIONS_CODED_BY))


def _write_recorded(df, out: Path, identity: dict, **kw) -> None:
    """``df`` written to ``out`` (:func:`_write`) with the record of what coded it (``identity``, from
    :func:`_coded_identity`) as ``textmine code`` keeps it: in a Parquet file's schema metadata too, and beside
    ``out`` (:func:`_write_record`), so that ``summary --coded`` checks the codebook."""
    from textmine.pipeline import IDENTITY_KEY

    if out.suffix.lower() == ".parquet":  # (pandas' attrs: the schema metadata)
        df.attrs = {**df.attrs, IDENTITY_KEY: identity}
    _write(df, out, **kw)
    _write_record(out, identity)


def _write_record(out: Path, identity: dict) -> None:
    """The record of what coded ``out`` into ``OUT.textmine.json`` beside it (:func:`textmine.pipeline.identity_path`),
    replacing one an earlier run left there."""
    from textmine.pipeline import identity_path

    _write_text(identity_path(out), json.dumps(identity, indent=1, ensure_ascii=False))


def _question_echoes(data, labels: dict, default: str) -> list[int]:
    """Positions of the labelled rows (``text``, ``question``) whose answer only repeats its survey question's label
    (``labels``: {question: label}; a row without a question answers ``default``) and is no non-answer otherwise:
    what ``textmine code --survey`` counts as a non-answer besides the cleaner's own ones."""
    from textmine.review import question_echoes

    return question_echoes(data["text"].tolist(), data["question"].tolist(), labels, default)


def _without_question_echoes(df, text_col: str, asked, labels: dict, path: Path, id_col: Optional[str],
                             survey: Optional[Path]):
    """``review --survey``: INPUT's texts with the answers that only repeat their survey question's label blanked
    (:func:`_question_echoes`, as ``train`` finds them): non-answers, which the queue leaves out as ``code --survey``
    codes them. A note names their data rows (and ids), never their text."""
    import pandas as pd

    texts = df[text_col].astype("string").fillna("").astype(str).reset_index(drop=True)
    if not labels:
        return texts
    rows = [asked] * len(texts) if isinstance(asked, str) else list(asked or [""] * len(texts))
    echoes = _question_echoes(pd.DataFrame({"text": texts, "question": rows}), labels, text_col)
    if echoes:
        ids = (df[id_col].astype("string").fillna("").astype(str).str.strip().tolist()
               if id_col is not None else [""] * len(df))
        shown = "; ".join(f"data row {i + 1}" + (f" ({id_col} {ids[i]!r})" if ids[i] else "") for i in echoes[:10])
        _note(f"{path}: {len(echoes)} answer(s) only repeat their survey question's wording (--survey {survey}): "
              f"non-answers, left out of the queue as textmine code counts them: {shown}"
              f"{' …' if len(echoes) > 10 else ''}")
        texts = texts.copy()
        texts.iloc[echoes] = ""
    return texts


def register(app: typer.Typer) -> None:
    """Attach the coding commands."""

    @app.command("code")
    def code(
        input: Path = typer.Argument(..., help="CSV/XLSX/SAV/Parquet with a free-text column"),
        codebook: Path = typer.Option(..., "--codebook", help="codebook YAML"),
        model: Optional[Path] = typer.Option(None, "--model", help="trained model directory (zero-shot without)"),
        text_col: str = typer.Option(..., "--text-col", help="column holding the comments"),
        out: Path = typer.Option(..., "--out", help="output file (.csv/.xlsx/.parquet/.sav/.json) or folder for dask"),
        engine: str = typer.Option("local", "--engine", help="local | dask"),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="dask scheduler address (tcp://host:8786)"),
        batch_size: int = typer.Option(2000, "--batch-size", min=1),
        keep_raw_text: bool = typer.Option(False, "--keep-raw-text",
                                           help="write the text column unredacted (default: redacted)"),
        question_col: Optional[str] = typer.Option(
            None, "--question-col", help="column naming the survey question each comment answers (routed "
                                         "questions: a trained model then uses that question's theme rates)"),
        question: Optional[str] = typer.Option(None, "--question", help="the one survey question all comments answer"),
        redact_col: list[str] = typer.Option([], "--redact-col",
                                             help="another free-text column to mask personal data in, in place "
                                                  "(repeatable; --text-col is always redacted unless --keep-raw-text)"),
        unredacted_col: list[str] = typer.Option(
            [], "--unredacted-col", help="another column to copy as it is even where it holds personal data "
                                         "(repeatable; by default such text columns are masked in place too)"),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel input: the sheet to code (default: the first)"),
        partition_rows: Optional[int] = typer.Option(
            None, "--partition-rows", min=1, help="dask: rows per partition (default: 4,000 rounded to whole "
                                                  "--batch-size batches, as the local engine embeds them)"),
        encoding: Optional[str] = typer.Option(None, "--encoding", help=ENCODING_HELP),
        header_row: int = typer.Option(1, "--header-row", help=HEADER_ROW_HELP + " (CSV only with --engine dask)"),
        survey: Optional[Path] = typer.Option(
            None, "--survey", help="survey definition (YAML): an answer that only repeats its question's label (the "
                                   "question --question, --question-col or else --text-col names) is a non-answer, "
                                   "as textmine summary counts it"),
        zero_shot_background: bool = typer.Option(False, "--zero-shot-background", help=ZERO_SHOT_BACKGROUND_HELP),
        csv_sep: Optional[str] = typer.Option(
            None, "--csv-sep", help=CSV_SEP_HELP + "; with ';' or tab the CSV has the byte-order mark Excel needs"),
        overwrite: bool = typer.Option(
            False, "--overwrite", help="dask: discard the parts an unfinished earlier run left in --out (by default a "
                                       "rerun of the same command resumes from them; other settings are refused); "
                                       "never those of a run still writing there"),
    ) -> None:
        """Code every comment: adds theme_<id>, score_<id>, themes, confidence, needs_review, type, health_flag,
        is_non_answer."""
        if zero_shot_background:
            _check_zero_shot_background(model, engine)
        csv_kw = _data_csv(csv_sep, out)
        if not input.exists():
            _fail(f"input file not found: {input}")
        encoding = _check_encoding(encoding, input)
        labels = _question_labels(survey, question or text_col, question_col, given=question)
        from textmine.discover.draft import draft_warning  # a discover draft coded as it is: say so

        if (draft_note := draft_warning(codebook)) is not None:
            _note(draft_note)
        if engine == "dask":
            if sheet is not None:
                _fail("--sheet selects an Excel sheet; --engine dask reads CSV or Parquet (save the sheet as CSV, "
                      "or use --engine local)")
            if out.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".sav", ".json"):
                _fail(f"{out}: --engine dask writes a folder of Parquet parts, not a {out.suffix} file — give a folder "
                      f"name, or use --engine local for one {out.suffix} file")
            try:
                from textmine.distributed import DaskWorkerError, code_with_dask
            except ImportError as exc:
                _fail(f"--engine dask needs textmine.distributed (not available: {exc})")
            bar = _DaskProgress()
            try:
                info = code_with_dask(str(input), str(out), str(codebook), str(model) if model else None, text_col,
                                      scheduler, question_col=question_col, question=question,
                                      redact_cols=list(redact_col), batch_size=batch_size,
                                      rows_per_partition=partition_rows, keep_raw_text=keep_raw_text,
                                      encoding=encoding, warn=_note, unredacted_cols=list(unredacted_col),
                                      header_row=header_row, question_labels=labels, progress=bar.update,
                                      id_cols=_survey_id_cols(survey), checking=bar.checking, overwrite=overwrite)
            except (ValueError, OSError) as exc:  # (FileNotFoundError, PermissionError on the output folder …)
                bar.stop()
                _fail(header_row_wording(str(exc)))
            except DaskWorkerError as exc:  # the run failed (not the input or the options): exit 1
                bar.stop()
                _fail(str(exc), 1)
            finally:
                bar.stop()
            console.print(f"coded {getattr(info, 'n_rows', '?')} rows on dask → {out}")
            if question is None and question_col is None:
                _question_priors_note(info.known_questions, text_col)
            # the local engine's warnings, from what the workers counted (names and counts, never values)
            what = "--question" if question is not None else f"these {question_col!r} values:"
            if info.known_questions or not _zero_shot_model(model):  # (zero-shot has no per-question rates)
                _unknown_questions_warning(list(info.unknown_questions), list(info.known_questions), what)
            from textmine.cli.clean import masked_note, names_note, unredacted_warning

            masked_note(dict(info.masked_columns), lambda m: console.print(m, highlight=False, markup=False))
            unredacted_warning(dict(info.pii_columns), lambda m: console.print(m, highlight=False, markup=False))
            names_note(info.masked_names, lambda m: console.print(m, highlight=False, markup=False))
            return
        if engine != "local":
            _fail(f"--engine must be 'local' or 'dask', got {engine!r}")
        for flag, given in (("--scheduler", scheduler), ("--partition-rows", partition_rows),
                            ("--overwrite", overwrite or None)):
            if given is not None:
                _fail(f"{flag} goes with --engine dask (the local engine codes in this process)")
        from textmine.classify.table import code_dataframe  # (the flags too: one implementation, the library's)

        _check_out(out, input)  # a bad output choice fails now, not after all the coding
        coder = _coder(model, codebook, background=zero_shot_background)
        if zero_shot_background:
            _background_note(coder)
        if question is None and question_col is None:
            _question_priors_note(getattr(coder, "question_priors_", None) or {}, text_col)
        df = _read(input, [text_col, *redact_col], sheet=sheet, encoding=encoding, header_row=header_row)
        if survey is not None:  # its weight column's decimal-comma text («1,25») as numbers, as `summary` reads it
            from textmine.cli.stats import load_survey
            from textmine.io import _decimal_comma_weights

            df = _decimal_comma_weights(df, load_survey(survey).weight_column)
        for what, cols in (("text", [text_col]), ("question", [question_col] if question_col else []),
                           ("--redact-col", redact_col), ("--unredacted-col", unredacted_col)):
            missing = [c for c in cols if c not in df.columns]
            if missing:
                _fail(f"{input}: no {what} column {', '.join(map(repr, missing))}; {_columns(df)}{_title_hint(df)}")
        _check_out(out, input, df=df)  # (its notes on SPSS names are shown for the coded columns, below)
        given = df[text_col].dropna().astype(str)
        if len(given) and not given.str.contains(r"[^\W\d_]", regex=True).any():
            _note(f"{input}: text column {text_col!r} holds no letters at all (numbers or codes only), so every row "
                  f"is coded as a non-answer — is --text-col the comment column? ({_columns(df)})")
        if question is not None:
            _warn_unknown_questions(coder, [question], "--question")
        elif question_col is not None:
            _warn_unknown_questions(coder, df[question_col].astype("string").dropna().tolist(),
                                    f"these {question_col!r} values:")
        from textmine.cli.clean import mask_personal_columns

        df = mask_personal_columns(df, [text_col, *redact_col, *([question_col] if question_col else [])],
                                   unredacted_col, lambda m: console.print(m, highlight=False, markup=False))
        import warnings

        from textmine.classify.zeroshot import SHARE_WARNING_START

        try:
            with warnings.catch_warnings(record=True) as caught:  # shown as one line, not with Python source lines
                # the coder's share warning comes batch by batch: said once for the whole file below (_share_note)
                warnings.filterwarnings("ignore", message=SHARE_WARNING_START, category=UserWarning)
                coded = code_dataframe(coder, df, text_col, batch_size=batch_size, progress=True,
                                       keep_raw_text=keep_raw_text, question_col=question_col, question=question,
                                       redact_cols=list(redact_col), question_labels=labels)
        except ValueError as exc:
            _fail(f"{input}: {exc}")
        for w in caught:
            _note(str(w.message))
        _share_note(coder, coded, df[question_col].to_numpy(dtype=object) if question_col else None)
        from textmine.io import check_output

        for note in check_output(out, coded.iloc[:0]):  # names SPSS does not take, with the coding columns added
            console.print(note, highlight=False, markup=False)
        _write_recorded(coded, out, _coded_identity(coder, model, text_col, question), **csv_kw)
        answered = coded["themes"].astype(bool)
        console.print(f"coded {len(coded)} rows ({int(answered.sum())} with themes, "
                      f"{int(coded['needs_review'].sum())} need review) with {coder.kind} coder → {out}")

    @app.command("train")
    def train(
        labelled: list[Path] = typer.Argument(..., help="labelled file(s): text, themes (ids joined by ';'), type"),
        codebook: Path = typer.Option(..., "--codebook", help="codebook YAML"),
        out: Path = typer.Option(..., "--out", help="model directory to write"),
        text_col: str = typer.Option("text", "--text-col"),
        themes_col: str = typer.Option("themes", "--themes-col"),
        type_col: str = typer.Option("type", "--type-col"),
        id_col: str = typer.Option("id", "--id-col", help="id column: the same id twice is refused (skipped where absent)"),
        sheet: Optional[str] = typer.Option(None, "--sheet", help=SHEET_HELP + "; the same name in every workbook"),
        embedder: str = typer.Option("auto", "--embedder",
                                     help="embedding backend spec: auto (default: e5 for fewer than 1,000 labelled "
                                          "answers, else e5-l6) | e5-l6 | e5 | e5-fp32 | e5-static (fast, no "
                                          "transformer: the models/fast kind) | a sentence-transformers path or name"),
        seed: int = typer.Option(42, "--seed"),
        finetune: bool = typer.Option(False, "--finetune",
                                      help="first fine-tune e5's first 6 layers on the labels (a LoRA adapter saved "
                                           "with the model, validated per CV fold; needs the e5-l6 embedder, takes minutes)"),
        finetune_epochs: float = typer.Option(2.0, "--finetune-epochs", min=0.1, max=20.0),
        header_row: int = typer.Option(1, "--header-row", help=FILES_HEADER_ROW_HELP),
        question_col: Optional[str] = typer.Option(
            None, "--question-col", help="column naming the survey question each labelled comment answers (the model "
                                         "learns routed questions' theme rates; default: a 'question' column)"),
        question: Optional[str] = typer.Option(
            None, "--question", help="the one survey question all labelled comments answer (a row's own 'question' "
                                     "value wins)"),
        survey: Optional[Path] = typer.Option(
            None, "--survey", help="survey definition (YAML): a labelled answer that only repeats its question's label "
                                   "(the question --question, --question-col or else --text-col names) is a "
                                   "non-answer, left out of training as textmine code counts it"),
    ) -> None:
        """Train a calibrated supervised coder and save it as a model directory."""
        import pandas as pd

        from textmine.classify import SupervisedCoder
        from textmine.codebook import CodebookError, load_codebook

        if embedder.strip().lower() == "lexical":
            _fail("--embedder lexical cannot train a model (it is fitted per corpus and is not saved with a model); "
                  "for a fast model without the transformer use --embedder e5-static")
        missing = [str(p) for p in labelled if not p.exists()]
        if missing:
            _fail(f"labelled file(s) not found: {', '.join(missing)}")
        _check_model_out(out)
        if question is not None and question_col is not None:
            _fail("give --question or --question-col, not both")
        try:
            cb = load_codebook(codebook)
        except CodebookError as exc:
            _fail(str(exc))
        asked = {"question_col": question_col} if question_col else {}
        frames = [_read_labelled(p, cb, sheet, text_col=text_col, themes_col=themes_col, type_col=type_col,
                                 id_col=id_col, header_row=header_row, row_refs=True, **asked)
                  .assign(group=str(p.resolve())) for p in labelled]
        data = pd.concat(frames, ignore_index=True)
        if question_col is not None:
            empty = [Path(g).name for g, none in (data["question"] == "").groupby(data["group"]).all().items() if none]
            if empty:
                _fail(f"{', '.join(empty)}: no question in column {question_col!r} (--question-col): the column is "
                      f"missing or empty; expected the survey question each comment answers")
        if question is not None:
            data = _with_question(data, question)
        asked_col = question_col or ("question" if (data["question"] != "").any() else None)
        labels = _question_labels(survey, question or text_col, asked_col, given=question)
        echoes = _question_echoes(data, labels, text_col)
        if echoes:  # a non-answer, as `code --survey` counts it: blank, so that fit leaves it out like one
            refs = data["row_ref"].tolist()
            _note(f"{len(echoes)} labelled answer(s) only repeat their survey question's wording (--survey {survey}): "
                  f"non-answers, left out of training as textmine code counts them: "
                  f"{'; '.join(refs[i] for i in echoes[:10])}{' …' if len(echoes) > 10 else ''}")
            data.loc[echoes, "text"] = ""
        from textmine.classify.supervised import embedder_for_labels

        answered = int((data["themes"] != "").sum())
        spec = "e5-l6" if finetune and embedder == "auto" else embedder_for_labels(answered, embedder)
        if finetune and spec != "e5-l6":
            _fail(f"--finetune fine-tunes the e5-l6 encoder; it cannot be combined with --embedder {embedder}")
        coder = SupervisedCoder(cb, embedder_spec=spec, seed=seed, finetune=finetune, finetune_epochs=finetune_epochs)
        status = "fine-tuning the encoder and training" if finetune else "training"
        refs = data["row_ref"].tolist()
        progress = _Progress()  # each stage on stderr with the time since the start: a fit of minutes is not silent
        progress(f"{status} on {len(data):,} labelled rows from {len(labelled)} file(s) ({answered:,} with themes), "
                 f"codebook {cb.name} {cb.version} ({len(cb.theme_ids)} themes), {_embedder_said(spec, embedder)}")
        with _warnings_as_notes(lambda m: _fit_rows_as_data_rows(m, refs)):
            try:
                # each file is one cross-validation group (from 3 files on): calibration and the review level are
                # then fitted on comments from files (writers, waves) the fold's model has not read
                coder.fit(data["text"].tolist(), data["themes"].tolist(), data["type"].tolist(),
                          groups=data["group"].tolist(), questions=data["question"].tolist(), progress=progress)
            except (CodebookError, ValueError) as exc:
                _fail(f"{', '.join(map(str, labelled))}: {exc}")
        pos = (coder.training_metrics_ or {}).get("positives_per_theme") or {}
        thin = [t for t in cb.theme_ids if pos.get(t, 0) < 2]
        if thin:
            _note(f"{len(thin)} of {len(cb.theme_ids)} themes have fewer than 2 labelled comments and are not learned "
                  f"from the labels (coded from the codebook alone): {', '.join(thin)}")
        # absolute: review --corrections finds them anywhere (the manifest hides a name holding personal data:
        # textmine.classify.artefact.recorded_training_file)
        coder.training_data_ = [str(p.resolve()) for p in labelled]
        if survey is not None or question is not None or question_col is not None:
            # review --corrections reads the training files again as this did (question echoes left out)
            coder.training_questions_ = {"survey_labels": labels, "question_col": question_col,
                                         "question": question, "default_question": text_col}
        coder.save(out)
        m = coder.training_metrics_
        console.print(f"saved {out}: n={m['n_train']} out-of-fold macro-F1={m['oof_macro_f1']:.3f} "
                      f"micro-F1={m['oof_micro_f1']:.3f} review threshold={coder.review_threshold:.3f} "
                      f"(auto-codes {m['oof_auto_coded_share']:.0%} out of fold)")
        console.print(_training_said(coder, progress.clock() - progress.start), highlight=False, markup=False,
                      soft_wrap=True)

    @app.command("evaluate")
    def evaluate(
        labelled: Path = typer.Argument(..., help="labelled file: text, themes, type"),
        model: Optional[Path] = typer.Option(None, "--model", help="model directory (zero-shot with --codebook)"),
        codebook: Optional[Path] = typer.Option(None, "--codebook"),
        text_col: str = typer.Option("text", "--text-col"),
        themes_col: str = typer.Option("themes", "--themes-col"),
        type_col: str = typer.Option("type", "--type-col"),
        sheet: Optional[str] = typer.Option(None, "--sheet", help=SHEET_HELP),
        json_out: Path = typer.Option(Path("evaluation.json"), "--json", help="where to write the metrics JSON"),
        header_row: int = typer.Option(1, "--header-row", help=HEADER_ROW_HELP),
        zero_shot_background: bool = typer.Option(False, "--zero-shot-background", help=ZERO_SHOT_BACKGROUND_HELP),
    ) -> None:
        """Compare the coder with human codes: per-theme P/R/F1, kappa, alpha, coverage–accuracy, shares."""
        import numpy as np

        from textmine.codebook import parse_theme_list
        from textmine.evaluate import evaluate_coding
        from textmine.pipeline import ZERO_SHOT_KEY, zero_shot_settings

        if zero_shot_background:
            _check_zero_shot_background(model, "local")
        if not labelled.exists():
            _fail(f"labelled file not found: {labelled}")
        _check_json_out(json_out, labelled)
        coder = _coder(model, codebook, background=zero_shot_background)
        if zero_shot_background:
            _background_note(coder)
        data = _read_labelled(labelled, coder.codebook, sheet, warn=lambda m: _note(_evaluation_wording(m)),
                              text_col=text_col, themes_col=themes_col, type_col=type_col, header_row=header_row,
                              mismatch=True)
        blank = np.ones(len(data), dtype=bool)
        for c in ("text", "themes", "type"):
            blank &= data[c].astype(str).str.strip().eq("").to_numpy()
        if blank.any():  # a blank row is no comment: counted, it would be a free "no theme" hit
            rows = np.flatnonzero(blank) + 1
            shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
            _note(f"{labelled}: {len(rows)} blank row(s) left out of the evaluation (data row(s) {shown})")
            data = data[~blank]
        if data.empty:
            _fail(f"{labelled}: no labelled comments to evaluate (only a header); expected rows with "
                  f"{text_col!r} and {themes_col!r}")
        try:
            y_true = coder.codebook.to_matrix([parse_theme_list(t) for t in data["themes"]])
        except ValueError as exc:
            _fail(f"{labelled}: {exc}")
        with _warnings_as_notes():
            pred = coder.predict(data["text"].tolist(), data["question"].tolist())
        ids = coder.codebook.theme_ids
        rep = evaluate_coding(y_true, pred[[f"theme_{t}" for t in ids]].to_numpy(), ids,
                              confidence=pred["confidence"].to_numpy())
        has_type = data["type"] != ""
        if has_type.any():
            rep.summary["type_accuracy"] = float((pred.loc[has_type.to_numpy(), "type"].to_numpy()
                                                  == data.loc[has_type, "type"].to_numpy()).mean())
        rep.summary["auto_coded_share"] = float((pred["needs_review"] == 0).mean())
        print(rep.to_text())
        payload = {"model": str(model) if model else None, "kind": coder.kind, "labelled": str(labelled),
                   **rep.to_dict()}
        if (settings := zero_shot_settings(coder)) is not None:  # the zero-shot coder evaluated, as `code` records it
            payload[ZERO_SHOT_KEY] = settings
        _write_text(json_out, json.dumps(payload, indent=2, ensure_ascii=False))
        console.print(f"wrote {json_out}")

    @app.command("review")
    def review(
        input: Path = typer.Argument(..., help="comments to rank (table file)"),
        model: Optional[Path] = typer.Option(None, "--model", help="the trained model folder to review (and "
                                             "retrain with --corrections); without it the queue is zero-shot"),
        codebook: Optional[Path] = typer.Option(None, "--codebook", help="codebook YAML: required without "
                                                "--model; with it, checked against the model's own copy"),
        text_col: str = typer.Option("text", "--text-col"),
        id_col: Optional[str] = typer.Option(None, "--id-col",
                                             help="the input's id column: copied into the queue file (and checked for "
                                                  "duplicates in --corrections; default there: 'id' where present)"),
        n: int = typer.Option(20, "--n", min=1),
        sheet: Optional[str] = typer.Option(None, "--sheet",
                                            help=SHEET_HELP + "; applies to every workbook read (INPUT, --corrections, "
                                                 "--train, --eval)"),
        queue_out: Optional[Path] = typer.Option(
            None, "--queue-out", help="write the queue as CSV/XLSX: the --id-col column (when given), text "
                                      "(redacted), themes (the suggestion: edit it), type, then rank, data_row (the "
                                      "input's data row), candidates… — after editing it is a --corrections file"),
        corrections: Optional[Path] = typer.Option(None, "--corrections",
                                                   help="corrected labels (text, themes, type; an edited --queue-out "
                                                        "file): retrain with them and the model's training files "
                                                        "(read as train read them: answers there that only repeat "
                                                        "their survey question stay out; such an answer in the "
                                                        "corrections is your decision and is trained on)"),
        train: Optional[list[Path]] = typer.Option(None, "--train",
                                                   help="original training file(s) (default: those the model records)"),
        corrections_only: bool = typer.Option(False, "--corrections-only",
                                              help="retrain on the corrections (+ codebook) alone, without the "
                                                   "original training data"),
        eval_file: Optional[Path] = typer.Option(None, "--eval", help="labelled file to measure quality before/after"),
        out: Optional[Path] = typer.Option(None, "--out", help="where to save the retrained model"),
        corrections_weight: int = typer.Option(
            1, "--corrections-weight", min=1,
            help="training rows each correction counts as: above 1 your coding outweighs the original training "
                 "data's where they differ (see bench/RESULTS.md, review loop)"),
        header_row: int = typer.Option(1, "--header-row", help=HEADER_ROW_HELP + " (INPUT)"),
        labelled_header_row: int = typer.Option(
            1, "--labelled-header-row", help=HEADER_ROW_HELP + " (the --corrections, --train and --eval files, and "
                                                               "the training files the model records)"),
        question_col: Optional[str] = typer.Option(
            None, "--question-col", help="column naming the survey question each comment answers (as for textmine "
                                         "code: the queue then suggests what code wrote)"),
        question: Optional[str] = typer.Option(None, "--question",
                                               help="the survey question (column id) all comments answer, as given "
                                                    "to textmine code"),
        survey: Optional[Path] = typer.Option(
            None, "--survey", help="survey definition (YAML): an answer that only repeats its question's label (the "
                                   "question --question, --question-col or else --text-col names) is a non-answer, "
                                   "left out of the queue as textmine code counts it"),
        csv_sep: Optional[str] = typer.Option(None, "--csv-sep", help=CSV_SEP_HELP + " (a .csv --queue-out)"),
    ) -> None:
        """Print the comments most worth a human label; with --corrections, retrain and show the quality change."""
        import pandas as pd

        from textmine.review import CORRECTIONS_FILE, apply_corrections, review_queue

        csv_kw = _csv_sep(csv_sep, queue_out, flag="--queue-out")
        if not input.exists():
            _fail(f"input file not found: {input}")
        if corrections is None:
            if train or corrections_only or eval_file or out or corrections_weight != 1 or labelled_header_row != 1:
                _fail("--train, --corrections-only, --corrections-weight, --eval, --labelled-header-row and --out go "
                      "with --corrections (retraining)")
            if queue_out:
                _check_out(queue_out, input, flag="--queue-out")
            if question is not None and question_col is not None:
                _fail("give --question or --question-col, not both")
            labels = _question_labels(survey, question or text_col, question_col, given=question)
            coder = _coder(model, codebook)
            df = _read(input, [text_col], sheet=sheet, header_row=header_row)
            for what, col in (("text", text_col), ("id", id_col), ("question", question_col)):
                if col is not None and col not in df.columns:
                    _fail(f"{input}: no {what} column {col!r}; {_columns(df)}{_title_hint(df)}")
            if question is not None:
                _warn_unknown_questions(coder, [question], "--question")
                asked = question
            elif question_col is not None:
                asked = df[question_col].astype("string").fillna("").astype(str).tolist()
                _warn_unknown_questions(coder, [a for a in asked if a], f"these {question_col!r} values:")
            else:
                asked = None
                _question_priors_note(getattr(coder, "question_priors_", None) or {}, text_col)
            texts = _without_question_echoes(df, text_col, asked, labels, input, id_col, survey)
            q = review_queue(coder, texts, n=n, questions=asked)
            from rich.table import Table

            table = Table(title=f"review queue ({len(q)} of {len(df)} rows)")
            for col in ("rank", "data row", "confidence", "suggested_themes", "candidates", "text_clean"):
                table.add_column(col, overflow="fold")
            for r in q.itertuples():  # data rows counted from 1, as in every warning and error
                table.add_row(str(r.rank), str(r.row + 1), f"{r.confidence:.2f}", r.suggested_themes, r.candidates,
                              r.text_clean[:160])
            Console(width=200).print(table)
            if queue_out:
                rows = q["row"].to_numpy()
                sheet = pd.DataFrame({"text": q["text_clean"].tolist(), "themes": q["suggested_themes"].tolist(),
                                      "type": q["type"].tolist() if "type" in q else [""] * len(q)})
                if asked is not None:  # the question each row answers: the edited queue is a corrections file as it is
                    sheet["question"] = [asked] * len(q) if isinstance(asked, str) else [asked[i] for i in rows]
                if id_col is not None:
                    sheet.insert(0, id_col, df[id_col].iloc[rows].astype("string").fillna("").tolist())
                    _personal_id_warning(df[id_col].iloc[rows], id_col, queue_out)
                rest = q.drop(columns=["text_clean", "type"], errors="ignore")
                rest = rest.rename(columns={"row": "data_row"}).assign(data_row=rest["row"] + 1)  # from 1
                sheet = pd.concat([sheet, rest.reset_index(drop=True)], axis=1)
                _write_recorded(sheet, queue_out, _coded_identity(coder, model, text_col, question),
                                **_excel_csv(queue_out, csv_kw))
                console.print(f"wrote {queue_out}: edit the 'themes' (and 'type') of each row, delete rows you did "
                              f"not check, then pass it to --corrections", soft_wrap=True)
            return
        if survey is not None:
            _fail("--survey goes with the review queue (without --corrections); retraining takes the corrections as "
                  "you checked them and reads no survey definition — delete rows that only repeat the question from "
                  "the corrections file instead")
        if question_col is not None:
            _fail("--question-col goes with the review queue (without --corrections); a corrections file gives each "
                  "row's question in a 'question' column (--question QUESTION gives it for rows that have none)")
        if queue_out is not None:
            _fail("--queue-out writes a queue from the model as it is, and is not written when retraining with "
                  "--corrections: run review without --corrections (with the retrained --out model) for a new queue")
        if out is not None:
            _check_model_out(out)
        if train and corrections_only:
            _fail("--corrections-only retrains without training files: drop --train, or drop --corrections-only")
        for what, pth in (("corrections", corrections), ("--eval", eval_file), *(("--train", t) for t in train or [])):
            if pth is not None and not pth.exists():
                _fail(f"{what} file not found: {pth}")
        coder = _coder(model, codebook)
        cb = coder.codebook
        earlier, kept_sources = _stored_corrections(model)
        if train:
            train_paths = list(train)
        elif corrections_only:
            train_paths = []
        else:
            # corrections files of earlier rounds are kept in the model folder (corrections.csv), not read again
            recorded = [_recorded_path(p, model) for p in (getattr(coder, "training_data_", None) or [])
                        if p not in kept_sources]
            gone = [str(p) for p in recorded if not p.exists()]
            if gone:
                _fail(f"the model's training file(s) {', '.join(gone)} are not found (from {Path.cwd()}); retraining "
                      f"without them would learn from the corrections alone. Give them with --train FILE (repeat "
                      f"for several), or pass --corrections-only to retrain on the corrections only")
            if not recorded and getattr(coder, "kind", "") == "supervised":
                _fail("the model records no training files: give them with --train FILE, or pass "
                      "--corrections-only to retrain on the corrections only")
            train_paths = recorded
        progress = _Progress()
        progress(f"reading {len(train_paths)} training file(s), the corrections"
                 + (" and the eval file" if eval_file else ""))
        # the files the model itself records were read this way when it was trained: their 'no theme' rows are
        # known, and repeating that on every retraining is noise the analyst cannot act on
        warn_train = _note if train else _not_unlabelled_note
        # the question column train read (--question-col, recorded with the model): each row's question, as then
        recorded_col = (getattr(coder, "training_questions_", None) or {}).get("question_col")
        asked_col = {"question_col": recorded_col} if recorded_col else {}
        train_df = (pd.concat([_read_labelled(p, cb, sheet, warn=warn_train, header_row=labelled_header_row,
                                              **asked_col)
                               .assign(group=str(p.resolve())) for p in train_paths], ignore_index=True)
                    if train_paths else None)
        eval_df = (_read_labelled(eval_file, cb, sheet, id_col=None, header_row=labelled_header_row,
                                  warn=lambda m: _note(_evaluation_wording(m)))
                   if eval_file else None)
        corr_df = _read(corrections, ["text"], sheet=sheet, header_row=labelled_header_row)
        if question is not None:
            corr_df = _with_question(corr_df, question)
            _warn_unknown_questions(coder, [question], "--question")
        corr_df = _check_correction_ids(corr_df, corrections, input, id_col, sheet, header_row, coder=coder,
                                        text_col=text_col)
        if earlier is not None:
            progress(f"{len(earlier)} earlier correction(s) stored with {model} ({CORRECTIONS_FILE}) are trained on "
                     f"again")
        corr_col = id_col or "id"
        corr_ids = (corr_df[corr_col].astype("string").fillna("").astype(str).str.strip().tolist()
                    if corr_col in corr_df.columns else [])

        def shown_ids(msg: str) -> None:  # a note's "(data rows 21, 22)" with each row's id
            _note(_with_ids(msg, corr_ids, corr_col))

        try:
            with _warnings_as_notes():
                res = apply_corrections(coder, corr_df, train=train_df, eval_set=eval_df,
                                        where=str(corrections), id_col=id_col or "id", warn=shown_ids,
                                        weight=corrections_weight, earlier=earlier,
                                        earlier_where=f"{model}/{CORRECTIONS_FILE}", progress=progress)
        except ValueError as exc:
            _fail(str(exc))
        print(res.to_text())
        if out:
            progress(f"saving {out}")
            # the corrections travel in the model folder (corrections.csv, hash in the manifest); their file's path is
            # recorded as before, and skipped as a training file by a later review of this model
            res.coder.training_data_ = list(dict.fromkeys(str(p.resolve()) for p in [*train_paths, corrections]))
            res.coder.save(out)
            _store_corrections(out, res.corrections, corrections, kept_sources, res.coder.codebook)
            console.print(f"saved retrained model → {out} (with its {len(res.corrections)} correction(s) in "
                          f"{CORRECTIONS_FILE}: a later review --model {out} --corrections NEW trains on them too)",
                          soft_wrap=True)

    @app.command("agreement")
    def agreement(
        first: Path = typer.Argument(..., help="first coding (table file: id, themes, optional type)"),
        second: Path = typer.Argument(..., help="second coding of the same comments (a person, or `textmine code` output)"),
        codebook: Path = typer.Option(..., "--codebook", help="codebook YAML (theme ids and their order)"),
        id_col: str = typer.Option("id", "--id-col", help="column matching the comments between the two files"),
        themes_col: str = typer.Option("themes", "--themes-col"),
        type_col: str = typer.Option("type", "--type-col", help="comment type column (skipped where absent)"),
        sheet: Optional[str] = typer.Option(None, "--sheet", help=SHEET_HELP + "; the same name in both workbooks"),
        json_out: Optional[Path] = typer.Option(None, "--json", help="write the report as JSON"),
        disagreements: Optional[Path] = typer.Option(None, "--disagreements",
                                                     help="write the disagreeing ids and both codes (no text)"),
        header_row: int = typer.Option(1, "--header-row", help=HEADER_ROW_HELP + "; the same row in both files"),
        csv_sep: Optional[str] = typer.Option(None, "--csv-sep", help=CSV_SEP_HELP + " (a .csv --disagreements)"),
    ) -> None:
        """Inter-coder reliability of two codings: per-theme kappa/alpha/F1, share differences, type agreement."""
        from textmine.agreement import intercoder_agreement
        from textmine.codebook import CodebookError, load_codebook

        csv_kw = _csv_sep(csv_sep, disagreements, flag="--disagreements")
        if json_out:
            _check_json_out(json_out, first, second)
        if disagreements:
            _check_out(disagreements, first, second, flag="--disagreements")
        try:
            cb = load_codebook(codebook)
        except CodebookError as exc:
            _fail(str(exc))
        # ids and theme ids as written: «1,10» in a ';' file is two ids (not 1.1), «01» stays «01»
        a, b = (_read(f, [id_col, themes_col], sheet=sheet, header_row=header_row) for f in (first, second))
        try:
            rep = intercoder_agreement(a, b, cb.theme_ids, id_col=id_col, themes_col=themes_col, type_col=type_col,
                                       names=(str(first), str(second)), rollup=cb.rollup)
        except ValueError as exc:
            _fail(str(exc))
        print(rep.to_text())
        if json_out:
            payload = {"first": str(first), "second": str(second), "codebook": str(codebook), **rep.to_dict()}
            _write_text(json_out, json.dumps(payload, indent=2, ensure_ascii=False))
            console.print(f"wrote {json_out}")
        if disagreements:
            _write(rep.disagreements, disagreements, **_excel_csv(disagreements, csv_kw))
            console.print(f"wrote {disagreements} ({len(rep.disagreements)} rows)")
