"""The main job as plain functions: read waves, clean + code their free text, summarise.

Shared by ``textmine demo``, ``textmine summary`` and ``textmine report`` so every entry point
codes the same way. I/O is limited to :func:`read_waves`; the rest is data in, data out (also
:func:`coded_from_code_output`, which turns a ``textmine code`` output the caller has read into a coded frame).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CODED_BASE_COLUMNS = ("respondent_id", "question", "text_clean", "is_non_answer", "health_flag", "language")
LONG_CODED_COLUMNS = CODED_BASE_COLUMNS[:3]  # what a coded frame given as a table must have
CODE_OUTPUT_COLUMNS = ("themes", "confidence", "needs_review", "type")  # the coders' columns besides theme_/score_


def wave_of(df: pd.DataFrame, survey: Any, path: Path) -> Any:
    """The wave a file holds: the single value of the survey's wave column, else the file stem."""
    if survey.wave_column and survey.wave_column in df.columns:
        vals = df[survey.wave_column].dropna().unique()
        if len(vals) == 1:
            v = vals[0]
            try:
                return int(v) if float(str(v)).is_integer() else str(v)
            except (ValueError, OverflowError):  # a label such as "2023H1" or "høst 2023"
                return str(v).strip()
        if len(vals) > 1:
            from textmine.preprocess import redact  # a stray wave value may be personal data: quoted masked

            shown = ", ".join(redact(str(v))[0][:40] for v in vals[:5])
            raise ValueError(f"{path}: several waves in one file ({shown}); split it per wave")
    return path.stem


def read_waves(paths: Sequence[Path], survey: Any, *, sheet: str | None = None,
               header_row: int = 1) -> dict[Any, pd.DataFrame]:
    """Read one file per wave (validated against the survey definition; ``header_row``: the file row, from 1,
    holding the column names, as in :func:`textmine.io.read_table`), keyed by wave. Values of a
    declared-levels segment that are not declared levels are set to missing, with a warning (rows, never values).
    A .sav's labelled SPSS user-missing codes of an indicator stay as excluded codes (``read_table``'s
    ``user_missing="excluded"``); waves whose value labels of an indicator disagree are refused
    (:func:`check_wave_labels`)."""
    import warnings

    from .io import read_table
    from .summary import CLEARED_LEVELS_ATTR

    if isinstance(paths, (str, Path)):
        raise TypeError("read_waves expects a list of files, one per wave; wrap a single file in a list")
    frames: dict[Any, pd.DataFrame] = {}
    for p in map(Path, paths):
        df = read_table(p, sheet=sheet, survey=survey, user_missing="excluded", header_row=header_row)
        wave = wave_of(df, survey, p)
        if wave in frames:
            raise ValueError(f"{p}: wave {wave} is given twice")
        df, cleared = survey.clear_undeclared_levels(df, source=p.name)
        for m in cleared:
            warnings.warn(m, UserWarning, stacklevel=2)
        df.attrs[CLEARED_LEVELS_ATTR] = cleared
        frames[wave] = df
    check_wave_labels(frames, survey)
    return frames


def _label_text(label: Any) -> str:
    return " ".join(str(label).split()).casefold()


def _labels_shown(labels: dict, limit: int = 10) -> str:
    items = [f"{c} = «{_shown_label(v)}»" for c, v in labels.items()]
    return "; ".join(items[:limit]) + (f"; … ({len(items) - limit} more)" if len(items) > limit else "")


_NAMED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".sav", ".parquet", ".pq", ".json", ".yaml", ".yml")


def personal_name(name: str, *, file: bool = True) -> bool:
    """A file or folder name (``file``) or a wave label holds personal data: what the label check finds in it
    (:func:`textmine.labelcheck.personal_data_counts`, as the service checks wave labels), also read as an id's
    words ("Ola_Nordmann_15038510190"); a file name also when it holds an unambiguous surname or first name on its
    own ("hansen_svar", "kari", "anna_2024"), as the service checks uploaded file names. "2023", "høst 2024",
    "20240115" and "svar_2023.csv" pass (and the label "Anna 2024", nynorsk)."""
    from .disclosure import identifier_words
    from .labelcheck import personal_data_counts, stem_first_names, stem_surnames

    stem = str(name)
    if file and Path(stem).suffix.lower() in _NAMED_SUFFIXES:
        stem = Path(stem).stem
    return bool(personal_data_counts(stem) or personal_data_counts(identifier_words(stem))
                or file and (stem_surnames(stem) or stem_first_names(stem)))


HIDDEN_SOURCE = "the wave file (name not shown)"  # a wave file's name with personal data, as warnings name it


def hide_personal_sources(frames: dict[Any, pd.DataFrame], paths: dict[Any, Any] | None = None) -> None:
    """Where a wave file's name (``paths``: wave → file, else the frame's ``source``) holds personal data
    (:func:`personal_name`), name the file :data:`HIDDEN_SOURCE` in the frame's ``source`` and in the read's notes
    and warnings kept on it (its attrs), in place: the summary's and report's warnings, which are published, name
    the file they come from."""
    for wave, df in frames.items():
        src = str(df.attrs.get("source", ""))
        path = Path(str((paths or {}).get(wave) or src))
        if not (personal_name(path.name) or (src and personal_name(Path(src).name))):
            continue
        names = sorted({n for n in (src, str(path), path.name, Path(src).name) if n}, key=len, reverse=True)

        def hidden(text: str) -> str:
            for n in names:
                text = text.replace(n, HIDDEN_SOURCE)
            return text

        for key, value in list(df.attrs.items()):
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                df.attrs[key] = type(value)(hidden(v) for v in value)
        df.attrs["source"] = HIDDEN_SOURCE


def _personal_wave_label(i: int, wave: Any, df: pd.DataFrame, survey: Any) -> str | None:
    """The error for a wave label (``wave``, the ``i``-th wave) holding personal data: it names the wave column and
    the row it is read from (or the file name it is taken from), never the value; None for a label that is fine."""
    col = survey.wave_column
    from_column = bool(col and col in df.columns)
    src = str(df.attrs.get("source", ""))
    from_file = not from_column and (src == HIDDEN_SOURCE or Path(src).stem == str(wave))  # (wave_of: the stem)
    if not personal_name(str(wave), file=from_file):
        return None
    where = f"wave file {i}: the wave label (its file name: no wave column)"
    if from_column:
        held = np.flatnonzero(df[col].notna().to_numpy())
        row = int(held[0]) + int(df.attrs.get("first_data_row", 2)) if len(held) else None
        where = f"wave file {i}: column {col}" + (f", row {row}" if row is not None else "")
    return (f"{where} looks like it holds personal data (a name, fødselsnummer, phone number, e-mail …); the wave "
            f"label is printed in every table, chart and export: use a neutral label such as the year or round")


def _shown_label(label: Any) -> str:
    """A value label or file name as an error quotes it: personal data redacted, then cut at 40 characters."""
    from .preprocess import redact

    return redact(str(label))[0][:40]


def check_wave_labels(frames: dict[Any, pd.DataFrame], survey: Any) -> None:
    """Refuse a wave label holding personal data (``ValueError`` naming the wave column and row, never the value;
    :func:`personal_name`), and waves whose value labels of an indicator disagree (``ValueError`` naming both
    files, the column and both label sets, personal data redacted): a code labelled «Svært fornøyd» in one wave
    and «Svært misfornøyd» in another means the waves are coded differently, and their change would be published
    as real. Only codes labelled in both waves are compared (case and spacing aside); files without value labels
    (CSV, Excel) are not checked."""
    for i, (wave, df) in enumerate(frames.items(), start=1):
        problem = _personal_wave_label(i, wave, df, survey)
        if problem:
            raise ValueError(problem)
    first: dict[str, tuple[str, dict]] = {}  # column → (source, labels) of the first wave that labels it
    for wave, df in frames.items():
        src = str(df.attrs.get("source", f"wave {wave}"))
        if personal_name(Path(src).name):  # (quoted in the error: the file's name kept out)
            src = f"the wave {wave} file"
        for ind in survey.indicators:
            labels = (df.attrs.get("value_labels") or {}).get(ind.column) or {}
            if not labels:
                continue
            if ind.column not in first:
                first[ind.column] = (src, labels)
                continue
            src0, labels0 = first[ind.column]
            differ = [c for c in labels if c in labels0 and _label_text(labels[c]) != _label_text(labels0[c])]
            if differ:
                c = differ[0]
                raise ValueError(
                    f"{src}: column {ind.column} (indicator {ind.id}): its value labels differ from those of "
                    f"{src0}: code {c} is «{_shown_label(labels[c])}» here and «{_shown_label(labels0[c])}» there "
                    f"({len(differ)} code(s) differ); {src0}: {_labels_shown(labels0)}; {src}: "
                    f"{_labels_shown(labels)}. The waves are not coded alike, so their change would be wrong: recode "
                    f"one file so that each code means the same in every wave")


def coder_for(*, model: Path | None = None, codebook: Any = None) -> Any:
    """A trained coder from ``model``, else the bundled default (zero-shot for a foreign codebook). ``codebook``: a
    codebook file or a :class:`textmine.codebook.Codebook` (``TypeError`` for anything else)."""
    from .classify import default_coder, load_coder

    if model:
        return load_coder(model)
    if codebook is not None and not isinstance(codebook, (str, Path)):
        codebook = _checked_codebook(codebook)
    return default_coder(codebook_path=codebook)


def _checked_codebook(codebook: Any) -> Any:
    """``codebook`` when it is a :class:`textmine.codebook.Codebook`, else ``TypeError`` saying what is taken."""
    from collections.abc import Mapping

    from .codebook import Codebook

    if not isinstance(codebook, Codebook):
        hint = "; build one from a dict with Codebook.from_dict(...)" if isinstance(codebook, Mapping) else ""
        raise TypeError(f"codebook: expected a codebook file (str or Path) or a textmine.codebook.Codebook, got "
                        f"{type(codebook).__name__}{hint}")
    return codebook


def code_wave(
    df: pd.DataFrame,
    survey: Any,
    *,
    coder: Any = None,
    model: Path | None = None,
    codebook: Any = None,
    cleaner: Any = None,
    report: Callable[[str], None] | None = None,
    questions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Clean and code every free-text question of one wave (``questions``: only these columns) → the coded frame
    :func:`build_summary` takes.

    One row per non-empty answer: respondent_id, question, text_clean, is_non_answer, health_flag,
    language, theme_<id>, score_<id>, themes, confidence, needs_review, type. Raw text is not kept.
    A free-text question whose column is not in ``df`` is left out with a ``UserWarning`` naming it (the survey
    definition's free-text columns are optional in the data, as its validation says). ``codebook`` (a codebook file
    or a :class:`textmine.codebook.Codebook`; without ``coder`` and ``model``) replaces the questions' own codebooks.
    """
    import warnings

    from .preprocess import Cleaner

    if coder is not None and not hasattr(coder, "predict_frame"):
        raise TypeError(f"coder: expected a textmine coder (e.g. default_coder() or load_coder(path)), got "
                        f"{type(coder).__name__}; give a model folder as model=")
    if codebook is not None and not isinstance(codebook, (str, Path)):
        _checked_codebook(codebook)
    if survey.id_column not in df.columns and any(q.column in df.columns for q in survey.free_text):
        raise KeyError(f"the data has no column {survey.id_column!r} (the survey's respondent id)")
    parts = []
    coders: dict[str, Any] = {}  # one coder per codebook, loaded once
    used: dict[str, str | None] = {}  # question → what coded it (coder_label), in the result's attrs
    for q in survey.free_text:
        if questions is not None and q.column not in questions:
            continue
        if q.column not in df.columns:
            warnings.warn(f"free-text question {q.column!r} ({q.label!r}): the data has no column {q.column!r}, so "
                          f"its answers are not coded", UserWarning, stacklevel=2)
            continue
        texts = df[q.column]
        has = texts.notna() & texts.astype(str).str.strip().ne("")
        if not has.any():
            continue
        sub = df.loc[has, [survey.id_column, q.column]].reset_index(drop=True)
        qcoder = coder
        if qcoder is None:
            qcodebook = codebook if codebook is not None else q.codebook
            key = str(qcodebook) if qcodebook is None or isinstance(qcodebook, (str, Path)) else f"id {id(qcodebook)}"
            if key not in coders:
                coders[key] = coder_for(model=model, codebook=qcodebook)
            qcoder = coders[key]
        qcleaner = cleaner if cleaner is not None else Cleaner(question_texts=(q.label,)).fit()
        cleaned = qcleaner.transform(sub[q.column].astype(str))
        cleaned["question"] = q.column  # routed questions: a supervised coder applies this question's theme rates
        pred = qcoder.predict_frame(cleaned)
        used[q.column] = coder_label(qcoder, model if coder is None else None, default=coder is None)
        part = pd.DataFrame({"respondent_id": sub[survey.id_column].astype(str).to_numpy(), "question": q.column})
        for c in CODED_BASE_COLUMNS[2:]:
            if c in cleaned.columns:
                part[c] = cleaned[c].to_numpy()
        for c in pred.columns:
            if c.startswith(("theme_", "score_")) or c in ("themes", "confidence", "needs_review", "type"):
                part[c] = pred[c].to_numpy()
        parts.append(part)
        if report:
            report(f"coded {len(part)} answers to {q.column}")
    if not parts:
        return pd.DataFrame(columns=list(CODED_BASE_COLUMNS[:3]))
    out = pd.concat(parts, ignore_index=True)
    out.attrs[CODERS_ATTR] = used
    return out


#: the attrs key of :func:`code_wave`'s result naming what coded each question (:func:`coder_label`)
CODERS_ATTR = "coded_by"


def coder_label(coder: Any, model: str | Path | None = None, *, default: bool = False) -> str | None:
    """What coded a question, as a coding record names it (``model`` of :func:`coded_identity`): "zero-shot" (with
    the settings that change its codes, :func:`zero_shot_label`: «zero-shot@@background»), a trained model's folder
    name (``model``; the shipped model's when ``default`` and no ``model``: the coder :func:`coder_for` made),
    "keyword" for the keyword coder; None when a trained coder's folder is not known."""
    kind = getattr(coder, "kind", None)
    if kind == "zeroshot":  # with the settings that change its codes (zero_shot_label)
        return zero_shot_label(zero_shot_settings(coder))
    if kind == "keyword":
        return "keyword"
    if kind == "supervised" and (model or default):
        from .paths import DEFAULT_MODEL_DIR

        folder = model or DEFAULT_MODEL_DIR
        return with_fingerprint(_model_name(folder), model_fingerprint(folder))
    return None


#: between a model's name and its fingerprint in a coder label (:func:`coder_label`): «default@@1f2e…»
FINGERPRINT_MARK = "@@"


def model_fingerprint(folder: str | Path | None) -> str | None:
    """A trained model's identity whatever its folder is called: the first 16 hex digits of the SHA-256 of its
    ``manifest.json`` (it holds the creation time, codebook hash and embedder); None without one."""
    import hashlib

    path = Path(folder) / "manifest.json" if folder is not None else None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path is not None else None
    except OSError:
        return None


def with_fingerprint(name: str, fingerprint: str | None) -> str:
    """A coder label: the model's name, and its fingerprint when known (compared by :func:`same_coder`)."""
    return f"{name}{FINGERPRINT_MARK}{fingerprint}" if fingerprint else name


def coder_name(label: str) -> str:
    """A coder label (:func:`coder_label`) as shown: the model's name without its fingerprint."""
    return str(label).split(FINGERPRINT_MARK, 1)[0]


def same_coder(a: str, b: str) -> bool:
    """Whether two coder labels name the same coder: by fingerprint where both have one (a model copied to a
    folder of another name is the same model; two models in folders of one name are not), else by name."""
    na, _, fa = str(a).partition(FINGERPRINT_MARK)
    nb, _, fb = str(b).partition(FINGERPRINT_MARK)
    if na == nb == ZERO_SHOT:  # zero-shot's settings (zero_shot_label): none is plain zero-shot, not unknown
        return fa == fb
    return fa == fb if fa and fb else na == nb


#: what a coding record and a coder label name zero-shot coding (no trained model)
ZERO_SHOT = "zero-shot"
#: the coding record's field (:func:`coded_identity`) holding the zero-shot settings that change the codes
#: (:func:`zero_shot_settings`); a record without it (older files) is plain zero-shot
ZERO_SHOT_KEY = "zero_shot"
#: zero-shot settings that change the codes → the ``textmine code`` option that sets them (all off by default)
ZERO_SHOT_OPTIONS = {"background": "--zero-shot-background"}


def zero_shot_settings(coder: Any, codebook: Any = None) -> dict[str, bool] | None:
    """The settings of a zero-shot coder that change its codes (:data:`ZERO_SHOT_OPTIONS`: ``background``, the
    ZeroShotCoder's background check, true only where it runs: :func:`background_runs`); None for any other coder.
    ``codebook``: the coded codebook, where the coder does not carry one."""
    if getattr(coder, "kind", None) != "zeroshot":
        return None
    out = {k: bool(getattr(coder, k, False)) for k in ZERO_SHOT_OPTIONS}
    out["background"] = out["background"] and background_runs(coder, codebook)
    return out


def background_runs(coder: Any, codebook: Any = None) -> bool:
    """Whether a zero-shot coder's background check (``background=True``) runs for its codebook (or ``codebook``):
    only for one of 2 to ``ZeroShotCoder.BACKGROUND_MAX_THEMES`` − 1 non-exclusive themes, with background texts
    (:func:`textmine.classify.zeroshot.background_texts`); elsewhere it changes no code, and the coding is plain
    zero-shot. True where the codebook is not known (the setting as given)."""
    if not getattr(coder, "background", False):
        return False
    cb = getattr(coder, "codebook", None) or codebook
    if cb is None:
        return True
    from .classify.zeroshot import ZeroShotCoder, background_texts

    limit = getattr(coder, "BACKGROUND_MAX_THEMES", ZeroShotCoder.BACKGROUND_MAX_THEMES)
    n = sum(not t.exclusive for t in cb.themes)
    return 2 <= n < limit and bool(background_texts(getattr(coder, "BACKGROUND_FILE", ZeroShotCoder.BACKGROUND_FILE)))


def zero_shot_label(settings: Any = None) -> str:
    """The coder label (:func:`coder_label`) of zero-shot coding with ``settings`` (:func:`zero_shot_settings`, or
    a record's :data:`ZERO_SHOT_KEY`; None, missing or all off: plain "zero-shot"): «zero-shot@@background» with
    the background check, so that :func:`same_coder` tells the two apart."""
    on = sorted(k for k in ZERO_SHOT_OPTIONS if isinstance(settings, dict) and settings.get(k) is True)
    return f"{ZERO_SHOT}{FINGERPRINT_MARK}{'+'.join(on)}" if on else ZERO_SHOT


def zero_shot_flags(label: str) -> list[str] | None:
    """The ``textmine code`` options of a zero-shot coder label (:func:`zero_shot_label`; [] for plain zero-shot),
    None when the label is no zero-shot one."""
    name, _, settings = str(label).partition(FINGERPRINT_MARK)
    if name != ZERO_SHOT:
        return None
    return [ZERO_SHOT_OPTIONS.get(k, k) for k in settings.split("+") if k]


def code_table(coder: Any, df: pd.DataFrame, text_col: str, *, question_labels: dict[str, str] | None = None,
               **kw: Any) -> pd.DataFrame:
    """What ``textmine code`` writes (both engines): :func:`textmine.classify.table.code_dataframe`'s output with
    ``health_flag`` and ``is_non_answer`` (``question_labels``: an answer that only repeats its question's label is
    a non-answer, as :func:`coded_from_code_output` counts it)."""
    from .classify.table import code_dataframe

    return code_dataframe(coder, df, text_col, question_labels=question_labels, **kw)


def code_output_theme_columns(df: pd.DataFrame) -> list:
    """The ``theme_<id>`` columns of a ``textmine code`` output (not those of its input kept as ``<name>_input``)."""
    return [c for c in df.columns if str(c).startswith("theme_") and not str(c).endswith("_input")]


def _question_codebook(survey: Any, question: str | None, codebook: Any = None) -> Any:
    """The codebook whose theme ids a coded file's ``themes`` column is checked against: ``codebook`` (a Codebook or
    a path) when given, else the question's codebook in the survey definition, else the default codebook."""
    from .codebook import load_codebook
    from .paths import DEFAULT_CODEBOOK

    if codebook is not None and not isinstance(codebook, (str, Path)):
        return codebook
    if codebook is None:
        qs = [q for q in survey.free_text if question is None or q.column == question]
        codebook = next((q.codebook for q in qs if getattr(q, "codebook", None)), None) or DEFAULT_CODEBOOK
    return load_codebook(codebook)


def theme_columns_from_themes(df: pd.DataFrame, survey: Any, question: str | None = None, *, codebook: Any = None,
                              source: str | Path = "the coded table", id_column: str | None = None) -> pd.DataFrame:
    """``df`` with its ``theme_<id>`` columns made to match its ``themes`` column, as ``--coded`` reads it.

    - no ``themes`` column: ``df`` as it is;
    - ``themes`` but no ``theme_<id>`` column: the ``theme_<id>`` columns (one per theme of the codebook, 0/1) are
      built from ``themes`` (ids joined by ';'), on a copy; an id that is not the codebook's is refused;
    - both: ``ValueError`` (one line starting with ``source``) when they disagree on any row (an id in ``themes``
      without a ``theme_<id>`` column counts as a disagreement; the codebook is not read) — a correction typed in
      one of them only would otherwise be used in the tables (``theme_<id>``) but not in the row-level export
      (``themes``), or the other way round. The message gives the number of rows, the first data rows (1 = the first
      row under the header) and their ids, and how to fix the file.
    """
    from .codebook import parse_theme_list, shown_values

    if "themes" not in df.columns:
        return df
    ids_col = id_column if id_column is not None else getattr(survey, "id_column", None)
    ids = df[ids_col].astype(str).tolist() if ids_col in df.columns else None
    cols = code_output_theme_columns(df)
    cb = None if cols else _question_codebook(survey, question, codebook)  # with theme_<id> columns: those ids
    valid = list(cb.theme_ids) if cb is not None else None
    parsed: list[list[str]] = []
    for i, v in enumerate(df["themes"].tolist()):
        try:
            lab = parse_theme_list(v)
        except TypeError:
            lab = [str(v)]
        bad = [x for x in lab if x not in valid] if valid is not None else []
        if bad:
            at = f"data row {i + 1}" + (f" ({ids_col} {ids[i]!r})" if ids and ids[i] else "")
            raise ValueError(f"{source}: lacks column(s) theme_<id>, and its 'themes' column cannot stand in for "
                             f"them: {at}: unknown theme id(s) {shown_values(bad)}; expected ids of codebook "
                             f"{cb.name!r} joined by ';': {', '.join(valid)} (--coded takes what `textmine code WAVE "
                             f"--text-col QUESTION` writes, or a table with {', '.join(LONG_CODED_COLUMNS)})")
        parsed.append(lab)
    if not cols:
        out = df.copy()
        for t in valid:
            out[f"theme_{t}"] = [int(t in lab) for lab in parsed]
        return out
    have = {c[len("theme_"):]: pd.to_numeric(df[c], errors="coerce").fillna(0).to_numpy() > 0 for c in cols}
    rows = [i for i, lab in enumerate(parsed)
            if set(lab) != {t for t, v in have.items() if v[i]}]
    if rows:
        first = rows[:5]
        where = ", ".join(str(i + 1) for i in first) + (", …" if len(rows) > len(first) else "")
        who = f" ({ids_col} {', '.join(ids[i] for i in first)}{', …' if len(rows) > len(first) else ''})" if ids \
            else ""
        raise ValueError(f"{source}: the 'themes' column and the theme_<id> columns disagree on {len(rows)} row(s) "
                         f"(data row(s) {where}{who}); a correction typed in only one of them would be used in some "
                         f"outputs and not in others — make them agree, or delete the theme_<id> columns so that "
                         f"'themes' is used")
    return df


def coded_question(df: pd.DataFrame, survey: Any, question: str | None = None, *,
                   source: str | Path = "the coded table") -> str:
    """The free-text column a ``textmine code`` output ``df`` coded: ``question`` when given, else the survey's only
    free-text column in ``df``.

    ``ValueError`` (one line starting with ``source``) when ``df`` lacks the survey's id column or every
    ``theme_<id>`` column (and ``themes``), when ``question`` is not one of the survey's free-text columns or not a
    column of ``df``, or when ``question`` is None and ``df`` holds none or several of the survey's free-text columns. The messages say
    what to give ``textmine summary --coded`` (and ``textmine code``).
    """
    lacks = [c for c, ok in ((survey.id_column, survey.id_column in df.columns),
                             ("theme_<id>", bool(code_output_theme_columns(df)) or "themes" in df.columns))
             if not ok]  # `themes` alone will do: coded_from_code_output builds the theme_<id> columns from it
    if lacks:
        raise ValueError(f"{source}: lacks column(s) {', '.join(lacks)}; --coded takes what `textmine code WAVE "
                         f"--text-col QUESTION` writes (or a table with {', '.join(LONG_CODED_COLUMNS)})")
    free = [q.column for q in survey.free_text]
    present = [c for c in free if c in df.columns]
    if question is not None and question not in free:
        raise ValueError(f"{source}: {question!r} is not one of the survey's free-text columns ({', '.join(free)})")
    if question is not None and question not in df.columns:
        raise ValueError(f"{source}: no column {question!r}; give the file `textmine code --text-col {question}` "
                         f"wrote")
    if question is not None:
        return question
    if len(present) == 1:
        return present[0]
    if not present:
        raise ValueError(f"{source}: none of the survey's free-text columns ({', '.join(free)}) is in it; give the "
                         f"file `textmine code WAVE --text-col QUESTION` wrote")
    raise ValueError(f"{source}: holds the free-text columns {', '.join(present)}; say which one `textmine code "
                     f"--text-col` coded: --coded {present[0]}={source}")


def _flag_values(values: pd.Series, column: str, source: str | Path, rows: list[int]) -> Any:
    """A coded file's 0/1 flag column as ints (blank → 0); ``ValueError`` naming the first data row (``rows``: each
    value's) holding another value."""
    num = pd.to_numeric(values.astype("string").str.strip().replace("", pd.NA), errors="coerce")
    bad = (values.notna() & values.astype(str).str.strip().ne("") & ~num.isin([0, 1])).to_numpy()
    if bad.any():
        i = int(bad.argmax())
        raise ValueError(f"{source}: column {column!r}, data row {rows[i]}: expected 0 or 1 (as `textmine code` "
                         f"writes it), got {str(values.iloc[i])[:20]!r}")
    return num.fillna(0).astype("int64").to_numpy()


def coded_from_code_output(df: pd.DataFrame, survey: Any, question: str | None = None, *,
                           source: str | Path = "the coded table", codebook: Any = None) -> pd.DataFrame:
    """The coded frame :func:`code_wave` would give for one question, from a ``textmine code`` output already read
    (the wave's columns + the coding columns): the coding is taken as it is, the text is cleaned again.

    ``question``: the free-text column that was coded (default: the survey's only free-text column in ``df``, see
    :func:`coded_question`, whose ``ValueError`` this raises; ``source`` names ``df`` in it, e.g. its file).

    One row per answer to ``question`` that is not missing or blank (whitespace only), in ``df``'s order, with
    ``respondent_id`` (the survey's id column, as text), ``question``, then ``text_clean``, ``is_non_answer``,
    ``health_flag`` and ``language`` from the cleaner (the question's label counts as an echo, i.e. a non-answer;
    no lemmas; ``is_non_answer`` and ``health_flag`` are ``df``'s own where it has both, as ``textmine code``
    wrote them, so the coded file and the summary agree: 0/1, blank = 0, another value a ``ValueError`` naming the
    data row), then ``df``'s ``theme_<id>`` columns (not ``<name>_input`` ones), ``score_<id>`` columns and
    ``themes``/``confidence``/``needs_review``/``type`` where present, values unchanged. The answers are cleaned
    again (redaction, non-answers, health flag) so the file's text is never used unredacted; no other column of
    ``df`` is kept. ``df`` is not changed; nothing is written (the codebook may be read, see below).

    The ``themes`` and ``theme_<id>`` columns are reconciled by :func:`theme_columns_from_themes` first (a file with
    ``themes`` only gets ``theme_<id>`` columns built from it; one where they disagree is refused with a
    ``ValueError``); ``codebook`` (a Codebook or a path; default: the question's in the survey, else the default
    codebook) gives the theme ids ``themes`` may hold.
    """
    from .preprocess import Cleaner

    if "themes" in df.columns and survey.id_column in df.columns:
        q = question if question is not None else next(
            (c for c in (x.column for x in survey.free_text) if c in df.columns), None)
        df = theme_columns_from_themes(df, survey, q, codebook=codebook, source=source)
    themes = code_output_theme_columns(df)
    col = coded_question(df, survey, question, source=source)
    label = next(q.label for q in survey.free_text if q.column == col)
    texts = df[col]
    given = (texts.notna() & texts.astype(str).str.strip().ne("")).to_numpy()
    rows = [int(i) + 1 for i in given.nonzero()[0]]  # data rows of df (1 = the first row under the header)
    sub = df.loc[given].reset_index(drop=True)
    cleaned = Cleaner(question_texts=(label,), lemmatize=False).fit().transform(sub[col].astype(str))
    part = pd.DataFrame({"respondent_id": sub[survey.id_column].astype(str).to_numpy(), "question": col})
    for c in CODED_BASE_COLUMNS[2:]:
        if c in cleaned.columns:
            part[c] = cleaned[c].to_numpy()
    from .classify.table import CODE_FLAG_COLUMNS  # what `textmine code` writes after the coders' columns

    if all(c in sub.columns for c in CODE_FLAG_COLUMNS):  # as `textmine code` flagged them (file and summary agree)
        for c in CODE_FLAG_COLUMNS:
            part[c] = _flag_values(sub[c], c, source, rows)
    return _with_coding_columns(part, sub, themes, survey, col, codebook, source)


def _with_coding_columns(part: pd.DataFrame, sub: pd.DataFrame, themes: list[str], survey: Any, question: str,
                         codebook: Any, source: str | Path) -> pd.DataFrame:
    """``part`` with the coders' columns of ``sub`` (theme, score and :data:`CODE_OUTPUT_COLUMNS`) added as they
    are; a catch-all coded together with another theme is warned about (:func:`_warn_exclusive_mixed`)."""
    for c in [*themes, *(c for c in sub.columns if str(c).startswith("score_")), *CODE_OUTPUT_COLUMNS]:
        if c in sub.columns:
            part[c] = sub[c].to_numpy()
    if themes:
        _warn_exclusive_mixed(part, _question_codebook(survey, question, codebook), question, source)
    return part


def _warn_exclusive_mixed(part: pd.DataFrame, codebook: Any, question: str, source: str | Path) -> None:
    """A ``UserWarning`` per exclusive theme of ``codebook`` that answers in ``part`` carry with another theme: the
    file was coded with another codebook (version), whose numbers are not comparable as they stand."""
    import warnings

    cols = [c for c in part.columns if str(c).startswith("theme_")]
    if not cols:
        return
    values = part[cols].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy() > 0
    for theme in (t for t in codebook.themes if t.exclusive and f"theme_{t.id}" in cols):
        mixed = int((values[:, cols.index(f"theme_{theme.id}")] & (values.sum(axis=1) > 1)).sum())
        if mixed:
            warnings.warn(f"{source}: {mixed} answer(s) to {question} carry the exclusive theme {theme.id!r} with "
                          f"another theme, which codebook {codebook.name} {codebook.version} does not allow: was the "
                          "file coded with another codebook (version)? Its numbers may not compare with the other "
                          "waves'", UserWarning, stacklevel=3)


#: the file next to a ``textmine code`` output naming what coded it (``OUT`` + this suffix); a Dask output folder
#: keeps the same fields under ``"coded_with"`` in its ``_manifest.json``
IDENTITY_SUFFIX = ".textmine.json"
IDENTITY_KEY = "coded_with"


def identity_path(out: str | Path) -> Path:
    """The identity file of the ``textmine code`` output file ``out``: ``OUT.textmine.json`` beside it."""
    out = Path(out)
    return out.with_name(out.name + IDENTITY_SUFFIX)


def _model_name(model: str | Path | None) -> str:
    """A model as the record names it: its folder name, «(navn skjult)» when that holds personal data
    (:func:`personal_name`), "zero-shot" without a model."""
    if model is None:
        return "zero-shot"
    name = Path(model).resolve().name
    return "(navn skjult)" if personal_name(name) else name


#: what a corrections record names as its coder (:func:`coded_identity`'s ``coded_by``): the analyst's corrections
#: that ``textmine review --corrections`` and the service's retraining keep beside a retrained model, not a model's
#: output. Stored in records: never change them.
REVIEW_CORRECTIONS_CODER = "corrections (textmine review)"
SERVICE_CORRECTIONS_CODER = "corrections (textmine service)"
CORRECTIONS_CODERS = (REVIEW_CORRECTIONS_CODER, SERVICE_CORRECTIONS_CODER)


def coded_identity(codebook: Any, model: str | Path | None, text_col: str, question: str | None = None, *,
                   created: str | None = None, coded_by: str | None = None, coder: Any = None) -> dict[str, Any]:
    """What a ``textmine code`` run records beside its output: the codebook (name, version, hash and its YAML, which
    :func:`identity_codebook` reads back), the model's folder name (never its path) or "zero-shot", the textmine
    version, the UTC time (``created``, default now), the text column and the question when one was given
    («(navn skjult)» when it holds personal data, :func:`personal_name`).
    ``coded_by``: recorded as the model instead, for codes no model gave (``textmine review``'s corrections).
    ``coder``: the zero-shot coder that coded it (without ``model``): its settings that change the codes are
    recorded as :data:`ZERO_SHOT_KEY` (:func:`zero_shot_settings`; a record without it is plain zero-shot)."""
    from datetime import datetime, timezone

    from . import __version__

    fingerprint = model_fingerprint(model) if coded_by is None else None
    settings = zero_shot_settings(coder, codebook) if model is None and coded_by is None else None
    out: dict[str, Any] = {
        "codebook_name": codebook.name, "codebook_version": codebook.version, "codebook_hash": codebook.hash,
        "model": coded_by if coded_by is not None else _model_name(model),
        **({"model_fingerprint": fingerprint} if fingerprint else {}),
        **({ZERO_SHOT_KEY: settings} if settings is not None else {}),
        "textmine_version": __version__,
        "created_utc": created or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "text_col": text_col,
    }
    if question is not None:  # as typed (--question); «(navn skjult)» when it holds personal data, as a model's name
        out["question"] = "(navn skjult)" if personal_name(str(question), file=False) else question
    out["codebook_yaml"] = codebook.to_yaml()
    return out


def identity_codebook(identity: Any, where: str | Path) -> Any:
    """The :class:`~textmine.codebook.Codebook` an identity (:func:`coded_identity`) records, read with the codebook
    loader; ``ValueError`` (one line naming ``where``) when it is not such a record, its YAML is not a valid
    codebook, or the YAML's hash is not the one recorded (the file was edited)."""
    from .codebook import Codebook, CodebookError

    text = identity.get("codebook_yaml") if isinstance(identity, dict) else None
    if not isinstance(text, str) or not isinstance(identity.get("codebook_hash"), str):
        raise ValueError(f"{where}: not what `textmine code` records (no codebook_yaml or codebook_hash); delete it "
                         f"or code the file again")
    try:
        cb = Codebook.from_yaml(text)
    except CodebookError as exc:
        raise ValueError(f"{where}: its codebook_yaml is not a valid codebook ({exc}); code the file again") from None
    if cb.hash != identity["codebook_hash"]:
        raise ValueError(f"{where}: its codebook_yaml (hash {cb.hash[:12]}) is not the codebook it records (hash "
                         f"{identity['codebook_hash'][:12]}): the file was edited; code the file again")
    return cb
