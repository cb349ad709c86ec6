"""Embedding cache privacy (the DPIA review, 5 December, g): deleted vectors are zeroed in the files
(``secure_delete`` and a checkpoint that empties the -wal file), and vectors encoded inside
``CachedEmbedder.memory_only()`` never reach the store (an in-memory LRU keeps repeats fast)."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import numpy as np
import pytest

from textmine.embed import CachedEmbedder, EmbeddingCache, normalize_text
from textmine.embed.cache import delete_texts_at


class CountingEmbedder:
    """Distinct unit vectors per text (seeded by the text), counting what it encodes."""

    name = "counting"
    dimension = 16
    version = "v1"

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts, *, batch_size=64, show_progress=False):
        self.seen.extend(texts)
        out = np.stack([np.random.default_rng(sum(map(ord, t)) + 7919 * len(t)).normal(size=self.dimension)
                        for t in texts]).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def secure_delete_off_by_default(monkeypatch):
    """Connections start with ``secure_delete`` off, as in SQLite builds without SQLITE_SECURE_DELETE (some
    Debian/Python builds turn it on by default: then the cache's own setting could not be told apart)."""
    import sqlite3

    connect = sqlite3.connect

    def connect_off(*args, **kwargs):
        con = connect(*args, **kwargs)
        con.execute("PRAGMA secure_delete=0")
        return con

    monkeypatch.setattr(sqlite3, "connect", connect_off)


def _files(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_the_cache_connection_deletes_securely(tmp_path, secure_delete_off_by_default):
    store = EmbeddingCache(tmp_path / "v.sqlite")
    try:
        assert store._con().execute("PRAGMA secure_delete").fetchone()[0] == 1
        other = threading.Thread(target=lambda: out.append(store._con().execute("PRAGMA secure_delete").fetchone()[0]))
        out: list[int] = []
        other.start()
        other.join()
        assert out == [1]  # every thread's connection, as the erasure's forget may run on any
    finally:
        store.close()


def test_forgotten_vectors_leave_no_bytes_in_the_cache_files(tmp_path, secure_delete_off_by_default):
    path = tmp_path / "v.sqlite"
    emb = CachedEmbedder(CountingEmbedder(), EmbeddingCache(path))
    gone, kept = "Kari Nordmann er sykmeldt med kreft", "Lang ventetid på telefon"
    vectors = emb.encode([gone, kept])
    emb.store.close()
    assert vectors[0].tobytes() in _files(path) and vectors[1].tobytes() in _files(path)
    assert delete_texts_at(path, [gone]) == 1
    data = _files(path)
    assert vectors[0].tobytes() not in data, "the forgotten vector's bytes are still in the cache files"
    assert vectors[1].tobytes() in data  # the other text's vector stays


def test_memory_only_vectors_never_reach_the_store_and_repeats_stay_fast(tmp_path):
    inner = CountingEmbedder()
    store = EmbeddingCache(tmp_path / "v.sqlite")
    emb = CachedEmbedder(inner, store)
    with emb.memory_only():
        assert not emb.persisting
        first = emb.encode(["Kun klassifisert", "Kun klassifisert", "Også denne"])
        again = emb.encode(["Kun klassifisert"])
    assert store.count() == 0 and inner.seen == ["Kun klassifisert", "Også denne"]
    assert np.array_equal(first[0], again[0])
    assert emb.persisting
    emb.encode(["Lagret svar fra en bølge"])  # outside the block: persisted as before
    key = store.key(normalize_text("Lagret svar fra en bølge"))
    assert store.count() == 1 and len(store.get_many(emb.model_key, [key], inner.dimension)) == 1
    store.close()


def test_the_memory_only_lru_is_bounded(tmp_path):
    inner = CountingEmbedder()
    emb = CachedEmbedder(inner, EmbeddingCache(tmp_path / "v.sqlite"), recent_limit=2)
    with emb.memory_only():
        emb.encode(["en", "to", "tre"])
        emb.encode(["en"])  # dropped as the oldest: encoded again
    assert inner.seen == ["en", "to", "tre", "en"] and len(emb._recent) == 2
    emb.store.close()


def test_a_memory_only_block_open_in_another_thread_leaves_this_threads_vectors_persisted(tmp_path):
    """The switch belongs to the block's own context: a coding job in another thread still stores its vectors."""
    store = EmbeddingCache(tmp_path / "v.sqlite")
    emb = CachedEmbedder(CountingEmbedder(), store)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with emb.memory_only():
            entered.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    entered.wait(5)
    try:
        emb.encode(["kodet mens en klassifisering pågår"])
        assert store.count() == 1
    finally:
        release.set()
        t.join()
    assert emb.persisting
    store.close()


def test_a_memory_cached_embedder_still_pickles():
    emb = CachedEmbedder(CountingEmbedder())
    emb.encode(["a"])
    copy = pickle.loads(pickle.dumps(emb))
    with copy.memory_only():
        assert copy.encode(["b"]).shape == (1, CountingEmbedder.dimension)
