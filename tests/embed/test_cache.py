"""Embedding cache: duplicates encoded once, hits across calls/objects/processes, version-keyed."""

import threading

import numpy as np

from textmine.embed import CachedEmbedder, EmbeddingCache, normalize_text


class CountingEmbedder:
    name = "counting"
    dimension = 4

    def __init__(self, version="v1"):
        self.version = version
        self.seen: list[str] = []

    def encode(self, texts, *, batch_size=64, show_progress=False):
        self.seen.extend(texts)
        out = np.array([[len(t), t.count("a"), 1.0, hash(t) % 7] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_identical_texts_encoded_once_and_rerun_is_free(tmp_path):
    inner = CountingEmbedder()
    emb = CachedEmbedder(inner, EmbeddingCache(tmp_path / "v.sqlite"))
    texts = ["Nei", "Bra", "Nei", " Nei ", "Telefonen", "Bra"]
    first = emb.encode(texts)
    assert sorted(inner.seen) == ["Bra", "Nei", "Telefonen"]
    second = emb.encode(texts)
    assert len(inner.seen) == 3 and emb.cache_hits == 3
    assert np.array_equal(first, second) and np.array_equal(first[0], first[3])


def test_persists_across_objects_and_is_keyed_by_version(tmp_path):
    path = tmp_path / "v.sqlite"
    CachedEmbedder(CountingEmbedder(), EmbeddingCache(path)).encode(["a", "b"])
    again = CountingEmbedder()
    CachedEmbedder(again, EmbeddingCache(path)).encode(["a", "b", "c"])
    assert again.seen == ["c"]
    other = CountingEmbedder(version="v2")
    CachedEmbedder(other, EmbeddingCache(path)).encode(["a"])
    assert other.seen == ["a"]


def test_in_memory_cache_without_store():
    inner = CountingEmbedder()
    emb = CachedEmbedder(inner)
    emb.encode(["x", "y"])
    emb.encode(["y", "x", "z"])
    assert inner.seen == ["x", "y", "z"]


def test_concurrent_readers(tmp_path):
    path = tmp_path / "v.sqlite"
    texts = [f"svar {i}" for i in range(200)]
    ref = CachedEmbedder(CountingEmbedder(), EmbeddingCache(path)).encode(texts)
    errors, counts = [], []

    def read():
        try:
            inner = CountingEmbedder()
            got = CachedEmbedder(inner, EmbeddingCache(path)).encode(texts)
            assert np.array_equal(got, ref)
            counts.append(len(inner.seen))
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and counts == [0, 0, 0, 0]


def test_normalize_text():
    assert normalize_text(None) == "" and normalize_text(float("nan")) == ""
    assert normalize_text("  Ja\n\ttakk ") == "Ja takk"
    assert normalize_text("e\u0301") == "\u00e9"


def test_get_embedder_e5_cache_counts(e5_cache):
    from textmine.embed import get_embedder

    emb = get_embedder("e5", cache_dir=e5_cache)
    emb.encode(["Lang ventetid på telefon", "Bra", "Bra"])
    n = emb.encoded_texts
    emb.encode(["Bra", "Lang ventetid på telefon"])
    assert emb.encoded_texts == n and emb.name == "e5" and emb.dimension == 384 and "int8" in emb.version
