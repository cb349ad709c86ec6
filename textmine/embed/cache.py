"""Persistent embedding cache: (embedder name+version, normalised text) -> float32 vector.

``EmbeddingCache`` is a small SQLite store (WAL mode: many concurrent readers, one writer at a time,
writers wait instead of failing). ``CachedEmbedder`` wraps any embedder: it de-duplicates texts within a
call, looks them up in the store (or an in-memory dict when no store is given), and encodes only misses.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import warnings
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .base import as_text_list, empty_matrix

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    key   BLOB NOT NULL,
    vec   BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID
"""


def text_key(text: str) -> bytes:
    """Stable 16-byte key for an (already normalised) text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class CacheUnavailable(OSError):
    """The embedding cache's file or folder cannot be opened or written."""


def _plausible(vec: np.ndarray) -> bool:
    """A stored vector is used only if finite and unit-length (or the all-zero row of an empty text)."""
    if not np.isfinite(vec).all():
        return False
    n = float(np.dot(vec, vec))
    return abs(n - 1.0) < 1e-3 or n == 0.0


def default_cache_path() -> Path:
    from textmine.paths import cache_dir

    return cache_dir() / "embeddings" / "vectors.sqlite"


class EmbeddingCache:
    """SQLite-backed vector store shared across runs and processes."""

    def __init__(self, path: str | Path | None = None):
        """Open (or create) the store; a file that is not a valid SQLite store is moved aside to
        ``<name>.corrupt`` with a warning and a new store is started. Raises :class:`CacheUnavailable` when the
        folder cannot be written."""
        self.path = Path(path) if path is not None else default_cache_path()
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._create()
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError as exc:  # "file is not a database", "disk image is malformed"
                self.close()
                aside = self.path.with_name(self.path.name + ".corrupt")
                warnings.warn(f"embedding cache {self.path} is damaged ({exc}); moved it to {aside.name} and "
                              "started a new one", RuntimeWarning, stacklevel=2)
                os.replace(self.path, aside)
                for suffix in ("-wal", "-shm"):
                    Path(str(self.path) + suffix).unlink(missing_ok=True)
                self._create()
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise CacheUnavailable(f"cannot use the embedding cache {self.path}: {exc}; make its folder writable "
                                   "or set TEXTMINE_CACHE_DIR to a writable folder") from exc

    def _create(self) -> None:
        con = self._con()
        with con:
            con.execute(_SCHEMA)
        con.execute("SELECT COUNT(*) FROM (SELECT 1 FROM vectors LIMIT 1)").fetchone()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=60.0, isolation_level="DEFERRED")
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA busy_timeout=60000")
            self._local.con = con
        return con

    def get_many(self, model: str, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        """Vectors found for ``keys`` (missing keys are simply absent)."""
        found: dict[bytes, np.ndarray] = {}
        con = self._con()
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = con.execute(f"SELECT key, vec FROM vectors WHERE model=? AND key IN ({marks})", [model, *chunk])
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32) if len(blob) % 4 == 0 else None
                if vec is not None and vec.shape[0] == dim and _plausible(vec):
                    found[bytes(key)] = vec  # anything else is a miss and gets re-encoded (and overwritten)
        return found

    def put_many(self, model: str, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        rows = [(model, k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items]
        if not rows:
            return
        con = self._con()
        with con:
            con.executemany("INSERT OR REPLACE INTO vectors (model, key, vec) VALUES (?, ?, ?)", rows)

    def count(self, model: str | None = None) -> int:
        con = self._con()
        if model is None:
            return int(con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        return int(con.execute("SELECT COUNT(*) FROM vectors WHERE model=?", [model]).fetchone()[0])

    def clear(self, model: str | None = None) -> None:
        con = self._con()
        with con:
            if model is None:
                con.execute("DELETE FROM vectors")
            else:
                con.execute("DELETE FROM vectors WHERE model=?", [model])

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


class CachedEmbedder:
    """Wrap an embedder with de-duplication and a (persistent) cache.

    ``encoded_texts`` counts texts actually sent to the wrapped encoder; ``cache_hits`` counts texts served
    from the cache. Without a store the cache lives in memory for the lifetime of this object.
    """

    def __init__(self, embedder, store: EmbeddingCache | None = None):
        self.inner = embedder
        self.store = store
        self._memory: dict[bytes, np.ndarray] = {}
        self.encoded_texts = 0
        self.cache_hits = 0
        self.encode_calls = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def version(self) -> str:
        return self.inner.version

    def fit(self, texts, y=None):
        """Fit the wrapped embedder (lexical backend); returns self."""
        self.inner.fit(texts)
        self._memory.clear()
        return self

    @property
    def model_key(self) -> str:
        """Store key: name|version, plus the numerics when the backend names them other than onnx (the engines
        of one encoder share a version, so a trained model works with either, but their vectors never mix)."""
        numerics = getattr(self.inner, "numerics", "")
        extra = f"|{numerics}" if numerics and not numerics.startswith("onnx") else ""
        return f"{self.name}|{self.version}{extra}"

    def __getattr__(self, item):  # delegate e.g. fit() of the lexical backend
        if item == "inner":
            raise AttributeError(item)
        return getattr(self.inner, item)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        items = as_text_list(texts)
        if not items:
            return empty_matrix(self.dimension)
        unique: dict[str, int] = {}
        for t in items:
            unique.setdefault(t, len(unique))
        uniq_texts = list(unique)
        keys = [text_key(t) for t in uniq_texts]
        vectors: dict[bytes, np.ndarray] = {k: self._memory[k] for k in keys if k in self._memory}
        missing = [k for k in keys if k not in vectors]
        if missing and self.store is not None:
            try:
                vectors.update(self.store.get_many(self.model_key, missing, self.dimension))
            except sqlite3.Error as exc:  # damaged after opening: encode instead of failing
                warnings.warn(f"could not read the embedding cache {self.store.path} ({exc}); encoding these "
                              "texts again", RuntimeWarning, stacklevel=2)
        todo = [(k, t) for k, t in zip(keys, uniq_texts) if k not in vectors]
        self.cache_hits += len(uniq_texts) - len(todo)
        if todo:
            self.encode_calls += 1
            self.encoded_texts += len(todo)
            new = self.inner.encode([t for _, t in todo], batch_size=batch_size, show_progress=show_progress)
            new = np.asarray(new, dtype=np.float32)
            fresh = list(zip([k for k, _ in todo], new))
            vectors.update(fresh)
            if self.store is not None:
                try:
                    self.store.put_many(self.model_key, fresh)
                except sqlite3.Error as exc:  # e.g. disk full, read-only: the vectors are still right
                    warnings.warn(f"could not write to the embedding cache {self.store.path} ({exc}); "
                                  "continuing without caching these texts", RuntimeWarning, stacklevel=2)
        if self.store is None:
            self._memory.update(vectors)
        out = np.empty((len(items), self.dimension), dtype=np.float32)
        row_of = {t: vectors[k] for t, k in zip(uniq_texts, keys)}
        for i, t in enumerate(items):
            out[i] = row_of[t]
        return out
