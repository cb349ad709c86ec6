"""Summaries, quotes, the review queue, human corrections and model training (background training jobs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import store
from service.auth import Principal, get_session, require_analyst, require_reader
from service.db.models import Correction
from service.db.models import Response as ResponseRow
from service.db.models import TrainedModel, TrainingJob
from service.deps import get_settings
from service.limits import BusyAwareRoute, heavy_slot
from service.quoting import quote_embedder  # the one quote embedder choice (also the report's and the CLI's)
from service.schemas import (MAX_ID, CorrectionIn, CorrectionOut, CorrectionsRemoved, ErrorBody, IdPath, JobState,
                             Limit, ModelIn, ModelOut, Offset, Page, QuotesOut, ReviewItem, TrainingJobOut,
                             WaveSummaryOut)
from service.settings import Settings
from textmine.summary import HIDDEN_ROW_KEEPS  # the columns a hidden row keeps, as in the CLI's files

router = APIRouter(tags=["results"], route_class=BusyAwareRoute)  # 503 busy answers carry Retry-After


def blank_hidden_rows(summary: dict[str, Any]) -> dict[str, Any]:
    """Null every number of the rows the summary hides (primary or secondary suppression, in ``flag`` mode too):
    a reader sees that the cell is hidden, never its share, CI, count or base (``value`` is the segment level)."""
    for rows in (summary.get("tables") or {}).values():
        for row in rows:
            if row.get("suppressed"):
                row.update({k: None for k in row if k not in HIDDEN_ROW_KEEPS})
    return summary


#: the heavy routes' extra answer: every slot taken for the whole wait (service.limits)
BUSY = {503: {"model": ErrorBody, "description": "busy: too many summaries or reports computing; see Retry-After"}}


@router.get("/waves/{wave_id}/summary", response_model=WaveSummaryOut, responses=BUSY)
def wave_summary(wave_id: IdPath, compare_wave_id: int | None = Query(None, ge=1, le=MAX_ID, description="earlier wave to compare"),
                 job_id: int | None = Query(None, ge=1, le=MAX_ID, description="coding job (default: the latest finished)"),
                 compare_job_id: int | None = Query(None, ge=1, le=MAX_ID, description="coding job of the compare "
                                                    "wave (default: its latest finished one by the same codebook and "
                                                    "model)"),
                 _: Principal = Depends(require_reader), _slot: None = Depends(heavy_slot, scope="function"),
                 session: Session = Depends(get_session, scope="function"), settings: Settings = Depends(get_settings)):
    """Themed counts beside the structured indicators, by segment, weighted, with CIs, suppression and change.
    Themes are compared only between codings with the same codebook and model (409 ``codebook_mismatch`` /
    ``model_mismatch`` otherwise); a wave without a finished coding job is named in ``summary.warnings``.
    A hidden (suppressed) row carries only what it is and its flags: its numbers, CIs and base are null. A level
    of a segment without declared levels that fewer than ``min_cell`` respondents hold is shown as "(liten
    gruppe)" (numbered when there are several), never by its own value. At most ``TEXTMINE_HEAVY_CONCURRENCY``
    summaries, quotes and reports are computed at once; a request waits for a slot at most
    ``TEXTMINE_HEAVY_WAIT_SECONDS``, then gets 503 ``busy`` with ``Retry-After``."""
    body = store.wave_summary(session, wave_id, compare_wave_id, job_id, compare_job_id,
                              min_cell_floor=settings.min_cell_floor)
    blank_hidden_rows(body["summary"])
    return body


@router.get("/waves/{wave_id}/themes/{theme}/quotes", response_model=QuotesOut, responses=BUSY)
def theme_quotes(request: Request, wave_id: IdPath, theme: str = Path(max_length=100), n: int = Query(5, ge=3, le=6),
                 job_id: int | None = Query(None, ge=1, le=MAX_ID, description="coding job (default: the latest finished)"),
                 _: Principal = Depends(require_reader), _slot: None = Depends(heavy_slot, scope="function"),
                 session: Session = Depends(get_session, scope="function")):
    """3–6 redacted, attributed, diverse quotes for a theme from the wave's latest finished coding job (or
    ``job_id``), by the summary's rules: comments flagged as health information are never quoted, nor anyone in a
    theme × segment cell below the survey's ``min_cell``; attributions name only segment combinations with at
    least ``min_cell`` respondents. Bounded as the summary (503 ``busy`` after the wait). Picked with the embedder
    ``textmine store quotes`` and the report use (:func:`service.quoting.quote_embedder`: the ``quote_embedder``
    setting, by default the default coder's embedder), so the same job gives the same quotes there. The report
    quotes a comment under one theme of a question only: a theme whose comments an earlier theme (codebook order)
    quoted shows others there."""
    settings = request.app.state.settings
    return store.theme_quotes(session, wave_id, theme, n, embedder=quote_embedder(request.app), job_id=job_id,
                              names_cache=quote_names_cache(request.app), min_cell_floor=settings.min_cell_floor)


def quote_names_cache(app) -> store.PageNamesCache:
    """The app's cache of the pages' neutral level names for quote attributions (made on first use; kept until the
    codes change, see :func:`service.store.page_level_names`)."""
    return app.state.__dict__.setdefault("_quote_names_cache", store.PageNamesCache())


@router.get("/review-queue", response_model=Page[ReviewItem])
def review_queue(wave_id: int | None = Query(None, ge=1, le=MAX_ID), limit: Limit = 50,
                 offset: Offset = 0, session: Session = Depends(get_session, scope="function"),
                 _: Principal = Depends(require_analyst)):
    """Uncertain codes (needs_review) not yet corrected, ranked by the value of a label: least confident first, raised
    for themes with few corrections so far (stored, or earlier in the queue), near-duplicate texts behind the
    distinct ones (``reason`` says which). One deterministic ranking that ``offset``/``limit`` page through.

    The ranking changes as corrections arrive: a corrected item leaves the queue, and the raise of its themes
    falls, so the items behind it move up. After correcting, re-read from offset 0 rather than asking for the next
    page (which would skip the items that moved up)."""
    items, total = store.review_queue(session, limit, offset, wave_id)
    return Page[ReviewItem](items=with_latest_corrections(session, with_languages(session, items)), total=total,
                            limit=limit, offset=offset)


def with_languages(session: Session, items: list[dict]) -> list[dict]:
    """The review-queue items with each comment's stored ``language`` (the UI marks other languages with lang)."""
    ids = [i["response_id"] for i in items]
    if not ids:
        return items
    langs = dict(session.execute(select(ResponseRow.id, ResponseRow.language).where(ResponseRow.id.in_(ids))).all())
    return [{**i, "language": langs.get(i["response_id"])} for i in items]


def with_latest_corrections(session: Session, items: list[dict]) -> list[dict]:
    """The review-queue items with the id of each response's latest correction (``latest_correction_id``, None:
    none), which a client sends back as ``seen_correction_id`` (:func:`correct_codes`)."""
    ids = [i["response_id"] for i in items]
    if not ids:
        return items
    latest = dict(session.execute(select(Correction.response_id, func.max(Correction.id))
                                  .where(Correction.response_id.in_(ids)).group_by(Correction.response_id)).all())
    return [{**i, "latest_correction_id": latest.get(i["response_id"])} for i in items]


@router.post("/responses/{response_id}/codes", response_model=CorrectionOut, status_code=201,
             responses={200: {"model": CorrectionOut, "description": "the same correction is the response's latest, "
                                                                     "by this key (a retry): that one, not stored again"},
                        409: {"model": ErrorBody, "description": "``correction_conflict``: the response's latest "
                                                                 "correction is not the ``seen_correction_id`` "
                                                                 "sent; nothing stored"}})
def correct_codes(response_id: IdPath, body: CorrectionIn, response: Response,
                  session: Session = Depends(get_session, scope="function"), who: Principal = Depends(require_analyst)):
    """Store a human correction (replaces the machine codes in summaries; used to train models). A retry (the same
    codebook, themes and type as the response's latest correction, by the same key) answers 200 with that
    correction instead of storing it twice.

    Two coders (or two tabs) correcting one response: send ``seen_correction_id``, the latest correction the
    client saw (a review-queue item's ``latest_correction_id``; null or 0: none). When another correction is the
    latest now, nothing is stored and the answer is 409 ``correction_conflict``: its ``details`` say when
    (``latest_at``), its id (``latest_id``) and its codes (``themes``, ``type``, ``codebook_id``); send the
    correction again with ``seen_correction_id`` = ``latest_id`` to replace it deliberately. Without the field
    there is no check and the latest correction wins, as before (the UI at ``/ui/review`` always sends it)."""
    row, created = store.record_correction(session, response_id, body.themes, body.type, body.codebook_id,
                                           who.key_id, seen_latest=body.seen_latest())
    if not created:
        response.status_code = 200
    return CorrectionOut(id=row.id, response_id=row.response_id, codebook_id=row.codebook_id,
                         themes=[t for t in row.themes.split(";") if t], type=row.type or None,
                         created_at=row.created_at)


@router.delete("/responses/{response_id}/codes", response_model=CorrectionsRemoved,
               responses={404: {"model": ErrorBody, "description": "unknown response (``not_found``) or no "
                                                                   "correction to remove (``no_correction``)"}})
def undo_correction(response_id: IdPath, session: Session = Depends(get_session, scope="function"),
                    _: Principal = Depends(require_analyst)):
    """Undo the human correction of a response: every correction of it is removed (the latest wins, so removing only
    that one would bring back an earlier one; POST it again to keep one). Summaries use the machine codes again and
    the response is back in the review queue when they need review. Answers ids and counts only. A model trained
    earlier on the correction is not changed (train a new one). Audited as every data request."""
    return CorrectionsRemoved(**store.remove_corrections(session, response_id))


def model_out(m: TrainedModel) -> ModelOut:
    return ModelOut(id=m.id, name=m.name, codebook_id=m.codebook_id, n_training=m.n_training, metrics=m.metrics,
                    warnings=list((m.metrics or {}).get("warnings") or []), created_at=m.created_at)


@router.post("/models", response_model=TrainingJobOut, status_code=202,
             responses={202: {"description": "training job queued: poll GET /training-jobs/{id}"},
                        200: {"model": TrainingJobOut, "description": "the same request is queued or running (a "
                                                                      "retry): that job, ``created`` false"}})
def train_model(request: Request, response: Response, body: ModelIn = Body(default_factory=ModelIn),
                session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_analyst)):
    """Train a supervised coder from the stored corrections of a codebook in the background, as ``textmine
    review --corrections`` retrains: the default model's recorded training files plus the corrections (a
    correction replacing the base label of the same text); training takes minutes (see the README). Answers 202
    with a training job at once (``Location``: ``/training-jobs/{id}``); poll it until ``state`` is ``done`` (its
    ``model`` then has the held-out, out-of-fold metrics and is listed by ``GET /models``) or ``failed`` (``error``
    says why; no model stored). One training runs at a time; the others wait ``queued``. A retry finds the job
    it made: while a job of the same request (codebook, name, ``min_examples``, ``min_theme_examples``) is queued,
    or running with no correction of the codebook stored since it started, the answer is 200 with that job
    (``created`` false, the same ``Location``), not a second training.

    Every check comes back here, before a job exists: a name holding personal data (422
    ``personal_data_in_name``, the value never quoted: readers see model names), an unknown codebook (404), no
    ``codebook_id`` where the stored corrections belong to several codebooks (409 ``several_codebooks``, listing
    each codebook with its count of corrected responses: a model is trained on one codebook's corrections), fewer
    than ``min_examples`` corrections (422 ``not_enough_corrections``) and, without the default model's training
    files (another codebook, files not on disk: the model then trains on the corrections alone, with a warning),
    a theme with fewer than ``min_theme_examples`` corrections (422 ``too_few_theme_examples``)."""
    job, created = store.start_or_find_training_job(session, request.app.state.settings, body.codebook_id, body.name,
                                                    body.min_examples, min_theme_examples=body.min_theme_examples)
    session.commit()
    if created:
        request.app.state.training.submit(job.id)
    else:
        response.status_code = 200
    response.headers["Location"] = f"/training-jobs/{job.id}"
    return training_job_out(session, job, created)


def training_job_out(session: Session, job: TrainingJob, created: bool | None = None) -> TrainingJobOut:
    view = store.training_job_view(session, job)
    return TrainingJobOut(**{**view, "model": model_out(view["model"]) if view["model"] is not None else None,
                             "created": created})


@router.get("/training-jobs", response_model=Page[TrainingJobOut])
def list_training_jobs(state: JobState | None = Query(None), limit: Limit = 50, offset: Offset = 0,
                       session: Session = Depends(get_session, scope="function"),
                       _: Principal = Depends(require_analyst)):
    """Training jobs (``POST /models``), newest first."""
    stmt = select(TrainingJob).order_by(TrainingJob.id.desc())
    if state is not None:
        stmt = stmt.where(TrainingJob.state == state)
    rows, total = store.page(session, stmt, limit, offset)
    return Page[TrainingJobOut](items=[training_job_out(session, j) for j in rows], total=total, limit=limit,
                                offset=offset)


@router.get("/training-jobs/{job_id}", response_model=TrainingJobOut)
def get_training_job(job_id: IdPath, session: Session = Depends(get_session, scope="function"),
                     _: Principal = Depends(require_analyst)):
    """A training job: ``queued`` (waiting for the training worker), ``running``, ``done`` (with the ``model``),
    ``failed`` (``error``: why; no model stored; a job cut off by a server stop says so) or ``cancelled``
    (``POST /training-jobs/{id}/cancel``: no model stored)."""
    return training_job_out(session, store.get_or_404(session, TrainingJob, job_id, "training job"))


@router.post("/training-jobs/{job_id}/cancel", response_model=TrainingJobOut)
def cancel_training_job(job_id: IdPath, session: Session = Depends(get_session, scope="function"),
                        _: Principal = Depends(require_analyst)):
    """Cancel a queued or running training job: a queued one never starts; a running one stops at its next step
    (and should it finish first, its model is discarded): no model is stored and the default model stays as it
    is. A finished job is left as it is. ``textmine store cancel-training ID`` does the same."""
    return training_job_out(session, store.cancel_training_job(session, job_id))


@router.get("/models", response_model=Page[ModelOut])
def list_models(limit: Limit = 50, offset: Offset = 0,
                session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    rows, total = store.page(session, select(TrainedModel).order_by(TrainedModel.id), limit, offset)
    return Page[ModelOut](items=[model_out(m) for m in rows], total=total, limit=limit, offset=offset)
