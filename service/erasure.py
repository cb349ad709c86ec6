"""Erasure (GDPR art. 17) and retention (art. 5(1)(e)): delete a wave, a survey, one respondent or a trained model,
and purge waves older than N days, with everything derived from them. Store-level (no HTTP), shared by
``service.routers.erasure`` and ``textmine store delete-*`` / ``purge``.

Each ``erase_*`` runs in the caller's session (one transaction: a failure half-way leaves the store as it was)
and returns an :class:`Erasure`: counts and ids only, never text. After the commit, :func:`after_commit` removes
what lives outside the database: the deleted texts' vectors in the embedding cache, the folder of a deleted
model, and the deleted rows' old versions in the database files (``service.scrub.purge_leftovers``: SQLite's
VACUUM and checkpoint; PostgreSQL's VACUUM of every table the erasure deletes from, ``ERASED_TABLES``).

A coding job of an affected wave that is queued or running makes the erasure refuse (409 ``job_running``; cancel
it first): a running job writes results for the rows being deleted. So does a training job of a codebook whose
corrections are deleted (409 ``training_running``): it trains on them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from service import store
from service.db.models import (CodingJob, CodingResult, Correction, Respondent, Response, Survey, TrainedModel,
                               TrainingJob, Wave)
from service.errors import ApiError, id_details
from service.modelpaths import ModelPathError, default_models_dir, model_folder

log = logging.getLogger("textmine.service")

ACTIVE = store.ACTIVE_STATES
CHUNK = 500  # ids per IN (...) list: far under SQLite's variable limit
#: the environment variable naming the embedding cache file erasure cleans (default: the library's default cache,
#: ``textmine.embed.cache.default_cache_path()``, i.e. under TEXTMINE_CACHE_DIR)
EMBED_CACHE_ENV = "TEXTMINE_EMBED_CACHE"
COUNT_KEYS = ("surveys", "waves", "respondents", "responses", "coding_results", "review_flags", "corrections",
              "coding_jobs")
#: every table an erasure deletes rows from: their dead row versions hold the erased comments (``responses``),
#: answers, codes, file names and definitions until VACUUMed (PostgreSQL: ``service.scrub.purge_leftovers``)
ERASED_TABLES = tuple(m.__tablename__ for m in (Response, Respondent, CodingResult, Correction, CodingJob, Wave,
                                                 Survey, TrainedModel))


@dataclasses.dataclass
class Erasure:
    """What one erasure deleted (``counts``) and what must follow it outside the transaction. ``texts`` are the
    deleted responses' redacted texts, kept only to find their embedding-cache rows: never shown or returned."""

    counts: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    texts: list[str] = dataclasses.field(default_factory=list, repr=False)
    models_trained_on_erased: list[int] = dataclasses.field(default_factory=list)
    model_dir: str | None = None  # a deleted model's folder, removed after the commit
    model_ids: list[int] = dataclasses.field(default_factory=list)  # deleted models (for the coder cache)
    waves: list[int] = dataclasses.field(default_factory=list)  # ids of deleted waves (a purge's list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(n or 0)

    def report(self) -> dict[str, Any]:
        """The answer: counts, flagged models and notes (no text, no respondent id)."""
        out: dict[str, Any] = {"deleted": dict(self.counts), "notes": list(self.notes),
                               "models_trained_on_erased": list(self.models_trained_on_erased)}
        if self.waves:
            out["wave_ids"] = list(self.waves)
        return out


# ---------------------------------------------------------------- helpers
def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _delete_in(session: Session, column, ids: Sequence[int]) -> int:
    """Delete the rows of ``column``'s table whose ``column`` is in ``ids``; how many."""
    n = 0
    for part in _chunks(ids):
        n += session.execute(delete(column.class_).where(column.in_(part)),
                             execution_options={"synchronize_session": False}).rowcount or 0
    return n


def _refuse_active_jobs(session: Session, wave_ids: Sequence[int]) -> None:
    """Serialise with job starts (``store.lock_wave_jobs``) and 409 ``job_running`` while a coding job of one of
    ``wave_ids`` is queued or running."""
    for wave_id in wave_ids:
        store.lock_wave_jobs(session, wave_id)
    for part in _chunks(wave_ids):
        job = session.scalars(select(CodingJob).where(CodingJob.wave_id.in_(part), CodingJob.state.in_(ACTIVE))
                              .order_by(CodingJob.id)).first()
        if job is not None:
            raise ApiError(409, "job_running",
                           f"coding job {job.id} of wave {job.wave_id} is {job.state}: cancel it first (POST "
                           f"/jobs/{job.id}/cancel or textmine store cancel {job.id}) and wait until it has "
                           "stopped, then delete again; nothing was deleted",
                           {"job_id": job.id, "wave_id": job.wave_id, "state": job.state})


def _refuse_active_training(session: Session, codebook_ids: Iterable[int]) -> None:
    ids = sorted(set(codebook_ids))
    if not ids:
        return
    job = session.scalars(select(TrainingJob).where(TrainingJob.codebook_id.in_(ids), TrainingJob.state.in_(ACTIVE))
                          .order_by(TrainingJob.id)).first()
    if job is not None:
        raise ApiError(409, "training_running",
                       f"training job {job.id} (codebook {job.codebook_id}) is {job.state} and trains on the "
                       f"corrections being deleted: cancel it first (DELETE /training-jobs/{job.id}), then delete "
                       "again; nothing was deleted", {"training_job_id": job.id, "state": job.state})


def _flag_models(session: Session, first_correction: dict[int, datetime], er: Erasure) -> None:
    """Models of a codebook whose deleted corrections existed when they were trained (created at or after the
    earliest of them): their training may have included the erased answers."""
    for codebook_id, since in sorted(first_correction.items()):
        ids = session.scalars(select(TrainedModel.id).where(TrainedModel.codebook_id == codebook_id,
                                                            TrainedModel.created_at >= since)).all()
        er.models_trained_on_erased += [i for i in ids if i not in er.models_trained_on_erased]
    for model_id in sorted(er.models_trained_on_erased):
        er.notes.append(f"model {model_id} was trained on erased answers; retrain or delete it "
                        f"(DELETE /models/{model_id} or textmine store delete-model {model_id})")
    er.models_trained_on_erased.sort()


def _erase_responses(session: Session, response_ids: list[int], er: Erasure) -> None:
    """Delete the responses ``response_ids`` with their coding results and corrections (the review queue is
    read from the results: its entries go with them); remember their texts for the embedding cache."""
    first: dict[int, datetime] = {}
    for part in _chunks(response_ids):
        er.texts += [t for t in session.scalars(select(Response.text_redacted).where(Response.id.in_(part))) if t]
        for codebook_id, since in session.execute(select(Correction.codebook_id, func.min(Correction.created_at))
                                                  .where(Correction.response_id.in_(part))
                                                  .group_by(Correction.codebook_id)):
            first[codebook_id] = min(first.get(codebook_id, since), since)
        er.add("review_flags", session.scalar(select(func.count()).select_from(CodingResult).where(
            CodingResult.response_id.in_(part), CodingResult.needs_review == 1)))
    _refuse_active_training(session, first)
    er.add("corrections", _delete_in(session, Correction.response_id, response_ids))
    er.add("coding_results", _delete_in(session, CodingResult.response_id, response_ids))
    er.add("responses", _delete_in(session, Response.id, response_ids))
    _flag_models(session, first, er)


def _secure_delete(session: Session) -> None:
    """On SQLite, zero the freed space of this transaction's deletes (the connection setting stays on: it only
    costs writes)."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA secure_delete = 1")


# ---------------------------------------------------------------- waves, surveys
def _erase_waves(session: Session, waves: list[Wave], er: Erasure) -> None:
    wave_ids = [w.id for w in waves]
    _refuse_active_jobs(session, wave_ids)
    _secure_delete(session)
    response_ids: list[int] = []
    for part in _chunks(wave_ids):
        response_ids += session.scalars(select(Response.id).where(Response.wave_id.in_(part))).all()
    _erase_responses(session, response_ids, er)
    job_ids: list[int] = []
    for part in _chunks(wave_ids):
        job_ids += session.scalars(select(CodingJob.id).where(CodingJob.wave_id.in_(part))).all()
    er.add("coding_results", _delete_in(session, CodingResult.job_id, job_ids))
    er.add("coding_jobs", _delete_in(session, CodingJob.id, job_ids))
    er.add("respondents", _delete_in(session, Respondent.wave_id, wave_ids))
    er.add("waves", _delete_in(session, Wave.id, wave_ids))
    er.waves += wave_ids
    for w in waves:
        session.expunge(w)


def erase_wave(session: Session, wave_id: int) -> Erasure:
    """Delete wave ``wave_id`` (404 when unknown) with its respondents, responses, coding jobs and results and
    corrections."""
    wave = store.get_or_404(session, Wave, wave_id, "wave")
    er = Erasure()
    _erase_waves(session, [wave], er)
    return er


def erase_survey(session: Session, survey_id: int) -> Erasure:
    """Delete survey ``survey_id`` (404 when unknown) and all its waves, as :func:`erase_wave`."""
    survey = store.get_or_404(session, Survey, survey_id, "survey")
    er = Erasure()
    _erase_waves(session, list(session.scalars(select(Wave).where(Wave.survey_id == survey_id).order_by(Wave.id))), er)
    er.add("surveys", session.execute(delete(Survey).where(Survey.id == survey_id),
                                      execution_options={"synchronize_session": False}).rowcount)
    session.expunge(survey)
    return er


# ---------------------------------------------------------------- one respondent
def erase_respondent(session: Session, survey_id: int, respondent_id: str) -> Erasure:
    """Delete respondent ``respondent_id`` from every wave of survey ``survey_id``: structured answers, free-text
    responses, their coding results (and review-queue entries) and corrections. Each wave keeps true counts and a
    content fingerprint of what it now holds (``content_sha256`` recomputed; ``content_hmac``, a keyed hash of
    the raw upload that cannot be recomputed, is cleared: duplicate checks then use the fingerprint). 404 when
    the survey is unknown or holds no such respondent (the id is never quoted: it may be personal data)."""
    store.get_or_404(session, Survey, survey_id, "survey")
    rows = session.execute(select(Respondent.id, Respondent.wave_id).join(Wave, Wave.id == Respondent.wave_id)
                           .where(Wave.survey_id == survey_id, Respondent.respondent_id == str(respondent_id))
                           .order_by(Respondent.id)).all()
    if not rows:
        raise ApiError(404, "unknown_respondent", f"survey {survey_id} has no respondent with that id in any wave",
                       id_details("survey_id", survey_id))
    pks = [r.id for r in rows]
    wave_ids = sorted({r.wave_id for r in rows})
    _refuse_active_jobs(session, wave_ids)
    _secure_delete(session)
    er = Erasure()
    response_ids: list[int] = []
    for part in _chunks(pks):
        response_ids += session.scalars(select(Response.id).where(Response.respondent_pk.in_(part))).all()
    _erase_responses(session, response_ids, er)
    er.add("respondents", _delete_in(session, Respondent.id, pks))
    for wave_id in wave_ids:
        _refresh_wave(session, wave_id)
    return er


def _refresh_wave(session: Session, wave_id: int) -> None:
    """A wave's counts, content fingerprint and personal-data warning as they are for its stored rows now."""
    from service import scrub

    wave = session.get(Wave, wave_id)
    session.refresh(wave)
    wave.n_respondents = int(session.scalar(select(func.count()).select_from(Respondent)
                                            .where(Respondent.wave_id == wave_id)) or 0)
    wave.n_responses = int(session.scalar(select(func.count()).select_from(Response)
                                          .where(Response.wave_id == wave_id)) or 0)
    wave.content_sha256 = scrub.stored_fingerprint(session, wave_id)
    wave.content_hmac = None
    n_pii = int(session.scalar(select(func.coalesce(func.sum(Response.pii_count), 0))
                               .where(Response.wave_id == wave_id)) or 0)
    pattern = scrub.warning_pattern(store.PII_WARNING, n=r"\d+")
    warnings = []
    for message in wave.warnings or []:
        if isinstance(message, str) and pattern.fullmatch(message):
            if n_pii:
                warnings.append(store.PII_WARNING.format(n=n_pii))
        else:
            warnings.append(message)
    wave.warnings = warnings


# ---------------------------------------------------------------- models
def model_in_use(folder: Path | None, default_model: Path | str | None) -> bool:
    """Whether a model's ``folder`` (:func:`_model_folder`) is the service's default model
    (``TEXTMINE_DEFAULT_MODEL``)."""
    if default_model is None or folder is None:
        return False
    try:
        return folder.resolve() == Path(default_model).resolve()
    except OSError:
        return False


def _model_folder(model: TrainedModel, models_dir: Path | str | None) -> Path | None:
    """Where ``model``'s files lie (its path is stored relative to the models folder); None for a stored path
    leading outside it (nothing there is the model's to remove)."""
    try:
        return model_folder(model.path, models_dir if models_dir is not None else default_models_dir())
    except ModelPathError:
        return None


def erase_model(session: Session, model_id: int, *, default_model: Path | str | None = None,
                models_dir: Path | str | None = None) -> Erasure:
    """Delete trained model ``model_id`` (404 ``unknown_model``) and its finished coding jobs with their results;
    training jobs that made it keep their history without the link. Refused (409) while it is the service's
    default model (``model_in_use``) or a coding job with it is queued or running (``job_running``). Its folder
    is removed after the commit (:func:`after_commit`) when it lies in ``models_dir`` (the service's models
    folder); a folder elsewhere is left, with a note."""
    model = session.get(TrainedModel, model_id)
    if model is None:
        raise ApiError(404, "unknown_model", f"model {model_id} does not exist", id_details("model_id", model_id))
    folder = _model_folder(model, models_dir)
    if model_in_use(folder, default_model):
        raise ApiError(409, "model_in_use", f"model {model_id} is the service's default model "
                       "(TEXTMINE_DEFAULT_MODEL): point the setting at another model and restart first; nothing "
                       "was deleted", {"model_id": model_id})
    active = session.scalars(select(CodingJob).where(CodingJob.model_id == model_id, CodingJob.state.in_(ACTIVE))
                             .order_by(CodingJob.id)).first()
    if active is not None:
        raise ApiError(409, "job_running", f"coding job {active.id} with model {model_id} is {active.state}: cancel "
                       "it first, then delete again; nothing was deleted", {"job_id": active.id, "state": active.state})
    er = Erasure()
    job_ids = list(session.scalars(select(CodingJob.id).where(CodingJob.model_id == model_id)))
    er.add("coding_results", _delete_in(session, CodingResult.job_id, job_ids))
    er.add("coding_jobs", _delete_in(session, CodingJob.id, job_ids))
    session.execute(update(TrainingJob).where(TrainingJob.model_id == model_id).values(model_id=None),
                    execution_options={"synchronize_session": False})
    session.delete(model)
    session.flush()
    er.counts["models"] = 1
    er.model_ids.append(model_id)
    if folder is not None and _inside(str(folder), models_dir):
        er.model_dir = str(folder)
    else:
        er.notes.append(f"model {model_id}'s folder is outside the service's models folder and was not removed; "
                        "delete it by hand")
    return er


def _inside(path: str, folder: Path | str | None) -> bool:
    if folder is None:
        return False
    try:
        p, f = Path(path).resolve(), Path(folder).resolve()
    except OSError:
        return False
    return p != f and f in p.parents


# ---------------------------------------------------------------- retention
def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def expired_waves(session: Session, older_than_days: float, now: datetime | None = None) -> list[Wave]:
    """Waves uploaded more than ``older_than_days`` days before ``now`` (default: now), oldest first."""
    now = _aware(now) or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=float(older_than_days))
    waves = session.scalars(select(Wave).order_by(Wave.created_at, Wave.id)).all()
    return [w for w in waves if _aware(w.created_at) is not None and _aware(w.created_at) < cutoff]


def purge_expired(session: Session, older_than_days: float, *, dry_run: bool = False,
                  now: datetime | None = None) -> tuple[list[dict[str, Any]], Erasure | None]:
    """Retention: delete every wave uploaded more than ``older_than_days`` days ago with everything derived from
    it (as :func:`erase_wave`, all in this transaction). Returns the waves (id, survey, label, uploaded, counts)
    and the erasure (None on a dry run, which deletes nothing)."""
    if older_than_days < 0:
        raise ApiError(422, "invalid_days", "older_than_days must be 0 or more")
    waves = expired_waves(session, older_than_days, now)
    listed = [{"wave_id": w.id, "survey_id": w.survey_id, "label": w.label,
               "uploaded": _aware(w.created_at).strftime("%Y-%m-%d %H:%M UTC"),
               "respondents": w.n_respondents, "responses": w.n_responses} for w in waves]
    if dry_run or not waves:
        return listed, (None if dry_run else Erasure())
    er = Erasure()
    _erase_waves(session, list(waves), er)
    return listed, er


# ---------------------------------------------------------------- after the commit
def embedding_cache_path() -> Path:
    """The embedding cache erasure cleans: ``TEXTMINE_EMBED_CACHE`` or the library's default store."""
    from textmine.embed.cache import default_cache_path

    value = os.environ.get(EMBED_CACHE_ENV, "").strip()
    return Path(value) if value else default_cache_path()


def cache_forms(texts: Iterable[str]) -> list[str]:
    """Each text as the embedders may have cached it: as stored (quotes embed it) and as the coders' features read
    it (redaction placeholders removed)."""
    from textmine.classify.lexical import feature_text

    forms: dict[str, None] = {}
    for t in texts:
        forms.setdefault(t, None)
        forms.setdefault(feature_text(t), None)
    return list(forms)


def forget_vectors(texts: Sequence[str], path: Path | None = None) -> int:
    """Delete the embedding-cache vectors of ``texts`` (every embedder's); how many. No cache file: nothing."""
    from textmine.embed.cache import delete_texts_at

    if not texts:
        return 0
    return delete_texts_at(path or embedding_cache_path(), cache_forms(texts))


def after_commit(er: Erasure, engine: Any = None, *, purge: bool = True, cache_path: Path | None = None) -> None:
    """What follows a committed erasure outside the database: vectors, model folder, the deleted rows' old versions
    (SQLite file; PostgreSQL ``ERASED_TABLES``). Each step's failure is logged (counts only) and noted, never
    raised: the rows are gone either way."""
    try:
        er.counts["embedding_vectors"] = forget_vectors(er.texts, cache_path)
    except Exception as exc:  # the cache is a file beside the store: a failure is reported, the rows are gone
        er.notes.append(f"the embedding cache could not be cleaned ({type(exc).__name__}); delete it "
                        f"({embedding_cache_path()}) to remove the vectors")
        log.warning("erasure: embedding cache not cleaned: %s", type(exc).__name__)
    er.texts = []
    if er.model_dir:
        store.remove_model_dir(er.model_dir)
        if Path(er.model_dir).exists():
            er.notes.append("the model folder could not be removed; delete it by hand")
    if purge and engine is not None and not purge_files(engine):
        er.notes.append(LEFTOVERS_NOTE)
    counts = {k: v for k, v in er.counts.items() if v}
    log.info("erasure: %s", json.dumps(counts), extra={"fields": {"erasure": counts}})  # JSON, not a Python dict


LEFTOVERS_NOTE = "old row versions may remain in the database files until the next VACUUM"


def purge_files(engine: Any, tables: Sequence[str] = ERASED_TABLES) -> bool:
    """After a committed erasure (or any change removing stored text): VACUUM the deleted or overwritten rows' old
    versions out of the database files (``service.scrub.purge_leftovers``: the SQLite file; PostgreSQL
    ``tables``). False when some may remain (another connection held the file, or the purge failed: logged, type
    only, never raised: the rows are gone either way)."""
    try:
        from service import scrub

        return bool(scrub.purge_leftovers(engine, tables=tables).get("complete"))
    except Exception as exc:
        log.warning("erasure: database files not purged: %s", type(exc).__name__)
        return False


def clear_app_caches(app: Any, er: Erasure) -> None:
    """Empty the in-process caches that could still serve deleted data: /classify results, the web report and
    quote-name caches (keyed by wave and job ids, which a SQLite store may reuse) and loaded coders of deleted
    models."""
    state = app.state
    results = getattr(state, "results", None)
    if results is not None:
        results.clear()
    for name in ("_web_report_cache", "_quote_names_cache"):
        cache = state.__dict__.get(name)
        if cache is not None:
            cache.clear()
    coders = getattr(state, "coders", None)
    if coders is not None:
        for model_id in er.model_ids:
            coders.unload_model(model_id)


_ID_LIKE = re.compile(r"[^\x00-\x1f\x7f]{1,200}")


def check_respondent_id(value: str) -> str:
    """The respondent id as stored (text, at most 200 characters, no control characters); 422 otherwise."""
    text = str(value).strip()
    if not _ID_LIKE.fullmatch(text):
        raise ApiError(422, "invalid_respondent_id", "respondent_id must be 1 to 200 characters without control "
                       "characters")
    return text
