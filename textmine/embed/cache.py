"""Persistent embedding cache: (embedder name+version, normalised text) -> float32 vector.

``EmbeddingCache`` is a small SQLite store (WAL mode: many concurrent readers, one writer at a time,
writers wait instead of failing; ``secure_delete`` on, so deleted vectors are zeroed in the file, not only
unlinked). ``CachedEmbedder`` wraps any embedder: it de-duplicates texts within a call, looks them up in the
store (or an in-memory dict when no store is given), and encodes only misses. Inside
``CachedEmbedder.memory_only()`` new vectors are kept in a bounded in-memory LRU instead of the store (texts
that must not outlive the process on disk, e.g. the service's ``POST /classify``). The mode is a switch of the
current context (a ``ContextVar``): it holds in the thread or task that opened it and in work handed on with a copy
of its context (``run_in_threadpool``, asyncio tasks), not in other threads encoding at the same time.

Rows are keyed by a keyed hash (blake2b with a per-cache random secret kept beside the store in
``<name>.key``), so a guessed comment cannot be looked up by hashing it. That alone does not keep the stored
comments private: the vectors themselves come from a public model, so whoever can read the store can embed a
guessed comment and look for a cosine of about 1 among them (a membership test). What keeps other users out is
the files' permissions: the folder is created 0700, the store (with its ``-wal``/``-shm`` files) and the key
0600, and existing files of ours with looser permissions are tightened to 0600 with a warning. Anyone who can
read the files as their owner (that user, root, a backup) can still test membership by embedding.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import secrets
import sqlite3
import stat
import threading
import time
import warnings
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from .base import as_text_list, empty_matrix

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    key   BLOB NOT NULL,
    vec   BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID
"""
_META = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)"
# Store format in PRAGMA user_version: 0/1 = rows under unkeyed blake2b text hashes, 2 = keyed by the secret.
_VERSION = 2
_SECRET_BYTES = 32
_CHECK_TEXT = b"textmine embedding cache key check"
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}
#: how long a connection waits for another one's write lock before failing (milliseconds)
BUSY_TIMEOUT_MS = 60_000
#: the embedders (by ``id``) in :meth:`CachedEmbedder.memory_only` mode in the current context
_MEMORY_ONLY: ContextVar[frozenset[int]] = ContextVar("textmine_embed_memory_only", default=frozenset())


def text_key(text: str, secret: bytes) -> bytes:
    """16-byte key for an (already normalised) text: blake2b keyed by the cache's ``secret``."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16, key=secret).digest()


def key_check(secret: bytes) -> bytes:
    """Fingerprint of ``secret`` kept in the store: tells whether its rows were written under this secret."""
    return hashlib.blake2b(_CHECK_TEXT, digest_size=16, key=secret).digest()


class CacheUnavailable(OSError):
    """The embedding cache's file or folder cannot be opened or written."""


def secret_path(store: Path) -> Path:
    """Where the secret of the store at ``store`` lives (beside it)."""
    return store.with_name(store.name + ".key")


def _read_secret(path: Path, tries: int = 20) -> bytes:
    """The secret at ``path``; a file still being written (short) is read again for up to about a second."""
    for attempt in range(tries):
        data = path.read_bytes()
        if len(data) == _SECRET_BYTES:
            return data
        if attempt + 1 < tries:
            time.sleep(0.05)
    raise CacheUnavailable(f"the embedding cache key {path} holds {len(data)} bytes, expected {_SECRET_BYTES}; "
                           f"delete it together with {path.with_suffix('').name} to start a new cache")


def _write_exclusive(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0600) holding ``data``; ``FileExistsError`` when it exists already; a failed write
    leaves no file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.chmod(path, 0o600)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _publish(tmp: Path, path: Path) -> None:
    """Give the whole file ``tmp`` the name ``path`` unless ``path`` exists (then the existing file stays)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process won the race: its secret is the one
    except OSError as exc:  # a file system without hard links: create in place (readers wait for a short file)
        if exc.errno not in _NO_HARD_LINKS:
            raise
        try:
            _write_exclusive(path, tmp.read_bytes())
        except FileExistsError:
            pass


def read_or_create_secret(path: Path) -> bytes:
    """The cache secret at ``path``: read when present, else created at random (mode 0600) and published with a
    hard link, so the file appears whole and processes racing to create it all end up with the one that won."""
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        _write_exclusive(tmp, secrets.token_bytes(_SECRET_BYTES))
        _publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read_secret(path)


def _make_private_dir(folder: Path) -> None:
    """Create ``folder`` and any missing parents with mode 0700; folders that exist are left as they are."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            if not path.is_dir():
                raise


def _create_private(path: Path) -> None:
    """Create the empty store file ``path`` with mode 0600 unless it exists (SQLite then starts a database in it
    and gives its ``-wal``/``-shm`` files the store's mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _tighten(path: Path) -> None:
    """Set an existing file of ours that others may read or write to 0600, with a warning log line; a file of
    another owner is left alone (chmod would fail) and a failed chmod is logged."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(st.st_mode)
    if not mode & 0o077 or st.st_uid != os.geteuid():
        return
    try:
        os.chmod(path, 0o600)
    except OSError as exc:
        log.warning("embedding cache file %s has mode %o (others may read it) and could not be made private: %s",
                    path, mode, exc.strerror or exc)
        return
    log.warning("embedding cache file %s had mode %o (others could read it); set it to 600", path, mode)


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
        """Open (or create) the store and its secret; a file that is not a valid SQLite store is moved aside to
        ``<name>.corrupt`` with a warning and a new store is started; rows of an older format or written under
        another secret are dropped once. Raises :class:`CacheUnavailable` when the folder cannot be written."""
        self.path = Path(path) if path is not None else default_cache_path()
        self.key_path = secret_path(self.path)
        self._local = threading.local()
        try:
            _make_private_dir(self.path.parent)
            for file in (self.key_path, *self._store_files()):
                _tighten(file)
            self._secret = read_or_create_secret(self.key_path)
            try:
                self._open()
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
                self._open()
        except CacheUnavailable:
            self.close()
            raise
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise CacheUnavailable(f"cannot use the embedding cache {self.path}: {exc}; make its folder writable "
                                   "or set TEXTMINE_CACHE_DIR to a writable folder") from exc

    def key(self, text: str) -> bytes:
        """Row key of an (already normalised) text in this store."""
        return text_key(text, self._secret)

    def _store_files(self) -> tuple[Path, Path, Path]:
        """The store and its SQLite ``-wal`` and ``-shm`` files."""
        return self.path, Path(str(self.path) + "-wal"), Path(str(self.path) + "-shm")

    def _open(self) -> None:
        _create_private(self.path)
        con = self._con()
        with con:
            con.execute(_SCHEMA)
            con.execute(_META)
        con.execute("SELECT COUNT(*) FROM (SELECT 1 FROM vectors LIMIT 1)").fetchone()
        self._upgrade(con)

    def _is_current(self, con: sqlite3.Connection) -> bool:
        """Whether the store is of this format and its rows were written under this secret."""
        version = int(con.execute("PRAGMA user_version").fetchone()[0])
        if version > _VERSION:
            raise CacheUnavailable(f"the embedding cache {self.path} has format {version}, newer than this "
                                   f"textmine reads ({_VERSION}); upgrade textmine or set TEXTMINE_CACHE_DIR to "
                                   "another folder")
        row = con.execute("SELECT value FROM meta WHERE name='key_check'").fetchone()
        return version == _VERSION and row is not None and bytes(row[0]) == key_check(self._secret)

    def _upgrade(self, con: sqlite3.Connection) -> None:
        """Drop rows stored under unkeyed (format < 2) or other-secret keys, once, and mark the store current."""
        if self._is_current(con):
            return
        con.execute("BEGIN IMMEDIATE")  # one process upgrades; the others then find the store current
        try:
            if not self._is_current(con):
                dropped = int(con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
                version = int(con.execute("PRAGMA user_version").fetchone()[0])
                con.execute("DELETE FROM vectors")
                con.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('key_check', ?)",
                            [key_check(self._secret)])
                con.execute(f"PRAGMA user_version = {_VERSION}")
                if dropped:
                    log.info("embedding cache %s: dropped %d vectors stored under %s (format %d -> %d); they are "
                             "encoded again when needed", self.path, dropped,
                             "unkeyed text hashes" if version < _VERSION else "another cache key", version,
                             _VERSION)
            con.commit()
        except BaseException:
            con.rollback()
            raise

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level="DEFERRED")
            con.execute("PRAGMA secure_delete=1")  # deleted vectors (an erasure's) are zeroed, not only unlinked
            _wal(con)
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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

    def delete_keys(self, keys: Iterable[bytes], model: str | None = None) -> int:
        """Delete the vectors stored under ``keys`` (of every embedder, or of ``model``); how many rows went."""
        keys = list(dict.fromkeys(keys))
        n = 0
        con = self._con()
        with con:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                where, args = f"key IN ({marks})", list(chunk)
                if model is not None:
                    where, args = f"model=? AND {where}", [model, *chunk]
                n += con.execute(f"DELETE FROM vectors WHERE {where}", args).rowcount
        return n

    def delete_texts(self, texts: Iterable[str], model: str | None = None) -> int:
        """Delete the vectors of ``texts`` (normalised as :class:`CachedEmbedder` keys them), e.g. when the
        comments are erased; how many rows went."""
        from .base import normalize_text

        return self.delete_keys([self.key(normalize_text(t)) for t in texts], model)

    def checkpoint(self, wait_seconds: float = 2.0) -> bool:
        """Write the ``-wal`` file's pages into the store and empty it (its frames may still hold deleted
        vectors), waiting at most ``wait_seconds`` for other connections' reads; whether it finished."""
        con = self._con()
        con.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
        try:
            busy, frames, done = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:  # "database is locked": another connection kept it
            return False
        finally:
            con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return busy == 0 and frames == done

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


def delete_texts_at(path: str | Path, texts: Iterable[str]) -> int:
    """Delete the vectors of ``texts`` from the cache store at ``path`` (every embedder's; zeroed in the file:
    ``secure_delete``, then a checkpoint that empties the ``-wal`` file where no other connection is reading);
    0 when there is no store there (none is created). The store is closed again."""
    path = Path(path)
    if not path.exists():
        return 0
    store = EmbeddingCache(path)
    try:
        n = store.delete_texts(texts)
        if n and not store.checkpoint():
            log.info("embedding cache %s: deleted vectors stay in its -wal file until the next checkpoint",
                     path.name)
        return n
    finally:
        store.close()


def memory_only_state() -> frozenset[int]:
    """Which embedders are in :meth:`CachedEmbedder.memory_only` mode in the current context: for work that another
    thread does for this context without a copy of it (see :func:`memory_only_states`)."""
    return _MEMORY_ONLY.get()


@contextmanager
def memory_only_states(*states: frozenset[int]) -> Iterator[None]:
    """While open, the embedders of every state (:func:`memory_only_state`) are in memory-only mode in the current
    context too: work shared by several contexts (one call coding several requests) keeps the mode of each."""
    token = _MEMORY_ONLY.set(_MEMORY_ONLY.get().union(*states))
    try:
        yield
    finally:
        _MEMORY_ONLY.reset(token)


class CachedEmbedder:
    """Wrap an embedder with de-duplication and a (persistent) cache.

    ``encoded_texts`` counts texts actually sent to the wrapped encoder; ``cache_hits`` counts texts served
    from the cache. Without a store the cache lives in memory for the lifetime of this object. Inside a
    :meth:`memory_only` block (in that context only), new vectors go to a bounded in-memory LRU (``recent_limit``
    vectors) instead of the store.
    """

    def __init__(self, embedder, store: EmbeddingCache | None = None, recent_limit: int = 4096):
        self.inner = embedder
        self.store = store
        self._memory: dict[str, np.ndarray] = {}  # keyed by the text itself: never leaves the process
        self.recent_limit = max(0, int(recent_limit))
        self._recent: OrderedDict[bytes | str, np.ndarray] = OrderedDict()  # memory_only vectors, newest last
        self._lock = threading.Lock()
        self.encoded_texts = 0
        self.cache_hits = 0
        self.encode_calls = 0

    def __getstate__(self) -> dict:
        """Pickled without the lock and the memory-only vectors (a copy is in no memory-only block)."""
        state = dict(self.__dict__)
        state.pop("_lock", None)
        state["_recent"] = OrderedDict()
        return state

    def __setstate__(self, state: dict) -> None:
        state.pop("_memory_only", None)  # the per-object counter of older versions
        self.__dict__.update(state)
        self.__dict__.setdefault("_recent", OrderedDict())
        self.__dict__.setdefault("recent_limit", 4096)
        self._lock = threading.Lock()

    @contextmanager
    def memory_only(self) -> Iterator["CachedEmbedder"]:
        """While open, vectors this embedder encodes in the current context (this thread or task, and the
        threads and tasks it hands work to with a copy of its context) are not written to the store but kept in
        the in-memory LRU; the store is still read. Other threads encoding meanwhile write to the store as usual.
        For texts that must not persist on disk (the service's ``POST /classify``: nothing ties them to a
        respondent an erasure could name)."""
        token = _MEMORY_ONLY.set(_MEMORY_ONLY.get() | {id(self)})
        try:
            yield self
        finally:
            _MEMORY_ONLY.reset(token)

    @property
    def persisting(self) -> bool:
        """Whether new vectors encoded in the current context are written to the store (a store, and no
        :meth:`memory_only` block of this embedder open in this context)."""
        return self.store is not None and id(self) not in _MEMORY_ONLY.get()

    def _recent_get(self, keys: Sequence[bytes | str]) -> dict[bytes | str, np.ndarray]:
        with self._lock:
            found = {k: self._recent[k] for k in keys if k in self._recent}
            for k in found:
                self._recent.move_to_end(k)
        return found

    def _remember(self, items: list[tuple[bytes | str, np.ndarray]]) -> None:
        """Keep ``items`` in the in-memory LRU (the oldest dropped beyond ``recent_limit``)."""
        with self._lock:
            for k, v in items:
                self._recent[k] = v
                self._recent.move_to_end(k)
            while len(self._recent) > self.recent_limit:
                self._recent.popitem(last=False)

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
        keys = [self.store.key(t) for t in uniq_texts] if self.store is not None else uniq_texts
        vectors: dict[bytes | str, np.ndarray] = {k: self._memory[k] for k in keys if k in self._memory}
        if self._recent:
            vectors.update(self._recent_get([k for k in keys if k not in vectors]))
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
            if self.store is not None and not self.persisting:
                self._remember(fresh)
            elif self.store is not None:
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


def _wal(con: sqlite3.Connection, wait_seconds: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """Switch ``con`` to WAL. SQLite answers «database is locked» at once, without the busy handler, while another
    process creates or switches the same file (Dask workers or several servers opening one cache folder at the
    same time): try again with a short, growing pause until ``wait_seconds`` have passed."""
    deadline, pause = time.monotonic() + wait_seconds, 0.01
    while True:
        try:
            con.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)
