"""Erasure (GDPR art. 17): delete a wave, a survey, one respondent or a trained model, with everything derived.

Admin only: a deletion cannot be undone and removes every analyst's work on the data (codes, corrections, jobs);
it is the data controller's decision (an erasure request, the end of the retention period), like issuing keys.
Each answer says what was deleted (counts) and which trained models may have learnt from erased corrections;
never any text. 409 while a coding job of an affected wave is queued or running (cancel it first).
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Depends, Path, Request

from service import erasure
from service.auth import Principal, require_admin
from service.schemas import IdPath

router = APIRouter(tags=["erasure"])

ERASURE_RESPONSES: dict[int | str, dict[str, Any]] = {409: {"description": "a coding or training job is running"}}


def _run(request: Request, action: Callable[..., erasure.Erasure], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``action`` in one transaction; then the embedding cache, model folder and database files, and the
    in-process caches; the counts."""
    db = request.app.state.db
    with db.session() as session:
        er = action(session, *args, **kwargs)
    erasure.clear_app_caches(request.app, er)
    erasure.after_commit(er, db.engine)
    return er.report()


@router.delete("/waves/{wave_id}", response_model=dict[str, Any], responses=ERASURE_RESPONSES)
def delete_wave(wave_id: IdPath, request: Request, _: Principal = Depends(require_admin)) -> dict[str, Any]:
    """Delete a wave with its respondents, responses, coding jobs and results, review-queue entries and
    corrections, and the responses' vectors in the embedding cache. ``models_trained_on_erased`` lists trained
    models whose training may have included the deleted corrections: retrain or delete them."""
    return _run(request, erasure.erase_wave, wave_id)


@router.delete("/surveys/{survey_id}", response_model=dict[str, Any], responses=ERASURE_RESPONSES)
def delete_survey(survey_id: IdPath, request: Request, _: Principal = Depends(require_admin)) -> dict[str, Any]:
    """Delete a survey and all its waves (as ``DELETE /waves/{id}``)."""
    return _run(request, erasure.erase_survey, survey_id)


# ":path": a respondent id may hold "/" (AG/2024/01)
@router.delete("/surveys/{survey_id}/respondents/{respondent_id:path}", response_model=dict[str, Any],
               responses=ERASURE_RESPONSES)
def delete_respondent(survey_id: IdPath, request: Request, respondent_id: str = Path(max_length=200),
                      _: Principal = Depends(require_admin)) -> dict[str, Any]:
    """Erase one respondent (by the id column's value) from every wave of the survey: answers, comments, their
    codes, review-queue entries and corrections. The waves' counts and content fingerprints are updated, so
    summaries are those of the waves without the respondent. 404 when no wave holds the id (never quoted)."""
    return _run(request, erasure.erase_respondent, survey_id, erasure.check_respondent_id(respondent_id))


@router.delete("/models/{model_id}", response_model=dict[str, Any], responses=ERASURE_RESPONSES)
def delete_model(model_id: IdPath, request: Request, _: Principal = Depends(require_admin)) -> dict[str, Any]:
    """Delete a trained model: its row, its folder and its coding jobs with their results. 409 ``model_in_use``
    for the service's default model (``TEXTMINE_DEFAULT_MODEL``), 409 ``job_running`` while a job codes with it."""
    settings = request.app.state.settings
    return _run(request, erasure.erase_model, model_id, default_model=settings.default_model,
                models_dir=settings.resolved_models_dir())
