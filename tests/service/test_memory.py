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
