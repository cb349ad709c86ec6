"""The small embedding interface every backend implements, plus text normalisation for cache keys."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

_WS = re.compile(r"\s+")


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 row vectors."""

    name: str
    dimension: int
    version: str

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        ...


def normalize_text(text: object) -> str:
    """Canonical form used both as cache key and as the text that is encoded.

    None/NaN -> "", Unicode NFC, every whitespace run -> one space, stripped.
    """
    if text is None:
        return ""
    if isinstance(text, float) and math.isnan(text):
        return ""
    try:
        import pandas as pd

        if text is pd.NA or text is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover
        pass
    s = unicodedata.normalize("NFC", str(text))
    return _WS.sub(" ", s).strip()


def as_text_list(texts: Sequence[str] | str) -> list[str]:
    """Accept a list/Series/array of texts (not a bare string) and return normalised strings."""
    if isinstance(texts, str):
        raise TypeError("encode() expects a sequence of texts, not a single string; wrap it in a list")
    return [normalize_text(t) for t in list(texts)]


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation (zero rows stay zero), float32."""
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(n, 1e-12)).astype(np.float32, copy=False)


def empty_matrix(dim: int) -> np.ndarray:
    return np.zeros((0, dim), dtype=np.float32)
