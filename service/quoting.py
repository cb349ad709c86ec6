"""The service's one quote embedder choice: ``GET /waves/{id}/themes/{theme}/quotes``, the report's quotes
(``GET /waves/{id}/report``, the web page, ``textmine store report``) and ``textmine store quotes`` all pick
quotes with :func:`quote_embedder`, so the same store and coding job give the same quotes everywhere."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from textmine import quotes as quotes_lib

#: seconds a quote embedder resolved after a failed load (the default coder's, or e5: the lexical fallback stands
#: in) is kept before the load is tried again: a model that comes back later is used, and the quotes requests
#: meanwhile use the fallback without each retrying the (seconds-long) load
RETRY_AFTER_SECONDS = 60.0
#: the specs that ask for the lexical fallback itself (never a failed load)
FALLBACK_SPECS = ("fallback", "lexical-fallback", "lexical")

log = logging.getLogger("textmine.service")


def _now() -> float:
    return time.monotonic()


def quote_embedder(app) -> Any:
    """The app's quote embedder (:func:`resolve_quote_embedder` on ``app.state.settings`` and ``app.state.coders``),
    resolved once and shared by the requests. Resolved per request, every quotes request loaded its own copy of
    the e5 model (about 0.5 GB at its peak; ten requests at once took the server to 4 GB). ``app`` may be a
    stand-in without coders (``service.listing.no_server``, the CLI): the default coder is then loaded here.
    A fallback resolved because a load failed is kept for :data:`RETRY_AFTER_SECONDS` only: the first request
    after that resolves it again (one request, under the lock; the others meanwhile keep the fallback)."""
    state = app.state.__dict__
    if "_quote_embedder" in state and not _retry_due(state):
        return state["_quote_embedder"]
    lock = state.setdefault("_quote_embedder_lock", threading.Lock())
    if "_quote_embedder" in state:  # a retry is due: one request retries, the others use the fallback meanwhile
        if not lock.acquire(blocking=False):
            return state["_quote_embedder"]
    else:
        lock.acquire()
    try:
        if "_quote_embedder" not in state or _retry_due(state):
            embedder, failed = _resolve(getattr(app.state, "settings", None), getattr(app.state, "coders", None))
            was_failed = state.get("_quote_embedder_retry_at") is not None
            if failed:  # an operator can tell the quotes use the lexical fallback, and when they stop doing so
                log.warning("quote embedder: the model could not be loaded; quotes use the lexical fallback "
                            "(retried in %.0f s)", RETRY_AFTER_SECONDS)
            elif was_failed:
                log.info("quote embedder: the model loaded on retry; quotes use it again")
            state["_quote_embedder"] = embedder
            state["_quote_embedder_retry_at"] = _now() + RETRY_AFTER_SECONDS if failed else None
        return state["_quote_embedder"]
    finally:
        lock.release()


def _retry_due(state: dict) -> bool:
    """Whether the app's quote embedder came from a failed load whose retry time has come."""
    retry_at = state.get("_quote_embedder_retry_at")
    return retry_at is not None and _now() >= retry_at


def resolve_quote_embedder(settings: Any, coders: Any = None) -> Any:
    """``settings.quote_embedder`` when set (e.g. "fallback"); else, the default, the embedder of the default coder
    (``coders.default()``; without ``coders`` one is made from the settings), which a server has loaded anyway (a
    second e5 model beside the coder's took the server from 1.40 to 1.91 GB); else (no default coder, or one
    without an embedder) :func:`textmine.quotes.resolve_embedder`'s default."""
    return _resolve(settings, coders)[0]


def _resolve(settings: Any, coders: Any = None) -> tuple[Any, bool]:
    """:func:`resolve_quote_embedder`, and whether a load failed on the way (the default coder could not be loaded,
    or the lexical fallback stands in for an embedder that could not be built): such a choice is retried later."""
    spec = getattr(settings, "quote_embedder", None)
    if spec is not None:
        embedder = quotes_lib.resolve_embedder(spec)
        return embedder, spec not in FALLBACK_SPECS and _is_fallback(embedder)
    shared, failed = _default_coder_embedder(coders if coders is not None else _coders_from(settings))
    if shared is not None:
        return shared, False
    embedder = quotes_lib.resolve_embedder(None)
    return embedder, failed or _is_fallback(embedder)


def _is_fallback(embedder: Any) -> bool:
    return isinstance(embedder, quotes_lib.LexicalFallbackEmbedder)


def default_coder_embedder(coders: Any) -> Any:
    """The default coder's embedder (anything with ``encode``), or None when there is none to share."""
    return _default_coder_embedder(coders)[0]


def _default_coder_embedder(coders: Any) -> tuple[Any, bool]:
    """:func:`default_coder_embedder`, and whether loading the default coder failed."""
    if coders is None:
        return None, False
    try:
        coder = coders.default()
    except Exception:  # noqa: BLE001 - no default coder: the quotes resolve their own embedder
        return None, True
    embedder = getattr(coder, "embedder", None)
    return (embedder if callable(getattr(embedder, "encode", None)) else None), False


def _coders_from(settings: Any) -> Any:
    """A coder cache as the server makes it from ``settings`` (its default coder only is asked for); None when the
    settings name a default model that cannot be used (then no coder's embedder is shared)."""
    from service.coders import CoderCache

    try:
        return CoderCache(factory=getattr(settings, "coder_factory", None),
                          default_model=getattr(settings, "default_model", None))
    except ValueError:
        return None
