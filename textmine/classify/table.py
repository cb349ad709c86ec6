"""Code a whole table: keep every input column and the row order, append the coding columns."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from .base import BaseCoder, output_columns

__all__ = ["code_dataframe"]


def code_dataframe(coder: BaseCoder, df: pd.DataFrame, text_col: str, *, batch_size: int = 2000,
                   progress: bool = False, keep_raw_text: bool = False, question_col: str | None = None,
                   question: str | None = None) -> pd.DataFrame:
    """Return ``df`` + ``theme_<id>``, ``score_<id>``, ``themes``, ``confidence``, ``needs_review``, ``type``.

    The text column is replaced by its redacted form (personal data never leaves unredacted) unless
    ``keep_raw_text``. An input column that already has one of the output names is kept as
    ``<name>_input`` (with a warning). ``question_col`` (a column naming each row's survey question) or
    ``question`` (one question for every row) lets a supervised coder use that question's theme rates.
    """
    for what, col in (("text", text_col), ("question", question_col)):
        if col is not None and col not in df.columns:
            raise ValueError(f"no {what} column {col!r}; columns are: {', '.join(map(str, df.columns))}")
    if question_col is not None and question is not None:
        raise ValueError("give either question_col or question, not both")
    questions = (df[question_col].astype("string").fillna("").astype(str).reset_index(drop=True)
                 if question_col is not None else None)
    texts = df[text_col].astype("string").fillna("").astype(str)
    texts = texts.reset_index(drop=True)
    parts: list[pd.DataFrame] = []
    redacted: list[pd.Series] = []
    starts = range(0, len(texts), max(1, batch_size))
    bar: Any = None
    if progress and len(texts) > batch_size:
        from rich.progress import Progress

        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("koder", total=len(texts))
    try:
        for s in starts:
            qs = question if questions is None else questions.iloc[s : s + batch_size].tolist()
            cleaned = coder.clean(texts.iloc[s : s + batch_size], qs)
            parts.append(coder.predict_frame(cleaned))
            redacted.append(cleaned["text_clean"])
            if bar is not None:
                bar.update(task, advance=min(batch_size, len(texts) - s))
    finally:
        if bar is not None:
            bar.stop()
    coded = pd.concat(parts) if parts else pd.DataFrame(columns=output_columns(coder.codebook))
    coded.index = df.index
    out = df.copy()
    if not keep_raw_text and redacted:
        out[text_col] = pd.concat(redacted).to_numpy()
    clash = [c for c in coded.columns if c in out.columns]
    if clash:
        warnings.warn(f"input already has column(s) {clash}; kept them as <name>_input", stacklevel=2)
        out = out.rename(columns={c: f"{c}_input" for c in clash})
    return pd.concat([out, coded], axis=1)
