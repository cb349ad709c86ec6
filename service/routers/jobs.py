"""Asynchronous coding jobs: start (idempotent), progress, cancel."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import store
from service.auth import Principal, get_session, require_analyst, require_reader
from service.db.models import CodingJob
from service.schemas import MAX_ID, IdPath, JobIn, JobOut, JobState, Limit, Offset, Page

router = APIRouter(tags=["jobs"])


@router.post("/waves/{wave_id}/coding-jobs", response_model=JobOut, status_code=202,
             responses={200: {"model": JobOut, "description": "an identical job exists (idempotent)"}})
def start_coding_job(wave_id: IdPath, request: Request, body: JobIn = Body(default_factory=JobIn),
                     session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_analyst)):
    """Code every free-text response of a wave in the background. The same wave + codebook + model returns the
    existing job (queued, running or done) unless ``force`` is true or the job used another default model than
    the server's current one; an existing *queued* job (e.g. left by an interrupted ``textmine store code``) is
    (re)started here. ``Location``: ``/jobs/{id}`` (either answer). A forced job cancels the active one it
    replaces, whose ``superseded_by`` and ``error`` then name the new job."""
    job, created = store.start_job(session, wave_id, body.codebook_id, body.model_id, body.force,
                                   default_identity=request.app.state.coders.default_identity)
    session.commit()
    if created or job.state == "queued":  # a second submit of a job already queued here finds it done: no-op
        request.app.state.jobs.submit(job.id)
    out = JobOut(**store.job_view(job), created=created)
    location = {"Location": f"/jobs/{job.id}"}
    return JSONResponse(out.model_dump(mode="json"), status_code=202 if created else 200, headers=location)


@router.get("/jobs", response_model=Page[JobOut])
def list_jobs(request: Request, wave_id: int | None = Query(None, ge=1, le=MAX_ID), state: JobState | None = Query(None),
              limit: Limit = 50, offset: Offset = 0,
              session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    stmt = select(CodingJob).order_by(CodingJob.id.desc())
    if wave_id is not None:
        stmt = stmt.where(CodingJob.wave_id == wave_id)
    if state is not None:
        stmt = stmt.where(CodingJob.state == state)
    rows, total = store.page(session, stmt, limit, offset)
    return Page[JobOut](items=[JobOut(**_view(request, j)) for j in rows], total=total, limit=limit, offset=offset)


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: IdPath, request: Request, session: Session = Depends(get_session, scope="function"),
            _: Principal = Depends(require_reader)):
    """Progress: state, done/total and an ETA in seconds (at the recent rate of the server's worker: an
    exponentially weighted average over the latest chunks; else the job's average rate so far)."""
    return JobOut(**_view(request, store.get_or_404(session, CodingJob, job_id, "job")))


def _view(request: Request, job: CodingJob) -> dict:
    runner = getattr(request.app.state, "jobs", None)
    rates = getattr(runner, "rates", None)
    return store.job_view(job, rates.seconds_per_item(job.id) if rates is not None else None)


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel_job(job_id: IdPath, session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_analyst)):
    """Cancel a queued or running job (finished chunks stay stored; a finished job is left as it is)."""
    return JobOut(**store.job_view(store.cancel_job(session, job_id)))
