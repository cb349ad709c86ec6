"""An explicit cache of loaded coders (one per codebook/model), shared by /classify and coding jobs, and
:func:`memory_only_embedders`: the embedding caches /classify keeps in memory while it codes (found once per loaded
coder and kept with it, :meth:`CoderCache.cached_embedders`)."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Sequence

from service import library
from service.db.models import Codebook, TrainedModel
from service.memory import freeze_heap, release_memory
from service.modelpaths import default_models_dir, model_folder

log = logging.getLogger("textmine.service")


class CoderCache:
    """Loads coders lazily and keeps them; the default coder is warmed up in the background at startup."""

    def __init__(self, factory=None, max_size: int = 8, cleaner_cache_entries: int | None = None,
                 default_model=None, freeze: bool = False, models_dir=None):
        self.factory = factory
        self.models_dir = models_dir  # trained models' folder (relative model paths); None: as the settings give it
        self.freeze = bool(freeze)  # freeze the loaded heap after warm-up (see service.memory.freeze_heap)
        self.default_model = library.check_default_model(default_model)  # fail at startup, not at first request
        self.cleaner_cache_entries = cleaner_cache_entries
        self.max_size = max_size
        self._coders: dict[tuple, Any] = {}
        self._lock = threading.Lock()  # guards the loaded coders: held for lookups only, never while loading
        self._load_lock = threading.Lock()  # one load at a time
        self.ready = threading.Event()
        self.warmup_error: str | None = None
        self.warmup_seconds: float | None = None
        self._default_identity: str | None = None  # of the loaded default coder (library.default_model_identity)
        self._embedders: dict[tuple, list[Any]] = {}  # by the key of a loaded coder: its caching embedders, once found

    def get(self, codebook: Codebook | None, model: TrainedModel | None, default: bool) -> Any:
        """The coder for a stored codebook (+ optional trained model); ``default`` = bundled default coder.
        A loaded coder is handed out without waiting for a load in progress (the event loop asks for the default
        coder); loads run one at a time, outside the lock that guards the loaded coders."""
        key = ("default",) if (default and model is None) else (codebook.id if codebook else None,
                                                                  model.id if model else None)
        with self._lock:
            coder = self._coders.get(key)
        if coder is not None:
            return coder
        with self._load_lock:
            with self._lock:
                coder = self._coders.get(key)
            if coder is not None:
                return coder  # loaded by the thread this one waited for
            identity = None
            if key == ("default",):
                # identified as the coder is loaded: a model rebuilt later is neither loaded nor identified
                identity = library.default_model_identity(self.default_model)
                coder = library.make_coder(None, None, factory=self.factory, default_model=self.default_model)
            else:
                cb = library.codebook_from_dict(codebook.content) if codebook is not None else None
                coder = library.make_coder(cb, str(self.model_folder(model)) if model else None, factory=self.factory)
            with self._lock:
                if identity is not None:
                    self._default_identity = identity
                if len(self._coders) >= self.max_size:
                    self._drop(next(k for k in self._coders if k != ("default",)))
                self._coders[key] = coder
            return coder

    def model_folder(self, model: TrainedModel) -> Path:
        """Where trained ``model``'s files lie (:func:`service.modelpaths.model_folder`; ``ModelPathError`` for a
        stored path leading outside the models folder)."""
        return model_folder(model.path, self.models_dir if self.models_dir is not None else default_models_dir())

    def unload_model(self, model_id: int) -> int:
        """Drop the loaded coders of trained model ``model_id`` (deleted: not to be used again); how many. Waits for
        a load in progress, which may be of that model."""
        with self._load_lock, self._lock:
            keys = [k for k in self._coders if len(k) == 2 and k[1] == model_id]
            for key in keys:
                self._drop(key)
        return len(keys)

    def _drop(self, key: tuple) -> None:
        """Forget the loaded coder ``key`` and its embedders (the caller holds the lock)."""
        del self._coders[key]
        self._embedders.pop(key, None)

    def cached_embedders(self, coder: Any) -> list[Any]:
        """The caching embedders (``textmine.embed.CachedEmbedder``) ``coder`` encodes with: its own (built first
        when still lazy, as its first prediction would) and those of its nested coders (a supervised coder's
        zero-shot prior and first stage); none for coders without one (test doubles, ``e5-static``). Found by a walk
        of the coder's objects once per coder this cache holds (:meth:`known_embedders`); walked again while a
        nested coder's embedder is still unbuilt (a later prediction may build it), and on every call for a coder
        the cache no longer holds (not kept)."""
        known = self.known_embedders(coder)
        if known is not None:
            return known
        found, complete = _find_embedders(coder)
        if complete:
            with self._lock:
                key = self._key_of(coder)
                if key is not None:
                    self._embedders.setdefault(key, found)
        return list(found)

    def known_embedders(self, coder: Any) -> list[Any] | None:
        """What :meth:`cached_embedders` found for ``coder`` (no walk, no loading); None when it has not yet."""
        with self._lock:
            found = self._embedders.get(self._key_of(coder))
        return list(found) if found is not None else None

    def _key_of(self, coder: Any) -> tuple | None:
        """The key under which this cache holds ``coder`` (the very object), None when it holds it not (the caller
        holds the lock)."""
        return next((k for k, c in self._coders.items() if c is coder), None)

    @property
    def default_identity(self) -> str:
        """The identity of the default model this cache codes with (see :func:`library.default_model_identity`):
        that of the loaded default coder, else of the configured model as it is on disk now."""
        with self._lock:
            known = self._default_identity
        if known is not None:
            return known
        identity = library.default_model_identity(self.default_model)  # hashes files: not under the lookup lock
        with self._lock:
            if self._default_identity is None:
                self._default_identity = identity
            return self._default_identity

    @property
    def default_model_label(self) -> str:
        """The default model as /readyz names it."""
        return str(self.default_model) if self.default_model is not None else "models/default"

    def default(self) -> Any:
        return self.get(None, None, default=True)

    def warm_up(self) -> None:
        """Load the default coder and run one prediction (compiles numba, loads ONNX sessions), and with the
        library's coders the language detectors; then ready."""
        start = time.perf_counter()
        try:
            coder = self.default()
            library.predict(coder, ["Vi får ikke svar på telefon og ventetiden er lang.", ""])
            if self.factory is None:  # the library coder loaded the shared Cleaner resources: bound their caches
                library.limit_cleaner_caches(self.cleaner_cache_entries)
                # language detection for uploads, before ready: loading lingua's models holds the GIL (the server
                # answered nothing, /healthz included, for up to 20 s when this ran after ready on a busy host)
                self._warm_language_detection()
            release_memory()  # hand the heap freed while loading back to the OS
            if self.freeze:
                log.info("froze %d long-lived objects", freeze_heap())
            self.warmup_seconds = round(time.perf_counter() - start, 2)
            self.ready.set()
            log.info("default coder ready after %.1f s", self.warmup_seconds)
        except Exception as exc:  # reported by /readyz
            self.warmup_error = f"{type(exc).__name__}"
            log.error("coder warm-up failed: %s", type(exc).__name__)

    @staticmethod
    def _warm_language_detection() -> None:
        """Load the language detectors; a failure is logged, not fatal: coding does not detect languages, and an
        upload loads them again (and reports its own error)."""
        try:
            library.warm_language_detection()
        except Exception as exc:  # noqa: BLE001 - e.g. MemoryError, missing model files
            log.error("language detection could not be loaded at start-up (%s); uploads will load it again",
                      type(exc).__name__)

    def start_warm_up(self) -> threading.Thread:
        thread = threading.Thread(target=self.warm_up, name="coder-warmup", daemon=True)
        thread.start()
        return thread


def _find_embedders(coder: Any) -> tuple[list[Any], bool]:
    """The walk behind :meth:`CoderCache.cached_embedders`; and whether it was complete (no lazy embedder left
    unbuilt)."""
    from textmine.embed.cache import CachedEmbedder

    getattr(coder, "embedder", None)  # a lazy embedder is built now, so that it is found
    found: dict[int, Any] = {}
    seen: set[int] = set()
    complete = True
    todo = [coder]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or not hasattr(obj, "__dict__"):
            continue
        seen.add(id(obj))
        attrs = vars(obj)
        if "_embedder" in attrs and attrs["_embedder"] is None:  # a nested coder's, built at its first use
            complete = False
        for value in attrs.values():
            if isinstance(value, CachedEmbedder):
                found[id(value)] = value
            elif type(value).__module__.startswith("textmine.classify"):
                todo.append(value)
    return list(found.values()), complete


def memory_only_embedders(embedders: Sequence[Any]) -> ExitStack:
    """Every embedder of ``embedders`` in ``memory_only`` mode in the current context until the returned stack is
    closed (in that context): what they encode meanwhile there, and in the threads it hands work to (a /classify
    request's texts), stays in memory, never in the embedding cache on disk, which an erasure could not clean (no
    respondent owns those texts). Coding jobs encoding at the same moment in other threads persist as usual."""
    stack = ExitStack()
    try:
        for embedder in embedders:
            stack.enter_context(embedder.memory_only())
    except BaseException:
        stack.close()
        raise
    return stack
