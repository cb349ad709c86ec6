"""Liveness and readiness (no key needed) and Prometheus metrics (a key of any role, unless
``TEXTMINE_METRICS_PUBLIC=true``)."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import func, select, text

from service.auth import Principal, metrics_access
from service.db.models import CodingJob
from service.schemas import Health, JobState, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, responses={503: {"model": Ready}})
def readyz(request: Request):
    """Ready when the database answers and the default coder is loaded and warmed up."""
    state = request.app.state
    db_ok = True
    try:
        with state.db.session() as s:
            s.execute(text("select 1"))
    except Exception:
        db_ok = False
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
    ``TEXTMINE_METRICS_PUBLIC=true`` opens it for a scraper on a private network."""
    state = request.app.state
    jobs = None  # None: the database did not answer, so no job series (not a false 0)
    try:
        with state.db.session() as s:
            jobs = s.execute(select(CodingJob.state, func.count()).group_by(CodingJob.state)).all()
    except Exception:
        pass
    job_series = []
    if jobs is not None:  # every state, 0 included: a series that vanishes when its last job moves on reads as
        counts = {str(st): int(n) for st, n in jobs}  # "no data" to an alert, not as 0
        known = get_args(JobState)
        job_series = [({"state": st}, counts.get(st, 0)) for st in (*known, *sorted(set(counts) - set(known)))]
    gauges = {
        "textmine_model_ready": ("1 when the default coder is loaded.", [({}, 1 if state.coders.ready.is_set() else 0)]),
        "textmine_coding_jobs": ("Coding jobs by state.", job_series),
        "textmine_classify_cache": ("/classify result cache: texts answered from it (hit), coded (miss), held.",
                                    [({"kind": "hit"}, state.results.hits), ({"kind": "miss"}, state.results.misses),
                                     ({"kind": "entries"}, len(state.results))]),
    }
    return PlainTextResponse(state.metrics.render(gauges), media_type="text/plain; version=0.0.4")
