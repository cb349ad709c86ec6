"""The service's one quote embedder choice: ``GET /waves/{id}/themes/{theme}/quotes``, the report's quotes
(``GET /waves/{id}/report``, the web page, ``textmine store report``) and ``textmine store quotes`` all pick
quotes with :func:`quote_embedder`, so the same store and coding job give the same quotes everywhere."""

from __future__ import annotations

import threading
from typing import Any

from textmine import quotes as quotes_lib


def quote_embedder(app) -> Any:
    """The app's quote embedder (:func:`resolve_quote_embedder` on ``app.state.settings`` and ``app.state.coders``),
    resolved once and shared by the requests. Resolved per request, every quotes request loaded its own copy of
    the e5 model (about 0.5 GB at its peak; ten requests at once took the server to 4 GB). ``app`` may be a
    stand-in without coders (``service.listing.no_server``, the CLI): the default coder is then loaded here."""
    state = app.state.__dict__
    if "_quote_embedder" not in state:
        with state.setdefault("_quote_embedder_lock", threading.Lock()):
            if "_quote_embedder" not in state:
                state["_quote_embedder"] = resolve_quote_embedder(getattr(app.state, "settings", None),
                                                                  getattr(app.state, "coders", None))
    return state["_quote_embedder"]


def resolve_quote_embedder(settings: Any, coders: Any = None) -> Any:
    """``settings.quote_embedder`` when set (e.g. "fallback"); else, the default, the embedder of the default coder
    (``coders.default()``; without ``coders`` one is made from the settings), which a server has loaded anyway (a
    second e5 model beside the coder's took the server from 1.40 to 1.91 GB); else (no default coder, or one
    without an embedder) :func:`textmine.quotes.resolve_embedder`'s default."""
    spec = getattr(settings, "quote_embedder", None)
    if spec is not None:
        return quotes_lib.resolve_embedder(spec)
    shared = default_coder_embedder(coders if coders is not None else _coders_from(settings))
    return shared if shared is not None else quotes_lib.resolve_embedder(None)


def default_coder_embedder(coders: Any) -> Any:
    """The default coder's embedder (anything with ``encode``), or None when there is none to share."""
    if coders is None:
        return None
    try:
        coder = coders.default()
    except Exception:  # noqa: BLE001 - no default coder: the quotes resolve their own embedder
        return None
    embedder = getattr(coder, "embedder", None)
    return embedder if callable(getattr(embedder, "encode", None)) else None


def _coders_from(settings: Any) -> Any:
    """A coder cache as the server makes it from ``settings`` (its default coder only is asked for); None when the
    settings name a default model that cannot be used (then no coder's embedder is shared)."""
    from service.coders import CoderCache

    try:
        return CoderCache(factory=getattr(settings, "coder_factory", None),
                          default_model=getattr(settings, "default_model", None))
    except ValueError:
        return None
