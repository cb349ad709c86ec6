"""Code a whole table: keep every input column and the row order, append the coding columns."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from .base import BaseCoder, output_columns

__all__ = ["code_dataframe"]


def code_dataframe(coder: BaseCoder, df: pd.DataFrame, text_col: str, *, batch_size: int = 2000,
                   progress: bool = False) -> pd.DataFrame:
    """Return ``df`` + ``theme_<id>``, ``score_<id>``, ``themes``, ``confidence``, ``needs_review``, ``type``.

    An input column that already has one of those names is kept as ``<name>_input`` (with a warning).
    """
    if text_col not in df.columns:
        raise ValueError(f"no text column {text_col!r}; columns are: {', '.join(map(str, df.columns))}")
    texts = df[text_col].astype("string").fillna("").astype(str)
    texts = texts.reset_index(drop=True)
    parts: list[pd.DataFrame] = []
    starts = range(0, len(texts), max(1, batch_size))
    bar: Any = None
    if progress and len(texts) > batch_size:
        from rich.progress import Progress

        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("koder", total=len(texts))
    try:
        for s in starts:
            parts.append(coder.predict(texts.iloc[s : s + batch_size]))
            if bar is not None:
                bar.update(task, advance=min(batch_size, len(texts) - s))
    finally:
        if bar is not None:
            bar.stop()
    coded = pd.concat(parts) if parts else pd.DataFrame(columns=output_columns(coder.codebook))
    coded.index = df.index
    out = df.copy()
    clash = [c for c in coded.columns if c in out.columns]
    if clash:
        warnings.warn(f"input already has column(s) {clash}; kept them as <name>_input", stacklevel=2)
        out = out.rename(columns={c: f"{c}_input" for c in clash})
    return pd.concat([out, coded], axis=1)
