"""The caching embedders of a loaded coder are found once and kept by the CoderCache that loaded it (no state shared
between caches, hence between two app instances); dropped with the coder when it is unloaded."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from service import coders as coders_module
from service.coders import CoderCache
from textmine.embed import CachedEmbedder, EmbeddingCache


class Backend:
    name = "dec06b"
    dimension = 4
    version = "v1"

    def encode(self, texts, *, batch_size=64, show_progress=False):
        return np.ones((len(texts), self.dimension), dtype=np.float32) / 2


class EmbeddingCoder:
    """A coder double holding a caching embedder, as the library's coders do."""

    def __init__(self, embedder):
        self.embedder = embedder


@pytest.fixture
def embedder(tmp_path):
    emb = CachedEmbedder(Backend(), EmbeddingCache(tmp_path / "v.sqlite"))
    yield emb
    emb.store.close()


@pytest.fixture
def walks(monkeypatch):
    """The coders walked by the embedder search, in order."""
    seen: list = []
    real = coders_module._find_embedders

    def counting(coder):
        seen.append(coder)
        return real(coder)

    monkeypatch.setattr(coders_module, "_find_embedders", counting)
    return seen


def _cache(embedder) -> CoderCache:
    return CoderCache(factory=lambda codebook, model_dir: EmbeddingCoder(embedder))


def test_each_cache_walks_its_coder_once_and_keeps_its_own_lookup(embedder, walks):
    first, second = _cache(embedder), _cache(embedder)
    coder = first.default()
    assert first.known_embedders(coder) is None
    assert [first.cached_embedders(coder) for _ in range(3)] == [[embedder]] * 3
    assert walks == [coder] and first.known_embedders(coder) == [embedder]
    assert second.known_embedders(coder) is None  # not loaded by the second cache: nothing found there
    other = second.default()
    assert second.known_embedders(other) is None  # the first cache's lookup is not shared
    assert second.cached_embedders(other) == [embedder] and second.cached_embedders(other) == [embedder]
    assert walks == [coder, other]


def test_a_coder_the_cache_does_not_hold_is_walked_each_time_and_not_kept(embedder, walks):
    cache = _cache(embedder)
    stranger = EmbeddingCoder(embedder)
    assert cache.cached_embedders(stranger) == [embedder] and cache.cached_embedders(stranger) == [embedder]
    assert walks == [stranger, stranger] and cache.known_embedders(stranger) is None


def test_an_unloaded_model_takes_its_lookup_with_it(embedder, walks):
    cache = _cache(embedder)
    model = SimpleNamespace(id=5, path="unused")
    coder = cache.get(None, model, default=False)
    assert cache.cached_embedders(coder) == [embedder] and cache.known_embedders(coder) == [embedder]
    assert cache.unload_model(5) == 1
    assert cache.known_embedders(coder) is None
    reloaded = cache.get(None, model, default=False)
    assert reloaded is not coder and cache.known_embedders(reloaded) is None
    assert cache.cached_embedders(reloaded) == [embedder] and walks == [coder, reloaded]


def test_an_evicted_coder_takes_its_lookup_with_it(embedder):
    cache = CoderCache(factory=lambda codebook, model_dir: EmbeddingCoder(embedder), max_size=1)
    first = cache.get(None, SimpleNamespace(id=1, path="a"), default=False)
    cache.cached_embedders(first)
    second = cache.get(None, SimpleNamespace(id=2, path="b"), default=False)  # evicts the first
    assert cache.known_embedders(first) is None and cache.known_embedders(second) is None
    assert cache.cached_embedders(second) == [embedder] and cache.known_embedders(second) == [embedder]
    assert cache._embedders.keys() == {(None, 2)}
