"""Batch coding on Dask: partition the input, load the coder once per worker, write partitioned output.

The same call runs on a local cluster (``scheduler=None`` starts one with ``n_workers``
processes) or on an existing multi-node cluster (``scheduler="tcp://host:8786"``); every
worker needs textmine installed and read access to the model directory and the input.
Output is a folder of Parquet parts (``part-00000.parquet`` …) holding every input column,
the coding columns and ``_row`` (the input row number), so results can be re-assembled in
input order or summarised part by part without loading all text at once.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROW_COL = "_row"
_CODERS: dict[tuple[str, str], object] = {}
_LOCK = threading.Lock()


def _coder_for(model_dir: str | None, codebook_path: str | None):
    """The coder for this worker process, loaded on first use and then reused."""
    key = (str(model_dir or ""), str(codebook_path or ""))
    with _LOCK:
        coder = _CODERS.get(key)
        if coder is None:
            coder = load_coder_for(model_dir, codebook_path)
            _CODERS[key] = coder
    return coder


def load_coder_for(model_dir: str | None, codebook_path: str | None):
    """Trained coder from ``model_dir``; zero-shot coder for ``codebook_path`` when no model is given."""
    from textmine.classify import ZeroShotCoder, load_coder
    from textmine.codebook import load_codebook

    if model_dir:
        coder = load_coder(model_dir)
        if codebook_path:
            expected = load_codebook(codebook_path)
            if getattr(coder, "codebook", None) is not None and coder.codebook.hash != expected.hash:
                raise ValueError(
                    f"Model {model_dir} was trained on codebook '{coder.codebook.name}' "
                    f"v{coder.codebook.version}, not on {codebook_path}."
                )
        return coder
    if not codebook_path:
        raise ValueError("Give a codebook (zero-shot) or a model directory.")
    return ZeroShotCoder(load_codebook(codebook_path))


def code_partition(part: pd.DataFrame, *, text_col: str, model_dir: str | None, codebook_path: str | None) -> pd.DataFrame:
    """Code one partition: input columns + coding columns, row order kept."""
    coder = _coder_for(model_dir, codebook_path)
    texts = part[text_col].astype("string").fillna("").tolist()
    coded = coder.predict(texts)
    coded.index = part.index
    return pd.concat([part, coded], axis=1)


@dataclass(frozen=True)
class DaskRunInfo:
    """What a Dask coding run did."""

    out_dir: str
    n_rows: int
    n_partitions: int
    parts: tuple[str, ...]


def _read_input(input_path: Path, text_col: str):
    import dask.dataframe as dd

    suffix = input_path.suffix.lower()
    if input_path.is_dir() or suffix == ".parquet":
        ddf = dd.read_parquet(str(input_path))
    elif suffix in {".csv", ".txt"}:
        ddf = dd.read_csv(str(input_path), dtype=str, keep_default_na=False, blocksize="16MB")
    else:
        raise ValueError(f"{input_path}: the Dask engine reads Parquet or CSV, not '{suffix or 'no suffix'}'.")
    if text_col not in ddf.columns:
        raise ValueError(f"{input_path}: no column '{text_col}' (columns: {', '.join(map(str, ddf.columns))}).")
    return ddf


def _write_part(df: pd.DataFrame, out_dir: str, index: int) -> str:
    path = os.path.join(out_dir, f"part-{index:05d}.parquet")
    df.to_parquet(path, index=False)
    return path


def code_with_dask(
    input_path: str | os.PathLike,
    out_path: str | os.PathLike,
    codebook_path: str | os.PathLike | None,
    model_dir: str | os.PathLike | None,
    text_col: str,
    scheduler: str | None = None,
    *,
    n_workers: int = 2,
    rows_per_partition: int = 5_000,
) -> DaskRunInfo:
    """Code ``input_path`` on Dask and write ``out_path/part-*.parquet``.

    ``scheduler`` is the address of an existing cluster; without it a local cluster of
    ``n_workers`` single-threaded worker processes is started and closed again.
    """
    from dask.distributed import Client, LocalCluster

    input_path = Path(input_path)
    out_dir = Path(out_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("part-*.parquet"):
        old.unlink()
    ddf = _read_input(input_path, text_col)
    # A global row number, so output can be put back in input order.
    lengths = ddf.map_partitions(len).compute()
    offsets = [0]
    for n in lengths[:-1]:
        offsets.append(offsets[-1] + int(n))
    total = int(sum(int(n) for n in lengths))
    n_parts = max(1, math.ceil(total / rows_per_partition))

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        kwargs = dict(
            text_col=text_col,
            model_dir=str(model_dir) if model_dir else None,
            codebook_path=str(codebook_path) if codebook_path else None,
        )
        import dask

        tasks = []
        part_index = 0
        for i, block in enumerate(ddf.to_delayed()):
            tasks.append(
                dask.delayed(_code_and_write_block, pure=False)(
                    block, offsets[i], rows_per_partition, str(out_dir), part_index, kwargs
                )
            )
            part_index += max(1, math.ceil(int(lengths[i]) / rows_per_partition))
        futures = client.compute(tasks)
        written = [p for paths in client.gather(futures) for p in paths]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return DaskRunInfo(str(out_dir), total, len(written) or n_parts, tuple(sorted(written)))


def _code_and_write_block(block: pd.DataFrame, offset: int, rows: int, out_dir: str, first_index: int, kwargs: dict) -> list[str]:
    """Split one input block into partitions of ``rows`` rows, code and write each."""
    block = block.reset_index(drop=True)
    block.insert(0, ROW_COL, range(offset, offset + len(block)))
    paths = []
    for j, start in enumerate(range(0, max(len(block), 1), rows)):
        chunk = block.iloc[start : start + rows]
        if chunk.empty and start > 0:
            break
        paths.append(_write_part(code_partition(chunk, **kwargs), out_dir, first_index + j))
    return paths


def read_coded_parts(out_dir: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Re-assemble partitioned output in input order (optionally only some columns)."""
    parts = sorted(Path(out_dir).glob("part-*.parquet"))
    if not parts:
        raise FileNotFoundError(f"{out_dir}: no part-*.parquet files")
    cols = None if columns is None else list(dict.fromkeys([ROW_COL, *columns]))
    df = pd.concat([pd.read_parquet(p, columns=cols) for p in parts], ignore_index=True)
    return df.sort_values(ROW_COL, kind="stable").reset_index(drop=True)
