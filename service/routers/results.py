"""Summaries, quotes, the review queue, human corrections and model training."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import store
from service.auth import Principal, get_session, require_analyst, require_reader
from service.db.models import TrainedModel
from service.schemas import MAX_ID, IdPath, Limit, Offset, CorrectionIn, CorrectionOut, ModelIn, ModelOut, Page, QuotesOut, ReviewItem

router = APIRouter(tags=["results"])

#: what a hidden (suppressed) summary row keeps: which cell it is and the flags; no value, CI, base or test
HIDDEN_ROW_KEEPS = frozenset({
    "kind", "wave", "wave_prev", "question", "theme", "indicator", "column", "label", "measure", "group", "option",
    "exclusive", "item", "denominator", "segment", "value", "outcome", "weighted", "applicable", "suppressed",
    "suppressed_secondary", "verdict", "verdict_unadjusted",
})


def blank_hidden_rows(summary: dict[str, Any]) -> dict[str, Any]:
    """Null every number of the rows the summary hides (primary or secondary suppression, in ``flag`` mode too):
    a reader sees that the cell is hidden, never its share, CI, count or base (``value`` is the segment level)."""
    for rows in (summary.get("tables") or {}).values():
        for row in rows:
            if row.get("suppressed"):
                row.update({k: None for k in row if k not in HIDDEN_ROW_KEEPS})
    return summary


@router.get("/waves/{wave_id}/summary", response_model=dict[str, Any])
def wave_summary(wave_id: IdPath, compare_wave_id: int | None = Query(None, ge=1, le=MAX_ID, description="earlier wave to compare"),
                 job_id: int | None = Query(None, ge=1, le=MAX_ID, description="coding job (default: the latest finished)"),
                 compare_job_id: int | None = Query(None, ge=1, le=MAX_ID, description="coding job of the compare "
                                                    "wave (default: its latest finished one by the same codebook and "
                                                    "model)"),
                 session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    """Themed counts beside the structured indicators, by segment, weighted, with CIs, suppression and change.
    Themes are compared only between codings with the same codebook and model (409 ``codebook_mismatch`` /
    ``model_mismatch`` otherwise); a wave without a finished coding job is named in ``summary.warnings``.
    A hidden (suppressed) row carries only what it is and its flags: its numbers, CIs and base are null. A level
    of a segment without declared levels that fewer than ``min_cell`` respondents hold is shown as "(liten
    gruppe)" (numbered when there are several), never by its own value."""
    body = store.wave_summary(session, wave_id, compare_wave_id, job_id, compare_job_id)
    blank_hidden_rows(body["summary"])
    return body


@router.get("/waves/{wave_id}/themes/{theme}/quotes", response_model=QuotesOut)
def theme_quotes(request: Request, wave_id: IdPath, theme: str = Path(max_length=100), n: int = Query(5, ge=3, le=6),
                 job_id: int | None = Query(None, ge=1, le=MAX_ID, description="coding job (default: the latest finished)"),
                 session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    """3–6 redacted, attributed, diverse quotes for a theme from the wave's latest finished coding job (or
    ``job_id``), by the summary's rules: comments flagged as health information are never quoted, nor anyone in a
    theme × segment cell below the survey's ``min_cell``; attributions name only segment combinations with at
    least ``min_cell`` respondents."""
    return store.theme_quotes(session, wave_id, theme, n, embedder=request.app.state.settings.quote_embedder,
                              job_id=job_id)


@router.get("/review-queue", response_model=Page[ReviewItem])
def review_queue(wave_id: int | None = Query(None, ge=1, le=MAX_ID), limit: Limit = 50,
                 offset: Offset = 0, session: Session = Depends(get_session, scope="function"),
                 _: Principal = Depends(require_analyst)):
    """Uncertain codes (needs_review) not yet corrected, least confident first."""
    items, total = store.review_queue(session, limit, offset, wave_id)
    return Page[ReviewItem](items=items, total=total, limit=limit, offset=offset)


@router.post("/responses/{response_id}/codes", response_model=CorrectionOut, status_code=201)
def correct_codes(response_id: IdPath, body: CorrectionIn, session: Session = Depends(get_session, scope="function"),
                  who: Principal = Depends(require_analyst)):
    """Store a human correction (replaces the machine codes in summaries; used to train models)."""
    row = store.add_correction(session, response_id, body.themes, body.type, body.codebook_id, who.key_id)
    return CorrectionOut(id=row.id, response_id=row.response_id, codebook_id=row.codebook_id,
                         themes=[t for t in row.themes.split(";") if t], type=row.type or None,
                         created_at=row.created_at)


def model_out(m: TrainedModel) -> ModelOut:
    return ModelOut(id=m.id, name=m.name, codebook_id=m.codebook_id, n_training=m.n_training, metrics=m.metrics,
                    warnings=list((m.metrics or {}).get("warnings") or []), created_at=m.created_at)


@router.post("/models", response_model=ModelOut, status_code=201)
def train_model(request: Request, body: ModelIn = Body(default_factory=ModelIn),
                session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_analyst)):
    """Train a supervised coder from the stored corrections of a codebook (synchronous), as ``textmine review
    --corrections`` retrains: the default model's recorded training files plus the corrections (a correction
    replaces the base label of the same text); takes minutes (see the README). Without those files (another
    codebook, files not on disk) it trains on the corrections alone, with a warning, and refuses (422
    ``too_few_theme_examples``) when a theme has fewer than ``min_theme_examples`` corrections. The response has
    the held-out (out-of-fold) metrics. A name holding personal data is refused (422 ``personal_data_in_name``,
    the value never quoted): readers see model names."""
    coders = request.app.state.coders
    base_coder = coders.default() if coders.ready.is_set() and coders.warmup_error is None else None
    return model_out(store.train_model(session, request.app.state.settings, body.codebook_id, body.name,
                                       body.min_examples, base_coder=base_coder,
                                       min_theme_examples=body.min_theme_examples))


@router.get("/models", response_model=Page[ModelOut])
def list_models(limit: Limit = 50, offset: Offset = 0,
                session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    rows, total = store.page(session, select(TrainedModel).order_by(TrainedModel.id), limit, offset)
    return Page[ModelOut](items=[model_out(m) for m in rows], total=total, limit=limit, offset=offset)
