"""Liveness and readiness (no key needed) and Prometheus metrics (a key of any role, unless
``TEXTMINE_METRICS_PUBLIC=true``)."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import func, select, text

from service.auth import Principal, metrics_access
from service.db.models import CodingJob, TrainingJob
from service.schemas import Health, JobState, Ready

router = APIRouter(tags=["health"])

#: seconds /metrics waits for ``select 1`` before it reports the database down (``textmine_database_up 0``)
DATABASE_PROBE_SECONDS = 2.0


def database_answers(db) -> bool:
    """True when ``select 1`` on the store succeeds (the check of /readyz and /metrics); never raises."""
    try:
        with db.session() as s:
            s.execute(text("select 1"))
    except Exception:
        return False
    return True


class DatabaseProbe:
    """:func:`database_answers` on one worker thread, waited on at most ``timeout`` seconds: a hanging database
    (connect timeout, a full pool) costs a scrape that long, and a check still running is waited on again by the
    next scrape instead of starting another, so a long outage holds one thread, not one per scrape."""

    def __init__(self, db, timeout: float = DATABASE_PROBE_SECONDS):
        self.db = db
        self.timeout = timeout
        self._executor: ThreadPoolExecutor | None = None  # made by the first check (again after close)
        self._lock = threading.Lock()
        self._pending: Future | None = None

    def up(self) -> bool:
        """Whether the database answered within the timeout; never raises."""
        try:
            with self._lock:
                if self._pending is None or self._pending.done():
                    if self._executor is None:
                        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="textmine-db-probe")
                    self._pending = self._executor.submit(database_answers, self.db)
                pending = self._pending
            return bool(pending.result(timeout=self.timeout))
        except Exception:  # still waiting for the database (TimeoutError)
            return False

    def close(self) -> None:
        """End the worker thread (at app shutdown; a check still running ends at the engine's connect or pool
        timeout). A later check starts a new one."""
        with self._lock:
            executor, self._executor, self._pending = self._executor, None, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


_PROBE_LOCK = threading.Lock()


def database_probe(app) -> DatabaseProbe:
    """The app's probe (``app.state.db_probe``, made by ``create_app``), made here for an app built without one."""
    probe = getattr(app.state, "db_probe", None)
    if probe is None:
        with _PROBE_LOCK:
            probe = getattr(app.state, "db_probe", None)
            if probe is None:
                probe = app.state.db_probe = DatabaseProbe(app.state.db)
    return probe


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, responses={503: {"model": Ready}})
def readyz(request: Request):
    """Ready when the database answers and the default coder is loaded and warmed up."""
    state = request.app.state
    db_ok = database_answers(state.db)
    loaded = state.coders.ready.is_set()
    body = Ready(ready=db_ok and loaded, model_loaded=loaded, database=db_ok,
                 detail=state.coders.warmup_error or (None if loaded else "warming up"),
                 default_model=_model_name(state.coders.default_model))
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


def _model_name(model_dir: str | Path | None) -> str:
    """The default model as /readyz (no key needed) names it: its folder's name ("default", "fast"), never its
    path on the server."""
    return Path(model_dir).name if model_dir is not None else "default"


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request, _: Principal | None = Depends(metrics_access)) -> PlainTextResponse:
    """Prometheus text exposition format. Needs an API key of any role (``Authorization: Bearer`` from
    Prometheus' ``authorization`` setting, or ``X-API-Key``): the series name routes, job states and cache use.
    ``TEXTMINE_METRICS_PUBLIC=true`` opens it for a scraper on a private network. ``textmine_database_up`` is 0
    when ``select 1`` did not succeed within the probe's timeout (the page is still a 200, without job counts)."""
    state = request.app.state
    probe = database_probe(request.app)
    db_up = probe.up()
    jobs = training = None  # None: the database did not answer, so no job series (not a false 0)
    try:
        if db_up:  # a database that did not answer in time is not asked again (another wait)
            with state.db.session() as s:
                jobs = s.execute(select(CodingJob.state, func.count()).group_by(CodingJob.state)).all()
                training = s.execute(select(TrainingJob.state, func.count()).group_by(TrainingJob.state)).all()
    except Exception:
        pass
    gauges = {
        "textmine_database_up": (f"1 when select 1 on the store succeeds within {probe.timeout:g} s.",
                                 [({}, 1 if db_up else 0)]),
        "textmine_model_ready": ("1 when the default coder is loaded.", [({}, 1 if state.coders.ready.is_set() else 0)]),
        "textmine_coding_jobs": ("Coding jobs by state.", _state_series(jobs)),
        "textmine_training_jobs": ("Training jobs by state.", _state_series(training)),
        "textmine_classify_cache": ("/classify result cache: texts answered from it (hit), coded (miss), held (entries); "
                                    "hit and miss also as the counters textmine_classify_cache_*_total.",
                                    [({"kind": "hit"}, state.results.hits), ({"kind": "miss"}, state.results.misses),
                                     ({"kind": "entries"}, len(state.results))]),
    }
    counters = {  # the same counts as counters, so that rate() and counter resets (a restart) work in Prometheus
        "textmine_classify_cache_hits_total": ("/classify texts answered from the result cache.",
                                               [({}, state.results.hits)]),
        "textmine_classify_cache_misses_total": ("/classify texts coded (not in the result cache).",
                                                 [({}, state.results.misses)]),
    }
    return PlainTextResponse(state.metrics.render(gauges, counters), media_type="text/plain; version=0.0.4")


def _state_series(rows) -> list[tuple[dict[str, str], int]]:
    """(state, count) rows as gauge samples: every known job state, 0 included (a series that vanishes when its last
    job moves on reads as "no data" to an alert, not as 0), then any other state found; none when ``rows`` is None
    (the database did not answer)."""
    if rows is None:
        return []
    counts = {str(st): int(n) for st, n in rows}
    known = get_args(JobState)
    return [({"state": st}, counts.get(st, 0)) for st in (*known, *sorted(set(counts) - set(known)))]
