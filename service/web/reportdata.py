"""Report data for a stored wave: frames and coded comments from the store → ``textmine.summary`` →
``textmine.report`` views of the summary (cached until the codes change)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import library, quoting, store
from service.db.models import Codebook, CodingJob, Correction, Response, Wave
from service.errors import ApiError, id_details, id_text
from service.settings import DEFAULT_MIN_CELL_FLOOR
from textmine.summary import build_summary
from textmine.report import ReportData, report_from_summary
from textmine.report.wording import say

_LOCK = threading.Lock()


def _summary_key(label: str):
    """Wave key for build_summary: numeric labels as int (so waves order numerically), others as is."""
    s = str(label)
    return int(s) if s.isdigit() else s


def previous_wave(session: Session, wave: Wave) -> Wave | None:
    """The survey's wave just before ``wave``: by number when both labels are numbers (2022 before 2023, whatever
    the upload order), otherwise by upload order ("høst 2023" before "vår 2024", which an alphabetical order
    would reverse)."""
    waves = session.scalars(select(Wave).where(Wave.survey_id == wave.survey_id, Wave.id != wave.id)).all()
    mine = str(wave.label)
    if mine.isdigit() and any(str(w.label).isdigit() for w in waves):
        earlier = [w for w in waves if str(w.label).isdigit() and int(w.label) < int(mine)]
        return max(earlier, key=lambda w: int(w.label)) if earlier else None
    earlier = [w for w in waves if w.id < wave.id]
    return max(earlier, key=lambda w: w.id) if earlier else None


def _state_key(session: Session, waves: list[Wave], chosen: dict[int, int | None] | None = None) -> tuple:
    """The cache key: each wave's reported job (``chosen``: asked for by id), its corrections and what it holds
    (respondent and response counts, content fingerprint): an erasure by another process (``textmine store
    delete-respondent``) changes them, so a running server does not serve the deleted answers from its cache."""
    key = []
    for w in waves:
        job = store.latest_done_job(session, w.id)
        if chosen and chosen.get(w.id) is not None:
            job = session.get(CodingJob, chosen[w.id])
        n_corr = session.scalar(select(func.count(Correction.id)).join(Response, Response.id == Correction.response_id)
                                .where(Response.wave_id == w.id)) or 0
        last = session.scalar(select(func.max(Correction.id)).join(Response, Response.id == Correction.response_id)
                              .where(Response.wave_id == w.id))
        key.append((w.id, job.id if job else None, n_corr, last, w.n_respondents, w.n_responses, w.content_sha256))
    return tuple(key)


def _job_text(job_id: int, model_id: int | None, language: str = "nb", zero_shot: bool = False) -> str:
    if model_id:
        coder = say("modell {model}", language, model=model_id)
    else:
        coder = say("klassifisering uten treningsdata (svarene sammenlignes med kodebokens temabeskrivelser)", language) if zero_shot \
            else say("standardmodellen", language)
    return say("kodejobb {job}, ", language, job=job_id) + coder


def _zero_shot(session: Session, job: CodingJob) -> bool:
    """Whether a job without a trained model coded zero-shot: the bundled model codes the bundled codebook only."""
    return job.model_id is None and not store.is_default_codebook(session.get(Codebook, job.codebook_id))


#: why the compared wave's themes are not compared when it was coded with another model
MISMATCH_NOTE = (" – temaene sammenlignes ikke, fordi bølgene er kodet med ulike modeller; kod bølgen med samme modell "
                 "for å sammenligne dem")


def _model_note(wave: Wave, job: CodingJob | None, refused: ApiError | None, compared: bool,
                language: str = "nb", zero_shot: bool = False) -> str:
    """The method section's model line for one wave: its coding job and model (``zero_shot``: the job coded
    without a trained model), or why its themes are not compared (in ``language``)."""
    label = str(wave.label)
    if job is not None:
        return f"{label}: {_job_text(job.id, job.model_id, language, zero_shot)}"
    if refused is None:
        return f"{label}: " + say("ikke kodet ennå", language) + (say(" (temaene sammenlignes ikke)", language)
                                                                   if compared else "")
    if refused.code == "model_mismatch":
        d = refused.details or {}
        return (f"{label}: {_job_text(d.get('compare_job_id'), d.get('compare_model_id'), language)}"
                + say(MISMATCH_NOTE, language))
    return f"{label}: " + say("kodet med en annen kodebok – temaene sammenlignes ikke", language)


def _chosen_waves(session: Session, wave: Wave, compare: bool, job_id: int | None, compare_wave_id: int | None,
                  compare_job_id: int | None) -> tuple[Wave | None, CodingJob | None]:
    """The comparison wave (``compare_wave_id``, else the previous wave) and the wave's reported job, checked as
    ``GET /waves/{id}/summary`` checks them (same errors)."""
    if compare_job_id is not None and compare_wave_id is None:
        raise ApiError(422, "compare_job_without_wave", "compare_job_id needs compare_wave_id (the wave of that job)",
                       id_details("compare_job_id", compare_job_id))
    main = store._chosen_job(session, wave, job_id)
    if compare_wave_id is None:
        return (previous_wave(session, wave) if compare else None), main
    other = store.get_or_404(session, Wave, compare_wave_id, "wave")
    store._check_compare_wave(wave, other)
    return other, main


def report_language(asked: str | None, definition, codebook: dict | None) -> str:
    """The report's language: ``asked`` ("nb"/"nn", checked) when given, else the survey definition's or the
    codebook's ``language`` when it is "nb" or "nn", else "nb" (bokmål)."""
    from textmine.report.wording import check_language, default_language

    if asked is not None:
        return check_language(asked)
    return default_language(getattr(definition, "language", None), (codebook or {}).get("language"))


def wave_report(request, session: Session, wave_id: int, compare: bool = True, *, job_id: int | None = None,
                compare_wave_id: int | None = None, compare_job_id: int | None = None,
                language: str | None = None) -> ReportData:
    """ReportData for a wave (its job ``job_id`` or latest finished one) and the previous wave of the same survey
    (or ``compare_wave_id``, its job ``compare_job_id``), cached until codes change. Jobs and waves asked for by id
    are checked as the summary endpoint checks them: a comparison wave asked for whose coding has another codebook
    or model is refused (409); the implicit previous wave is then compared by its indicators only, with a note.
    ``language``: "nb" or "nn" (:func:`report_language`; default: the survey definition's, else the
    codebook's when nb or nn, else bokmål)."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise ApiError(404, "not_found", f"wave{id_text(wave_id)} does not exist", id_details("wave_id", wave_id))
    floor = getattr(getattr(request.app.state, "settings", None), "min_cell_floor", DEFAULT_MIN_CELL_FLOOR)
    info = library.parse_survey(wave.definition_yaml or "", floor)  # min_cell raised to the service's floor
    waves = [wave]
    prev, main_job = _chosen_waves(session, wave, compare, job_id, compare_wave_id, compare_job_id)
    if prev is not None:
        waves.insert(0, prev)
    jobs = {wave.id: main_job}
    refused = None
    if prev is not None:  # themes are only compared between codings with the same codebook and model
        if compare_wave_id is not None:  # a wave (or job) asked for by id: refused as by the summary
            jobs[prev.id] = store._compare_job(session, prev, main_job, compare_job_id)
        else:
            try:
                jobs[prev.id] = store._compare_job(session, prev, main_job)
            except ApiError as exc:
                jobs[prev.id], refused = None, exc  # another codebook or model: compare the indicators only
    main_cb = session.get(Codebook, main_job.codebook_id) if main_job is not None else None
    language = report_language(language, info.definition, main_cb.content if main_cb is not None else None)
    cache: OrderedDict = request.app.state.__dict__.setdefault("_web_report_cache", OrderedDict())
    key = (language, _state_key(session, waves, {w: (j.id if j is not None else None) for w, j in jobs.items()}))
    with _LOCK:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    frames, coded = {}, {}
    codebook = None
    labels: dict[str, str] = {}
    for w in waves:
        wkey = _summary_key(w.label)  # (not ``key``: that is the cache key)
        frames[wkey] = store.structured_frame(session, w, info.id_column)
        job = jobs[w.id]
        if job is not None:
            cb = session.get(Codebook, job.codebook_id)
            theme_ids = [t["id"] for t in cb.content.get("themes", [])]
            labels.update({t["id"]: t.get("label") or t["id"] for t in cb.content.get("themes", [])})
            coded[wkey] = store.coded_frame(session, w, job, theme_ids)
            if w.id == wave.id:
                codebook = cb.content
    models = [_model_note(w, jobs[w.id], refused if w is prev else None, w is prev, language,
                          jobs[w.id] is not None and _zero_shot(session, jobs[w.id]))
              for w in reversed(waves)]
    n_corr = sum(int(c["corrected"].sum()) for c in coded.values() if "corrected" in c.columns)
    method = {"model": "; ".join(models),
              "coding": say("{n} kommentarer er rettet manuelt; rettelsene erstatter maskinkodene.", language,
                            n=n_corr)}
    embedder = quoting.quote_embedder(request.app)  # as GET /waves/{id}/themes/{theme}/quotes and the CLI's
    compare_to = _summary_key(waves[0].label) if len(waves) > 1 else None
    frames = store.neutral_small_levels(frames, info.definition, coded or None,  # as GET /waves/{id}/summary
                                        compare_to=compare_to)
    try:
        summary = build_summary(frames, info.definition, coded or None, theme_labels=labels or None,
                                compare_to=compare_to, embedder=embedder)
    except (ValueError, KeyError) as exc:
        raise ApiError(422, "summary_failed", f"could not build the report: {str(exc)[:300]}") from None
    data = report_from_summary(summary, info.definition, frames=frames, coded=coded, codebook=codebook, method=method,
                               language=language)
    data.language = language
    # theme ids the definition links to indicators that the job's codebook lacks, and the hints for a definition
    # without `overall`/`themes` links: as the CLI's report warns (textmine.report.pipeline.build_report; ids only)
    notes = [*(info.definition.unknown_indicator_themes(t["id"] for t in codebook.get("themes", []))
               if codebook is not None else []), *info.definition.link_hints()]
    if notes:
        prev = data.method.get("warnings")
        data.method["warnings"] = "; ".join(([str(prev)] if prev else []) + notes)
    with _LOCK:
        cache[key] = data
        while len(cache) > 8:
            cache.popitem(last=False)
    return data


def wave_report_with_charts(request, session: Session, wave_id: int, **chosen):
    """(ReportData, charts): the charts (the slow part) are kept on the cached ReportData object; ``chosen``: the
    jobs and comparison wave (see :func:`wave_report`)."""
    from textmine.report.html import make_charts

    data = wave_report(request, session, wave_id, **chosen)
    with _LOCK:
        charts = data.__dict__.get("_charts")
    if charts is None:
        charts = make_charts(data, png=False)
        with _LOCK:
            data.__dict__["_charts"] = charts
    return data, charts


def theme_scores(session: Session, response_ids: list[int]) -> dict[int, dict[str, float]]:
    """Per-theme scores of the latest coding result of each response (for the review queue)."""
    from service.db.models import CodingResult

    if not response_ids:
        return {}
    rows = session.execute(select(CodingResult.response_id, CodingResult.scores, CodingResult.id)
                           .where(CodingResult.response_id.in_(response_ids)).order_by(CodingResult.id)).all()
    return {rid: {k: float(v) for k, v in (scores or {}).items()} for rid, scores, _ in rows}


def latest_job(session: Session, wave_id: int) -> CodingJob | None:
    return session.scalars(select(CodingJob).where(CodingJob.wave_id == wave_id).order_by(CodingJob.id.desc())).first()
