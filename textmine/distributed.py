"""Batch coding on Dask: partition the input, load the coder once per worker, write partitioned output.

The same call runs on a local cluster (``scheduler=None`` starts one with ``n_workers`` processes) or on
an existing multi-node cluster (``scheduler="tcp://host:8786"``). Every worker needs textmine installed,
read access to the model directory / codebook and write access to ``out_path`` (a shared folder on a
multi-node cluster). The input is streamed by the client in partitions of ``rows_per_partition`` rows
(CSV with a real CSV parser, so quoted newlines in comments are safe; Parquet by record batches) and
each partition is shipped to a worker; at most ``2 × workers`` partitions are in flight, so the client
never holds the whole input.

Output: ``out_path/part-00000.parquet`` … in input order, each holding every input column (CSV columns
as strings, exactly as in the file; Parquet columns as stored), the coding columns (``theme_<id>``,
``score_<id>``, ``themes``, ``confidence``, ``needs_review``, ``type``) and ``_row`` (the input row
number), plus ``_manifest.json``. :func:`read_coded_parts` re-assembles the parts in input order;
:func:`summary_inputs_from_parts` / :func:`summarise_parts` build the survey summary from the parts
reading only the columns it needs (never the comment text).

Partitions start at multiples of ``rows_per_partition`` and are coded in batches of ``batch_size``
rows, exactly like ``textmine code`` (local engine, ``--batch-size 2000``); with ``rows_per_partition`` a
multiple of ``batch_size`` every comment is embedded in the same batch as on the local path.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ROW_COL",
    "DaskRunInfo",
    "code_with_dask",
    "code_partition",
    "iter_input_partitions",
    "read_coded_parts",
    "summary_inputs_from_parts",
    "summarise_parts",
]

ROW_COL = "_row"
MANIFEST = "_manifest.json"
DEFAULT_ROWS_PER_PARTITION = 4_000
DEFAULT_BATCH_SIZE = 2_000  # = the local engine's --batch-size default
_CODERS: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


# ---------------------------------------------------------------------------- worker side
def load_coder_for(model_dir: str | None, codebook_path: str | None):
    """Trained coder from ``model_dir`` (checked against ``codebook_path`` when given); zero-shot coder for
    ``codebook_path`` when no model is given — the same rule as ``textmine code``."""
    from textmine.classify import ZeroShotCoder, load_coder
    from textmine.codebook import load_codebook

    if model_dir:
        return load_coder(model_dir, codebook=codebook_path or None)
    if not codebook_path:
        raise ValueError("give a codebook (zero-shot) or a model directory")
    return ZeroShotCoder(load_codebook(codebook_path))


def _coder_for(model_dir: str | None, codebook_path: str | None):
    """The coder for this worker process: loaded on first use, then reused for every partition."""
    key = (str(model_dir or ""), str(codebook_path or ""))
    with _LOCK:
        coder = _CODERS.get(key)
        if coder is None:
            coder = load_coder_for(model_dir, codebook_path)
            _CODERS[key] = coder
    return coder


def code_partition(part: pd.DataFrame, *, text_col: str, model_dir: str | None, codebook_path: str | None,
                   batch_size: int = DEFAULT_BATCH_SIZE, question_col: str | None = None,
                   question: str | None = None, redact_cols: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """Code one partition with the local engine's code path: input columns + coding columns, order kept."""
    from textmine.classify.table import code_dataframe

    coder = _coder_for(model_dir, codebook_path)
    coded = code_dataframe(coder, part, text_col, batch_size=batch_size, question_col=question_col, question=question,
                           redact_cols=tuple(redact_cols))
    coded.attrs = {}  # (labels for a .sav; not wanted in the Parquet parts' metadata)
    return coded


def _code_and_write(part: pd.DataFrame, index: int, out_dir: str, kwargs: dict) -> dict:
    """Worker task: code one partition, write ``part-<index>.parquet`` atomically, report rows and seconds."""
    t0 = time.perf_counter()
    from textmine.classify.table import pii_in_columns

    # what the local engine warns about, counted here where the rows are: other columns that hold personal data
    # (cell counts only, never values) and the survey questions named
    own = [ROW_COL, kwargs["text_col"], *kwargs.get("redact_cols", ()), kwargs.get("question_col")]
    pii = pii_in_columns(part, skip=[c for c in own if c])
    qcol = kwargs.get("question_col")
    questions = ([str(v) for v in pd.unique(part[qcol].astype("string").dropna()) if str(v).strip()]
                 if qcol else [])
    coded = code_partition(part, **kwargs)
    path = os.path.join(out_dir, f"part-{index:05d}.parquet")
    from textmine.io import replacing

    with replacing(Path(path)) as tmp:  # renamed into place only when whole
        coded.to_parquet(tmp, index=False)
    return {"path": path, "rows": len(part), "seconds": time.perf_counter() - t0, "worker_pid": os.getpid(),
            "pii_columns": pii, "questions": questions}


# ---------------------------------------------------------------------------- input
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}


def _csv_options(input_path: Path) -> dict:
    """``pd.read_csv`` options for a CSV with the delimiter and encoding ``textmine.io.read_table`` detects
    (semicolons, tabs, cp1252…); a file that cannot be read raises a TableReadError naming it."""
    from textmine.io import sniff_csv

    fmt = sniff_csv(input_path, delimiter="\t" if input_path.suffix.lower() == ".tsv" else None)
    return {"sep": fmt["delimiter"], "encoding": fmt["encoding"], "dtype": str, "keep_default_na": False,
            "na_values": [], "skip_blank_lines": False}


def _read_error(input_path: Path, exc: Exception):
    from textmine.io import TableReadError

    if isinstance(exc, TableReadError):
        return exc
    return TableReadError(f"could not read the CSV ({exc.__class__.__name__}: {exc})", file=input_path)


def _input_columns(input_path: Path) -> list[str]:
    suffix = input_path.suffix.lower()
    if input_path.is_dir() or suffix in {".parquet", ".pq"}:
        import pyarrow.dataset as ds

        try:
            return list(ds.dataset(str(input_path), format="parquet").schema.names)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds
            from textmine.io import TableReadError

            raise TableReadError(f"not a readable Parquet file/folder ({exc})", file=input_path) from None
    if suffix in CSV_SUFFIXES:
        try:
            cols = list(pd.read_csv(input_path, nrows=0, **_csv_options(input_path)).columns)
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise _read_error(input_path, exc) from None
        return [str(c).strip() for c in cols]
    raise ValueError(f"{input_path}: the Dask engine reads Parquet or CSV, not '{suffix or 'no suffix'}'")


def iter_input_partitions(input_path: str | os.PathLike, rows_per_partition: int) -> Iterator[pd.DataFrame]:
    """Stream the input as DataFrames of exactly ``rows_per_partition`` rows (the last may be shorter).

    CSV: every column as a string, empty fields as ``""`` (like the file); Parquet: as stored.
    Each frame has ``_row`` (global input row number) as its first column.
    """
    input_path = Path(input_path)
    if rows_per_partition < 1:
        raise ValueError(f"rows_per_partition must be ≥ 1, got {rows_per_partition}")
    suffix = input_path.suffix.lower()
    if input_path.is_dir() or suffix in {".parquet", ".pq"}:
        import pyarrow.dataset as ds

        def chunks() -> Iterator[pd.DataFrame]:
            for batch in ds.dataset(str(input_path), format="parquet").to_batches(batch_size=rows_per_partition):
                if batch.num_rows:
                    yield batch.to_pandas()
    elif suffix in CSV_SUFFIXES:
        options = _csv_options(input_path)

        def chunks() -> Iterator[pd.DataFrame]:
            try:
                reader = pd.read_csv(input_path, chunksize=rows_per_partition, **options)
                for chunk in _without_trailing_blank_rows(reader):
                    chunk.columns = [str(c).strip() for c in chunk.columns]  # as read_table does
                    yield chunk
            except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
                raise _read_error(input_path, exc) from None
    else:
        raise ValueError(f"{input_path}: the Dask engine reads Parquet or CSV, not '{suffix or 'no suffix'}'")
    # Re-chunk so partitions start at multiples of rows_per_partition whatever the reader yields.
    buffer: list[pd.DataFrame] = []
    held = 0
    start = 0
    for chunk in chunks():
        buffer.append(chunk)
        held += len(chunk)
        while held >= rows_per_partition:
            frame = pd.concat(buffer, ignore_index=True) if len(buffer) > 1 else buffer[0].reset_index(drop=True)
            out, rest = frame.iloc[:rows_per_partition], frame.iloc[rows_per_partition:]
            buffer, held = ([rest] if len(rest) else []), len(rest)
            yield _with_row(out, start)
            start += len(out)
    if held:
        frame = pd.concat(buffer, ignore_index=True)
        yield _with_row(frame, start)


def _without_trailing_blank_rows(chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """CSV chunks as ``read_table`` reads the file: a blank line between data rows is a row of empty fields
    (row numbers stay the file's), blank rows after the last data row are dropped (held back until a later
    chunk shows they are not trailing)."""
    held: list[pd.DataFrame] = []
    for chunk in chunks:
        chunk = chunk.fillna("")
        blank = np.ones(len(chunk), dtype=bool)
        for c in chunk.columns:
            blank &= chunk[c].astype(str).str.strip().eq("").to_numpy(dtype=bool)
        filled = np.flatnonzero(~blank)
        if not len(filled):
            held.append(chunk)
            continue
        yield from held
        end = int(filled[-1]) + 1
        held = [chunk.iloc[end:]] if end < len(chunk) else []
        yield chunk.iloc[:end]


def _with_row(frame: pd.DataFrame, start: int) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    if ROW_COL in frame.columns:
        raise ValueError(f"input already has a column named {ROW_COL!r} (reserved for the row number)")
    frame.insert(0, ROW_COL, np.arange(start, start + len(frame), dtype=np.int64))
    return frame


# ---------------------------------------------------------------------------- driver
@dataclass(frozen=True)
class DaskRunInfo:
    """What a Dask coding run did (``part_seconds``: coding + writing time of each partition on its worker)."""

    out_dir: str
    n_rows: int
    n_partitions: int
    parts: tuple[str, ...]
    part_seconds: tuple[float, ...] = ()
    n_workers: int = 0
    wall_seconds: float = 0.0
    # other columns copied unredacted that hold what looks like personal data: {column: cells} (never values)
    pii_columns: dict = field(default_factory=dict)
    # survey questions in ``question_col`` / ``question`` the model has no theme rates for, and those it has
    questions: tuple[str, ...] = ()  # the distinct values of ``question_col``
    unknown_questions: tuple[str, ...] = ()
    known_questions: tuple[str, ...] = ()


def code_with_dask(
    input_path: str | os.PathLike,
    out_path: str | os.PathLike,
    codebook_path: str | os.PathLike | None,
    model_dir: str | os.PathLike | None,
    text_col: str,
    scheduler: str | None = None,
    *,
    n_workers: int = 2,
    rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
    batch_size: int = DEFAULT_BATCH_SIZE,
    client: Any = None,
    question_col: str | None = None,
    question: str | None = None,
    redact_cols: list[str] | tuple[str, ...] = (),
) -> DaskRunInfo:
    """Code ``input_path`` (CSV or Parquet file/folder) on Dask and write ``out_path/part-*.parquet``.

    ``scheduler``: address of an existing cluster (``tcp://host:8786``); without it a local cluster of
    ``n_workers`` single-threaded worker processes is started and closed again. ``client``: an existing
    ``distributed.Client`` to use instead (not closed). Old ``part-*.parquet`` files in ``out_path`` are
    removed first. ``question_col``/``question``: the survey question of each row / of all rows (as in
    :func:`textmine.classify.table.code_dataframe`). ``redact_cols``: other free-text columns masked in place.
    CSV input is read with the delimiter and encoding :func:`textmine.io.read_table` detects. If the run
    fails, the parts it wrote are removed again (and the output folder, if the run created it).
    """
    import dask.distributed  # noqa: F401 - fail early when dask is not installed

    t_start = time.perf_counter()
    input_path = Path(input_path)
    if not input_path.exists():
        raise FileNotFoundError(f"input not found: {input_path}")
    columns = _input_columns(input_path)
    for col in (text_col, question_col, *redact_cols):
        if col is not None and col not in columns:
            raise ValueError(f"{input_path}: no column {col!r} (columns: {', '.join(map(str, columns))})")
    if question_col is not None and question is not None:
        raise ValueError("give either question_col or question, not both")
    if model_dir is None and codebook_path is None:
        raise ValueError("give a codebook (zero-shot) or a model directory")
    # Fail fast in the client (bad codebook/model) before any worker starts.
    coder = load_coder_for(str(model_dir) if model_dir else None, str(codebook_path) if codebook_path else None)
    out_dir = Path(out_path)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir}: --engine dask writes a folder of parts, and this is a file")
    created = [p for p in (out_dir, *out_dir.parents) if not p.exists()]
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in [*out_dir.glob("part-*.parquet"), *out_dir.glob(".part-*.parquet.*.tmp"), out_dir / MANIFEST]:
        old.unlink(missing_ok=True)
    kwargs = dict(
        text_col=text_col,
        model_dir=str(Path(model_dir).resolve()) if model_dir else None,
        codebook_path=str(Path(codebook_path).resolve()) if codebook_path else None,
        batch_size=batch_size,
        question_col=question_col,
        question=question,
        redact_cols=tuple(redact_cols),
    )
    try:
        info = _run_dask(input_path, out_dir, columns, kwargs, scheduler, client, n_workers, rows_per_partition,
                         batch_size, text_col, t_start)
    except BaseException:
        # a failed run leaves no partial output (it would look like a result) and no folder it created
        for old in [*out_dir.glob("part-*.parquet"), *out_dir.glob(".part-*.parquet.*.tmp"), out_dir / MANIFEST]:
            old.unlink(missing_ok=True)
        for d in created:  # innermost first
            try:
                d.rmdir()
            except OSError:
                break
        raise
    from textmine.classify.table import unknown_questions

    named = [question] if question is not None else list(info.questions)
    unknown, known = unknown_questions(coder, named) if named else ([], [])
    return replace(info, unknown_questions=tuple(unknown), known_questions=tuple(known))


def _run_dask(input_path: Path, out_dir: Path, columns: list[str], kwargs: dict, scheduler, client, n_workers: int,
              rows_per_partition: int, batch_size: int, text_col: str, t_start: float) -> DaskRunInfo:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    own_client = client is None
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            # Share the cores between the worker processes instead of letting each
            # onnxruntime session take all of them (oversubscription halves throughput).
            threads = str(max(1, (os.cpu_count() or 1) // max(1, n_workers)))
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0",  # any free port: never collides with another cluster
                                   env={"TEXTMINE_EMBED_THREADS": threads, "OMP_NUM_THREADS": threads})
            client = Client(cluster)
    results: list[dict] = []
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or n_workers)
        max_in_flight = 2 * workers
        pending = as_completed()
        n_rows = 0
        for index, part in enumerate(iter_input_partitions(input_path, rows_per_partition)):
            n_rows += len(part)
            fut = client.submit(_code_and_write, part, index, str(out_dir.resolve()), kwargs, pure=False,
                                key=f"textmine-code-part-{index:05d}-{os.getpid()}-{time.time_ns()}")
            pending.add(fut)
            while pending.count() >= max_in_flight:
                results.append(next(pending).result())
        for fut in pending:
            results.append(fut.result())
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
    results.sort(key=lambda r: r["path"])
    pii: dict[str, int] = {}
    for r in results:
        for col, n in r.get("pii_columns", {}).items():
            pii[col] = pii.get(col, 0) + int(n)
    info = DaskRunInfo(
        out_dir=str(out_dir),
        n_rows=n_rows,
        n_partitions=len(results),
        parts=tuple(r["path"] for r in results),
        part_seconds=tuple(round(r["seconds"], 4) for r in results),
        n_workers=workers,
        wall_seconds=round(time.perf_counter() - t_start, 3),
        pii_columns=pii,
        questions=tuple(sorted({q for r in results for q in r.get("questions", ())})),
    )
    manifest = {
        "input": str(input_path), "text_col": text_col, "n_rows": n_rows, "n_partitions": len(results),
        "rows_per_partition": rows_per_partition, "batch_size": batch_size, "input_columns": columns,
        "model_dir": kwargs["model_dir"], "codebook": kwargs["codebook_path"],
        "parts": [os.path.basename(r["path"]) for r in results],
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return info


# ---------------------------------------------------------------------------- reading the output
def _parts(out_dir: str | os.PathLike) -> list[Path]:
    parts = sorted(Path(out_dir).glob("part-*.parquet"))
    if not parts:
        raise FileNotFoundError(f"{out_dir}: no part-*.parquet files (run `textmine code --engine dask` first)")
    return parts


def read_coded_parts(out_dir: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Re-assemble partitioned output in input order (optionally only ``columns``).

    The result is indexed by input row number (0 … n−1) and has no ``_row`` column, so it compares
    directly with the local engine's output.
    """
    cols = None if columns is None else list(dict.fromkeys([ROW_COL, *columns]))
    df = pd.concat([pd.read_parquet(p, columns=cols) for p in _parts(out_dir)], ignore_index=True)
    df = df.sort_values(ROW_COL, kind="stable")
    df.index = pd.Index(df.pop(ROW_COL).to_numpy(), name=None)
    return df


def _numeric_if_possible(s: pd.Series) -> pd.Series:
    """Strings from a CSV → numbers when every non-empty value is numeric (empty → missing)."""
    if pd.api.types.is_numeric_dtype(s):
        return s
    text = s.astype("string").str.strip()
    empty = text.isna() | (text == "")
    num = pd.to_numeric(text.where(~empty), errors="coerce")
    if num[~empty].notna().all() and (~empty).any():
        return num.astype("Int64") if not empty.any() and (num.dropna() % 1 == 0).all() else num.astype(float)
    return s.where(~empty, None) if empty.any() else s


def summary_inputs_from_parts(out_dir: str | os.PathLike, survey, text_col: str | None = None, *,
                              themes: list[str] | None = None) -> tuple[dict, dict]:
    """``(frames, coded)`` for :func:`textmine.summary.build_summary` from partitioned coding output.

    Streams the parts one at a time reading only the survey's structured columns (id, wave, weight,
    segments, indicators, multi-select options; never the free text) and ``theme_<id>``/``themes``.
    A row whose ``themes`` is empty is a non-answer (the coders give every real answer at least one theme).
    ``text_col``: the free-text question that was coded (default: the manifest's ``text_col``).
    Returns frames and coded comments keyed by wave (one key ``None`` → the survey has no wave column).
    """
    import pyarrow.parquet as pq

    parts = _parts(out_dir)
    if text_col is None:
        mpath = Path(out_dir) / MANIFEST
        if not mpath.exists():
            raise ValueError(f"{out_dir}: no {MANIFEST}; pass text_col (the coded free-text column)")
        text_col = json.loads(mpath.read_text(encoding="utf-8"))["text_col"]
    names = pq.read_schema(parts[0]).names
    free = {q.column for q in survey.free_text}
    structured = [c for c in survey.columns if c in names and c not in free]
    if survey.id_column not in names:
        raise ValueError(f"{out_dir}: parts lack the respondent id column {survey.id_column!r}")
    theme_cols = [c for c in names if c.startswith("theme_")]
    if themes is not None:
        missing = [t for t in themes if f"theme_{t}" not in names]
        if missing:
            raise ValueError(f"{out_dir}: no theme column(s) for {missing}")
        theme_cols = [f"theme_{t}" for t in themes]
    if "themes" not in names:
        raise ValueError(f"{out_dir}: parts lack the 'themes' column (not textmine coding output?)")
    resp_parts, coded_parts = [], []
    for p in parts:
        d = pd.read_parquet(p, columns=[ROW_COL, *structured, *theme_cols, "themes"])
        coded = pd.DataFrame({ROW_COL: d[ROW_COL].to_numpy(),
                              "respondent_id": d[survey.id_column].astype("string").to_numpy(),
                              "question": text_col})
        for c in theme_cols:
            coded[c] = pd.to_numeric(d[c], errors="coerce").fillna(0).astype(np.int8).to_numpy()
        coded["is_non_answer"] = (d["themes"].fillna("").astype(str).str.len() == 0).astype(np.int8).to_numpy()
        resp_parts.append(d[[ROW_COL, *structured]])
        coded_parts.append(coded)
        del d
    resp = pd.concat(resp_parts, ignore_index=True).sort_values(ROW_COL, kind="stable")
    coded_all = pd.concat(coded_parts, ignore_index=True).sort_values(ROW_COL, kind="stable")
    resp = resp.drop(columns=ROW_COL).reset_index(drop=True)
    coded_all = coded_all.drop(columns=ROW_COL).reset_index(drop=True)
    for c in resp.columns:
        resp[c] = _numeric_if_possible(resp[c])
    resp[survey.id_column] = resp[survey.id_column].astype("string").astype(object)
    wave_col = survey.wave_column if getattr(survey, "wave_column", None) in resp.columns else None
    if wave_col is None:
        return {None: resp}, {None: coded_all}
    frames, coded_by = {}, {}
    waves = resp[wave_col]
    for w in pd.unique(waves.dropna()):
        sel = (waves == w).to_numpy()
        key = w.item() if hasattr(w, "item") else w
        frames[key] = resp[sel].reset_index(drop=True)
        coded_by[key] = coded_all[sel].reset_index(drop=True)
    return frames, coded_by


def summarise_parts(out_dir: str | os.PathLike, survey, text_col: str | None = None, *,
                    themes: list[str] | None = None, **summary_kw: Any):
    """:func:`textmine.summary.build_summary` over partitioned coding output, without the comment text.

    Quotes need the text, so they are off unless ``quotes=True`` is passed explicitly (which will fail:
    use the whole-frame path for quotes). Other keyword arguments go to ``build_summary``.
    """
    from textmine.summary import build_summary

    frames, coded = summary_inputs_from_parts(out_dir, survey, text_col, themes=themes)
    summary_kw.setdefault("quotes", False)
    return build_summary(frames, survey, coded, **summary_kw)


def partitions_needed(n_rows: int, rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION) -> int:
    """How many partitions ``code_with_dask`` writes for ``n_rows`` input rows."""
    return max(0, math.ceil(n_rows / rows_per_partition))
