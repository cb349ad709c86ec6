"""Allocator settings for the long-running server process (glibc only; a no-op elsewhere).

Measured with ``bench/bench_api.py`` (default model, 20 concurrent /classify clients, 2 cores):

* ``M_ARENA_MAX = 2``: every thread that allocates (uvicorn's thread pool, the coder thread, lingua's and
  onnxruntime's worker threads) otherwise gets its own malloc arena (up to 8 per core), and freed memory
  stays spread over them; two arenas cut the peak by ~100 MB;
* a fixed ``M_MMAP_THRESHOLD`` (256 KiB): glibc raises the threshold dynamically up to 32 MiB after big
  blocks are freed, after which large temporary buffers come from the heap and fragment it; a fixed
  threshold keeps them mmap-ed and returned on free;
* :func:`release_memory` after the model is loaded: ``gc.collect()`` + ``malloc_trim(0)`` hands the heap
  freed while loading back to the OS;
* :func:`freeze_heap` after that: the ~200,000 container objects of the model, lexicons and word lists live as
  long as the process, and a full garbage collection walked all of them (≈ 120 ms with the GIL held, every few
  hundred requests under load); frozen, they are skipped (a full collection then takes < 1 ms).

Variables the process was started with (``MALLOC_ARENA_MAX``, ``MALLOC_MMAP_THRESHOLD_``) win.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import sys

log = logging.getLogger("textmine.service")

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

_LIBC = None


def _libc():
    global _LIBC
    if _LIBC is None:
        if not sys.platform.startswith("linux"):
            _LIBC = False
        else:
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                _LIBC = libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else False
            except OSError:
                _LIBC = False
    return _LIBC or None


def tune_malloc(arena_max: int | None = 2, mmap_threshold: int | None = 256 * 1024) -> dict[str, int]:
    """Apply the settings (None or 0 = leave glibc's default); returns what was set."""
    libc = _libc()
    done: dict[str, int] = {}
    if libc is None:
        return done
    if arena_max and "MALLOC_ARENA_MAX" not in os.environ and libc.mallopt(M_ARENA_MAX, int(arena_max)) == 1:
        done["arena_max"] = int(arena_max)
    if (mmap_threshold and "MALLOC_MMAP_THRESHOLD_" not in os.environ
            and libc.mallopt(M_MMAP_THRESHOLD, int(mmap_threshold)) == 1):
        done["mmap_threshold"] = int(mmap_threshold)
    if done:
        log.debug("malloc settings %s", done)
    return done


def release_memory() -> None:
    """Collect garbage and return free heap pages to the OS (after loading models)."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def freeze_heap() -> int:
    """Collect garbage, then move every object still alive (the loaded model and lexicons) to the collector's
    permanent generation, so later collections do not walk them; returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
