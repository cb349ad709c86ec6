"""Any sentence-transformers model, by local path or by a name already in the local Hugging Face cache.

Never downloads: models load with ``local_files_only=True`` (textmine must run on locked-down servers).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from .base import as_text_list, empty_matrix, l2_normalize


def _fingerprint(path: Path) -> str:
    """Short hash of a local model folder's config files + weight sizes (changes when the model does)."""
    h = hashlib.sha1()
    for f in sorted(path.rglob("*")):
        if f.is_file():
            h.update(str(f.relative_to(path)).encode())
            h.update(str(f.stat().st_size).encode())
            if f.suffix in {".json", ".txt"} and f.stat().st_size < 2_000_000:
                h.update(f.read_bytes())
    return h.hexdigest()[:12]


class SentenceTransformerEmbedder:
    """Wraps ``sentence_transformers.SentenceTransformer``; rows are L2-normalised float32.

    ``prefix`` is prepended to every text that does not already start with it (e.g. ``"query: "`` for
    e5-family models).
    """

    def __init__(self, model: str | os.PathLike, *, prefix: str = "", device: str = "cpu", max_seq_length: int | None = 256):
        from sentence_transformers import SentenceTransformer

        self.model_ref = str(model)
        self.prefix = prefix
        local = Path(self.model_ref)
        if local.is_dir() and not any((local / f).is_file() for f in ("modules.json", "config.json")):
            raise ValueError(f"{self.model_ref!r} is a folder but not a sentence-transformers model (it has no "
                             "modules.json or config.json); pass the folder that contains the model files")
        try:
            self._model = SentenceTransformer(self.model_ref, device=device, local_files_only=True)
        except (OSError, ValueError) as exc:
            if local.is_dir():
                raise ValueError(f"cannot load the sentence-transformers model in {self.model_ref!r}: {exc}") from exc
            offline = " (HF_HUB_OFFLINE is set)" if os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0") else ""
            raise ValueError(
                f"sentence-transformers model {self.model_ref!r} is neither a local folder nor in the local "
                f"Hugging Face cache; textmine does not download models{offline}. Copy the model folder to this "
                "machine and pass its path."
            ) from exc
        if max_seq_length is not None and getattr(self._model, "max_seq_length", None):
            self._model.max_seq_length = min(int(self._model.max_seq_length), int(max_seq_length))
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(get_dim())
        ident = _fingerprint(local) if local.is_dir() else self.model_ref
        self.name = f"st:{local.name if local.is_dir() else self.model_ref}"
        self.version = f"st-{ident}-len{self._model.max_seq_length}-p{hashlib.sha1(prefix.encode()).hexdigest()[:6]}"

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        items = as_text_list(texts)
        if not items:
            return empty_matrix(self.dimension)
        p = self.prefix
        vecs = self._model.encode(
            [t if t.startswith(p) else p + t for t in items],  # the prefix once, also if a caller added it
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=False,
        )
        return l2_normalize(vecs)
