"""Batch coding on Dask: partition the input, load the coder once per worker, write partitioned output.

The same call runs on a local cluster (``scheduler=None`` starts one with ``n_workers`` processes) or on
an existing multi-node cluster (``scheduler="tcp://host:8786"``). Every worker needs textmine installed,
read access to the model directory / codebook and write access to ``out_path`` (a shared folder on a
multi-node cluster). The input is streamed by the client in partitions of ``rows_per_partition`` rows
(CSV with read_table's parser and checks, so quoted newlines in comments are safe; Parquet by record batches) and
each partition is shipped to a worker; at most ``2 × workers`` partitions are in flight, so the client
never holds the whole input. A CSV is read through once first (row checks only), so a bad row fails the run
before any partition is coded.

Output: ``out_path/part-00000.parquet`` … in input order, each holding every input column (CSV columns
as strings, exactly as in the file; Parquet columns as stored), the coding columns (``theme_<id>``,
``score_<id>``, ``themes``, ``confidence``, ``needs_review``, ``type``, ``health_flag``, ``is_non_answer``, as
:func:`textmine.pipeline.code_table` writes them for the local engine) and ``_row`` (the input row
number), plus ``_manifest.json``, written last once every part is checked to be in place with its rows (the
readers refuse parts without it: a run that did not finish); it records the coder's :func:`model_identity`, which
every worker checks against the model files it finds before coding a partition. A Parquet input folder is read in
natural file order (``f2`` before ``f10``), as Dask's ``read_parquet`` orders it. :func:`read_coded_parts`
re-assembles the parts in input order;
:func:`summary_inputs_from_parts` / :func:`summarise_parts` build the survey summary from the parts
reading only the columns it needs (never the comment text).

Partitions start at multiples of ``rows_per_partition`` and are coded in batches of ``batch_size``
rows, exactly like ``textmine code`` (local engine, ``--batch-size 2000``); with ``rows_per_partition`` a
multiple of ``batch_size`` every comment is embedded in the same batch as on the local path.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import os
import re
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ROW_COL",
    "DaskRunInfo",
    "DaskWorkerError",
    "code_with_dask",
    "code_partition",
    "iter_input_partitions",
    "model_identity",
    "read_coded_parts",
    "summary_inputs_from_parts",
    "coded_without_text",
    "summarise_parts",
]

ROW_COL = "_row"
MANIFEST = "_manifest.json"
DEFAULT_ROWS_PER_PARTITION = 4_000
DEFAULT_BATCH_SIZE = 2_000  # = the local engine's --batch-size default
SCHEDULER_TIMEOUT_S = 20  # seconds to reach a --scheduler and to see a worker there
STOP_WAIT_S = 120  # after a failure: seconds to wait for the partitions being coded to end before removing parts
NO_WORKERS_GRACE_S = 30.0  # seconds a run waits with no worker connected before it says so
WORKER_POLL_S = 5.0  # how often (at most) a run waiting for results asks the scheduler how many workers it has
SCHEDULER_CALL_TIMEOUT_S = 10.0  # seconds a look at the worker count waits for the scheduler (a hung one: no look)
_LETTER = r"[^\W\d_]"  # a letter of any alphabet (the local engine's "holds no letters" check)
_PART_RE = re.compile(r"part-\d{5}\.parquet")  # the parts this module writes (never other files' names)
_INDEX_RE = re.compile(r"__index_level_\d+__")  # pandas' unnamed stored index (row numbers, not data)
_CODERS: dict[tuple[str, str], tuple[str, Any]] = {}  # (model dir, codebook) → (model identity, coder)
CHECK_PROGRESS_ROWS = 20_000  # how often the CSV's first read (its row checks) says how far it is
CODERS_KEPT = 2  # coders a worker process keeps (the models used last), each ≈ 0.3–0.5 GB
_IDENTITIES: dict[tuple[str, str], tuple[tuple, str]] = {}  # (model dir, codebook) → (files' stat, identity)
_LOCK = threading.Lock()


class PartitionError(RuntimeError):
    """A partition's coding failed on a worker: ``"<error class>: <short message>"`` (never the partition's text)."""


class DaskWorkerError(RuntimeError):
    """The run failed on a worker (an error other than ValueError/OSError, or a worker process that died): one line
    naming the partition, its ``_row`` range and the error class; nothing of the text being coded."""


def _short_error(exc: BaseException, part: pd.DataFrame) -> str:
    """``"<class>: <first line of the message>"``, shortened, with every text cell of ``part`` in it masked."""
    msg = (str(exc).strip().splitlines() or [""])[0]
    cells = {v for c in part.columns if not pd.api.types.is_numeric_dtype(part[c])
             for v in part[c].dropna() if isinstance(v, str)}
    for cell in sorted((c for c in cells if len(c.strip()) >= 3), key=len, reverse=True):
        msg = msg.replace(cell, "<text>")
        msg = msg.replace(repr(cell)[1:-1], "<text>")
    msg = msg if len(msg) <= 160 else msg[:157] + "…"
    return f"{exc.__class__.__name__}: {msg}" if msg else exc.__class__.__name__


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


class ModelChanged(RuntimeError):
    """The model (or codebook) a worker finds on disk is not the one the client loaded: one line naming the worker,
    the path and both identities. A RuntimeError: the run fails (exit 1), it is not a bad input."""


def _model_files(model_dir: str | None, codebook_path: str | None) -> list[Path]:
    """The files that make up the coder: every file of the model directory (sorted), then the codebook."""
    files: list[Path] = []
    if model_dir:
        root = Path(model_dir)
        files += sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix())
    if codebook_path:
        files.append(Path(codebook_path))
    return files


def model_identity(model_dir: str | os.PathLike | None, codebook_path: str | os.PathLike | None) -> str:
    """The coder's identity: a SHA-256 (16 hex digits) over the names and content of the model directory's files
    and the codebook's content. Two coders with the same identity code alike; written to ``_manifest.json``."""
    h = hashlib.sha256()
    root = Path(model_dir) if model_dir else None
    for p in _model_files(str(model_dir) if model_dir else None, str(codebook_path) if codebook_path else None):
        name = p.relative_to(root).as_posix() if root is not None and root in p.parents else "codebook"
        h.update(name.encode("utf-8") + b"\0")
        if not p.is_file():  # (a missing codebook: loading the coder says so)
            h.update(b"\1missing\0")
            continue
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()[:16]


def _identity_on_disk(model_dir: str | None, codebook_path: str | None) -> str:
    """:func:`model_identity` of what is on disk now; the files are hashed again only when one's size, mtime or
    inode changed since the last call in this process (a stat per partition, not a read)."""
    key = (str(model_dir or ""), str(codebook_path or ""))
    stat = tuple((str(p), st.st_size, st.st_mtime_ns, st.st_ino) if (st := _stat(p)) else (str(p),)
                 for p in _model_files(model_dir, codebook_path))
    seen = _IDENTITIES.get(key)
    if seen is not None and seen[0] == stat:
        return seen[1]
    identity = model_identity(model_dir, codebook_path)
    _IDENTITIES[key] = (stat, identity)
    return identity


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


def _worker_address() -> str:
    """This Dask worker's address ('' outside a worker)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except Exception:  # noqa: BLE001 - not on a worker
        return ""


def _coder_for(model_dir: str | None, codebook_path: str | None, model_id: str | None = None):
    """The coder for this worker process, keyed by the model's identity: loaded on first use and again when another
    model was written to the same path, else reused for every partition; the coders of the :data:`CODERS_KEPT`
    models used last are kept (two models alternating partitions on one worker are not reloaded per partition).
    ``model_id``: the identity the client loaded; a worker that finds another model on disk raises
    :class:`ModelChanged` (a run never mixes models)."""
    key = (str(model_dir or ""), str(codebook_path or ""))
    with _LOCK:
        found = _identity_on_disk(model_dir, codebook_path)
        if model_id and found != model_id:
            where = _worker_address() or f"pid {os.getpid()}"
            raise ModelChanged(f"worker {where}: the model at {model_dir or codebook_path} is {found}, not {model_id} "
                               f"as the client loaded (changed during the run, or another version on this node); "
                               f"every worker must see the same model files")
        cached = _CODERS.pop(key, None)
        if cached is None or cached[0] != found:
            cached = None  # (another model written to the path: its old coder is dropped before the load)
            while len(_CODERS) >= CODERS_KEPT:  # ≈ 0.3–0.5 GB each: a long-lived worker that codes for several
                del _CODERS[next(iter(_CODERS))]  # models in turn holds the last few, not every one it loaded
            cached = (found, load_coder_for(model_dir, codebook_path))
        _CODERS[key] = cached  # (the most recently used last)
        return cached[1]


def code_partition(part: pd.DataFrame, *, text_col: str, model_dir: str | None, codebook_path: str | None,
                   batch_size: int = DEFAULT_BATCH_SIZE, question_col: str | None = None,
                   question: str | None = None, redact_cols: list[str] | tuple[str, ...] = (),
                   keep_raw_text: bool = False, question_labels: dict[str, str] | None = None,
                   model_id: str | None = None) -> pd.DataFrame:
    """Code one partition with the local engine's code path (:func:`textmine.pipeline.code_table`): input columns +
    coding columns + ``health_flag``, ``is_non_answer``, order kept. ``model_id``: the :func:`model_identity` the
    client loaded (:class:`ModelChanged` when the files on disk differ).

    Numbers stored in the text column or a ``redact_cols`` column (Parquet) become text as ``read_table`` writes
    them (``1.0`` → ``"1"``)."""
    from textmine.io import _text_column
    from textmine.pipeline import code_table

    coder = _coder_for(model_dir, codebook_path, model_id)
    for c in dict.fromkeys([text_col, *redact_cols]):
        if pd.api.types.is_numeric_dtype(part[c]) and not pd.api.types.is_bool_dtype(part[c]):
            part = part.assign(**{c: _text_column(part[c])})
    part, (text_col, question_col, *redact_cols) = _renamed_clashes(part, coder.codebook,
                                                                    [text_col, question_col, *redact_cols])
    coded = code_table(coder, part, text_col, batch_size=batch_size, question_col=question_col, question=question,
                       redact_cols=tuple(redact_cols), keep_raw_text=keep_raw_text, question_labels=question_labels)
    coded.attrs = {}  # (labels for a .sav; not wanted in the Parquet parts' metadata)
    return coded


def _renamed_clashes(part: pd.DataFrame, codebook, names: list) -> tuple[pd.DataFrame, list]:
    """``part`` with its columns named like coding columns (``themes``, ``type`` …) renamed ``<name>_input`` as
    ``code_dataframe`` renames them, and ``names`` (text/question/redact columns) renamed alike: the same output
    without its warning on every partition (the client gives it once). Unchanged where a new name is taken."""
    from textmine.classify.base import output_columns
    from textmine.classify.table import CODE_FLAG_COLUMNS

    coding = {*output_columns(codebook), *CODE_FLAG_COLUMNS}
    new = {c: f"{c}_input" for c in part.columns if c in coding}
    if not new or any(n in part.columns or n in coding for n in new.values()):
        return part, names
    return part.rename(columns=new), [new.get(n, n) if n is not None else None for n in names]


class PartitionValueError(ValueError):
    """A ValueError raised while a worker coded a partition: ``"<class>: <short message> (worker <address>)"``, its
    text cells masked as in :class:`PartitionError`; the client adds the partition and its ``_row`` range."""


class PartitionOSError(OSError):
    """An OSError raised while a worker coded or wrote a partition (disk full, no write access …), worded like
    :class:`PartitionValueError`."""


def _on_worker(msg: str) -> str:
    where = _worker_address()
    return f"{msg} (worker {where})" if where else msg


def _code_and_write(part: pd.DataFrame, index: int, out_dir: str, kwargs: dict) -> dict:
    """Worker task: code one partition, write ``part-<index>.parquet`` atomically, report rows and seconds.
    Errors come back without the partition's text: ValueError/OSError as :class:`PartitionValueError` /
    :class:`PartitionOSError` naming the worker, others as a :class:`PartitionError`."""
    try:
        return _code_and_write_part(part, index, out_dir, kwargs)
    except ModelChanged as exc:  # (names the worker and the model path, no text of the partition; not shortened)
        raise PartitionError(f"ModelChanged: {exc}") from None
    except (ValueError, OSError) as exc:
        cls = PartitionOSError if isinstance(exc, OSError) else PartitionValueError
        raise cls(_on_worker(_short_error(exc, part))) from None
    except Exception as exc:  # noqa: BLE001 - MemoryError, RuntimeError … from the coder
        raise PartitionError(_short_error(exc, part)) from None


class _Stopped(Exception):
    """The run was stopped while this partition was coded: its part is not put in place."""


class StopFlagUnreachable(RuntimeError):
    """A worker could not ask whether the run was stopped when its part was ready to be put in place, so it did not
    put it there (a part written after the run failed would outlive the client's clean-up). A RuntimeError, so the
    client reports it as the partition's failure (:class:`DaskWorkerError`, exit 1), never as a bad input."""


def _stop_event(name: str):
    """The run's stop Event ``name`` as this worker sees it (through its client to the scheduler)."""
    from distributed import Event

    return Event(name)


def _stopped(name: str | None) -> bool:
    """Whether the client has stopped the run (set its Dask ``Event`` ``name`` after a failure); asked before a
    partition is coded. ``False`` when that cannot be asked (no client on this worker, scheduler unreachable …):
    nothing is written yet, and the task asks again with :func:`_stopped_before_writing` before its part is put in
    place, where not knowing is an error."""
    if not name:
        return False
    try:
        return bool(_stop_event(name).is_set())
    except Exception:  # noqa: BLE001 - no client on this worker, scheduler gone …
        return False


def _stopped_before_writing(name: str | None, index: int) -> bool:
    """Whether the run was stopped, asked when partition ``index``'s part is about to be renamed into place.
    Raises :class:`StopFlagUnreachable` (one line naming the part; the cause's class, not its message) when
    that cannot be asked: the run may have failed and its parts been removed, so the part must not be put in place.
    ``False`` when the run has no stop Event (``name`` empty)."""
    if not name:
        return False
    try:
        return bool(_stop_event(name).is_set())
    except Exception as exc:  # noqa: BLE001 - no client on this worker, scheduler gone …
        raise StopFlagUnreachable(
            f"could not ask the scheduler whether the run was stopped ({exc.__class__.__name__}), so "
            f"part-{index:05d}.parquet was not put in place") from None


def _text_counts(part: pd.DataFrame, text_col: str, blank_is_missing: bool) -> tuple[int, bool]:
    """(text cells the local engine reads as given, whether one holds a letter): for its warning about a text column
    of numbers or codes only. CSV: blank cells are missing, as ``read_table`` reads them."""
    from textmine.io import _text_column

    s = part[text_col]
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        s = _text_column(s)
    given = s.dropna().astype(str)
    if blank_is_missing:
        given = given[given.str.strip() != ""]
    return len(given), bool(given.str.contains(_LETTER, regex=True).any())


def _code_and_write_part(part: pd.DataFrame, index: int, out_dir: str, kwargs: dict) -> dict:
    t0 = time.perf_counter()
    from textmine.classify.table import mask_column_names, mask_personal_text, masked_column_names

    kwargs = dict(kwargs)
    stop = kwargs.pop("_stop", None)  # the run's stop Event (see _stop_tasks)
    blank_is_missing = kwargs.pop("_csv", False)
    unredacted = kwargs.pop("_unredacted", ())
    if _stopped(stop):  # another partition failed before this one started
        return {"path": None, "rows": 0, "stopped": True}

    # as the local engine: personal data in the text cells of other columns masked (cell by cell, so the parts
    # give the whole file's cells), numeric and code-shaped cells counted for its warning (counts, never values);
    # and the survey questions named
    own = [ROW_COL, kwargs["text_col"], *kwargs.get("redact_cols", ()), kwargs.get("question_col"), *unredacted]
    part, masked, pii = mask_personal_text(part, skip=[c for c in own if c])
    names = masked_column_names(part.columns, skip=[c for c in own if c])  # the driver counts them for its note
    part, _ = mask_column_names(part, skip=[c for c in own if c])
    masked = {names.get(c, c): n for c, n in masked.items()}
    pii = {names.get(c, c): n for c, n in pii.items()}
    qcol = kwargs.get("question_col")
    questions = ([str(v) for v in pd.unique(part[qcol].astype("string").dropna()) if str(v).strip()]
                 if qcol else [])
    cells, letters = _text_counts(part, kwargs["text_col"], blank_is_missing)
    coded = code_partition(part, **kwargs)
    path = os.path.join(out_dir, f"part-{index:05d}.parquet")
    from textmine.io import replacing

    try:
        with replacing(Path(path)) as tmp:  # renamed into place only when whole, and only while the run goes on
            coded.to_parquet(tmp, index=False)
            if _stopped_before_writing(stop, index):  # (raises when it cannot be asked: the temporary file goes)
                raise _Stopped
    except _Stopped:
        return {"path": None, "rows": 0, "stopped": True}
    return {"path": path, "rows": len(part), "seconds": time.perf_counter() - t0, "worker_pid": os.getpid(),
            "pii_columns": pii, "masked_columns": masked, "questions": questions, "text_cells": cells, "text_letters": letters}


# ---------------------------------------------------------------------------- input
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}


def _csv_format(input_path: Path, encoding: str | None = None, header_row: int = 1) -> dict:
    """Delimiter and encoding of a CSV as ``textmine.io.read_table`` detects them (semicolons, tabs, cp1252…;
    ``encoding`` when given; the delimiter from the rows from ``header_row`` on, not from a title above them); a file
    that cannot be read raises a TableReadError naming it."""
    from textmine.io import detect_csv_format, sniff_csv

    tab = "\t" if input_path.suffix.lower() == ".tsv" else None
    fmt = sniff_csv(input_path, encoding=encoding, delimiter=tab)
    if header_row > 1:
        with open(input_path, "rb") as fh:
            head = fh.read(1 << 20).decode(fmt["encoding"], errors="replace")
        below = detect_csv_format("\n".join(head.splitlines()[header_row - 1:]))
        fmt = {**fmt, "delimiter": tab or below["delimiter"], "decimal": below["decimal"]}
    return fmt


def _check_header_row(input_path: Path, header_row: int) -> None:
    """``header_row`` is a file row number (from 1), other than 1 only for CSV input."""
    if isinstance(header_row, bool) or not isinstance(header_row, (int, np.integer)) or header_row < 1:
        raise ValueError(f"{input_path}: header_row must be a file row number (1 or more), got {header_row!r}")
    if header_row != 1 and _is_parquet(input_path):
        raise ValueError(f"{input_path}: header_row applies to CSV input; Parquet stores its column names apart from "
                         f"the data, with no title rows above them (got header_row={header_row}) — leave it at 1")


def _csv_chunks(input_path: Path, rows: int, header_only: bool = False,
                encoding: str | None = None, header_row: int = 1) -> Iterator[pd.DataFrame]:
    """The CSV in frames of ``rows`` rows of strings, parsed and checked exactly as ``read_table`` does (same
    parser: a repeated or empty column name, or a row with another number of fields, is an error naming it; the
    rows above ``header_row`` skipped, error rows staying the file's)."""
    fmt = _csv_format(input_path, encoding, header_row)
    try:
        yield from _csv_frames(input_path, fmt, rows, header_only, header_row)
    except UnicodeDecodeError as exc:  # only with an explicit encoding (a detected one is checked whole)
        raise _decode_error(exc, fmt, input_path) from None


def _decode_error(exc: UnicodeDecodeError, fmt: dict, input_path: Path):
    from textmine.io import TableReadError

    return TableReadError(f"byte 0x{exc.object[exc.start]:02x} is not valid {fmt['encoding']}; pass the file's "
                          f"encoding (--encoding)", file=input_path)


def _csv_records(fh, input_path: Path, fmt: dict, header_row: int) -> tuple[list[str], Iterator[list[str]]]:
    """(header, data rows) of the open CSV ``fh`` with ``read_table``'s parser and checks."""
    from textmine.io import _skip_title_rows, _TrailingDelimiter, csv_header, csv_rows

    reader = csv.reader(fh, delimiter=fmt["delimiter"], strict=True)
    _skip_title_rows(reader, input_path, header_row)
    reader = _TrailingDelimiter(reader, input_path, header_row)  # a delimiter ending every line, as read_table
    header = csv_header(reader, input_path, row=header_row)
    return header, csv_rows(reader, header, input_path)


def _csv_row_count(input_path: str | os.PathLike, encoding: str | None = None, header_row: int = 1,
                   checking: Callable[[int, int], None] | None = None) -> int:
    """The CSV's data rows as :func:`iter_input_partitions` gives them (blank rows after the last data row not
    counted), read once with ``read_table``'s parser and checks but without building frames: a bad row anywhere (a
    wrong number of fields, an unclosed quote, a byte not of the encoding) is its ``TableReadError`` naming the file
    and row now, before any partition is coded (≈ 2–3 s per 100,000 rows on a 2-core VM). ``checking(bytes read,
    file size)`` is called every ``CHECK_PROGRESS_ROWS`` rows and once at the end (a long CSV is not silent)."""
    input_path = Path(input_path)
    fmt = _csv_format(input_path, encoding, header_row)
    n = filled = 0
    size = input_path.stat().st_size
    try:
        with open(input_path, encoding=fmt["encoding"], newline="") as fh:
            for r in _csv_records(fh, input_path, fmt, header_row)[1]:
                n += 1
                if any(f.strip() for f in r):
                    filled = n
                if checking is not None and n % CHECK_PROGRESS_ROWS == 0:
                    checking(min(fh.buffer.tell(), size), size)  # (the bytes buffered so far: near enough)
    except UnicodeDecodeError as exc:
        raise _decode_error(exc, fmt, input_path) from None
    if checking is not None:
        checking(size, size)
    return filled


def _csv_frames(input_path: Path, fmt: dict, rows: int, header_only: bool,
                header_row: int = 1) -> Iterator[pd.DataFrame]:
    from textmine.io import csv_text_from_guarded

    with open(input_path, encoding=fmt["encoding"], newline="") as fh:
        header, records = _csv_records(fh, input_path, fmt, header_row)
        if header_only:
            yield pd.DataFrame(columns=header, dtype=object)
            return
        block: list[list[str]] = []
        for r in records:
            block.append(r)
            if len(block) == rows:  # the CSV formula guard's «'» taken off, as read_table does
                yield csv_text_from_guarded(pd.DataFrame(block, columns=header, dtype=object))
                block = []
        if block:
            yield csv_text_from_guarded(pd.DataFrame(block, columns=header, dtype=object))


def _parquet_dataset(input_path: Path):
    """The Parquet file or folder as one pyarrow dataset. Every file must have the same columns (one lacking the
    text column would be coded as non-answers, extra columns dropped) with types that combine (``null`` and
    ``string``, ``int64`` and ``double``); otherwise a TableReadError names the file and the column."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    from textmine.io import TableReadError

    source = _natural_files(input_path) if input_path.is_dir() else str(input_path)
    if not source:
        raise TableReadError("no Parquet files in the folder", file=input_path)
    try:
        files = [(f.path, f.physical_schema) for f in ds.dataset(source, format="parquet").get_fragments()]
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds
        raise TableReadError(f"not a readable Parquet file/folder ({exc})", file=input_path) from None
    if not files:
        raise TableReadError("no Parquet files in the folder", file=input_path)

    def data_columns(schema) -> list[str]:
        return [n for n in schema.names if not _INDEX_RE.fullmatch(n)]

    first_path, first = files[0]
    names = data_columns(first)
    for path, schema in files[1:]:
        cols = data_columns(schema)
        lacks, extra = [c for c in names if c not in cols], [c for c in cols if c not in names]
        if lacks or extra:
            what = "; ".join(x for x in (f"lacks {', '.join(map(repr, lacks))}" if lacks else "",
                                         f"has {', '.join(map(repr, extra))}" if extra else "") if x)
            raise TableReadError(f"its columns differ from those of {first_path} ({what}); every Parquet file of the "
                                 f"input needs the same columns", file=path)
    try:
        schema = pa.unify_schemas([s for _, s in files], promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        for name in names:  # name the column and the file
            typed = [(path, s.field(name).type) for path, s in files]
            for path, t in typed[1:]:
                try:
                    pa.unify_schemas([pa.schema([(name, typed[0][1])]), pa.schema([(name, t)])],
                                     promote_options="permissive")
                except (pa.ArrowTypeError, pa.ArrowInvalid):
                    raise TableReadError(f"{t} here, {typed[0][1]} in {typed[0][0]}; every "
                                         f"Parquet file of the input needs the same column types", file=path,
                                         column=name) from None
        raise
    return ds.dataset(source, format="parquet", schema=schema)


def _natural_key(path: str) -> list:
    """Sort key that reads the digits in a path as numbers (``f2`` before ``f10``), as Dask's ``read_parquet``
    orders a folder's files."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def _natural_files(folder: Path) -> list[str]:
    """The data files of a Parquet folder (in subfolders too; names starting with ``_`` or ``.`` skipped, as pyarrow
    skips them) in natural order: the input's row order is this file order."""
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        files += [os.path.join(root, n) for n in names if not n.startswith(("_", "."))]
    return sorted(files, key=lambda p: _natural_key(os.path.relpath(p, folder)))


def _parquet_frame(table) -> pd.DataFrame:
    """A pyarrow batch/table as ``read_table`` reads Parquet: a named stored index is a column, an unnamed one is
    dropped."""
    frame = table.to_pandas()
    if any(n is not None for n in frame.index.names):
        frame = frame.reset_index()
    return frame.drop(columns=[c for c in frame.columns if _INDEX_RE.fullmatch(str(c))])


def _is_parquet(input_path: Path) -> bool:
    return input_path.is_dir() or input_path.suffix.lower() in {".parquet", ".pq"}


def _check_suffix(input_path: Path) -> None:
    if not _is_parquet(input_path) and input_path.suffix.lower() not in CSV_SUFFIXES:
        suffix = input_path.suffix.lower()
        raise ValueError(f"{input_path}: the Dask engine reads Parquet or CSV, not '{suffix or 'no suffix'}'")


def _empty_input(input_path: Path, encoding: str | None = None, header_row: int = 1) -> pd.DataFrame:
    """The input's columns without rows."""
    if _is_parquet(input_path):
        return _parquet_frame(_parquet_dataset(input_path).schema.empty_table())
    return next(_csv_chunks(input_path, 1, header_only=True, encoding=encoding, header_row=header_row))


def _input_columns(input_path: Path, encoding: str | None = None, header_row: int = 1) -> list[str]:
    _check_suffix(input_path)
    if encoding is not None and _is_parquet(input_path):
        raise ValueError(f"{input_path}: an encoding applies to CSV input; Parquet stores its text as UTF-8 "
                         f"(drop --encoding)")
    _check_header_row(input_path, header_row)
    return [str(c) for c in _empty_input(input_path, encoding, header_row).columns]


def iter_input_partitions(input_path: str | os.PathLike, rows_per_partition: int,
                          encoding: str | None = None, header_row: int = 1) -> Iterator[pd.DataFrame]:
    """Stream the input as DataFrames of exactly ``rows_per_partition`` rows (the last may be shorter).

    CSV: every column as a string, empty fields as ``""`` (like the file); Parquet: as stored (a named stored
    index as a column). Each frame has ``_row`` (global input row number) as its first column. An input
    without rows gives one frame without rows (its columns), so the output still has every column.
    ``encoding``: the CSV's encoding (default: detected as ``read_table`` does); ``header_row``: the CSV's file row
    holding the column names (rows above it, e.g. a title, skipped; Parquet: 1 only).
    """
    input_path = Path(input_path)
    if rows_per_partition < 1:
        raise ValueError(f"rows_per_partition must be ≥ 1, got {rows_per_partition}")
    _check_suffix(input_path)
    _check_header_row(input_path, header_row)
    if _is_parquet(input_path):
        dataset = _parquet_dataset(input_path)

        def chunks() -> Iterator[pd.DataFrame]:
            for batch in dataset.to_batches(batch_size=rows_per_partition):
                if batch.num_rows:
                    yield _parquet_frame(batch)
    else:
        def chunks() -> Iterator[pd.DataFrame]:
            yield from _without_trailing_blank_rows(_csv_chunks(input_path, rows_per_partition, encoding=encoding,
                                                                header_row=header_row))
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
    elif start == 0:
        yield _with_row(_empty_input(input_path, encoding, header_row), 0)


def _without_trailing_blank_rows(chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """CSV chunks as ``read_table`` reads the file: a blank line between data rows is a row of empty fields
    (row numbers stay the file's), blank rows after the last data row are dropped (held back until a later
    chunk shows they are not trailing)."""
    from textmine.io import _blank_rows

    held: list[pd.DataFrame] = []
    for chunk in chunks:
        filled = np.flatnonzero(~_blank_rows(chunk))
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
    # other columns copied as they are that hold what looks like personal data (numeric or code-shaped cells):
    # {column: cells} (never values); and the other columns whose text cells had personal data masked
    pii_columns: dict = field(default_factory=dict)
    masked_columns: dict = field(default_factory=dict)
    masked_names: int = 0  # column names holding personal data, masked in the parts (a count, never the names)
    # survey questions in ``question_col`` / ``question`` the model has no theme rates for, and those it has
    questions: tuple[str, ...] = ()  # the distinct values of ``question_col``
    unknown_questions: tuple[str, ...] = ()
    known_questions: tuple[str, ...] = ()
    # the local engine's other warnings for this input, once per run (also given through code_with_dask's ``warn``)
    warnings: tuple[str, ...] = ()


def _own_files(out_dir: Path) -> list[Path]:
    """The files of an earlier run in ``out_dir``: parts, their temporary files, the manifest."""
    if not out_dir.is_dir():
        return []
    return [p for p in out_dir.iterdir()
            if _PART_RE.fullmatch(p.name) or p.name == MANIFEST
            or re.fullmatch(r"\.(part-\d{5}\.parquet|_manifest\.json)\..*\.tmp", p.name)]


#: a stage folder untouched this long (seconds) is a killed run's, not one still writing parts into it
STALE_STAGE_S = 3600.0


def _stage_dirs(out_dir: Path, older_than: float = 0.0) -> list[Path]:
    """The hidden folders runs write into before their output is complete (see :func:`code_with_dask`), those not
    changed for ``older_than`` seconds (a run still going adds a part every few seconds to minutes)."""
    if not out_dir.is_dir():
        return []
    cutoff = time.time() - older_than
    found = []
    for p in out_dir.iterdir():
        if not re.fullmatch(r"\.textmine-run-[0-9a-f]{12}\.tmp", p.name):  # (:func:`_fingerprint_key`'s 12 digits)
            continue
        try:  # (another run may remove its stage between the listing and here; a symlink is never a run's)
            if not p.is_symlink() and p.is_dir() and p.stat().st_mtime <= cutoff:
                found.append(p)
        except OSError:
            continue
    return found


def _sweep_stages(out_dir: Path, keep: str | None, say: Callable[[str], None], *,
                  unrecorded_older_than: float | None = None) -> list[str]:
    """Remove the stages in ``out_dir`` no run is writing into (their :data:`LOCK` is taken here first, so a run's
    held lock keeps its stage; without ``fcntl`` only stages untouched for :data:`STALE_STAGE_S` go) and no rerun can
    resume, other than the stage of fingerprint key ``keep``: those whose :data:`RESUME` records no coded partition
    (or that have none); with ``unrecorded_older_than`` only those without a :data:`RESUME` untouched that long (a
    killed run's). A stage holding coded partitions is kept for its own command (or ``--overwrite``). Says through
    ``say`` in one line what it removed and in another which it could not remove (folder names only); returns the
    removed folders' names."""
    try:
        import fcntl
    except ImportError:
        fcntl = None
    age = unrecorded_older_than if unrecorded_older_than is not None else (0.0 if fcntl else STALE_STAGE_S)
    removed, failed = [], []
    for stage in sorted(_stage_dirs(out_dir, older_than=age)):
        if keep is not None and stage.name == f".textmine-run-{keep}.tmp":
            continue
        try:
            fh = open(stage / LOCK, "a+", encoding="utf-8") if fcntl is not None else None
        except FileNotFoundError:
            continue  # (removed by its run meanwhile)
        except OSError:
            failed.append(stage.name)  # (e.g. PermissionError: not this user's)
            continue
        try:
            if fh is not None:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a live run holds it: kept
            if ((stage / RESUME).exists() if unrecorded_older_than is not None else _finished_parts(stage)):
                continue  # (resumed by its own command, or refused: see _resumable_stage)
            shutil.rmtree(stage, ignore_errors=True)
        finally:
            if fh is not None:
                fh.close()
        (failed if stage.exists() else removed).append(stage.name)
    if removed:
        why = ("left by runs killed before they recorded their settings" if unrecorded_older_than is not None
               else "unfinished runs that kept no coded partition, no run writing to them")
        say(f"removed {len(removed)} stale run folder(s) from {out_dir} ({why}): {', '.join(removed)}")
    if failed:
        say(f"could not remove {len(failed)} stale run folder(s) from {out_dir} (check their permissions, or remove "
            f"them by hand): {', '.join(failed)}")
    return removed


RESUME = "_resume.json"  # in a stage: the run's fingerprint and the partitions it finished (see _resumable_stage)
LOCK = "_lock"  # in a stage: held (flock) by the run writing into it, with the time it started
_EDGE_BYTES = 1 << 20  # an input file's first and last MiB are hashed into the fingerprint (with its size and mtime)


def _lock_stage(stage: Path, out_dir: Path):
    """Take the run's exclusive ``flock`` on ``stage``'s :data:`LOCK` (released by the OS when the process dies, so
    a crashed run's stage can be resumed) and return its open file; ``ValueError`` when another run holds it. Where
    ``fcntl`` is missing (not POSIX) returns None: runs into the same ``--out`` are then not kept apart."""
    try:
        import fcntl
    except ImportError:
        return None
    fh = open(stage / LOCK, "a+", encoding="utf-8")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        started = fh.read().strip() or "at an unknown time"
        fh.close()
        raise ValueError(f"another textmine run is writing to {out_dir} ({started}); wait for it or use another "
                         f"--out") from None
    fh.seek(0)
    fh.truncate()
    fh.write(time.strftime("started %Y-%m-%d %H:%M:%S %Z") + f", process {os.getpid()}")
    fh.flush()
    return fh


def _file_print(path: Path) -> dict:
    """An input file's identity, cheaply: name, size, modification time and a hash of its first and last MiB. Limit:
    the middle is not read, so a same-size edit there with the modification time set back is not seen."""
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        h.update(fh.read(_EDGE_BYTES))
        if st.st_size > _EDGE_BYTES:
            fh.seek(max(_EDGE_BYTES, st.st_size - _EDGE_BYTES))
            h.update(fh.read())
    return {"file": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "edges": h.hexdigest()[:16]}


def run_fingerprint(input_path: Path, kwargs: dict, rows_per_partition: int, header_row: int,
                    encoding: str | None, embedder_spec: str | None = None) -> dict:
    """What decides a run's parts: the input file(s) (:func:`_file_print`: size, modification time and a hash of the
    first and last MiB only — a same-size edit in the middle with the modification time restored is not seen), the
    coder (:func:`model_identity`; the embedder: the model manifest's spec and version, or for a zero-shot run the
    ``embedder_spec`` it builds, :func:`_zero_shot_embedder`), the textmine version and every option that changes
    what a part holds. An unfinished run's parts are reused only by a run with the same fingerprint."""
    import textmine

    files = ([input_path / f for f in _natural_files(input_path)] if input_path.is_dir() else [input_path])
    options = {k: v for k, v in kwargs.items() if not k.startswith("_") or k == "_unredacted"}
    model_dir = kwargs.get("model_dir")
    return {"input": [_file_print(f) for f in files], "rows_per_partition": rows_per_partition,
            "header_row": header_row, "encoding": encoding, "textmine_version": textmine.__version__,
            "embedder": _embedder_spec(model_dir) if model_dir else _zero_shot_embedder(embedder_spec),
            "options": json.loads(json.dumps(options, sort_keys=True, default=str))}


def _zero_shot_embedder(spec: str | None) -> str | None:
    """A zero-shot run's embedder as this process finds it: ``spec``, and for the e5 family (built into the cache,
    ``TEXTMINE_CACHE_DIR``) the spec lower-cased, the build's recipe, the e5 engine (``TEXTMINE_E5_ENGINE``, this
    process's: the workers must run with the same) and a hash of what the build's manifest says it is made of
    (recipe, source, opset and its files' hashes; not its build time). The build is made first when missing, as the
    first partition would. None without a spec."""
    if not spec:
        return None
    from textmine.embed import _E5_SPECS

    low = spec.strip().lower()
    if low not in _E5_SPECS and low != "e5-static":
        return spec  # (a sentence-transformers name or path, lexical …: the spec is all there is to say)
    from textmine.embed.e5_build import ensure_built
    from textmine.embed.torch_e5 import default_engine

    folder = ensure_built()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    built = {k: manifest[k] for k in ("recipe", "source_sha256", "opset", "files") if k in manifest}
    digest = hashlib.sha256(json.dumps(built, sort_keys=True).encode()).hexdigest()[:16]
    engine = default_engine() if low not in ("e5-fp32", "e5-static") else "onnx"
    return f"{low}@{folder.name}/{engine}/manifest-{digest}"


def _embedder_spec(model_dir: str | None) -> str | None:
    """The model manifest's embedder ``spec@version`` (its weights live outside the model folder), None without."""
    try:
        emb = json.loads((Path(model_dir) / "manifest.json").read_text(encoding="utf-8")).get("embedder") or {}
    except (TypeError, OSError, ValueError, AttributeError):
        return None
    return f"{emb.get('spec')}@{emb.get('version')}" if isinstance(emb, dict) else None


def _fingerprint_key(fingerprint: dict) -> str:
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:12]


def _differs(old: dict, new: dict) -> list[str]:
    """What differs between two fingerprints, in words (never the values: they may name a respondent's file)."""
    what = []
    before, now = old.get("input", []), new["input"]
    if [(f.get("size"), f.get("edges")) for f in before] != [(f["size"], f["edges"]) for f in now]:
        what.append("the input's content")
    elif [f.get("mtime_ns") for f in before] != [f["mtime_ns"] for f in now]:
        what.append("the input file's modification time")
    if [f.get("file") for f in before] != [f["file"] for f in now]:
        what.append("the input file(s)")
    oo, no = old.get("options", {}), new["options"]
    if oo.get("model_id") != no.get("model_id"):
        what.append("the model / codebook")
    what += [k.lstrip("_") for k in sorted(set(oo) | set(no)) if k != "model_id" and oo.get(k) != no.get(k)]
    what += [k for k in ("rows_per_partition", "header_row", "encoding") if old.get(k) != new[k]]
    what += [f"the {w}" for k, w in (("textmine_version", "textmine version"), ("embedder", "embedder"))
             if old.get(k) != new[k]]
    return what or ["the run's settings"]


def _resumable_stage(out_dir: Path, fingerprint: dict, overwrite: bool) -> tuple[Path, dict[int, dict], Any]:
    """The stage this run writes into, the partitions an unfinished earlier run with the same fingerprint left there
    ({index: its result}) and the stage's lock (:func:`_lock_stage`; the caller closes it when the run ends). A stage
    another run is writing into (its lock held) is refused, never resumed or removed. An unfinished run's stage with
    another fingerprint is refused (its parts must not be mixed with this run's) unless ``overwrite``, which discards
    every unfinished run's parts. The lock on this run's own stage, once taken, is held on (never released and taken
    again: another run could take it in between)."""
    key = _fingerprint_key(fingerprint)
    own = out_dir / f".textmine-run-{key}.tmp"
    lock, locked = None, False
    try:
        for stage in _stage_dirs(out_dir):
            try:
                held = _lock_stage(stage, out_dir)  # (refused when that run is still going)
            except FileNotFoundError:
                continue  # (removed by its run meanwhile)
            keep = False
            try:
                try:
                    kept = json.loads((stage / RESUME).read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    kept = None  # (no fingerprint: a run killed before it wrote one; see STALE_STAGE_S)
                if kept is not None and overwrite:
                    shutil.rmtree(stage, ignore_errors=True)
                elif kept is not None and kept.get("key") != key:
                    raise ValueError(
                        f"{out_dir}: holds the coded parts of an unfinished run with other settings (differs: "
                        f"{', '.join(_differs(kept.get('fingerprint', {}), fingerprint))}); they are not mixed with "
                        f"this run's — use a new --out, or --overwrite to discard them")
                else:
                    keep = stage == own
            finally:
                if keep:
                    lock, locked = held, True  # this run's own stage: its lock held on, no gap
                elif held is not None:
                    held.close()
        tries = 3
        while not locked:
            own.mkdir(exist_ok=True)
            try:
                lock, locked = _lock_stage(own, out_dir), True
            except FileNotFoundError:  # (removed by another run's sweep between its mkdir and its lock: made again)
                tries -= 1
                if not tries:
                    raise
        done: dict[int, dict] = {}
        try:
            kept = json.loads((own / RESUME).read_text(encoding="utf-8"))
            done = {int(i): r for i, r in kept.get("done", {}).items()} if kept.get("key") == key else {}
        except (OSError, ValueError, AttributeError):
            pass
        _save_resume(own, fingerprint, done)
    except BaseException:
        if lock is not None:
            lock.close()
        raise
    return own, done, lock


def _save_resume(stage: Path, fingerprint: dict, done: dict[int, dict]) -> None:
    """Write the stage's :data:`RESUME` (whole, by rename): the fingerprint and the finished partitions' results."""
    from textmine.io import replacing

    record = {"key": _fingerprint_key(fingerprint), "fingerprint": fingerprint,
              "done": {str(i): {**r, "path": os.path.basename(r["path"])} for i, r in sorted(done.items())}}
    with replacing(stage / RESUME) as tmp:
        tmp.write_text(json.dumps(record, ensure_ascii=False, default=lambda o: o.item() if hasattr(o, "item")
                                  else str(o)), encoding="utf-8")


def _kept_part(stage: Path, index: int, rows: int, done: dict[int, dict]) -> dict | None:
    """Partition ``index``'s result from an earlier run when its part is in ``stage`` with its ``rows``, else None."""
    import pyarrow.parquet as pq

    r = done.get(index)
    path = _part_path(stage, index)
    if r is None or int(r.get("rows", -1)) != rows:
        return None
    try:
        if pq.read_metadata(path).num_rows != rows:
            return None
    except Exception:  # noqa: BLE001 - missing or unreadable: coded again
        return None
    return {**r, "path": str(path.resolve())}


def _publish(stage: Path, out_dir: Path, info: "DaskRunInfo") -> "DaskRunInfo":
    """Move a complete run's files from ``stage`` into ``out_dir``, replacing an earlier run's: those are moved aside
    into the stage first (the manifest first: until the new one is in, readers refuse the folder as incomplete),
    then the new parts come in, and last the new manifest, which marks the output complete. A move that fails (a
    reader holding a part open on Windows, a full disk) puts everything back as it was — the earlier output whole,
    the new one complete in the stage — and raises an ``OSError`` saying where the new output is."""
    aside = stage / ".replaced"
    aside.mkdir(exist_ok=True)
    old = sorted(_own_files(out_dir), key=lambda p: (p.name != MANIFEST, p.name))
    new = [p for p in sorted(stage.iterdir()) if _PART_RE.fullmatch(p.name)] + [stage / MANIFEST]
    set_aside: list[Path] = []
    brought: list[Path] = []
    try:
        for p in old:
            os.replace(p, aside / p.name)
            set_aside.append(p)
        for p in new:
            os.replace(p, out_dir / p.name)
            brought.append(p)
    except OSError as exc:
        left = _put_back(brought, set_aside, out_dir, aside)
        where = (f"the earlier output in {out_dir} is as it was" if not left
                 else f"{len(left)} file(s) of the earlier output could not be put back and are in {aside}")
        raise OSError(f"could not put the new output in place ({type(exc).__name__}: {exc.strerror or exc}); {where}; "
                      f"the complete new output is in {stage} (move its files into {out_dir} by hand, or run "
                      f"again)") from None
    shutil.rmtree(stage, ignore_errors=True)
    return replace(info, out_dir=str(out_dir), parts=tuple(str(out_dir / Path(p).name) for p in info.parts))


def _put_back(brought: list[Path], set_aside: list[Path], out_dir: Path, aside: Path) -> list[Path]:
    """Undo :func:`_publish`'s moves: the new files back into the stage, then the earlier ones back into
    ``out_dir`` (its manifest last). Returns the earlier files that could not be put back."""
    for p in reversed(brought):
        try:
            os.replace(out_dir / p.name, p)
        except OSError:
            pass
    left = []
    for p in sorted(set_aside, key=lambda p: (p.name == MANIFEST, p.name)):
        try:
            os.replace(aside / p.name, p)
        except OSError:
            left.append(p)
    return left


def _zero_shot_share_warning(coder: Any, parts: Sequence[str]) -> str | None:
    """For a zero-shot coder: :func:`textmine.classify.zeroshot.share_warning` on the whole output (its theme and
    non-answer columns only), the warning the local engine gives while it codes."""
    if getattr(coder, "kind", "") != "zeroshot" or not parts:
        return None
    from textmine.classify.zeroshot import share_warning

    cols = [f"theme_{t}" for t in coder.codebook.theme_ids]
    try:  # the answered rows' theme columns as int8, part by part (≈ 30 bytes a row: 150 MB for 5M rows)
        blocks = []
        for p in parts:
            part = pd.read_parquet(p, columns=[*cols, "is_non_answer"])
            answered = part["is_non_answer"].fillna(1).to_numpy() == 0
            blocks.append(part.loc[answered, cols].fillna(0).to_numpy(dtype=np.int8))
        decided = np.concatenate(blocks) if blocks else np.zeros((0, len(cols)), dtype=np.int8)
    except Exception as exc:  # noqa: BLE001 - the output is in place: a check that cannot run is said, not raised
        return f"the zero-shot share check could not read the output ({type(exc).__name__}); check the shares by hand"
    return share_warning(coder.codebook, decided, np.ones(len(decided), dtype=bool))


@contextlib.contextmanager
def _kept_fresh(stage: Path, every: float):
    """While the block runs, touch ``stage`` every ``every`` seconds, so that another run into the same folder never
    takes a long partition's quiet stage for a killed run's (:data:`STALE_STAGE_S`) and deletes it."""
    def touch() -> bool:
        try:
            os.utime(stage)
        except OSError:
            return False
        return True

    with _every(every, touch, "textmine-dask-stage", join=5):
        yield


@contextlib.contextmanager
def _every(every: float, tick: Callable[[], bool], name: str, join: float):
    """While the block runs, ``tick()`` every ``every`` seconds in a daemon thread (named ``name``) until it returns
    False; at the block's end the thread is stopped and waited for up to ``join`` seconds."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            if not tick():
                return

    t = threading.Thread(target=run, name=name, daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join(timeout=join)


def _check_out_dir(out_dir: Path, input_path: Path) -> None:
    """Refuse an output folder that would replace or mix with data: the input itself, a folder inside the input
    folder, a folder holding the input among the files a run replaces, or one holding other Parquet files."""
    from textmine.io import check_output_dir

    inp, out = input_path.resolve(), out_dir.resolve()
    if out == inp:
        raise ValueError(f"{out_dir}: --out is the input {input_path}; writing there would replace your data — "
                         f"choose another folder")
    if inp.is_dir() and inp in out.parents:
        raise ValueError(f"{out_dir}: --out is inside the input folder {input_path}; its parts would be read as input "
                         f"by the next run — choose a folder outside it")
    if inp.parent == out and inp in [p.resolve() for p in _own_files(out_dir)]:
        raise ValueError(f"{out_dir}: the input {input_path} is one of the files a run replaces in --out — choose "
                         f"another folder")
    check_output_dir(out_dir, "--engine dask output")
    if out_dir.is_dir():
        own = set(_own_files(out_dir))
        other = sorted(p.name for p in out_dir.iterdir() if p not in own and p.suffix.lower() in {".parquet", ".pq"})
        if other:
            raise ValueError(f"{out_dir}: holds Parquet files that are not parts of a textmine run "
                             f"({', '.join(other[:3])}{' …' if len(other) > 3 else ''}); they would be mixed with the "
                             f"coded parts — give a new or empty folder")


#: seconds beyond the scheduler timeout that :func:`_connect` waits for the client's handshake
CONNECT_GRACE_S = 5.0


class _NotDask(Exception):
    """Something accepted the connection and answered, but not as a Dask scheduler (its reply is no handshake)."""


class _BadAddress(ValueError):
    """An address the client cannot read (:func:`_check_address`): found before any connection was tried."""


#: schemes of web addresses: the dashboard's (``http://host:8787``), never the scheduler's
_WEB_SCHEMES = ("http", "https")


def _check_address(address: str) -> None:
    """:class:`_BadAddress` (a ``ValueError``) for an address the client cannot read, before any connection: a
    scheme Dask has no transport for (distributed's own message, with the known schemes; for ``http(s)://`` that
    it looks like the dashboard's address), or a ``tcp://``/``tls://``/``ws(s)://`` location that is no
    ``host:port``."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    scheme, loc = parse_address(address)
    if scheme.lower() in _WEB_SCHEMES:
        raise _BadAddress(f"{scheme}:// is a web address: it looks like the dashboard's address (http://HOST:8787); "
                          f"the scheduler's address is tcp://HOST:8786")
    try:
        get_backend(scheme)  # unknown address scheme 'tpc' (known schemes: [...])
        if scheme in ("tcp", "tls", "ws", "wss"):
            parse_host_port(loc)
    except ValueError as exc:
        raise _BadAddress(f"{exc}; the scheduler's address is tcp://HOST:8786") from None


async def _open_comm(address: str, timeout: float) -> None:
    """Connect to the scheduler at ``address`` as a client does (its handshake included), and close again;
    :class:`_NotDask` when what answers there sends something else than a handshake (an SSH or mail server's
    greeting read as a frame size: a ``MemoryError`` for exabytes, or an unreadable message)."""
    from distributed.comm import connect
    from distributed.security import Security

    _check_address(address)
    try:
        comm = await connect(address, timeout=timeout, **Security().get_connection_args("client"))
    except (OSError, TimeoutError, TypeError):  # (TypeError: a tls:// address without TLS settings)
        raise
    except Exception as exc:  # noqa: BLE001 - the address was read: the reply was not a Dask handshake
        raise _NotDask(exc.__class__.__name__) from None
    await comm.close()


def _handshake(scheduler: str, timeout: float) -> BaseException | None:
    """:func:`_open_comm` on an event loop of its own: the error it raised (``None`` when the scheduler answered);
    ``TimeoutError`` when it did not end within ``timeout`` + :data:`CONNECT_GRACE_S` seconds. The loop and its
    thread are stopped again however it ends (an error, the deadline, Ctrl-C): no thread outlives the call."""
    from distributed.utils import LoopRunner, sync

    async def attempt() -> BaseException | None:
        try:
            await _open_comm(scheduler, timeout)
        except Exception as exc:  # noqa: BLE001 - returned: told apart from the deadline
            return exc
        return None

    runner = LoopRunner(asynchronous=False)
    try:
        runner.start()
        return sync(runner.loop, attempt, callback_timeout=timeout + CONNECT_GRACE_S)
    finally:
        runner.stop()  # (cancels an attempt still waiting and joins the loop's thread)


def _connect(scheduler: str, timeout: float):
    """A client of the cluster at ``scheduler`` with a worker; ``ValueError`` (one line, a password in the address
    masked) when the address is malformed, nothing answers there within ``timeout`` seconds, or no worker joins in
    that time. Reaching the scheduler runs in a thread of its own that ends with the call, whatever way it ends."""
    from dask.distributed import Client

    shown = _shown_address(scheduler)
    # the client's timeout bounds the TCP connect, not the handshake: a server of another protocol (a dashboard,
    # a web server) accepts the connection and never answers, so the handshake is tried first, with a deadline
    try:
        error = _handshake(scheduler, timeout)
    except TimeoutError:
        raise ValueError(f"--scheduler {shown!r}: something accepts connections there but did not answer as a Dask "
                         f"scheduler within {timeout + CONNECT_GRACE_S:g} s (another service, or the scheduler's "
                         f"dashboard port?); expected a running scheduler's address, e.g. tcp://host:8786") from None
    if isinstance(error, _BadAddress):  # nothing was contacted: the address itself is wrong
        raise ValueError(f"--scheduler {shown!r}: {_masked(str(error), scheduler)}") from None
    if isinstance(error, _NotDask):
        raise ValueError(f"--scheduler {shown!r}: could not reach a Dask scheduler there: something answers, but its "
                         f"reply is no Dask handshake ({error}; another service, e.g. SSH, or the dashboard's port?); "
                         f"expected a running scheduler's address, e.g. tcp://host:8786") from None
    try:
        if error is not None:
            raise error
        client = Client(scheduler, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for a malformed address …
        said = _masked(str(exc), scheduler)
        raise ValueError(f"--scheduler {shown!r}: could not reach a Dask scheduler there within {timeout:g} s "
                         f"({exc.__class__.__name__}: {said}); expected a running scheduler's address, e.g. "
                         f"tcp://host:8786 (not its dashboard's port)") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except BaseException as exc:  # TimeoutError; Ctrl-C: the client is not left open
        client.close()
        if not isinstance(exc, Exception):
            raise
        raise ValueError(f"--scheduler {shown!r}: the scheduler has no workers (none joined within {timeout:g} s); "
                         f"start some with `dask worker {shown}`") from None
    return client


def _masked(text: str, address: str) -> str:
    """``text`` (an error's message) with the secrets of the scheduler ``address`` masked, also where it quotes a
    piece of it (``u:***@host:8786`` without the scheme); only its class when the address cannot be read but may
    hold a secret."""
    from textmine.urls import secret_values

    shown = _shown_address(address)
    if shown == "<invalid url>":
        return "the address cannot be read"
    text = text.replace(address, shown)
    for secret in secret_values(address):
        text = text.replace(secret, "***")
    return text


_SECRET_NAME = re.compile(r"pass|secret|token|key", re.IGNORECASE)  # (in an address that cannot be read)


def _shown_address(address: str) -> str:
    """A scheduler's address as messages show it: a password and tokens in it masked (:func:`textmine.urls.shown_url`;
    with or without a scheme); one that cannot be read as given when it cannot hold one (no user part, no secret's
    name: ``not an address``), so that the message says what was wrong with it."""
    from textmine.urls import shown_url

    shown = shown_url(address)
    if shown == "<invalid url>" and "@" not in address and not _SECRET_NAME.search(address):
        return address
    return shown


class _WorkerWatch:
    """Whether the cluster has lost every worker, from looks at its worker count (:meth:`check`): after ``grace``
    seconds of looks at zero, one message to ``say`` with the partitions done (``state()``: done, read so far, total
    or ``None`` when not known yet), and one more when workers are back. A count that cannot be asked is no look."""

    def __init__(self, count: Callable[[], int], address: str, grace: float, say: Callable[[str], None],
                 state: Callable[[], tuple[int, int, int | None]], clock: Callable[[], float] = time.monotonic):
        self.count, self.address, self.grace = count, address, grace
        self.say, self.state, self.clock = say, state, clock
        self.since: float | None = None  # the first look at zero workers of this outage
        self.said = False

    def check(self) -> None:
        try:
            n = int(self.count())
        except Exception:  # noqa: BLE001 - the scheduler unreachable: its own errors say so
            return
        now = self.clock()
        if n > 0:
            if self.said:
                self.say(f"Dask workers are back at {_shown_address(self.address)} ({n} connected); the run goes on")
            self.since, self.said = None, False
        elif self.since is None:
            self.since = now
        elif not self.said and now - self.since >= self.grace:
            self.said = True
            self.say(self._none_message(now - self.since))

    def _none_message(self, seconds: float) -> str:
        done, read, total = self.state()
        parts = f"{done} of {total} partitions done" if total is not None else \
            f"{done} of the {read} partitions read so far done"
        address = _shown_address(self.address)
        return (f"no Dask workers connected to {address} for {seconds:.0f} s; {parts}; the run waits for workers to "
                f"join (start one with `dask worker {address}`; Ctrl-C stops the run, leaving the output folder as "
                f"it was)")


@contextlib.contextmanager
def _watching(watch: _WorkerWatch | None, every: float):
    """While the block runs, :meth:`_WorkerWatch.check` every ``every`` seconds in a thread (nothing when ``watch``
    is ``None``), and once more at its end when it said there were no workers (a run that finished had some); a
    message that cannot be given does not stop the run."""
    if watch is None:
        yield
        return
    def look() -> bool:
        try:
            watch.check()
        except Exception:  # noqa: BLE001 - e.g. warnings turned into errors: the run goes on
            pass
        return True

    with _every(every, look, "textmine-dask-workers", join=every + SCHEDULER_CALL_TIMEOUT_S + 5):
        yield
    if watch.said:  # (the block ended without an error: the workers came back before the next look)
        with contextlib.suppress(Exception):
            watch.check()


def _check_grace(grace: Any) -> None:
    if grace is not None and (isinstance(grace, bool) or not isinstance(grace, (int, float))
                              or not math.isfinite(grace) or grace <= 0):
        raise ValueError(f"no_workers_grace_s must be a number of seconds above 0 (or None: no watch), got {grace!r}")


def code_with_dask(
    input_path: str | os.PathLike,
    out_path: str | os.PathLike,
    codebook_path: str | os.PathLike | None,
    model_dir: str | os.PathLike | None,
    text_col: str,
    scheduler: str | None = None,
    *,
    n_workers: int = 2,
    rows_per_partition: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    client: Any = None,
    question_col: str | None = None,
    question: str | None = None,
    redact_cols: list[str] | tuple[str, ...] = (),
    keep_raw_text: bool = False,
    encoding: str | None = None,
    warn: Callable[[str], None] | None = None,
    unredacted_cols: list[str] | tuple[str, ...] = (),
    header_row: int = 1,
    question_labels: dict[str, str] | None = None,
    progress: Callable[[int, int | None, float], None] | None = None,
    id_cols: list[str] | tuple[str, ...] = (),
    no_workers_grace_s: float | None = NO_WORKERS_GRACE_S,
    checking: Callable[[int, int], None] | None = None,
    overwrite: bool = False,
) -> DaskRunInfo:
    """Code ``input_path`` (CSV or Parquet file/folder) on Dask and write ``out_path/part-*.parquet``.

    ``scheduler``: address of an existing cluster (``tcp://host:8786``; reached within ``SCHEDULER_TIMEOUT_S``
    seconds, with a worker, before the output is touched); without it a local cluster of ``n_workers``
    single-threaded worker processes is started and closed again. ``client``: an existing ``distributed.Client``
    to use instead (not closed). ``rows_per_partition``: default 4,000 rounded to whole batches of ``batch_size``.
    The run writes into a hidden folder inside ``out_path`` and replaces an earlier run's parts only once it is
    complete (a failed rerun leaves them as they were); an output folder that is (inside) the input or
    holds other Parquet files is refused. ``question_col``/``question``: the survey question of each row / of all
    rows (as in :func:`textmine.classify.table.code_dataframe`). ``redact_cols``: other free-text columns masked
    in place; personal data in the text cells of any other column is masked too, as ``textmine code`` does
    (:func:`textmine.classify.table.mask_personal_text`), except in ``unredacted_cols``; ``keep_raw_text``: the
    text column unredacted. CSV input is read as :func:`textmine.io.read_table`
    reads it (delimiter, encoding, header and row checks; ``encoding`` overrides the detected one, Parquet input
    refuses it). A worker error other than ValueError/OSError, or a worker process that dies, raises a one-line
    :class:`DaskWorkerError` naming the partition (never its text). If the run fails, the partitions being coded
    are stopped or waited for, then the parts it wrote are removed again (and the output folder, if the run created
    it); the readers refuse a folder without the run's manifest. After a Ctrl-C (``KeyboardInterrupt``), a
    :class:`DaskWorkerError` (not one for a model changed mid-run) or :class:`PartitionOSError`, a lost scheduler
    connection (an ``OSError``), or when the client is killed, the parts already coded are kept instead (in the hidden
    folder, with the run's :func:`run_fingerprint`): a rerun with the same fingerprint codes only the rest (said
    through ``warn``: «resumed: N of M partitions already coded») and gives the same output; a run with another
    fingerprint is refused (``ValueError``) unless ``overwrite``, which discards such parts. A run holds an exclusive
    ``flock`` on its hidden folder (:func:`_lock_stage`): another run into the same ``out_path`` while it codes is
    refused (``ValueError``), ``overwrite`` too; without ``fcntl`` (not POSIX) runs are not kept apart. A run that
    finishes removes the hidden folders of unfinished runs no run holds that kept no coded partition (those that did
    are kept for their own command, or ``overwrite``), saying so through ``warn`` (:func:`_sweep_stages`). The local
    engine's warnings about the input (a text column without letters, input columns named like coding columns) go to
    ``warn`` once per run (default: :func:`warnings.warn`) and are kept in ``DaskRunInfo.warnings``.
    ``header_row``: the CSV's file row holding the column names (rows above it skipped, as
    ``read_table(header_row=…)`` does; Parquet refuses another than 1).
    ``question_labels``: {survey question column: label}, as :func:`textmine.pipeline.code_table` takes them.
    Each part ends with ``health_flag`` and ``is_non_answer``, as ``textmine code`` writes them.
    ``progress(rows_done, total_rows, seconds)`` is called as each partition finishes (``total_rows`` from the
    Parquet metadata, or from a first read through a CSV that checks every row before any is coded;
    ``checking(bytes read, file size)`` is called as that first read goes on, see :func:`_csv_row_count`). ``id_cols``:
    the respondent id column (and the wave column), as the survey definition names them; ids that occur more than
    once (per wave) are warned about once, with the count and the first ``_row`` numbers (never the ids); columns
    the input lacks are left out.
    ``_manifest.json`` records the coder's :func:`model_identity`; a worker that finds other model files on disk
    fails its partition (:class:`DaskWorkerError`). Parts are checked to be in place with their rows before it is
    written. While the run waits for results it asks the scheduler how many workers it has (every
    ``WORKER_POLL_S`` seconds at most); with none for ``no_workers_grace_s`` seconds it says so through ``warn``
    (once; the scheduler's address with any password masked, and the partitions done), and again when workers are
    back; the run itself waits for them as before (``None``: no watch).
    """
    import dask.distributed  # noqa: F401 - fail early when dask is not installed

    t_start = time.perf_counter()
    _check_grace(no_workers_grace_s)
    input_path = Path(input_path)
    if not input_path.exists():
        raise FileNotFoundError(f"input not found: {input_path}")
    if rows_per_partition is None:
        rows_per_partition = batch_size * max(1, round(DEFAULT_ROWS_PER_PARTITION / batch_size))
    columns = _input_columns(input_path, encoding, header_row)
    for col in (text_col, question_col, *redact_cols, *unredacted_cols):
        if col is not None and col not in columns:
            raise ValueError(f"{input_path}: no column {col!r} (columns: {', '.join(map(str, columns))})")
    if question_col is not None and question is not None:
        raise ValueError("give either question_col or question, not both")
    if model_dir is None and codebook_path is None:
        raise ValueError("give a codebook (zero-shot) or a model directory")
    out_dir = Path(out_path)
    _check_out_dir(out_dir, input_path)
    # Fail fast in the client (unreachable cluster, then bad codebook/model) before the output is touched: the
    # scheduler first, so that an unreachable one is reported within SCHEDULER_TIMEOUT_S, not after a model load.
    own_client = lock = None
    if client is None and scheduler:
        client = own_client = _connect(scheduler, SCHEDULER_TIMEOUT_S)
    try:
        # a CSV is read through once first (its row checks, no frames): a bad row near the end fails the run now,
        # naming its row, not after hours of coding whose parts the failed run would discard
        total_rows = None if _is_parquet(input_path) else _csv_row_count(input_path, encoding, header_row,
                                                                                    checking)
        model_path = str(Path(model_dir).resolve()) if model_dir else None
        codebook_file = str(Path(codebook_path).resolve()) if codebook_path else None
        coder = load_coder_for(str(model_dir) if model_dir else None, str(codebook_path) if codebook_path else None)
        model_id = model_identity(model_path, codebook_file)  # what every worker must find on disk
        kwargs = dict(
            text_col=text_col,
            model_dir=model_path,
            codebook_path=codebook_file,
            model_id=model_id,
            batch_size=batch_size,
            question_col=question_col,
            question=question,
            redact_cols=tuple(redact_cols),
            keep_raw_text=keep_raw_text,
            question_labels=dict(question_labels or {}),
        )
        kwargs["_unredacted"] = tuple(unredacted_cols)
        fingerprint = run_fingerprint(input_path, kwargs, rows_per_partition, header_row, encoding,
                                      None if model_dir else getattr(coder, "embedder_spec", None))
        created = [p for p in (out_dir, *out_dir.parents) if not p.exists()]  # (after what may fail above)
        out_dir.mkdir(parents=True, exist_ok=True)
        _sweep_stages(out_dir, None, _warn_with(warn), unrecorded_older_than=STALE_STAGE_S)  # a killed client's
        # the run writes into a hidden folder inside --out (the same file system, reached by every worker) and
        # replaces an earlier run's files only once it is complete: a failed rerun leaves the earlier result whole.
        # The folder is named by the run's fingerprint: a rerun after a crash or Ctrl-C codes only what is missing
        try:
            stage, kept, lock = _resumable_stage(out_dir, fingerprint, overwrite)
        except BaseException:
            _remove_created(created)
            raise
        kwargs["_resume"] = (fingerprint, kept)
        kwargs["_progress"], kwargs["_id_cols"] = progress, tuple(id_cols)  # (the client's: not sent to workers)
        kwargs["_warn"], kwargs["_grace"] = _warn_with(warn), no_workers_grace_s
        kwargs["_total"] = total_rows  # (the client's: the CSV's rows counted above, for progress)
        from textmine.pipeline import coded_identity  # what coded the output: recorded in the manifest

        kwargs["_identity"] = (coded_identity(coder.codebook, model_dir, text_col, question)
                               if getattr(coder, "codebook", None) is not None else None)
        try:
            with _kept_fresh(stage, STALE_STAGE_S / 6):
                info = _run_dask(input_path, stage, columns, kwargs, scheduler, client, n_workers,
                                 rows_per_partition, batch_size, text_col, t_start, encoding, header_row)
        except BaseException as exc:
            # a failed run leaves no output that looks like a result, an earlier run's output as it was, and no
            # folder it created; the parts coded before a Ctrl-C or a worker's crash stay in the hidden stage
            # folder for a rerun of the same command to resume from
            if _resumable(exc) and (n := _finished_parts(stage)):
                note = (f"{n} partition(s) already coded are kept in {out_dir} (hidden); run the same command again "
                        f"to code only the rest")
                if isinstance(exc, (DaskWorkerError, PartitionOSError)):  # (one line, as before)
                    raise type(exc)(f"{exc}; {note}") from None
                _warn_with(warn)(f"stopped: {note}")
                raise
            shutil.rmtree(stage, ignore_errors=True)
            _remove_created(created)
            raise
        info = _publish(stage, out_dir, info)
        _sweep_stages(out_dir, _fingerprint_key(fingerprint), _warn_with(warn))  # other settings' unfinished runs
    finally:
        if lock is not None:
            lock.close()  # (after the publish: the stage is gone; or kept for a rerun, which may take it now)
        if own_client is not None:
            own_client.close()
    from textmine.classify.table import unknown_questions

    named = [question] if question is not None else list(info.questions)
    unknown, known = unknown_questions(coder, named)  # (known: every question the model has theme rates for)
    clashes = _clash_warnings(coder, _empty_input(input_path, encoding, header_row), text_col,
                              question_col=question_col, question=question, redact_cols=tuple(redact_cols),
                              keep_raw_text=keep_raw_text)
    shares = _zero_shot_share_warning(coder, info.parts)  # (the workers' own warnings do not reach the client)
    info = replace(info, unknown_questions=tuple(unknown), known_questions=tuple(known),
                   warnings=(*info.warnings, *clashes, *([shares] if shares else [])))
    warn = _warn_with(warn)
    for msg in info.warnings:
        warn(msg)
    return info


def _remove_created(created: list[Path]) -> None:
    """Remove the (empty) folders a failed run created, innermost first."""
    for d in created:
        try:
            d.rmdir()
        except OSError:
            break


def _resumable(exc: BaseException) -> bool:
    """Whether a run that failed with ``exc`` keeps its coded parts for a rerun of the same command: after Ctrl-C, a
    worker's crash or OSError, or a lost connection (an OSError); not after a model change (:class:`ModelChanged`),
    whose parts no rerun can use (its fingerprint differs), nor after a bad input (ValueError)."""
    if isinstance(exc, DaskWorkerError):
        return "ModelChanged:" not in str(exc)
    return isinstance(exc, (KeyboardInterrupt, OSError))


def _finished_parts(stage: Path) -> int:
    """How many partitions the stage's :data:`RESUME` records as coded (0 when it cannot be read)."""
    try:
        return len(json.loads((stage / RESUME).read_text(encoding="utf-8")).get("done", {}))
    except (OSError, ValueError):
        return 0


def _warn_with(warn: Callable[[str], None] | None) -> Callable[[str], None]:
    """``warn``, or :func:`warnings.warn` (a ``UserWarning``) when none is given."""
    return warn or (lambda msg: warnings.warn(msg, UserWarning, stacklevel=3))


def _clash_warnings(coder, empty: pd.DataFrame, text_col: str, **kw) -> list[str]:
    """What ``code_table`` warns about the input's columns (those named like coding columns, kept as
    ``<name>_input``), found on the input's columns without rows: given once per run, not once per partition."""
    from textmine.pipeline import code_table

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code_table(coder, empty, text_col, **kw)
    return list(dict.fromkeys(str(w.message) for w in caught))


def _no_letters_warning(input_path: Path, text_col: str, columns: list[str], results: list[dict]) -> list[str]:
    """The local engine's warning for a text column whose given cells hold no letter (counted on the workers)."""
    if not sum(r.get("text_cells", 0) for r in results) or any(r.get("text_letters") for r in results):
        return []
    return [f"{input_path}: text column {text_col!r} holds no letters at all (numbers or codes only), so every row "
            f"is coded as a non-answer — is --text-col the comment column? (columns are: {', '.join(columns)})"]


def _worker_count(client) -> int:
    """How many workers the cluster has; the scheduler is waited for up to :data:`SCHEDULER_CALL_TIMEOUT_S` seconds
    (``TimeoutError`` then), so that a hung one never holds the caller (a watch's thread, a stop) for long."""
    return len(client.nthreads(callback_timeout=SCHEDULER_CALL_TIMEOUT_S))


def _no_workers(client) -> bool:
    """Whether the cluster has no worker connected (False when it cannot be asked in time)."""
    try:
        return _worker_count(client) == 0
    except Exception:  # noqa: BLE001 - unknown: wait as before
        return False


def _stop_tasks(client, futures: list, stop: str) -> None:
    """After a failure: set the run's stop Event (partitions not started skip their coding, those being coded drop
    their part instead of renaming it into place, and fail without putting it there when they cannot ask the Event),
    wait up to ``STOP_WAIT_S`` for every task to end, so that none writes a part after the caller removes them, then
    cancel what is left."""
    from distributed import Event, wait

    if not futures:
        return
    ended = False
    try:
        Event(stop, client=client).set()
        if _no_workers(client):  # nothing runs without workers: no wait (Ctrl-C while the workers are gone);
            return               # the Event stays set for a worker that joins before the cancel reaches it
        wait(futures, timeout=STOP_WAIT_S)
        ended = True
    except Exception:  # noqa: BLE001 - the run's own error is the one to report
        pass
    finally:
        try:
            client.cancel(futures)
            if ended:  # (a task still running after the timeout must go on seeing it set)
                Event(stop, client=client).clear()
        except Exception:  # noqa: BLE001
            pass


def _run_dask(input_path: Path, out_dir: Path, columns: list[str], kwargs: dict, scheduler, client, n_workers: int,
              rows_per_partition: int, batch_size: int, text_col: str, t_start: float,
              encoding: str | None = None, header_row: int = 1) -> DaskRunInfo:
    from dask.distributed import Client, LocalCluster, as_completed

    kwargs = dict(kwargs)
    progress, id_cols = kwargs.pop("_progress", None), kwargs.pop("_id_cols", ())
    warn, grace = kwargs.pop("_warn", None) or _warn_with(None), kwargs.pop("_grace", NO_WORKERS_GRACE_S)
    identity = kwargs.pop("_identity", None)  # (the client's: not sent to workers; written to the manifest)
    total_rows = kwargs.pop("_total", None)
    fingerprint, kept = kwargs.pop("_resume", (None, {}))

    cluster = None
    own_client = client is None
    if client is None:
        if scheduler:
            client = _connect(scheduler, SCHEDULER_TIMEOUT_S)
        else:
            # Share the cores between the worker processes instead of letting each
            # onnxruntime session take all of them (oversubscription halves throughput).
            threads = str(max(1, (os.cpu_count() or 1) // max(1, n_workers)))
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0",  # any free port: never collides with another cluster
                                   env={"TEXTMINE_EMBED_THREADS": threads, "OMP_NUM_THREADS": threads})
            client = Client(cluster)
    results: list[dict] = []
    futures: list = []
    rows_of: dict[str, tuple[int, int, int]] = {}  # future key → (partition, first _row, last _row)
    run = f"{os.getpid()}-{time.time_ns()}"
    stop = f"textmine-stop-{run}"
    kwargs = {**kwargs, "_stop": stop, "_csv": not _is_parquet(input_path)}
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or n_workers)
        max_in_flight = 2 * workers
        pending = as_completed()
        n_rows = 0
        total = total_rows if total_rows is not None else _known_rows(input_path)
        ids = _IdKeys(id_cols)

        coded = [0]  # rows in finished partitions
        finished: dict[int, dict] = {}  # this run's (and the resumed) partitions, recorded for a rerun

        def done(result: dict) -> None:  # a partition finished: tell ``progress`` (rows done, total, elapsed s)
            if fingerprint is not None and result.get("path"):
                finished[int(Path(result["path"]).name[5:10])] = result  # (part-<index>.parquet)
                _save_resume(out_dir, fingerprint, finished)
            coded[0] += int(result.get("rows", 0))
            if progress is not None:
                progress(coded[0], total, time.perf_counter() - t_start)
        # read_table strips a CSV's non-text columns: the question values must match the model's question names
        qcol = kwargs.get("question_col")
        strip = qcol if qcol and not _is_parquet(input_path) and qcol not in (text_col, *kwargs["redact_cols"]) else None
        n_parts = None if total is None else max(1, partitions_needed(total, rows_per_partition))
        watch = None if grace is None else _WorkerWatch(
            lambda: _worker_count(client), scheduler or _client_address(client), grace, warn,
            lambda: (len(results), len(futures), n_parts))
        with _watching(watch, min(WORKER_POLL_S, max(0.1, (grace or 0) / 3))):
            resumed = 0
            for index, part in enumerate(iter_input_partitions(input_path, rows_per_partition, encoding, header_row)):
                n_rows += len(part)
                ids.add(part)
                if (earlier := _kept_part(out_dir, index, len(part), kept)) is not None:
                    resumed += 1
                    results.append(earlier)
                    done(earlier)
                    continue
                if strip:
                    part[strip] = part[strip].str.strip()
                fut = client.submit(_code_and_write, part, index, str(out_dir.resolve()), kwargs, pure=False,
                                    key=f"textmine-code-part-{index:05d}-{run}")
                futures.append(fut)
                first = int(part[ROW_COL].iloc[0]) if len(part) else 0
                rows_of[fut.key] = (index, first, first + max(len(part) - 1, 0))
                pending.add(fut)
                while pending.count() >= max_in_flight:
                    results.append(_part_result(next(pending), rows_of, out_dir, futures))
                    done(results[-1])
            if resumed:
                warn(f"resumed: {resumed} of {index + 1} partitions already coded (by an earlier run of this command "
                     f"that did not finish)")
            for fut in pending:
                results.append(_part_result(fut, rows_of, out_dir, futures))
                done(results[-1])
    except BaseException:
        _stop_tasks(client, futures, stop)  # no part is written after the run has failed
        raise
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
    results.sort(key=lambda r: r["path"])
    from textmine.classify.table import masked_column_names

    renamed = masked_column_names(columns, skip=[c for c in (ROW_COL, text_col, *kwargs["redact_cols"],
                                                             kwargs["question_col"], *kwargs.get("_unredacted", ()))
                                                 if c])
    pii: dict[str, int] = {}
    masked: dict[str, int] = {}
    for r in results:
        for col, n in r.get("pii_columns", {}).items():
            pii[col] = pii.get(col, 0) + int(n)
        for col, n in r.get("masked_columns", {}).items():
            masked[col] = masked.get(col, 0) + int(n)
    info = DaskRunInfo(
        out_dir=str(out_dir),
        n_rows=n_rows,
        n_partitions=len(results),
        parts=tuple(r["path"] for r in results),
        part_seconds=tuple(round(r["seconds"], 4) for r in results),
        n_workers=workers,
        wall_seconds=round(time.perf_counter() - t_start, 3),
        pii_columns=pii,
        masked_columns=masked,
        masked_names=len(renamed),
        questions=tuple(sorted({q for r in results for q in r.get("questions", ())})),
        warnings=(*_no_letters_warning(input_path, text_col, columns, results), *ids.warnings(input_path)),
    )
    manifest = {
        "input": str(input_path), "text_col": text_col, "n_rows": n_rows, "n_partitions": len(results),
        "rows_per_partition": rows_per_partition, "batch_size": batch_size, "input_columns": [renamed.get(c, c) for c in columns],
        "header_row": header_row,
        "model_dir": kwargs["model_dir"], "codebook": kwargs["codebook_path"], "model_id": kwargs["model_id"],
        "parts": [os.path.basename(r["path"]) for r in results],
    }
    if identity is not None:  # (textmine.pipeline.IDENTITY_KEY)
        manifest["coded_with"] = identity
    _check_parts_in_place(results)  # a part removed or replaced while the run went on: not marked complete
    from textmine.io import replacing

    with replacing(out_dir / MANIFEST) as tmp:  # written last, whole: it marks the output complete
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return info


def _client_address(client) -> str:
    """The scheduler address ``client`` is connected to ("the Dask scheduler" when it cannot tell)."""
    try:
        return str(client.scheduler.address)
    except Exception:  # noqa: BLE001
        return "the Dask scheduler"


def _known_rows(input_path: Path) -> int | None:
    """The input's row count when it is cheap to know (Parquet: from the files' metadata); ``None`` for CSV."""
    if not _is_parquet(input_path):
        return None
    try:
        return int(_parquet_dataset(input_path).count_rows())
    except Exception:  # noqa: BLE001 - the reader reports a bad input itself
        return None


class _IdKeys:
    """The respondent ids of the partitions the client ships, kept as 64-bit hashes (with ``_row``), to warn once
    per run about ids that occur more than once (``textmine summary`` refuses them). ``cols``: the id column and
    the wave column (a respondent answers once per wave); those the input lacks are left out."""

    def __init__(self, cols: tuple[str, ...]):
        self.cols = tuple(c for c in cols if c)
        self.keys: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        self.used: list[str] = []  # the columns the input has

    def add(self, part: pd.DataFrame) -> None:
        cols = [c for c in self.cols if c in part.columns]
        if not cols or self.cols[0] not in part.columns or not len(part):
            return
        self.used = cols
        from textmine.survey import value_keys

        keys = pd.DataFrame({c: value_keys(part[c]) for c in cols})
        given = (keys[self.cols[0]] != "").to_numpy()  # a missing id is another error of its own
        hashed = pd.util.hash_pandas_object(keys, index=False).to_numpy()
        self.keys.append(hashed[given])
        self.rows.append(part[ROW_COL].to_numpy()[given])

    def warnings(self, input_path: Path) -> list[str]:
        """One warning naming how many ids repeat and the first ``_row`` numbers (never the ids)."""
        if not self.keys:
            return []
        keys = pd.Series(np.concatenate(self.keys))
        repeated = keys.duplicated(keep=False).to_numpy()
        if not repeated.any():
            return []
        rows = np.sort(np.concatenate(self.rows)[repeated])
        n = int(keys.duplicated().sum())
        shown = ", ".join(str(int(r)) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
        per = " (per wave)" if len(self.used) > 1 else ""
        return [f"{input_path}: {n} respondent id(s) in column {self.cols[0]!r} occur more than once{per} (_row "
                f"{shown}); `textmine summary` refuses duplicate respondent ids — fix the input before summarising"]


def _check_parts_in_place(results: list[dict]) -> None:
    """Every part the workers reported is on disk with the rows they wrote; else a :class:`DaskWorkerError` naming
    the first part that is not (removed or replaced by something else while the run went on)."""
    import pyarrow.parquet as pq

    for r in results:
        path = Path(r["path"])
        try:
            rows = pq.read_metadata(path).num_rows
        except FileNotFoundError:
            raise DaskWorkerError(f"{path.name} is missing from {path.parent} although its partition was coded "
                                  f"(removed while the run went on?); the run did not finish (no {MANIFEST} "
                                  f"written)") from None
        except Exception as exc:  # noqa: BLE001 - pyarrow's errors for a file that is not Parquet (any more)
            raise DaskWorkerError(f"{path.name} in {path.parent} cannot be read back ({exc.__class__.__name__}; "
                                  f"replaced while the run went on?); the run did not finish (no {MANIFEST} "
                                  f"written)") from None
        if rows != r["rows"]:
            raise DaskWorkerError(f"{path.name} in {path.parent} holds {rows} rows, its partition had {r['rows']} "
                                  f"(replaced while the run went on?); the run did not finish (no {MANIFEST} "
                                  f"written)")


KILLED_WAIT_S = 10  # after a KilledWorker: seconds to let the dead worker's other tasks come back as failed


def _part_path(out_dir: Path, index: int) -> Path:
    return out_dir / f"part-{index:05d}.parquet"


def _killed_while_coding(fut, rows_of: dict, out_dir: Path, futures: list):
    """The partition that was being coded when a worker died. Dask fails every task the scheduler still counts as
    the dead worker's, which can include one that had finished and written its part a moment before (its 'finished'
    message was not sent yet). When ``fut`` is such a partition, the one to name is a partition lost with the same
    worker whose part is not in place; ``fut`` itself when there is none."""
    from distributed import KilledWorker, wait

    index = rows_of.get(fut.key, (None,))[0]
    if index is None or not _part_path(out_dir, index).exists():
        return fut
    others = [f for f in futures if f.key != fut.key and f.key in rows_of]
    try:
        wait(others, timeout=KILLED_WAIT_S)
    except Exception:  # noqa: BLE001 - the timeout: name what has failed so far
        pass
    for other in sorted(others, key=lambda f: rows_of[f.key][0]):
        if other.status != "error" or _part_path(out_dir, rows_of[other.key][0]).exists():
            continue
        try:
            if isinstance(other.exception(timeout=1), KilledWorker):
                return other
        except Exception:  # noqa: BLE001
            continue
    return fut


def _part_result(fut, rows_of: dict, out_dir: Path | None = None, futures: list | None = None) -> dict:
    """A partition's result; a worker's error other than ValueError/OSError, or a worker process that died
    (``KilledWorker``), as a one-line :class:`DaskWorkerError` naming the partition and its ``_row`` range."""
    from distributed import KilledWorker

    try:
        return fut.result()
    except (PartitionValueError, PartitionOSError) as exc:  # a worker's: name the partition, keep the class
        index, first, last = rows_of.get(fut.key, (None, None, None))
        where = f"partition {index} (_row {first}–{last})" if index is not None else "a partition"
        raise type(exc)(f"{where} failed on a Dask worker: {exc}; the run did not finish (no {MANIFEST} "
                        f"written)") from None
    except (ValueError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 - PartitionError, KilledWorker, anything else from dask
        if isinstance(exc, KilledWorker) and out_dir is not None and futures:
            fut = _killed_while_coding(fut, rows_of, out_dir, futures)
        index, first, last = rows_of.get(fut.key, (None, None, None))
        where = f"partition {index} (_row {first}–{last})" if index is not None else "a partition"
        if isinstance(exc, KilledWorker):
            why = ("KilledWorker: the worker process coding it died (out of memory or killed; its log says why) — "
                   "try smaller --partition-rows or more memory per worker")
        elif isinstance(exc, PartitionError):
            why = str(exc)
        else:
            why = exc.__class__.__name__
        raise DaskWorkerError(f"{where} failed on a Dask worker: {why}; the run did not finish (no "
                              f"{MANIFEST} written)") from None


# ---------------------------------------------------------------------------- reading the output
def _parts(out_dir: str | os.PathLike) -> list[Path]:
    """The parts of a finished run, as its manifest lists them; ``ValueError`` for the leftovers of a run that did
    not finish (no manifest, a listed part missing, other row counts)."""
    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    mpath = out_dir / MANIFEST
    if not mpath.exists():
        if any(_PART_RE.fullmatch(p.name) for p in (out_dir.iterdir() if out_dir.is_dir() else [])):
            raise ValueError(f"{out_dir}: has part files but no {MANIFEST}: the run that wrote them did not finish "
                             f"(interrupted or failed); run `textmine code --engine dask` again")
        raise FileNotFoundError(f"{out_dir}: no part-*.parquet files (run `textmine code --engine dask` first)")
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    parts = [out_dir / name for name in manifest.get("parts", [])]
    missing = [p.name for p in parts if not p.exists()]
    if missing:
        raise ValueError(f"{out_dir}: incomplete output: {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''} "
                         f"listed in {MANIFEST} missing; run `textmine code --engine dask` again")
    rows = sum(pq.read_metadata(p).num_rows for p in parts)
    if rows != manifest.get("n_rows", rows):
        raise ValueError(f"{out_dir}: the parts hold {rows} rows, {MANIFEST} says {manifest['n_rows']}: parts of "
                         f"another run were mixed in; run `textmine code --engine dask` again")
    if not parts:
        raise FileNotFoundError(f"{out_dir}: no part-*.parquet files (run `textmine code --engine dask` first)")
    return parts


def read_coded_parts(out_dir: str | os.PathLike, columns: list[str] | None = None, *,
                     answered: str | None = None) -> pd.DataFrame:
    """Re-assemble partitioned output in input order (optionally only ``columns``).

    The result is indexed by input row number (0 … n−1) and has no ``_row`` column, so it compares
    directly with the local engine's output. ``answered``: a text column read as whether each row holds an answer
    (True/False: not missing or blank), one part at a time, never as text (:func:`coded_without_text`).
    """
    cols = None if columns is None else list(dict.fromkeys([ROW_COL, *columns]))
    if answered is not None and cols is not None and answered in cols:
        cols.remove(answered)

    def read(part: Path) -> pd.DataFrame:
        d = pd.read_parquet(part, columns=cols)
        return d if answered is None else d.assign(**{answered: _answered(part, answered)})

    df = pd.concat([read(p) for p in _parts(out_dir)], ignore_index=True)
    df = df.sort_values(ROW_COL, kind="stable")
    df.index = pd.Index(df.pop(ROW_COL).to_numpy(), name=None)
    return df


def _answered(part: Path, column: str) -> np.ndarray:
    """Whether each row of the part file holds an answer in ``column`` (not missing, not only whitespace), worked
    out in Arrow: the texts are never made Python strings nor kept."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    col = pq.read_table(part, columns=[column]).column(0)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    filled = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(col)), 0), False)
    return filled.to_numpy(zero_copy_only=False).astype(bool)


def coded_without_text(df: pd.DataFrame, survey, question: str, *, source: str | os.PathLike = "the coded parts",
                       codebook: Any = None) -> pd.DataFrame:
    """:func:`textmine.pipeline.coded_from_code_output`'s coded frame for a summary without quotes, from parts read
    with ``read_coded_parts(answered=question)`` (``df[question]``: whether the row was answered): the same rows and
    coding columns, ``is_non_answer`` and ``health_flag`` as the parts hold them, no ``text_clean`` or ``language``
    (the text is not read: a summary of millions of rows needs no text without quotes)."""
    from textmine.classify.table import CODE_FLAG_COLUMNS
    from textmine.pipeline import (_flag_values, _with_coding_columns, code_output_theme_columns,
                                   theme_columns_from_themes)

    if "themes" in df.columns and survey.id_column in df.columns:
        df = theme_columns_from_themes(df, survey, question, codebook=codebook, source=source)
    themes = code_output_theme_columns(df)
    given = df[question].to_numpy(dtype=bool)
    rows = [int(i) + 1 for i in given.nonzero()[0]]  # data rows (as coded_from_code_output names them)
    sub = df.loc[given].reset_index(drop=True)
    part = pd.DataFrame({"respondent_id": sub[survey.id_column].astype(str).to_numpy(), "question": question})
    for c in reversed(CODE_FLAG_COLUMNS):  # (is_non_answer, health_flag: coded_from_code_output's order)
        part[c] = _flag_values(sub[c], c, source, rows)
    return _with_coding_columns(part, sub, themes, survey, question, codebook, source)


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
    ``is_non_answer`` and ``health_flag`` are the parts' own, as ``textmine code`` wrote them (parts written before
    it wrote them: a row whose ``themes`` is empty is a non-answer; no health flag).
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
    from textmine.classify.table import CODE_FLAG_COLUMNS

    flags = [c for c in CODE_FLAG_COLUMNS if c in names] if all(c in names for c in CODE_FLAG_COLUMNS) else []
    resp_parts, coded_parts = [], []
    for i, p in enumerate(parts):
        d = pd.read_parquet(p, columns=[ROW_COL, *structured, *theme_cols, "themes", *flags])
        coded = pd.DataFrame({ROW_COL: d[ROW_COL].to_numpy(),
                              "respondent_id": d[survey.id_column].astype("string").to_numpy(),
                              "question": text_col})
        for c in theme_cols:
            coded[c] = pd.to_numeric(d[c], errors="coerce").fillna(0).astype(np.int8).to_numpy()
        if flags:
            for c in flags:
                coded[c] = pd.to_numeric(d[c], errors="coerce").fillna(0).astype(np.int8).to_numpy()
        else:
            coded["is_non_answer"] = (d["themes"].fillna("").astype(str).str.len() == 0).astype(np.int8).to_numpy()
        resp_parts.append(d[[ROW_COL, *structured]].assign(**{_PART_COL: np.int32(i)}))
        coded_parts.append(coded)
        del d
    resp = pd.concat(resp_parts, ignore_index=True).sort_values(ROW_COL, kind="stable")
    coded_all = pd.concat(coded_parts, ignore_index=True).sort_values(ROW_COL, kind="stable")
    _check_unique_ids(resp, survey, parts)
    resp = resp.drop(columns=[ROW_COL, _PART_COL]).reset_index(drop=True)
    coded_all = coded_all.drop(columns=ROW_COL).reset_index(drop=True)
    from textmine.io import _decimal_comma_weights  # «1,25» → 1.25 in the weight column, as the local engine reads

    resp = _decimal_comma_weights(resp, getattr(survey, "weight_column", None))
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


_PART_COL = "\0part"  # (the part each respondent row was read from, while the parts are put together)


def repeated_id_error(ids: pd.DataFrame, survey, folder, locate: Callable[[pd.Index], list[str]]) -> str | None:
    """The message for the first respondent id that ``ids`` (coding output put together from parts: the id column,
    and the wave column where the parts hold it) gives more than once (per wave), or None. ``locate`` turns the
    index labels of that id's first rows (at most five) into "part file _row N" texts: the message names those,
    never the id (it may be personal data), nor row numbers of the frame put together from the parts."""
    from textmine.survey import value_keys

    id_col = survey.id_column
    cols = [id_col, *([survey.wave_column] if getattr(survey, "wave_column", None) in ids.columns else [])]
    keys = pd.DataFrame({c: value_keys(ids[c]) for c in cols}, index=ids.index)
    keys = keys[keys[id_col] != ""]  # (a missing id is the survey check's error)
    repeated = keys.duplicated(keep=False)
    if not repeated.any():
        return None
    first = keys[repeated].iloc[0]
    where = ", ".join(locate(keys.index[(keys == first).all(axis=1).to_numpy()][:5]))
    per = " in the same wave" if len(cols) > 1 else ""
    return (f"{folder}: column {id_col}: the same respondent id occurs more than once{per} ({where}; "
            f"{int(keys.duplicated().sum())} duplicate id(s) in all)")


def _check_unique_ids(resp: pd.DataFrame, survey, parts: list[Path]) -> None:
    """Each respondent id once (per wave, when the parts hold the wave column), as the survey check wants it; else
    a SurveyDefinitionError (:func:`repeated_id_error`) naming part files and ``_row`` numbers."""
    from textmine.survey import SurveyDefinitionError

    def locate(index: pd.Index) -> list[str]:
        same = resp.loc[index]
        return [f"{parts[int(pt)].name} _row {int(r)}" for pt, r in zip(same[_PART_COL], same[ROW_COL])]

    message = repeated_id_error(resp, survey, parts[0].parent, locate)
    if message:
        raise SurveyDefinitionError(message)


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
