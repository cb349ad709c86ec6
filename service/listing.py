"""Read-only views behind the ``textmine store`` listing and report commands, answered by the API's own route
handlers, converters and report builder (same queries, order, paging and response schemas as ``GET /surveys``,
``/waves/{id}``, ``/codebooks``, ``/models``, ``/jobs``, ``/training-jobs``, ``/review-queue`` and
``/waves/{id}/report``), so
that the CLI and the API cannot drift apart. The handlers are called without a caller (the CLI has the store
itself); every value they return is what the API shows its readers (analysts for the review queue)."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import store
from service.db.models import Wave
from service.schemas import (CodebookOut, CodebookVersions, JobOut, ModelOut, Page, ReviewItem, SurveyOut,
                             TrainingJobOut, WaveOut)
from service.settings import Settings


def no_server(settings: Settings | None = None) -> SimpleNamespace:
    """A stand-in for the request a route handler reads its app state from: ``settings`` and no job runner (an ETA
    comes from the job's average rate so far, as ``GET /jobs/{id}`` gives for a job another process runs)."""
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=settings)))


def surveys(session: Session, limit: int, offset: int) -> Page[SurveyOut]:
    """``GET /surveys?limit=&offset=``."""
    from service.routers.surveys import list_surveys

    return list_surveys(limit=limit, offset=offset, session=session, _=None)


def waves(session: Session, survey_id: int | None, limit: int, offset: int) -> Page[WaveOut]:
    """``GET /surveys/{id}/waves?limit=&offset=`` (an unknown survey is a 404); without ``survey_id`` every
    survey's waves, in the same shape and order (by id)."""
    from service.routers.surveys import list_waves, wave_out

    if survey_id is not None:
        return list_waves(survey_id, limit=limit, offset=offset, session=session, _=None)
    rows, total = store.page(session, select(Wave).order_by(Wave.id), limit, offset)
    return Page[WaveOut](items=[wave_out(session, w) for w in rows], total=total, limit=limit, offset=offset)


def wave(session: Session, wave_id: int) -> WaveOut:
    """``GET /waves/{id}``: counts and the upload's (value-free) warnings."""
    from service.routers.surveys import get_wave

    return get_wave(wave_id, session=session, _=None)


def codebooks(session: Session, limit: int, offset: int) -> Page[CodebookOut]:
    """``GET /codebooks?limit=&offset=``."""
    from service.routers.codebooks import list_codebooks

    return list_codebooks(limit=limit, offset=offset, session=session, _=None)


def codebook(session: Session, codebook_id: int) -> CodebookVersions:
    """``GET /codebooks/{id}``: the version and every stored version of the same name."""
    from service.routers.codebooks import get_codebook

    return get_codebook(codebook_id, session=session, _=None)


def models(session: Session, limit: int, offset: int) -> Page[ModelOut]:
    """``GET /models?limit=&offset=``."""
    from service.routers.results import list_models

    return list_models(limit=limit, offset=offset, session=session, _=None)


def jobs(session: Session, wave_id: int | None, state: str | None, limit: int, offset: int) -> Page[JobOut]:
    """``GET /jobs?wave_id=&state=&limit=&offset=`` (newest first; ETA by ``store.job_view``)."""
    from service.routers.jobs import list_jobs

    return list_jobs(no_server(), wave_id=wave_id, state=state, limit=limit, offset=offset, session=session, _=None)


def training_jobs(session: Session, state: str | None, limit: int, offset: int) -> Page[TrainingJobOut]:
    """``GET /training-jobs?state=&limit=&offset=`` (newest first; a done job with its model)."""
    from service.routers.results import list_training_jobs

    return list_training_jobs(state=state, limit=limit, offset=offset, session=session, _=None)


def review_queue(session: Session, wave_id: int | None, limit: int, offset: int) -> Page[ReviewItem]:
    """``GET /review-queue?wave_id=&limit=&offset=`` (redacted texts; an unknown wave is a 404)."""
    from service.routers.results import review_queue as queue

    return queue(wave_id=wave_id, limit=limit, offset=offset, session=session, _=None)


REPORT_FORMATS = ("html", "xlsx")


def report_files(session: Session, settings: Settings, wave_id: int, formats: tuple[str, ...] = REPORT_FORMATS, *,
                 row_level: bool = False, job_id: int | None = None, compare_wave_id: int | None = None,
                 compare_job_id: int | None = None) -> dict[str, bytes]:
    """``GET /waves/{id}/report`` (``format=html``, ``format=xlsx``) as {file name: content}: the same report data,
    HTML and workbook, with the same checks of the jobs and the comparison wave (same errors). The workbook is a
    reader's (summaries and checked quotes) unless ``row_level``: then an analyst's, with «Kodede svar» (redacted,
    without respondent ids or identifying segments)."""
    from service.auth import Principal
    from service.web import pages, reportdata
    from textmine.report.html import render_html

    request = no_server(settings)
    chosen = {"job_id": job_id, "compare_wave_id": compare_wave_id, "compare_job_id": compare_job_id}
    files = {}
    if "html" in formats:
        data, charts = reportdata.wave_report_with_charts(request, session, wave_id, **chosen)
        files[f"rapport_{wave_id}.html"] = render_html(data, charts).encode("utf-8")
    if "xlsx" in formats:
        data = reportdata.wave_report(request, session, wave_id, **chosen)
        who = Principal(key_id=0, role="analyst" if row_level else "reader")
        files[f"rapport_{wave_id}.xlsx"] = pages._workbook_bytes(data, who, session.get(Wave, wave_id), session)
    return files
