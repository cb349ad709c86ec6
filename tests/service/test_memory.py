"""Allocator settings of the server process (issue 7)."""

from __future__ import annotations

import sys

import pytest

from service import memory
from service.settings import Settings


def test_settings_default_and_from_env(monkeypatch):
    s = Settings()
    assert s.malloc_arena_max == 2 and s.malloc_mmap_threshold == 256 * 1024
    monkeypatch.setenv("TEXTMINE_MALLOC_ARENA_MAX", "0")
    monkeypatch.setenv("TEXTMINE_MALLOC_MMAP_THRESHOLD", "131072")
    s = Settings.from_env()
    assert s.malloc_arena_max == 0 and s.malloc_mmap_threshold == 131072


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_tune_malloc_applies_and_respects_the_environment(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    if memory._libc() is None:
        pytest.skip("not glibc")
    assert memory.tune_malloc(2, 256 * 1024) == {"arena_max": 2, "mmap_threshold": 256 * 1024}
    assert memory.tune_malloc(0, None) == {}
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # the process was started with it: glibc already applied it
    assert memory.tune_malloc(2, None) == {}
    memory.release_memory()


def test_cleaner_cache_setting(monkeypatch):
    assert Settings().cleaner_cache_entries == 50_000
    monkeypatch.setenv("TEXTMINE_CLEANER_CACHE_ENTRIES", "1000")
    assert Settings.from_env().cleaner_cache_entries == 1000


def test_freeze_heap_keeps_long_lived_objects_out_of_later_collections(monkeypatch):
    import gc
    import time

    assert Settings().freeze_heap is True
    monkeypatch.setenv("TEXTMINE_FREEZE_HEAP", "0")
    assert Settings.from_env().freeze_heap is False
    long_lived = [[str(i), [i]] for i in range(100_000)]  # a lexicon's worth of (gc-tracked) containers
    try:
        t = time.perf_counter()
        gc.collect()
        walked = time.perf_counter() - t
        assert memory.freeze_heap() >= 2 * len(long_lived)
        t = time.perf_counter()
        gc.collect()
        frozen = time.perf_counter() - t
        assert frozen < walked / 3, (walked, frozen)  # the frozen objects are no longer walked
        cycle = []
        cycle.append(cycle)  # garbage made after the freeze is still collected
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
    del long_lived


def test_coder_cache_freezes_after_warm_up_only_when_asked():
    import gc

    from service.coders import CoderCache

    class Fake:
        def predict(self, texts):
            import pandas as pd

            return pd.DataFrame({"themes": [""] * len(texts)})

    try:
        gc.unfreeze()
        CoderCache(factory=lambda cb, model: Fake(), freeze=False).warm_up()
        assert gc.get_freeze_count() == 0
        cache = CoderCache(factory=lambda cb, model: Fake(), freeze=True)
        cache.warm_up()
        assert cache.ready.is_set() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
