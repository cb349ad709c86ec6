"""CLI: ``textmine summary`` (clean + code + summarise survey waves) and ``textmine crosstab``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd
import typer

from ..pipeline import LONG_CODED_COLUMNS as _LONG_CODED
from .coding import CSV_SEP_HELP, _check_out, _columns, _csv_sep, _fail, _read, _write_text

__all__ = ["register", "load_coded", "load_survey", "neutral_summary", "write_summary"]


def load_coded(path: Path) -> pd.DataFrame:
    """Read an already-coded comments table (respondent_id, question, text_clean, theme_<id>…)."""
    from ..io import read_table

    return _long_coded(read_table(path), path)


def _long_coded(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``df`` checked as a table with respondent_id, question, text_clean (ids as text)."""
    missing = set(_LONG_CODED) - set(df.columns)
    if missing:
        raise ValueError(f"{path}: coded table lacks column(s) {', '.join(sorted(missing))}; --coded takes what "
                         f"`textmine code WAVE --text-col QUESTION` writes, or a table with {', '.join(_LONG_CODED)}")
    df["respondent_id"] = df["respondent_id"].astype(str)
    return df


def coded_arg(value: Path, survey) -> tuple[str | None, Path]:
    """``--coded [QUESTION=]FILE`` → (the survey's free-text column named before ``=``, or None; the file)."""
    question, sep, rest = str(value).partition("=")
    if sep and question in {q.column for q in survey.free_text} and not value.exists():
        return question, Path(rest)
    return None, value


def codebook_args(values) -> tuple[Path | None, dict[str, Path]]:
    """``--codebook [WAVE=]FILE`` values → (the plain FILE for every wave, or None; wave label → FILE). A value naming
    an existing file is a plain FILE even when it holds '='."""
    plain: Path | None = None
    per_wave: dict[str, Path] = {}
    for v in values or []:
        wave, sep, rest = str(v).partition("=")
        if not sep or not wave or not rest or Path(str(v)).exists():
            if plain is not None:
                raise ValueError(f"--codebook: a codebook for every wave is given twice ({plain} and {v}); give one, "
                                 f"and WAVE=FILE for the waves coded with another")
            plain = Path(str(v))
        elif wave in per_wave:
            raise ValueError(f"--codebook: wave {wave} given twice ({per_wave[wave]} and {rest})")
        else:
            per_wave[wave] = Path(rest)
    return plain, per_wave


def wave_codebooks(plain: Path | None, per_wave: dict[str, Path], waves, recorded=()) -> dict[Any, Path | None]:
    """Wave → its codebook file from ``--codebook WAVE=FILE`` (``plain`` for the waves not named; None for a wave in
    ``recorded``, whose coded files record their codebook, when there is no ``plain``); {} without per-wave or
    recorded codebooks. ``ValueError`` for a label that is no wave (as the CLI prints the waves), or a wave left
    without a codebook."""
    keys = _wave_keys(per_wave, waves)
    if not per_wave and not recorded:
        return {}
    missing = [k for k, w in keys.items() if k not in per_wave and w not in recorded]
    if per_wave and missing and plain is None:
        raise ValueError(f"--codebook: wave(s) {', '.join(missing)} have no codebook while "
                         f"{', '.join(per_wave)} have one; give WAVE=FILE for every wave, or also a plain "
                         f"--codebook FILE for the waves not named")
    return {w: per_wave.get(k, plain) for k, w in keys.items()}


def _wave_keys(per_wave: dict[str, Path], waves) -> dict[str, Any]:
    """Wave label as typed → wave; ``ValueError`` for a ``--codebook WAVE=FILE`` label that is no wave."""
    keys = {str(w): w for w in waves}
    unknown = [k for k in per_wave if k not in keys]
    if unknown:
        raise ValueError(f"--codebook {unknown[0]}=FILE: {unknown[0]!r} is not one of the waves "
                         f"({', '.join(keys)})")
    return keys


def named_codebooks(per_wave: dict[str, Path], loaded: dict, waves) -> dict[Any, Any]:
    """Wave → the Codebook ``--codebook WAVE=FILE`` names for it (``loaded``: file → Codebook); ``ValueError`` for a
    label that is no wave."""
    keys = _wave_keys(per_wave, waves)
    return {keys[k]: loaded[p] for k, p in per_wave.items()}


def coded_codebooks(files: dict[Any, Path | None], loaded: dict, plain, recorded: dict,
                    notes: list[str] | None = None) -> dict[Any, Any]:
    """Wave → the Codebook it was coded with, for ``build_summary(codebooks=)``: ``--codebook WAVE=FILE``
    (``files``, from :func:`wave_codebooks`; ``loaded``: file → Codebook), else what its coded files record
    (``recorded``), else ``plain``; waves with none are left out. A recorded codebook that is not ``plain`` wins
    over it, said in ``notes`` (``--codebook WAVE=FILE`` is the way to say otherwise, and is checked against the
    record)."""
    for w, p in files.items():
        rec = recorded.get(w)
        if loaded.get(p) is None and rec is not None and plain is not None and rec.hash != plain.hash \
                and notes is not None:
            notes.append(f"wave {w}: its coded file(s) record codebook {_said(rec)}, not the --codebook given "
                         f"({_said(plain)}): the recorded one is used for wave {w}")
    out = {w: loaded.get(p) or recorded.get(w) or plain for w, p in files.items()}
    return {w: cb for w, cb in out.items() if cb is not None}


def recorded_codebook(path: Path) -> tuple[Any, str] | None:
    """(Codebook, where it is recorded) for a ``--coded`` input that records what coded it: the ``OUT.textmine.json``
    beside a ``textmine code`` output, the ``coded_with`` of a Dask output folder's manifest; None for a file without
    one (or a folder whose manifest has none). ``ValueError`` (one line naming the record) for a record that cannot
    be read or does not hold a valid codebook."""
    from ..pipeline import IDENTITY_KEY, identity_codebook, identity_path

    if path.is_dir():
        from ..distributed import MANIFEST

        identity, where = _dask_manifest(path).get(IDENTITY_KEY), path / MANIFEST
        if identity is None:
            return None
    else:
        where = identity_path(path)
        if not where.is_file():
            return None
        try:
            identity = json.loads(where.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"{where}: cannot be read ({exc.__class__.__name__}); delete it or code {path.name} "
                             f"again") from None
    return identity_codebook(identity, where), str(where)


def _said(cb) -> str:
    """A codebook as messages name it: name, version and the start of its hash."""
    return f"{cb.name!r} v{cb.version} (hash {cb.hash[:12]})"


def _check_recorded(wave, path: Path, rec: tuple[Any, str] | None, given: dict, found: dict,
                    survey: Any = None) -> None:
    """``ValueError`` when the codebook ``path`` records (``rec``) is not the one ``--codebook WAVE=FILE`` names for
    its wave (``given``), or not the one another coded file of the wave records (``found``: wave → (Codebook,
    file), filled here) — unless the survey definition gives its questions codebooks of their own
    (``free_text[].codebook``): then the wave keeps no recorded codebook (``found[wave]`` is ``(None, path)``) and
    is compared as without records."""
    if rec is None:
        return
    cb, where = rec
    named = given.get(wave)
    if named is not None and named.hash != cb.hash:
        raise ValueError(f"{path}: was coded with codebook {_said(cb)} ({where}), but --codebook {wave}=FILE gives "
                         f"{_said(named)}; give the codebook it was coded with, or leave out --codebook {wave}=FILE "
                         f"to use the recorded one")
    other = found.setdefault(wave, (cb, path))
    if other[0] is None:
        return
    if other[0].hash != cb.hash:
        if len({q.codebook for q in getattr(survey, "free_text", ()) if getattr(q, "codebook", None)}) > 1:
            found[wave] = (None, path)  # one codebook per question, as the survey says: no one codebook for the wave
            return
        raise ValueError(f"wave {wave}: {other[1]} was coded with codebook {_said(other[0])} and {path} with "
                         f"{_said(cb)}; code the questions of one wave with one codebook (version)")


def read_coded(specs, frames: dict, survey, codebook=None) -> dict:
    """``{wave: coded frame}`` from the ``--coded`` files: :func:`read_coded_codebooks`' frames."""
    return read_coded_codebooks(specs, frames, survey, codebook)[0]


def read_coded_codebooks(specs, frames: dict, survey, codebook=None, given: dict | None = None,
                         per_question: dict | None = None, records: dict | None = None,
                         text: bool = True) -> tuple[dict, dict]:
    """``{wave: coded frame}`` from the ``--coded`` files (``coded_arg`` pairs): tables with
    respondent_id/question/text_clean one per wave in the waves' order, or ``textmine code`` outputs (one per
    wave and question) matched to their wave by the survey's wave column (else by order); the coded frame of a
    ``textmine code`` output is :func:`textmine.pipeline.coded_from_code_output`'s.

    A file's ``themes`` column and its ``theme_<id>`` columns must agree (else ``ValueError``); with ``themes`` only,
    the ``theme_<id>`` columns are built from it (ids checked against ``codebook``, a path or Codebook; default: the
    survey's) — :func:`textmine.pipeline.theme_columns_from_themes`. A folder ``textmine code --engine dask`` wrote
    stands for a ``textmine code`` output of the question its run coded (:func:`_coded_folder`).

    Also returns wave → the Codebook its coded files record (:func:`recorded_codebook`; waves whose files record
    none are left out); such a file's ``themes`` ids are checked against that codebook. ``ValueError`` when a record
    is not the codebook ``given`` (wave → Codebook, from ``--codebook WAVE=FILE``) names for its wave, or two files of
    one wave record different codebooks. ``per_question`` (a dict, filled here): wave → question → the Codebook its
    ``textmine code`` output records, for ``build_summary(question_codebooks=)`` — a question's own codebook, where the
    survey gives its questions codebooks of their own. ``records`` (a dict, filled here): wave → question → the
    record of what coded its file (:func:`textmine.report.pipeline.coded_record`; None without one), for «Metode».
    ``text=False`` (a summary without quotes): a Dask output folder's text column is not read
    (:func:`textmine.distributed.coded_without_text`)."""
    from ..pipeline import (CODED_BASE_COLUMNS, coded_from_code_output, coded_question, theme_columns_from_themes,
                            wave_of)
    from ..distributed import coded_without_text

    waves = list(frames)
    coded_by = records
    tables = [_coded_table(q, p, survey, text) for q, p in specs]
    records = [recorded_codebook(p) for _, p in specs]
    given, found = given or {}, {}
    is_long = [q is None and set(_LONG_CODED) <= set(df.columns) for q, _, df in tables]
    if all(is_long):
        if len(specs) != len(waves):
            raise ValueError(f"--coded must be given once per wave ({len(waves)} wave file(s), {len(specs)} coded "
                             f"file(s))")
        for w, (_, p, df), rec in zip(waves, tables, records):
            _check_recorded(w, p, rec, given, found, survey)
            _keep_record(coded_by, w, df["question"].dropna().astype(str).unique(), p, df)
        return ({w: theme_columns_from_themes(_long_coded(df, p), survey, codebook=rec[0] if rec else codebook,
                                              source=p, id_column="respondent_id")
                 for w, (_, p, df), rec in zip(waves, tables, records)},
                {w: cb for w, (cb, _) in found.items() if cb is not None})
    parts: dict = {}
    for i, ((q, p, table), long, rec) in enumerate(zip(tables, is_long, records)):
        if long:
            raise ValueError(f"{p}: a table with {', '.join(_LONG_CODED)} cannot be mixed with `textmine code` "
                             f"outputs in one run")
        for df in _folder_waves(table, survey) if p.is_dir() else [table]:
            if survey.wave_column and survey.wave_column in df.columns:
                wave = wave_of(df, survey, p)
            else:
                wave = _wave_by_order(i, specs, waves, survey, p)
            if wave not in frames:
                raise ValueError(f"{p}: holds wave {wave}, not one of the wave files' ({', '.join(map(str, waves))})")
            col = coded_question(df, survey, q, source=p)
            if (wave, col) in parts:
                raise ValueError(f"{p}: wave {wave}, question {col} is given twice")
            _check_recorded(wave, p, rec, given, found, survey)
            _keep_record(coded_by, wave, [col], p, df)
            if rec is not None and per_question is not None:
                per_question.setdefault(wave, {})[col] = rec[0]
            from_parts = coded_without_text if df.attrs.get(_ANSWERED_ONLY) else coded_from_code_output
            parts[wave, col] = from_parts(df, survey, col, source=p, codebook=rec[0] if rec else codebook)
    coded = {}
    for w in waves:  # a question without a file: the summary warns about its answers without a coded row
        got = [parts[k] for k in parts if k[0] == w]
        coded[w] = pd.concat(got, ignore_index=True) if got else pd.DataFrame(columns=list(CODED_BASE_COLUMNS[:3]))
    return coded, {w: cb for w, (cb, _) in found.items() if cb is not None}


def _keep_record(records: dict | None, wave, questions, path: Path, table: pd.DataFrame) -> None:
    """``records[wave][question]``: the record of what coded ``path`` (for ``read_coded_codebooks(records=)``)."""
    if records is not None:
        from ..report.pipeline import coded_record

        record = coded_record(path, table)
        for q in questions:
            records.setdefault(wave, {})[str(q)] = record


def _wave_by_order(i: int, specs, waves: list, survey, path: Path):
    """The wave of ``--coded`` file ``i`` that has no wave column: the only wave, else its place among the files
    given for its question (one per wave, in the order of the wave files); ``ValueError`` when that is ambiguous."""
    if len(waves) == 1:
        return waves[0]
    same = [j for j, (q, _) in enumerate(specs) if q == specs[i][0]]
    if len(same) == len(waves):
        return waves[same.index(i)]
    lacks = (f"no wave column {survey.wave_column}" if survey.wave_column
             else "no wave column (the survey definition declares none)")
    raise ValueError(f"{path}: {lacks}, and {len(same)} --coded file(s) for its question with {len(waves)} wave "
                     f"files; give one --coded file per wave for each question, in the order of the wave files, or "
                     f"declare the wave column (`wave:` in the survey definition) and keep it in the coded files")


def _coded_table(question: str | None, path: Path, survey,
                 text: bool = True) -> tuple[str | None, Path, pd.DataFrame]:
    """One ``--coded`` input read: a table file with :func:`textmine.io.read_table` (a ``textmine review`` queue as
    the question its record names, :func:`_queue_as_question`), or the folder ``textmine code --engine dask`` wrote
    (:func:`_coded_folder`; the question is the one its run coded)."""
    from ..io import read_table

    if path.is_dir():
        coded_col, df = _coded_folder(path, survey, question, text)
        return coded_col, path, df
    return _queue_as_question(question, path, read_table(path), survey)


#: the column a ``textmine review --queue-out`` file holds its (redacted) texts in, whatever INPUT's was called
QUEUE_TEXT_COL = "text"


def _queue_as_question(question: str | None, path: Path, df: pd.DataFrame,
                       survey) -> tuple[str | None, Path, pd.DataFrame]:
    """``(question, path, df)`` with a ``textmine review`` queue read as the coded file of the free-text question its
    record (``QUEUE.textmine.json``) names: a file without the recorded text column but with ``text`` (what the
    queue writes) gets that column named ``question`` (default: the recorded text column, else the recorded
    question, when the survey has it). ``ValueError`` naming the file when ``question`` is neither. Any other file
    (a ``textmine code`` output keeps its text column's name) is returned as it is."""
    from ..pipeline import identity_path

    record = _identity_of(path)
    recorded = record.get("text_col") if record else None
    if (not isinstance(recorded, str) or recorded in df.columns or QUEUE_TEXT_COL not in df.columns
            or question in df.columns):
        return question, path, df
    named = [c for c in dict.fromkeys((recorded, record.get("question"))) if isinstance(c, str)]
    free = [q.column for q in survey.free_text]
    if question is None:
        question = next((c for c in named if c in free), None)
        if question is None:
            return None, path, df  # (coded_question says the file holds none of the survey's free-text columns)
    elif question not in named:
        known = [c for c in named if c in free]
        hint = f"give --coded {known[0]}={path}, or" if known else "give"
        raise ValueError(f"{path}: a `textmine review` queue of {' / '.join(map(repr, named))} (its record "
                         f"{identity_path(path).name}), not {question!r}; {hint} the queue `textmine review WAVE "
                         f"--text-col {question}` writes")
    typer.echo(f"warning: a --coded file of {question} is a `textmine review` queue: its {len(df)} answer(s) are the "
               "ones the model was least sure of, not a sample, so theme shares over them are biased; use the "
               "coded wave (`textmine code`) with the queue's corrections (`textmine review --corrections`) for "
               "published numbers", err=True)
    return question, path, df.rename(columns={QUEUE_TEXT_COL: question})


def _identity_of(path: Path) -> dict | None:
    """The record beside a ``--coded`` file (``OUT.textmine.json``) as a dict; None without one or when it cannot be
    read (:func:`recorded_codebook` says why)."""
    from ..pipeline import identity_path

    where = identity_path(path)
    try:
        identity = json.loads(where.read_text(encoding="utf-8")) if where.is_file() else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return identity if isinstance(identity, dict) else None


_ANSWERED_ONLY = "textmine_answered_only"  # ``df.attrs``: the text column read as answered True/False only


def _coded_folder(path: Path, survey, question: str | None, text: bool = True) -> tuple[str, pd.DataFrame]:
    """``(question coded, frame)`` from a finished ``textmine code --engine dask`` output folder, in input order
    (:func:`textmine.distributed.read_coded_parts`): only the columns the summary and report use from a coded file
    (respondent id, wave, the coded question's redacted text for non-answers and quotes — with ``text=False`` only
    whether each row was answered, :func:`textmine.distributed.read_coded_parts` — the coding columns), never
    the other free-text or survey columns (those come from the wave files). ``ValueError`` (one line naming the
    folder, and the part file / ``_row`` where there is one) for a folder without ``_manifest.json``, a run that did
    not finish, parts that disagree, another question than the run coded, or a respondent id given twice."""
    from ..distributed import MANIFEST, read_coded_parts

    manifest = _dask_manifest(path)
    coded_col = manifest["text_col"]
    free = [q.column for q in survey.free_text]
    if question is not None and question != coded_col:
        raise ValueError(f"{path}: this `textmine code --engine dask` output coded {coded_col!r} (its "
                         f"{MANIFEST}), not {question!r}; give --coded {coded_col}={path}, or the folder "
                         f"`textmine code --engine dask --text-col {question}` wrote")
    if coded_col not in free:
        raise ValueError(f"{path}: coded {coded_col!r} (its {MANIFEST}), not one of the survey's free-text columns "
                         f"({', '.join(free)})")
    columns = _folder_columns(path, manifest, survey, coded_col)
    try:
        from ..classify.table import CODE_FLAG_COLUMNS

        answered = None if text or not set(CODE_FLAG_COLUMNS) <= set(columns) else coded_col  # (old parts: text)
        df = read_coded_parts(path, columns=columns, answered=answered)
        df.attrs[_ANSWERED_ONLY] = answered is not None
    except FileNotFoundError as exc:  # (the library's wording; an OSError the callers would not catch)
        raise ValueError(str(exc)) from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read its part files ({exc.strerror or exc.__class__.__name__})") from None
    wave = survey.wave_column
    if wave in df.columns and not pd.api.types.is_numeric_dtype(df[wave]):  # (CSV input: text; blank = no wave)
        df[wave] = df[wave].where(df[wave].astype("string").str.strip().fillna("") != "", None)
    _check_folder_ids(df, survey, path, manifest)
    return coded_col, df


def _folder_waves(df: pd.DataFrame, survey) -> list[pd.DataFrame]:
    """A Dask output folder's frame split by the survey's wave column, in the order the waves first occur (one run
    may code several waves, as :func:`textmine.distributed.summary_inputs_from_parts` reads them; rows without a wave
    are then left out, as there); ``[df]`` without that column or with one wave."""
    col = survey.wave_column
    if not col or col not in df.columns:
        return [df]
    values = pd.unique(df[col].dropna())
    if len(values) < 2:
        return [df]
    return [df[(df[col] == v).to_numpy()] for v in values]


def _dask_manifest(path: Path) -> dict:
    """The ``_manifest.json`` of a ``textmine code --engine dask`` output folder; ``ValueError`` for a folder without
    one (the library's message for the part files of a run that did not finish) or one that is not a manifest."""
    from ..distributed import MANIFEST, read_coded_parts

    mpath = path / MANIFEST
    if not mpath.is_file():
        try:  # part files without a manifest: the library's ValueError (nothing is read)
            read_coded_parts(path, columns=[])
        except OSError:  # (no part files either)
            pass
        raise ValueError(f"{path}: is a folder without {MANIFEST}; --coded takes a file `textmine code` wrote, or "
                         f"the folder `textmine code --engine dask` wrote")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{mpath}: cannot be read ({exc.__class__.__name__}); run `textmine code --engine dask` "
                         f"again") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("text_col"), str) \
            or not isinstance(manifest.get("parts"), list):
        raise ValueError(f"{mpath}: not the manifest `textmine code --engine dask` writes (no text_col or parts); "
                         f"run `textmine code --engine dask` again")
    return manifest


def _folder_columns(path: Path, manifest: dict, survey, coded_col: str) -> list[str]:
    """The columns to read from the parts: id, wave, ``coded_col``, ``theme_<id>``/``score_<id>`` and the coders'
    and flag columns, as the first part has them; ``ValueError`` naming a part that cannot be read or lacks one."""
    import pyarrow.parquet as pq

    from ..classify.table import CODE_FLAG_COLUMNS
    from ..pipeline import CODE_OUTPUT_COLUMNS

    wanted = {survey.id_column, survey.wave_column, coded_col, *CODE_OUTPUT_COLUMNS, *CODE_FLAG_COLUMNS}
    columns: list[str] | None = None
    for name in manifest["parts"]:
        part = path / str(name)
        if not part.is_file():
            continue  # (read_coded_parts names every missing part)
        try:
            names = pq.read_schema(part).names
        except Exception as exc:  # noqa: BLE001 - pyarrow's errors for a file that is not Parquet
            raise ValueError(f"{part}: cannot be read as a part file ({exc.__class__.__name__}); run `textmine code "
                             f"--engine dask` again") from None
        if columns is None:
            columns = [c for c in names if c in wanted or str(c).startswith(("theme_", "score_"))]
        lacking = [c for c in columns if c not in names]
        if lacking:
            raise ValueError(f"{part}: lacks column(s) {', '.join(lacking)} that {manifest['parts'][0]} has: parts "
                             f"of different runs mixed; run `textmine code --engine dask` again")
    return columns or []


def _check_folder_ids(df: pd.DataFrame, survey, path: Path, manifest: dict) -> None:
    """Each respondent id once (per wave, where the parts hold the wave column); else ``ValueError`` naming the part
    files and ``_row`` numbers of the first repeated id, never the id (the library's
    :func:`textmine.distributed.repeated_id_error`)."""
    from ..distributed import repeated_id_error

    if survey.id_column not in df.columns:
        return  # (coded_question says the file lacks it)
    message = repeated_id_error(df, survey, path, lambda rows: _rows_in_parts(path, manifest, rows))
    if message:
        raise ValueError(f"{message}; fix the input and code it again")


def _rows_in_parts(path: Path, manifest: dict, rows) -> list[str]:
    """The text "part file _row N" for each input row number in ``rows`` (the frame's index is ``_row``), reading each part's
    ``_row`` column at most once."""
    import pyarrow.parquet as pq

    from ..distributed import ROW_COL

    wanted = {int(r) for r in rows}
    found: dict[int, str] = {}
    for name in manifest["parts"]:
        if len(found) == len(wanted):
            break
        held = set(pq.read_table(path / str(name), columns=[ROW_COL]).column(0).to_pylist())
        found.update({r: str(name) for r in wanted & held})
    return [f"{found.get(int(r), 'a part')} _row {int(r)}" for r in rows]


def load_survey(path: Path):
    """The survey definition, or a one-line error naming the file (not valid YAML or UTF-8, a folder…). A
    definition whose names, labels or column names hold personal data is refused, naming the fields (never the
    values): they are printed in every table, chart file name and export."""
    from ..survey import personal_data_fields

    survey, said = _read_survey(path)
    bad = personal_data_fields(survey)
    if bad:  # (before the definition's warnings, which quote ids and labels)
        more = f" and {len(bad) - 8} more" if len(bad) > 8 else ""
        _fail(f"{path}: {', '.join(bad[:8])}{more} look like they hold personal data (a name, phone number, "
              "personal number …); readers see these names and labels in every table, chart and export: rename them "
              "(in the data file too, for column names)")
    for message in said:
        typer.echo(f"warning: {path}: {message}", err=True)
    return survey


def _read_survey(path: Path):
    """The survey definition read, with what loads but may count the wrong answers (its warnings), for the caller
    to say as the CLI's other ``warning:`` lines once the definition passed the personal-data check (not as a
    Python warning with a source line)."""
    import warnings

    from ..survey import SurveyDefinition, SurveyDefinitionError

    try:
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            survey = SurveyDefinition.from_yaml(path)
        said = []
        for w in got:
            if issubclass(w.category, UserWarning):
                said.append(str(w.message))
            else:  # (not the definition's: left to Python's filters)
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return survey, said
    except SurveyDefinitionError as e:
        _fail(str(e))
    except UnicodeDecodeError as e:
        line = e.object.count(b"\n", 0, e.start) + 1
        _fail(f"{path}: line {line}: byte 0x{e.object[e.start]:02x} is not valid UTF-8; save the survey definition "
              f"as UTF-8")
    except IsADirectoryError:
        _fail(f"{path}: is a folder; expected a survey definition YAML file")
    except OSError as e:
        _fail(f"{path}: cannot read the survey definition ({e.strerror or e})")


def neutral_summary(summary, survey, *, key: bytes | str | None = None):
    """:func:`textmine.summary.neutral_summary` (the library's, imported when used: the CLI starts without it)."""
    from ..summary import neutral_summary as _neutral

    return _neutral(summary, survey, key=key)


def _named(summary, survey, *, key: bytes | str | None = None):
    """:func:`neutral_summary`, a bad disclosure key (a short TEXTMINE_DISCLOSURE_KEY, an unsafe key file) being a
    setting to fix: one line, exit 2."""
    from ..paths import CacheDirError

    try:
        return neutral_summary(summary, survey, key=key)
    except CacheDirError as exc:
        _fail(exc.strerror or str(exc))


def write_summary(summary, out: Path, survey=None, *, key: bytes | str | None = None,
                  csv_options: dict | None = None) -> list[Path]:
    """``summary.write`` into a temporary folder inside ``out``, then each file renamed into place: a failed
    write leaves the earlier results whole and no temporary files behind (``csv_options``: the CSVs' separator and
    decimal mark, :func:`textmine.io.csv_options`). Hidden (suppressed) rows are written
    without numbers, only flagged, whatever the ``suppression`` mode (:func:`textmine.summary.blank_hidden_rows`);
    with ``survey``, small free-valued levels under the report's neutral names (:func:`neutral_summary`)."""
    import os
    import shutil
    import tempfile

    from ..summary import blank_hidden_rows

    shown = blank_hidden_rows(_named(summary, survey, key=key))[0]
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".summary-", dir=out))
        try:
            written = shown.write(tmp, csv_options=csv_options)
            for p in written:
                os.replace(p, out / p.name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        _fail(f"could not write {out}: {exc.strerror or exc}")
    return [out / p.name for p in written]


def _coding_warning(msg: str, model: Path | None) -> str:
    """A warning from coding the waves, made to fit what the user gave: without --model, the shipped model's
    "retrain the model for this codebook, or code zero-shot" hint (:data:`textmine.classify.artefact.
    CODEBOOK_MISMATCH_HINT`; before, "Retrain with `textmine train`, or code zero-shot without --model") becomes
    what happened and what to do instead."""
    import re

    from ..classify.artefact import CODEBOOK_MISMATCH_HINT

    if model is None and (CODEBOOK_MISMATCH_HINT in msg or "without --model" in msg):
        hint = rf"[.;]? ?(?:{re.escape(CODEBOOK_MISMATCH_HINT)}|Retrain with `textmine train`)"
        head = re.split(hint, msg, maxsplit=1)[0].rstrip(".; ")
        if head.startswith("model "):
            head = "the shipped " + head
        return (f"{head}; the free text is coded zero-shot (less accurate) — for a trained coder, give --model "
                f"with a model trained for this codebook (`textmine train`), or pass the codings you have checked "
                f"with --coded")
    return msg


def flag_note(hidden: int, min_cell: int) -> str:
    """The note for ``suppression: flag``: the hidden rows are marked, and their numbers left out of the files."""
    return (f"note: suppression is 'flag': {hidden} hidden row(s) (base under min_cell {min_cell}, or hidden "
            f"with such a row so it cannot be worked out from the total) are marked in the suppressed column and "
            f"have no numbers in the files or the tables above, as in `textmine report` and the service")


def summary_files() -> list[str]:
    """The names :meth:`textmine.summary.Summary.write` gives its files."""
    from ..summary import TABLES

    return ["summary.json", "summary_tidy.csv", "summary.xlsx", *(f"{t}.csv" for t in TABLES)]


def _refuse_personal(df: pd.DataFrame, not_personal, input: Path, out: Path, *, labels: bool = False) -> None:
    """Stop when a column not named with ``--not-personal`` holds what looks like personal data (the message
    gives column names and cell counts, never values); ``labels``: ``df`` holds the values as shown (a .sav's
    value labels), checked as a column holding them is."""
    from ..classify.table import pii_in_columns

    found = pii_in_columns(df, skip=not_personal)
    if found:
        what = ", ".join(f"{c!r} ({n} cell{'s' if n != 1 else ''})" for c, n in found.items())
        flags = " ".join(f"--not-personal {c}" if c.isidentifier() else f"--not-personal {c!r}" for c in found)
        held = "the value labels of column(s)" if labels else "column(s)"
        values = "labels" if labels else "values"
        _fail(f"{input}: {held} {what} hold what looks like personal data (names, phone numbers, personal "
              f"numbers…); a crosstab would copy those {values} into {out} — cross-tabulate category columns, or, "
              f"if you have checked that the {values} are not personal data (e.g. company names), add {flags}")


def _note_label(label: Any) -> str:
    """A left-out code's value label as a note shows it (`` («Vet ikke»)``): "" without a label or for one holding
    personal data (:func:`textmine.labelcheck.personal_data_counts`), whose code alone is said."""
    from ..labelcheck import personal_data_counts

    return f" («{label}»)" if label and not personal_data_counts(str(label)) else ""


def _code_key(v: Any) -> Any:
    """A cell as the key of its answer code: 3.0 → 3 (codes read as floats where blanks are), else as is."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return int(v)
    return v.item() if hasattr(v, "item") else v


def _crosstab_missing_note(df: pd.DataFrame, column: str, counts: dict, labels: dict) -> str:
    """The crosstab's one note on ``column``'s left-out SPSS missing codes (``counts``: code → answers): one code as
    before (``q: 7 answer(s) with code 9 («Vet ikke») left out (SPSS missing code)``); more listed with their
    counts, the codes of a missing range holding more than :data:`textmine.io.SPSS_LISTED_CODES` counted as the
    read notes count them (``20006 with one of 2000 values in the range LOWEST to -1``)."""
    from ..io import SPSS_LISTED_CODES, _spss_missing_text, spss_counted_ranges

    if len(counts) == 1:
        (c, n), = counts.items()
        return f"{column}: {n} answer(s) with code {c}{_note_label(labels.get(c))} left out (SPSS missing code)"
    try:
        codes = sorted(counts)
    except TypeError:
        codes = sorted(counts, key=str)
    counted: dict[Any, str] = {}  # code → the text of the many codes it is counted with
    for r, inside in spss_counted_ranges(codes, (df.attrs.get("spss_missing") or {}).get(column) or ()):
        counted.update(dict.fromkeys(inside, f"{sum(counts[c] for c in inside)} with one of "
                                             f"{_spss_missing_text(inside, {}, [r])[1:-1]}"))
    listed = [c for c in codes if c not in counted]
    if len(listed) > SPSS_LISTED_CODES:  # (codes with no range to count them by)
        counted.update(dict.fromkeys(listed, f"{sum(counts[c] for c in listed)} with one of {len(listed)} "
                                             f"{'other ' if counted else ''}codes"))
    items = [counted.get(c) or f"{counts[c]} with code {c}{_note_label(labels.get(c))}" for c in codes]
    return (f"{column}: {sum(counts.values())} answer(s) with SPSS missing codes left out: "
            f"{', '.join(dict.fromkeys(items))}")


def _shown_levels(df: pd.DataFrame, column: str, survey=None) -> tuple[pd.Series, list | None, list[str]]:
    """``column`` as a crosstab shows it: the .sav's value labels (``df.attrs['value_labels']``, as
    :func:`textmine.io.read_table` reads them; codes without a label stay codes) in the order of the codes,
    SPSS user-missing codes left out; with a survey definition, a segment's declared levels (its labels, in its
    order; other values left out) and an indicator's scale (its excluded codes, e.g. «Vet ikke», and codes off
    the scale left out). Returns (values, level order or None = as before, notes on what was left out — codes
    and counts, never other values)."""
    from ..io import apply_value_labels

    seg = next((x for x in survey.segments if x.column == column), None) if survey is not None else None
    ind = next((x for x in survey.indicators if x.column == column), None) if survey is not None else None
    labels = {_code_key(k): v for k, v in ((df.attrs.get("value_labels") or {}).get(column) or {}).items()}
    spss_missing = {_code_key(v) for v in (df.attrs.get("missing_codes") or {}).get(column, [])}
    notes: list[str] = []
    blank = int(df[column].map(lambda v: (isinstance(v, str) and not v.strip())
                               or (not isinstance(v, str) and bool(pd.isna(v)))).sum())
    if blank:
        notes.append(f"{column}: {blank} blank answer(s) left out")
    if seg is not None and seg.levels:
        keys = survey.level_keys(df, column)
        codes = [None if pd.isna(v) else _code_key(v) for v in df[column].tolist()]
        missing = pd.Series([c for c, k in zip(codes, keys) if k is None and c in spss_missing], dtype=object)
        if len(missing):
            notes.append(_crosstab_missing_note(df, column, missing.value_counts(sort=False).to_dict(), labels))
        undeclared = int(sum(k is None for k in keys)) - len(missing)
        if undeclared:
            notes.append(f"{column}: {undeclared} value(s) that are no declared level of the segment left out")
        shown = pd.Series([seg.display.get(k, k) if k else None for k in keys], index=df.index, dtype=object)
        return shown, [seg.display.get(lv, lv) for lv in seg.levels], notes
    if not labels and not spss_missing and ind is None:
        return df[column], None, notes
    codes = pd.Series([None if pd.isna(v) else _code_key(v) for v in df[column].tolist()], index=df.index,
                      dtype=object)
    present = [c for c in pd.unique(codes.dropna())]
    drop: dict[Any, str] = {c: "SPSS missing code" for c in present if c in spss_missing}
    if ind is not None:
        excluded = {_code_key(c) for c in ind.excluded}
        scale = {_code_key(c) for c in ind.scale}
        for c in present:
            if c in excluded:
                drop[c] = "excluded code of the survey"
            elif c not in scale and c not in drop:
                drop[c] = "off the indicator's scale"
    counts = codes[codes.isin(list(drop))].value_counts(sort=False).to_dict()  # (one pass, however many codes)
    held_missing = {c: counts[c] for c in drop if drop[c] == "SPSS missing code"}
    if held_missing:
        notes.append(_crosstab_missing_note(df, column, held_missing, labels))
    for c, why in drop.items():
        if c in held_missing:
            continue
        lab = labels.get(c) or (survey.excluded_labels.get(c) if survey is not None and isinstance(c, int) else None)
        notes.append(f"{column}: {counts[c]} answer(s) with code {c}{_note_label(lab)} left out ({why})")
    kept = codes.where(~codes.isin(list(drop)), None)
    try:
        order_codes = sorted(c for c in present if c not in drop)
    except TypeError:
        order_codes = sorted((c for c in present if c not in drop), key=str)
    shown = apply_value_labels(pd.DataFrame({column: kept}), [column], {column: labels})[column]
    order = list(dict.fromkeys(labels.get(c, c) for c in order_codes))
    return shown.astype(object), order, notes


def _crosstab_weight(weight: str | None, no_weight: bool, survey, df: pd.DataFrame) -> tuple[str | None, str]:
    """The crosstab's weight column and a note on it: ``--weight`` as given (``""`` = none), none with
    ``--no-weight``, else the survey definition's weight (as ``textmine summary`` and ``report`` weight) when the
    data has that column."""
    if no_weight or weight == "":
        return None, ""
    if weight is not None or survey is None or not survey.weight_column:
        return weight, ""
    if survey.weight_column not in df.columns:
        return None, (f"the survey definition's weight column {survey.weight_column!r} is not in the data; "
                      "counts are unweighted")
    return survey.weight_column, (f"weighted by {survey.weight_column!r} (the survey definition's weight, as in "
                                  "`textmine summary`); --no-weight for unweighted counts")


#: ``--allow-mixed-coding`` of ``textmine summary`` and ``textmine report``
ALLOW_MIXED_CODING_HELP = (
    "Go on when compared waves were coded by different coders (zero-shot and a trained model, or two models, as "
    "the coded files' records say or as this run coded them): their theme changes are then not compared (ikke "
    "testbar), with a warning. Default: refused, as the change would show the change of coder.")


def check_model_codebooks(model: Path, plain, per_wave: dict[str, Path], loaded: dict) -> None:
    """``ArtefactError`` (the message ``textmine code`` gives) when ``--model`` was not trained for the codebook
    ``--codebook FILE`` (``plain``, a Codebook or None) or a ``--codebook WAVE=FILE`` gives: one model codes every
    wave, so it must be the codebook of each."""
    from ..classify.artefact import ArtefactError, checked_codebook

    if plain is not None:
        checked_codebook(model, plain)
    for wave, path in per_wave.items():
        try:
            checked_codebook(model, loaded[path])
        except ArtefactError as exc:
            raise ArtefactError(f"--codebook {wave}={path}: {exc}") from None


def record_coders(records: dict) -> dict:
    """Wave → question → what coded its ``--coded`` file, as its record says (:func:`textmine.report.pipeline.
    record_coder`; None without a record), for ``build_summary(coded_by=)``."""
    from ..report.pipeline import record_coder

    return {w: {q: record_coder(r) for q, r in by_q.items()} for w, by_q in records.items()}


def run_coders(coded: dict, coder: Any = None, model: Path | None = None) -> dict:
    """Wave → question → what coded it in this run (``code_wave``'s :data:`textmine.pipeline.CODERS_ATTR`; every
    question ``coder``'s, loaded from ``model``, when one coded them all)."""
    from ..pipeline import CODERS_ATTR, coder_label

    name = coder_label(coder, model) if coder is not None else None
    return {w: {q: name or c for q, c in (cf.attrs.get(CODERS_ATTR) or {}).items()}
            for w, cf in coded.items() if cf is not None}


from ..pipeline import check_wave_labels, code_wave, coder_for, hide_personal_sources, wave_of  # noqa: E402


def register(app: typer.Typer) -> None:
    """Attach ``summary`` and ``crosstab``."""

    @app.command("summary")
    def summary_cmd(
        waves: list[Path] = typer.Argument(..., help="One file per wave (CSV/XLSX/SAV/Parquet/JSON)."),
        survey_path: Path = typer.Option(..., "--survey", help="Survey definition (YAML)."),
        out: Path = typer.Option(..., "--out", help="Folder for the CSV/JSON/XLSX files."),
        codebook: Optional[list[str]] = typer.Option(
            None, "--codebook", help="Codebook (overrides the one in the survey definition); WAVE=FILE (repeatable) "
            "for a wave coded with another codebook: a theme two compared waves' codebooks define differently is "
            "then not compared."),
        model: Optional[Path] = typer.Option(None, "--model",
                                             help="Model folder for coding (default: the shipped model)."),
        compare_to: Optional[str] = typer.Option(None, "--compare-to", help="Compare every wave with this wave."),
        coded: Optional[list[Path]] = typer.Option(
            None, "--coded", help="Already coded answers; skips the coding. What `textmine code WAVE --text-col "
            "QUESTION` wrote, once per wave and question (QUESTION=FILE when the file has several free-text "
            "columns; wave from its wave column), or one table per wave (same order) with respondent_id, question, "
            "text_clean, theme_<id>. QUESTION=FOLDER reads the folder `textmine code --engine dask` wrote."),
        sheet: Optional[str] = typer.Option(None, "--sheet",
                                            help="Excel input: the sheet to read (default: the first)."),
        header_row: int = typer.Option(1, "--header-row", help="CSV/Excel wave files: the file row (from 1) holding "
                                       "the column names, below a title (as in `textmine code`)."),
        embedder: Optional[str] = typer.Option(None, "--embedder",
                                               help="Embedder for choosing quotes (default: e5, else lexical)."),
        no_quotes: bool = typer.Option(False, "--no-quotes", help="Do not choose quotes."),
        quiet: bool = typer.Option(
            False, "--quiet", help="Do not print the tables of the latest wave (totals, with the change since the "
            "wave it is compared with; a free-text question without coding shown as «ikke kodet»)."),
        allow_mixed_coding: bool = typer.Option(
            False, "--allow-mixed-coding", help=ALLOW_MIXED_CODING_HELP),
        csv_sep: Optional[str] = typer.Option(None, "--csv-sep", help=CSV_SEP_HELP + " (the tables' CSVs)"),
    ) -> None:
        """Indicators and theme shares per segment with CIs, change with verdicts, and quotes.

        The files in --out hold every wave; the terminal shows the latest wave only.
        """
        from ..classify import ArtefactError
        from ..codebook import CodebookError, load_codebook
        from ..io import TableReadError, read_table
        from ..summary import (blank_hidden_rows, build_summary, codebook_theme_labels, review_drift_lines,
                               stray_columns_hint, wave_order)
        from .clean import check_out_dir

        csv_kw = _csv_sep(csv_sep, Path("summary_tidy.csv"))  # (checked as for one of the CSVs it writes)
        survey = load_survey(survey_path)
        specs = [coded_arg(c, survey) for c in coded or []]
        try:
            codebook, per_wave = codebook_args(codebook)
        except ValueError as e:
            _fail(str(e))
        check_out_dir(out, summary_files(), *waves, *(p for _, p in specs), survey_path, codebook,
                      *per_wave.values(), what="the summary")
        cbk = None
        loaded: dict[Path, Any] = {}  # the per-wave codebooks by file
        try:  # checked now, not after the coding
            if codebook is not None:
                cbk = load_codebook(codebook)
            loaded = {p: load_codebook(p) for p in dict.fromkeys(per_wave.values())}
        except CodebookError as e:
            _fail(str(e))
        coder = None
        if model is not None and not coded and survey.free_text:
            try:
                check_model_codebooks(model, cbk, per_wave, loaded)  # (before loading the model)
                coder = coder_for(model=model, codebook=codebook)
            except (ArtefactError, CodebookError) as e:
                _fail(str(e))
        if embedder is not None and not no_quotes:
            from ..quotes import resolve_embedder

            try:
                embedder = resolve_embedder(embedder)
            except (ValueError, OSError, ImportError) as e:
                _fail(f"--embedder {embedder}: {e}")
        import warnings

        frames: dict[Any, pd.DataFrame] = {}
        coded_frames: dict[Any, pd.DataFrame] = {}
        read_warnings: list[str] = []  # printed with the summary's warnings (which carry the files' read notes)
        from .coding import header_row_wording  # the read's hints as the CLI says them (--header-row)

        for p in waves:  # every file read and checked before any coding
            try:
                with warnings.catch_warnings(record=True) as got:
                    warnings.simplefilter("always")
                    df = read_table(p, sheet=sheet, survey=survey, user_missing="excluded", header_row=header_row)
                read_warnings += [header_row_wording(str(w.message)) for w in got if issubclass(w.category, UserWarning)]
                wave = wave_of(df, survey, p)
            except (TableReadError, ValueError) as e:
                _fail(header_row_wording(str(e)))
            if wave in frames:
                _fail(f"wave {wave!r} given twice")
            frames[wave] = df
        hide_personal_sources(frames, dict(zip(frames, waves)))  # the summary's warnings name the files
        recorded: dict[Any, Any] = {}  # wave → the codebook its coded files record (OUT.textmine.json)
        per_question: dict[Any, dict] = {}  # wave → question → the codebook its coded file records
        records: dict[Any, dict] = {}  # wave → question → the record of what coded its file
        try:
            check_wave_labels(frames, survey)
            named = named_codebooks(per_wave, loaded, frames)
            if coded:
                coded_frames, recorded = read_coded_codebooks(specs, frames, survey, codebook=cbk, given=named,
                                                              per_question=per_question, records=records,
                                                              text=not no_quotes)
            wave_cb = wave_codebooks(codebook, per_wave, frames, recorded)
        except (TableReadError, ValueError) as e:
            _fail(str(e))
        share_notes: list[str] = []  # zero-shot share warnings of this run's coding: kept with the summary's
        if not coded and survey.free_text:
            from ..classify.zeroshot import is_share_warning

            caught: list[str] = []
            for wave, df in frames.items():
                typer.echo(f"Coding the free text of wave {wave} …", err=True)
                try:
                    with warnings.catch_warnings(record=True) as got:  # one `warning:` line, no Python source line
                        warnings.simplefilter("always")
                        coded_frames[wave] = code_wave(df, survey, coder=coder, codebook=wave_cb.get(wave, codebook),
                                                       report=lambda m: typer.echo(f"  {m}", err=True))
                except (ArtefactError, CodebookError) as e:
                    _fail(str(e))
                for w in got:
                    if not issubclass(w.category, DeprecationWarning):
                        msg = _coding_warning(str(w.message), model)
                        if msg not in caught:
                            caught.append(msg)
                            typer.echo(f"warning: {msg}", err=True)
                        if is_share_warning(msg):
                            share_notes.append(f"{wave}: {msg}")
        cmp: Any = compare_to
        if compare_to is not None:
            keys = {str(k): k for k in frames}
            if compare_to not in keys:
                _fail(f"--compare-to {compare_to!r} is not one of the waves {', '.join(keys)}")
            cmp = keys[compare_to]
        cb_path = None if cbk is not None else next((q.codebook for q in survey.free_text if q.codebook), None)
        if cb_path is not None and Path(cb_path).exists():
            try:
                cbk = load_codebook(cb_path)
            except CodebookError as e:  # labels are cosmetic
                typer.echo(f"warning: theme labels not read: {e}", err=True)
        labels = {t.id: t.label for t in cbk.themes} if cbk is not None else {}
        overridden: list[str] = []
        cbs = coded_codebooks(wave_cb, loaded, cbk if codebook is not None else None, recorded, overridden)
        for msg in overridden:
            typer.echo(f"warning: {msg}", err=True)
        if cbs:  # the latest wave's labels, a theme only in an earlier wave by that wave's
            labels = codebook_theme_labels(cbs, wave_order(frames))
        with warnings.catch_warnings(record=True) as got:  # one `warning:` line each, no Python source line
            try:
                summary = build_summary(
                    frames, survey, coded_frames or None, theme_labels=labels, compare_to=cmp,
                    quotes=not no_quotes, embedder=embedder, codebooks=cbs or None,
                    question_codebooks=per_question or None,
                    coded_by=record_coders(records) if coded else run_coders(coded_frames, coder, model),
                    allow_mixed_coding=allow_mixed_coding,
                )
            except ValueError as e:  # e.g. a coded file whose ids match no respondent; waves coded by two coders
                _fail(str(e))
        if coded:  # stray theme columns in a file that records no codebook: coded with another codebook?
            stray_columns_hint(summary, [w for w in frames if w not in recorded])
        summary.warnings.extend(share_notes)  # (said above; in summary.json and the sheet with the run's warnings)
        carried = [w.partition(": ")[2] for w in summary.warnings]
        for msg in dict.fromkeys(read_warnings + [str(w.message) for w in got if issubclass(w.category, UserWarning)]):
            if msg not in carried:  # (a file's read notes come with the summary's warnings below)
                typer.echo(f"warning: {msg}", err=True)
        named = _named(summary, survey)  # once, for the files and the terminal
        written = write_summary(named, out, csv_options=csv_kw)
        shown, hidden = blank_hidden_rows(named, nullable=False)
        if not quiet:
            typer.echo(shown.to_text_table())
        if hidden and survey.suppression == "flag":
            typer.echo(flag_note(hidden, survey.min_cell), err=True)
        for w in summary.warnings:
            if w not in share_notes:
                typer.echo(f"warning: {w}", err=True)
        for line in review_drift_lines(summary):  # the coder's review share rose: a topic the codebook lacks?
            typer.echo(f"note: {line}", err=True)
        uncoded = list(dict.fromkeys(x["question"] for x in summary.meta.get("not_coded", [])))
        for q in uncoded if coded else ():
            typer.echo(f"note: {q} is not in the theme tables; to summarise it, code it (`textmine code WAVE "
                       f"--text-col {q}`) and add --coded {q}=FILE for each wave", err=True)
        typer.echo(f"Wrote {len(written)} files to {out}", err=True)

    @app.command("crosstab")
    def crosstab_cmd(
        input: Path = typer.Argument(..., help="Data file (CSV/XLSX/SAV/Parquet/JSON)."),
        row: str = typer.Option(..., "--row", help="Row variable (e.g. sektor)."),
        col: str = typer.Option(..., "--col", help="Column variable (e.g. q_helhet)."),
        weight: Optional[str] = typer.Option(
            None, "--weight", help="Weight column (default: the --survey definition's weight; --weight \"\" or "
            "--no-weight for unweighted counts)."),
        no_weight: bool = typer.Option(False, "--no-weight", help="Unweighted counts, even with a --survey "
                                       "definition that names a weight."),
        out: Path = typer.Option(..., "--out", help="JSON file to write."),
        correction: bool = typer.Option(False, "--correction", help="Yates' continuity correction (2×2 only)."),
        sheet: Optional[str] = typer.Option(None, "--sheet",
                                            help="Excel input: the sheet to read (default: the first)."),
        decimals: int = typer.Option(1, "--decimals", min=0, max=10,
                                     help="Decimals of the row percentages (rounded as in reports)."),
        survey_path: Optional[Path] = typer.Option(
            None, "--survey", help="Survey definition (YAML): a segment's declared levels, an indicator's scale "
            "(its excluded codes, e.g. «Vet ikke», left out)."),
        not_personal: list[str] = typer.Option(
            [], "--not-personal", metavar="COL",
            help="--row or --col column whose values you have checked are not personal data (e.g. company "
                 "names such as 'Hansen AS'): copied into the output without the personal-data check (repeatable)."),
        min_cell: Optional[int] = typer.Option(
            None, "--min-cell", min=0,
            help="Hide every row holding a cell of 1 to N−1 respondents (default: the --survey definition's "
                 "min_cell, else 0 = hide nothing)."),
    ) -> None:
        """Crosstab with counts, row percentages and Pearson chi-square (counts, row_percent, chi2, dof, p_value, n).

        A .sav's value labels name the rows and columns, in code order; SPSS missing codes and blank answers are
        left out (noted: a column's SPSS missing codes in one note, more than 50 codes of a range counted). With
        --survey, counts are weighted by the definition's weight unless --no-weight.
        """
        from ..stats import crosstab

        _check_out(out, input)
        if out.suffix.lower() != ".json":
            _fail(f"{out}: crosstab writes JSON; give a .json file")
        if row == col:
            _fail(f"--row and --col are the same column ({row!r}); cross-tabulate two different columns")
        stray = [c for c in not_personal if c not in (row, col)]
        if stray:
            _fail(f"--not-personal {stray[0]!r} is neither --row {row!r} nor --col {col!r}; name the column to "
                  f"copy unchecked exactly as --row or --col does")
        survey = load_survey(survey_path) if survey_path is not None else None
        if no_weight and weight:
            _fail(f"--no-weight and --weight {weight!r} contradict each other; give one of them")
        df = _read(input, sheet=sheet)
        weight, weight_note = _crosstab_weight(weight, no_weight, survey, df)
        if weight_note:
            typer.echo(f"note: {weight_note}", err=True)
        missing = [c for c in (row, col, weight) if c is not None and c not in df.columns]
        if missing:
            _fail(f"{input}: no column {', '.join(map(repr, missing))}; {_columns(df)}")
        _refuse_personal(df[[row, col]], not_personal, input, out)
        shown_row, row_order, notes = _shown_levels(df, row, survey)
        shown_col, col_order, col_notes = _shown_levels(df, col, survey)
        _refuse_personal(pd.DataFrame({row: shown_row, col: shown_col}), not_personal, input, out, labels=True)
        shown = df.assign(**{row: shown_row, col: shown_col})
        shown.attrs = dict(df.attrs)
        try:
            res = crosstab(shown, row, col, weight=weight, correction=correction, decimals=decimals,
                           row_order=row_order, col_order=col_order,
                           min_cell=min_cell if min_cell is not None else (survey.min_cell if survey else 0))
        except (KeyError, ValueError) as e:
            _fail(f"{input}: {str(e).strip(chr(34))}")
        if notes + col_notes:
            res["left_out"] = notes + col_notes
        for note in notes + col_notes:
            typer.echo(f"note: {note}", err=True)
        for warning in res["warnings"]:
            typer.echo(f"warning: {warning}", err=True)
        _write_text(out, json.dumps(res, ensure_ascii=False, indent=1))
        p = res["p_value"]
        typer.echo(f"n = {res['n']}, chi-square = {res['chi2']:.3f}, df = {res['dof']}, p = {p:.4g}" if p is not None
                   else f"n = {res['n']} (no test)")
