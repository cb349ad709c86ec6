"""Server-rendered UI pages (Jinja2) and the HTML report endpoint ``GET /waves/{id}/report``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy import select

from service import library, store
from service.auth import Principal
from service.db.models import Codebook, CodingJob, Survey, Wave
from service.errors import ApiError
from service.limits import heavy_slot
from service.routers.results import with_languages, with_latest_corrections
from service.schemas import MAX_ID, IdPath
from textmine import stats as _stats
from textmine import summary as _summary
from textmine.preprocess.language import LANGUAGES
from textmine.report.html import quote_lang, render_html, view_model
from textmine.report.numbers import fmt_ci, fmt_int, fmt_pct, fmt_pp

from . import reportdata
from .session import (CSRF_HEADER, cross_site, current_login, end_session, header_key, page_principal, principal_for,
                      session_left, sessions, start_session)

TEMPLATES = Path(__file__).parent / "templates"
env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
                         lstrip_blocks=True)
env.filters["pct"] = fmt_pct
env.filters["int"] = fmt_int
env.filters["pp"] = fmt_pp
env.filters["ci"] = fmt_ci

#: a coding job's state as readers see it (home page, coding page and coding.js, which gets it from the page)
JOB_STATES = {"queued": "i kø", "running": "pågår", "done": "ferdig", "failed": "feilet", "cancelled": "avbrutt"}
_ASCII = str.maketrans({"å": "a", "æ": "ae", "ø": "o"})


def library_verdicts() -> tuple[str, ...]:
    """Every verdict word the library can emit: the short ``VERDICT_*`` texts of textmine.stats and
    textmine.summary (not the rule texts, which hold a colon)."""
    found = []
    for module in (_stats, _summary):
        for name, value in vars(module).items():
            if name.startswith("VERDICT_") and isinstance(value, str) and ":" not in value and value not in found:
                found.append(value)
    return tuple(found)


def verdict_class(verdict) -> str:
    """The badge class of a verdict («for få svar» → ``v-for-fa-svar``); anything the library does not emit gets
    ``v-ukjent`` (app.css has a rule, with a background, for each)."""
    text = str(verdict or "").strip()
    if text not in library_verdicts():
        return "v-ukjent"
    return "v-" + re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_ASCII)).strip("-")


#: abbreviations in page text and theme labels: shown as <abbr title> and expanded in each page's «Forkortelser»
ABBREVIATIONS = {"IA": "inkluderende arbeidsliv", "KI": "konfidensintervall", "pp": "prosentpoeng"}
_ABBR = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\b")


def with_abbr(text) -> Markup:
    """``text`` (escaped) with each known abbreviation as ``<abbr title="…">``."""
    escaped = str(escape(present(text)))
    return Markup(_ABBR.sub(lambda m: f'<abbr title="{ABBREVIATIONS[m.group(1)]}">{m.group(1)}</abbr>', escaped))


def present(value) -> str:
    """A cell as text: "" for None, NaN and blanks (an empty attribution is left out, not shown as «– »)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


env.filters["verdict_class"] = verdict_class
env.filters["abbr"] = with_abbr
env.filters["present"] = present
env.filters["quote_lang"] = quote_lang
env.filters["job_state"] = lambda state: JOB_STATES.get(str(state), str(state))
env.globals["ABBREVIATIONS"] = ABBREVIATIONS
env.globals["JOB_STATES"] = JOB_STATES

router = APIRouter()


def render(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
    login = getattr(request.state, "ui_login", None)
    ctx.setdefault("session_timing", session_left(request, login) if login is not None else None)
    html = env.get_template(template).render(request=request, **ctx)
    resp = HTMLResponse(html, status_code=status)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


ERROR_TEXTS = {
    400: ("Ugyldig forespørsel", "Adressen eller skjemaet har en ugyldig verdi."),
    401: ("Ikke tilgang", "Du må logge inn."),
    403: ("Ikke tilgang", "Du har ikke tilgang til dette."),
    404: ("Fant ikke siden", "Det du ba om, finnes ikke. Lenken kan være feil, eller innholdet er slettet."),
    405: ("Ugyldig forespørsel", "Denne adressen kan ikke brukes slik."),
    422: ("Kan ikke vise siden", "Adressen eller skjemaet har en ugyldig verdi, eller siden kan ikke lages av "
                                 "dataene som er lagret."),
}


CROSS_SITE_MESSAGE = "Skjemaet ble sendt fra et annet nettsted og er avvist. Åpne textmine direkte og prøv igjen."


def error_page(request: Request, status: int) -> HTMLResponse:
    """An HTML error page for a UI page: a fixed text per status, never the request's values or the API message."""
    heading, message = ERROR_TEXTS.get(status, ("Noe gikk galt", "Forespørselen kunne ikke behandles."))
    return render(request, "error.html", status=status, who=None, heading=heading, message=message)


def _session(request: Request):
    with request.app.state.db.session() as session:
        yield session


# ------------------------------------------------------------------------------------------ login
@router.get("/", include_in_schema=False)
def root():
    return RedirectResponse("/ui/", status_code=303)


@router.get("/ui/login", include_in_schema=False)
def login_page(request: Request, next: str = "/ui/"):
    return _login_form(request, 200, _safe_next(next), None)


@router.post("/ui/login", include_in_schema=False)
def login(request: Request, api_key: str = Form(""), next: str = Form("/ui/")):
    """Check the key and start a server-side session (the cookie gets only its id). No length limits on the
    fields here: an oversized paste gets the login form again (principal_for refuses keys over 300 characters),
    not a JSON validation error."""
    if cross_site(request):
        return render(request, "error.html", status=403, who=None, message=CROSS_SITE_MESSAGE)
    key = api_key.strip()
    next_url = _safe_next(next) if len(next) <= 300 else "/ui/"
    who = principal_for(request, key)
    if who is None:
        return _login_form(request, 401, next_url, "Ukjent eller tilbakekalt API-nøkkel.")
    request.state.principal = who  # for the audit line (service/audit.py)
    resp = RedirectResponse(next_url, status_code=303)
    start_session(request, resp, who, key)
    return resp


@router.post("/ui/logout", include_in_schema=False)
def logout(request: Request):
    """End the session on the server (a copied cookie stops working) and delete the cookie."""
    if cross_site(request):
        return render(request, "error.html", status=403, who=None, message=CROSS_SITE_MESSAGE)
    login = current_login(request)
    if login is not None:
        request.state.principal = login.principal  # for the audit line (service/audit.py)
    resp = RedirectResponse("/ui/login", status_code=303)
    end_session(request, resp)
    return resp


@router.post("/ui/session", include_in_schema=False)
def keep_alive(request: Request):
    """«Forleng økten»: a request that restarts the session's idle timer (the login time limit stays); answers
    how many seconds are left (``idle``, ``left``), or 401 when the session has already ended. Needs the UI's
    custom header, as the proxy does (no cross-site posts)."""
    if cross_site(request) or request.headers.get(CSRF_HEADER) != "1":
        return JSONResponse({"error": {"code": "csrf", "message": f"missing {CSRF_HEADER} header"}}, status_code=403)
    login = current_login(request)
    if login is None:
        return JSONResponse({"error": {"code": "unauthenticated", "message": "log in first"}}, status_code=401)
    request.state.principal = login.principal  # for the audit line (service/audit.py)
    return JSONResponse(session_left(request, login), headers={"Cache-Control": "no-store"})


def _login_form(request: Request, status: int, next_url: str, error: str | None) -> HTMLResponse:
    store = sessions(request)
    return render(request, "login.html", status=status, next=next_url, error=error, who=None,
                  idle=_duration(store.idle), lifetime=_duration(store.lifetime))


def _duration(seconds: float) -> str:
    """Whole hours or minutes in Norwegian ("8 timer", "1 time", "90 minutter")."""
    minutes = round(seconds / 60)
    if minutes % 60 == 0:
        return f"{minutes // 60} {'time' if minutes == 60 else 'timer'}"
    return f"{minutes} {'minutt' if minutes == 1 else 'minutter'}"


def _safe_next(url: str) -> str:
    """Only same-site UI paths (no scheme, host or protocol-relative tricks) are allowed after login."""
    return url if url.startswith("/ui") and "//" not in url and "\\" not in url and ":" not in url.split("?")[0] else "/ui/"


# ------------------------------------------------------------------------------------------ pages
@router.get("/ui/", include_in_schema=False)
def home(request: Request, who: Principal = Depends(page_principal), session=Depends(_session)):
    surveys = session.scalars(select(Survey).order_by(Survey.id)).all()
    waves = session.scalars(select(Wave).order_by(Wave.survey_id, Wave.id)).all()
    jobs = {}
    for w in waves:
        j = reportdata.latest_job(session, w.id)
        jobs[w.id] = j
    by_survey = {s.id: [w for w in waves if w.survey_id == s.id] for s in surveys}
    return render(request, "home.html", who=who, surveys=surveys, by_survey=by_survey, jobs=jobs)


@router.get("/ui/waves/{wave_id}", include_in_schema=False)
def dashboard(request: Request, wave_id: IdPath, segment: str | None = Query(None, max_length=100),
              who: Principal = Depends(page_principal), session=Depends(_session)):
    wave = store.get_or_404(session, Wave, wave_id, "wave")
    data, charts = reportdata.wave_report_with_charts(request, session, wave_id)
    if segment and segment not in data.segments:
        segment = None
    vm = view_model(data, charts, segment=segment)
    themes = data.themes[(data.themes["wave"] == data.current_wave) & (data.themes["segment_var"] == "Alle")]
    theme_links = list(dict.fromkeys(zip(themes["theme"], themes["label"])))
    job = reportdata.latest_job(session, wave_id)
    training = None
    if who.can("analyst"):  # readers never get the training button (POST /models needs an analyst key)
        cb = session.get(Codebook, job.codebook_id) if job is not None and job.codebook_id else None
        training = training_boot(request, session, cb or store.default_codebook_row(session))
    return render(request, "dashboard.html", who=who, wave=wave, data=data, vm=vm, segment=segment,
                  theme_links=theme_links, job=job, training=training)


@router.get("/ui/waves/{wave_id}/themes/{theme}", include_in_schema=False)
def theme_page(request: Request, wave_id: IdPath, theme: str, who: Principal = Depends(page_principal),
               session=Depends(_session)):
    wave = store.get_or_404(session, Wave, wave_id, "wave")
    data = reportdata.wave_report(request, session, wave_id)
    th = data.themes[(data.themes["wave"] == data.current_wave) & (data.themes["theme"] == theme)]
    if th.empty:
        raise ApiError(404, "unknown_theme", f"the theme has no coded comments in wave {wave_id}")
    label = str(th["label"].iloc[0])
    blocks = []
    for q, qtext in data.questions.items():
        overall = th[(th["segment_var"] == "Alle") & (th["question"] == q)]
        if overall.empty:
            continue
        blocks.append({
            "question": q, "text": qtext, "overall": overall.iloc[0].to_dict(),
            "segments": th[(th["segment_var"] != "Alle") & (th["question"] == q)].to_dict("records"),
            "quotes": data.quotes[(data.quotes["theme"] == theme) & (data.quotes["question"] == q)].to_dict("records"),
            "changes": data.changes[(data.changes["kind"] == "tema") & (data.changes["key"] == theme)
                                    & (data.changes["question"] == q)].to_dict("records"),
            "impact": data.impact[(data.impact["theme"] == theme) & (data.impact["question"] == q)].to_dict("records"),
        })
    return render(request, "theme.html", who=who, wave=wave, data=data, theme=theme, label=label, blocks=blocks)


#: the review queue's ``reason`` (service.store.review_queue) as the page says it; review.js adds the theme's label
#: after «sjeldent tema» and shows an unknown reason as it is
REVIEW_REASONS = {"uncertain": "usikker kode", "rare theme": "sjeldent tema",
                  "near-duplicate": "nesten lik en kommentar tidligere i køen"}


@router.get("/ui/review", include_in_schema=False)
def review(request: Request, wave_id: int | None = Query(None, ge=1, le=MAX_ID), who: Principal = Depends(page_principal),
           session=Depends(_session)):
    if not who.can("analyst"):
        return render(request, "error.html", status=403, who=who, message="Gjennomgang krever rollen analytiker.")
    wave = store.get_or_404(session, Wave, wave_id, "wave") if wave_id else None
    items, total = store.review_queue(session, 50, 0, wave_id)
    items = with_latest_corrections(session, with_languages(session, items))  # review.js sends it back on save
    scores = reportdata.theme_scores(session, [i["response_id"] for i in items])
    for i in items:
        i["scores"] = scores.get(i["response_id"], {})
    job_ids = dict.fromkeys(i["job_id"] for i in items)  # queue order: the panel trains the first answer's codebook
    codebooks = {}
    for jid in job_ids:
        job = session.get(CodingJob, jid)
        cb = session.get(Codebook, job.codebook_id) if job and job.codebook_id else None
        if cb is not None:
            codebooks[jid] = _review_codebook(cb)
    if not codebooks:
        default = _review_codebook(store.default_codebook_row(session))
    else:
        default = next(iter(codebooks.values()))
    boot = {"items": items, "total": total, "wave_id": wave_id, "codebooks": {str(k): v for k, v in codebooks.items()},
            "default_codebook": default, "langs": _html_langs(i["language"] for i in items), "reasons": REVIEW_REASONS}
    training = training_boot(request, session, session.get(Codebook, default["id"]))
    return render(request, "review.html", who=who, total=total, wave_id=wave_id, wave=wave,
                  boot=json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"), training=training)


#: the held-out (out-of-fold) quality figures the training panel compares, before → after (train.js names them)
TRAINING_FIGURES = ("oof_macro_f1", "oof_micro_f1", "oof_exact_match")


def training_boot(request: Request, session, codebook: Codebook | None) -> dict | None:
    """What the «Tren ny modell» panel (train.js, analysts only) needs: the codebook it trains (``POST /models``),
    the figures to compare a new model with (:func:`training_baseline`) and the codebook's training job already
    queued or running (:func:`active_training_job`: train.js follows it after a reload), as JSON for a ``data-``
    attribute."""
    if codebook is None:
        return None
    boot = {"codebook_id": codebook.id, "baseline": training_baseline(request, session, codebook),
            "active_job_id": active_training_job(session, codebook)}
    return {"codebook": codebook, "boot": json.dumps(boot, ensure_ascii=False).replace("</", "<\\/")}


def active_training_job(session, codebook: Codebook) -> int | None:
    """The id of the codebook's training job that is running, else its oldest queued one (the next to run of
    those ``GET /training-jobs`` lists); None when there is none."""
    from service.db.models import TrainingJob

    rows = session.execute(select(TrainingJob.id, TrainingJob.state)
                           .where(TrainingJob.codebook_id == codebook.id, TrainingJob.state.in_(store.ACTIVE_STATES))
                           .order_by(TrainingJob.id)).all()
    running = [i for i, state in rows if state == "running"]
    return (running or [i for i, _ in rows] or [None])[0]


def training_baseline(request: Request, session, codebook: Codebook) -> dict | None:
    """The quality a new model is compared with: the newest trained model of the codebook (``GET /models``), else,
    for the bundled codebook, the default model's recorded held-out figures (as ``textmine review --corrections``
    compares); None when there is neither. ``{"source": "model"|"default", "name", "metrics"}``."""
    from service.db.models import TrainedModel

    row = session.scalars(select(TrainedModel).where(TrainedModel.codebook_id == codebook.id)
                          .order_by(TrainedModel.id.desc()).limit(1)).first()
    if row is not None:
        return {"source": "model", "name": row.name, "metrics": _figures(row.metrics)}
    if not store.is_default_codebook(codebook):
        return None
    from textmine.paths import DEFAULT_MODEL_DIR

    folder = request.app.state.settings.default_model or DEFAULT_MODEL_DIR
    try:
        recorded = json.loads((Path(folder) / "metrics.json").read_text(encoding="utf-8")).get("training") or {}
    except (OSError, ValueError, AttributeError):
        return None
    figures = _figures(recorded)
    return {"source": "default", "name": Path(folder).name, "metrics": figures} if figures else None


def _figures(metrics) -> dict[str, float]:
    """The :data:`TRAINING_FIGURES` of a metrics dict that are numbers."""
    metrics = metrics if isinstance(metrics, dict) else {}
    return {k: float(metrics[k]) for k in TRAINING_FIGURES
            if isinstance(metrics.get(k), (int, float)) and not isinstance(metrics.get(k), bool)}


def _html_langs(languages) -> dict[str, str]:
    """{stored language: HTML lang} for the languages other than the page's (quote_lang, as the report): review.js
    sets ``lang`` on such a comment."""
    codes = dict.fromkeys([*LANGUAGES, *(x for x in languages if x)])
    return {c: quote_lang(c) for c in codes if quote_lang(c)}


def _review_codebook(cb) -> dict:
    """A codebook as the review page uses it: id, themes (:func:`_review_themes`) and the comment types a
    correction may give (the codebook's ``types``, else the library's defaults, as the store checks them)."""
    from textmine.codebook import DEFAULT_TYPES

    return {"id": cb.id, "themes": _review_themes(cb), "types": list(cb.content.get("types") or DEFAULT_TYPES)}


def _review_themes(cb) -> list[dict]:
    """The review page's theme list: id, label and whether the theme must stand alone (``exclusive``)."""
    return [{"id": t["id"], "label": t.get("label", t["id"]), "exclusive": bool(t.get("exclusive", False))}
            for t in cb.content.get("themes", [])]


@router.get("/ui/codebooks", include_in_schema=False)
def codebooks(request: Request, who: Principal = Depends(page_principal), session=Depends(_session)):
    rows = session.scalars(select(Codebook).order_by(Codebook.name, Codebook.id)).all()
    if not rows:
        store.default_codebook_row(session)
        rows = session.scalars(select(Codebook).order_by(Codebook.name, Codebook.id)).all()
    return render(request, "codebooks.html", who=who, rows=rows)


@router.get("/ui/codebooks/{codebook_id}", include_in_schema=False)
def codebook_edit(request: Request, codebook_id: IdPath, who: Principal = Depends(page_principal),
                  session=Depends(_session)):
    row = store.get_or_404(session, Codebook, codebook_id, "codebook")
    versions = session.scalars(select(Codebook).where(Codebook.name == row.name).order_by(Codebook.id)).all()
    boot = json.dumps({"id": row.id, "content": row.content}, ensure_ascii=False).replace("</", "<\\/")
    return render(request, "codebook_edit.html", who=who, row=row, versions=versions, boot=boot)


@router.get("/ui/waves/{wave_id}/coding", include_in_schema=False)
def coding(request: Request, wave_id: IdPath, who: Principal = Depends(page_principal), session=Depends(_session)):
    if not who.can("analyst"):
        return render(request, "error.html", status=403, who=who, message="Koding krever rollen analytiker.")
    wave = store.get_or_404(session, Wave, wave_id, "wave")
    cbs = session.scalars(select(Codebook).order_by(Codebook.name, Codebook.id)).all()
    job = reportdata.latest_job(session, wave_id)
    return render(request, "coding.html", who=who, wave=wave, codebooks=cbs, job=job)


# ------------------------------------------------------------------------------------------ report (API)
@router.get("/waves/{wave_id}/report", tags=["results"], response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}, "application/vnd.openxmlformats-officedocument."
                                                                    "spreadsheetml.sheet": {}}}})
def wave_report(request: Request, wave_id: IdPath, format: str = Query("html", pattern="^(html|xlsx)$"),
                job_id: int | None = Query(None, ge=1, le=MAX_ID, description="coding job (default: the latest "
                                           "finished)"),
                compare_wave_id: int | None = Query(None, ge=1, le=MAX_ID, description="earlier wave to compare "
                                                    "(default: the survey's previous wave)"),
                compare_job_id: int | None = Query(None, ge=1, le=MAX_ID, description="coding job of the compare "
                                                   "wave (default: its latest finished one by the same codebook and "
                                                   "model)"),
                language: str | None = Query(None, pattern="^(nb|nn)$", description="written standard of the "
                                             "report's fixed text: nb (bokmål) or nn (nynorsk); default: the "
                                             "codebook's language when nb or nn, else nb"),
                _slot: None = Depends(heavy_slot, scope="function"), session=Depends(_session)):
    """The wave's report as one self-contained HTML file (inline CSS and SVG charts), or the Excel workbook
    (``format=xlsx``). Compared with the survey's previous wave (or ``compare_wave_id``); ``job_id`` and
    ``compare_job_id`` choose the coding jobs, checked as by ``GET /waves/{id}/summary`` (same errors). Needs a
    reader key (header or UI login); the workbook's row-level sheet «Kodede svar» is for analysts only. Bounded
    with the summaries and quotes (``TEXTMINE_HEAVY_CONCURRENCY``; 503 ``busy`` after the wait)."""
    who = _report_principal(request)
    if who is None:
        raise ApiError(401, "unauthenticated", "an API key is required (X-API-Key header or Authorization: Bearer)")
    chosen = {"job_id": job_id, "compare_wave_id": compare_wave_id, "compare_job_id": compare_job_id,
              "language": language}
    if format == "xlsx":
        data = reportdata.wave_report(request, session, wave_id, **chosen)
        body = _workbook_bytes(data, who, session.get(Wave, wave_id), session)
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="rapport_{wave_id}.xlsx"',
                                 "Cache-Control": "no-store"})
    data, charts = reportdata.wave_report_with_charts(request, session, wave_id, **chosen)
    return HTMLResponse(render_html(data, charts), headers={"Cache-Control": "no-store"})


def _workbook_bytes(data, who: Principal, wave: Wave, session=None) -> bytes:
    """The Excel report for ``who``: readers get summaries and checked quotes only (no row per respondent);
    analysts also get «Kodede svar», without the respondent id and the ``attribution: false`` segments, with
    small-cell segment values blanked and health-flagged comments (the stored flags) replaced by a note
    (textmine.report.excel.safe_coded_rows)."""
    import tempfile

    from textmine.report.excel import write_workbook

    row_level = who.can("analyst")
    if row_level and session is not None:
        data = _with_stored_health_flags(data, session, wave)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(data, Path(tmp) / "rapport.xlsx", row_level=row_level,
                              omit_columns=_identifying_columns(wave) if row_level else ())
        return path.read_bytes()


def _with_stored_health_flags(data, session, wave: Wave):
    """A copy of the (cached, shared) report data whose coded rows carry ``health_flag`` as stored with each
    response at upload (the report's coded rows do not keep it); the cached object is left as it is."""
    import copy

    from service.db.models import Respondent
    from service.db.models import Response as ResponseRow

    coded = data.coded
    if coded is None or not len(coded) or not {"wave", "respondent_id", "question"} <= set(coded.columns):
        return data
    rows = session.execute(select(Wave.label, Respondent.respondent_id, ResponseRow.question)
                           .join(Respondent, Respondent.id == ResponseRow.respondent_pk)
                           .join(Wave, Wave.id == ResponseRow.wave_id)
                           .where(Wave.survey_id == wave.survey_id, ResponseRow.health_flag != 0)).all()
    flagged = {(str(reportdata._summary_key(label)), str(rid), str(q)) for label, rid, q in rows}
    stored = [int((str(w), str(r), str(q)) in flagged)
              for w, r, q in zip(coded["wave"], coded["respondent_id"], coded["question"])]
    out = coded.copy()
    if "health_flag" in out.columns:
        import pandas as pd

        old = (pd.to_numeric(out["health_flag"], errors="coerce").fillna(0) > 0).astype(int).tolist()
        stored = [max(a, b) for a, b in zip(stored, old)]
    out["health_flag"] = stored
    data = copy.copy(data)
    data.coded = out
    return data


def _identifying_columns(wave: Wave) -> list[str]:
    """Coded-answer columns the service never exports: the respondent id and segments declared
    ``attribution: false`` (identifying, e.g. næring)."""
    definition = library.parse_survey(wave.definition_yaml or "").definition
    segments = getattr(definition, "segments", None) or []
    return ["respondent_id"] + [s.column for s in segments if not s.attribution]


def _report_principal(request: Request) -> Principal | None:
    """An API key header decides when present; otherwise the UI session."""
    key = header_key(request)
    who = principal_for(request, key) if key is not None else None
    if key is None:
        login = current_login(request)
        who = login.principal if login is not None else None
    if who is not None:
        request.state.principal = who  # for the audit line (service/audit.py)
    return who
