"""A bound on the heavy read computations (summaries, quotes, reports) running at once in one server process.

Sync endpoints run in a pool of 40 threads: 60 summary requests at once on 2 cores computed 40 summaries side by
side, each with its own frames in memory (peak RSS 1.78 GB with the default model, over the 1.5 GB target) and
none faster. :func:`heavy_slot` lets ``TEXTMINE_HEAVY_CONCURRENCY`` of them compute at once (default: the CPUs
this process may use); the others wait on the event loop, holding neither a worker thread nor a database
connection, for at most ``TEXTMINE_HEAVY_WAIT_SECONDS`` (default 120), then get 503 ``busy`` with ``Retry-After``.
``create_app`` reads both at start (:func:`limit_from_env`): a bad value stops the server there, not at the
first summary.

Usage in a router whose routes use ``route_class=BusyAwareRoute`` (the answer then carries ``Retry-After``)::

    def x(_: Principal = Depends(require_reader), _slot: None = Depends(heavy_slot, scope="function"),
          session: Session = Depends(get_session, scope="function")): ...

Declare the slot after the role check (an unauthenticated caller never waits for one) and before the session.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from typing import AsyncIterator

from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from service.errors import ApiError, error_body

CONCURRENCY_ENV = "TEXTMINE_HEAVY_CONCURRENCY"
WAIT_ENV = "TEXTMINE_HEAVY_WAIT_SECONDS"
#: long enough for a burst the server used to finish (60 mixed summaries, quotes and reports at once: 73–106 s on
#: 2 shared cores) to finish now too, each request holding only a coroutine while it waits
DEFAULT_WAIT_SECONDS = 120.0
#: seconds a client refused with 503 ``busy`` is asked to wait before trying again
RETRY_AFTER = 5
#: seconds between two tries of a waiting request (on the event loop, no thread held)
POLL_SECONDS = 0.05


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _env_number(name: str, default: float, low: float, whole: bool) -> float:
    """The variable ``name`` as a number of at least ``low`` (``whole``: an integer), ``default`` when unset; else a
    ValueError naming the variable, what is expected and the value (as settings.py words a bad setting)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        number = float("nan")
    if not math.isfinite(number) or (whole and not number.is_integer()) or number < low:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name} must be {kind} of at least {low:g}, got {raw[:20]!r}")
    return number


def heavy_concurrency() -> int:
    """``TEXTMINE_HEAVY_CONCURRENCY`` (at least 1), else the CPU count."""
    return int(_env_number(CONCURRENCY_ENV, cpu_count(), 1, whole=True))


def heavy_wait_seconds() -> float:
    """``TEXTMINE_HEAVY_WAIT_SECONDS`` (0 = refuse at once when every slot is taken), else 120."""
    return _env_number(WAIT_ENV, DEFAULT_WAIT_SECONDS, 0, whole=False)


class Busy(ApiError):
    """Every heavy slot stayed taken for the whole wait: 503 ``busy`` with ``Retry-After``."""

    def __init__(self, slots: int, waited: float):
        super().__init__(503, "busy", f"the server is computing {slots} summaries or reports already; try again in "
                         f"{RETRY_AFTER} seconds", {"retry_after": RETRY_AFTER, "waited_seconds": round(waited, 1)})
        self.headers = {"Retry-After": str(RETRY_AFTER)}


class HeavyLimit:
    """At most ``slots`` holders at once; :meth:`acquire` waits up to ``wait_seconds`` without blocking the loop."""

    def __init__(self, slots: int, wait_seconds: float):
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._sem = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.waiting = 0  # requests waiting for a slot now (tests and diagnostics)

    async def acquire(self) -> None:
        """Take a slot, waiting (polling every :data:`POLL_SECONDS`) at most ``wait_seconds``; else :class:`Busy`."""
        if self._sem.acquire(blocking=False):
            return
        start = time.monotonic()
        self._count(+1)
        try:
            while time.monotonic() - start < self.wait_seconds:
                await asyncio.sleep(POLL_SECONDS)
                if self._sem.acquire(blocking=False):
                    return
        finally:
            self._count(-1)
        raise Busy(self.slots, time.monotonic() - start)

    def release(self) -> None:
        self._sem.release()

    def _count(self, step: int) -> None:
        with self._lock:
            self.waiting += step


def limit_from_env() -> HeavyLimit:
    """A :class:`HeavyLimit` from ``TEXTMINE_HEAVY_CONCURRENCY`` and ``TEXTMINE_HEAVY_WAIT_SECONDS``; a bad value
    fails here (ValueError naming the variable): ``create_app`` makes it at start, as ``app.state.heavy_limit``."""
    return HeavyLimit(heavy_concurrency(), heavy_wait_seconds())


_LAZY_LOCK = threading.Lock()


def heavy_limit(app) -> HeavyLimit:
    """The app's :class:`HeavyLimit` (``app.state.heavy_limit``, one per app, shared by its routes); an app built
    without one (not by ``create_app``) gets one made from the environment on first use."""
    limit = getattr(app.state, "heavy_limit", None)
    if limit is None:
        with _LAZY_LOCK:
            limit = getattr(app.state, "heavy_limit", None)
            if limit is None:
                limit = app.state.heavy_limit = limit_from_env()
    return limit


async def heavy_slot(request: Request) -> AsyncIterator[None]:
    """FastAPI dependency: hold one of the app's heavy slots while the endpoint runs (``scope="function"``)."""
    limit = heavy_limit(request.app)
    await limit.acquire()
    try:
        yield
    finally:
        limit.release()


def busy_response(exc: Busy) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status, headers=exc.headers)


class BusyAwareRoute(APIRoute):
    """A route answering :class:`Busy` with its ``Retry-After`` header (the app's ApiError handler sends none)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route_handler(request: Request):
            try:
                return await handler(request)
            except Busy as exc:
                return busy_response(exc)

        return route_handler


def end_read_transaction(session: Session) -> None:
    """End ``session``'s transaction before a long computation on what it read, so that its database connection
    goes back to the pool instead of staying "idle in transaction" (the service's sessions keep loaded objects:
    ``expire_on_commit=False``). For read paths only: what the transaction flushed is committed; a session with
    unflushed changes is left as it is."""
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.commit()
