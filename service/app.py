"""The FastAPI application factory."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from service import library
from service.auth import KeyCache
from service.audit import AuditMiddleware, audit_file_from_env
from service.batcher import MicroBatcher
from service.coders import CoderCache
from service.crypto import RawTextCodec
from service.db.session import Database
from service.errors import install_error_handlers, install_log_filter
from service.limits import limit_from_env
from service.schemas import ErrorBody
from service.jobs import JobRunner, TrainingRunner
from service.memory import tune_malloc
from service.middleware import BodySizeLimit, DefaultHeaders, Metrics, MetricsMiddleware
from service.resultcache import ResultCache
from service.routers import classify, codebooks, erasure, health, jobs, keys, results, surveys
from service.routers.health import DatabaseProbe
from service.settings import Settings

log = logging.getLogger("textmine.service")

ERROR_RESPONSES = {code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 422)}
#: the probes that need no key and take no input: none of ERROR_RESPONSES applies to them
KEYLESS_PROBES = ("/healthz", "/readyz")


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI operationId: its function's name (``wave_summary``, ``healthz``), which clients generated
    from the spec use as method names (tests/service/test_retries_dec06g.py keeps them unique)."""
    return route.name


def without_blanket_errors(app: FastAPI, paths: tuple[str, ...] = KEYLESS_PROBES) -> None:
    """Make ``app.openapi`` leave the app-wide error answers (401/403 for a missing key, 404, 409, 413, 422) off
    routes that cannot give them: the key-free probes answer 200 or 503 only. (The app-wide ``responses`` are
    merged into every route as it is included, so they are taken off the generated schema.)"""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = generate()
            for path in paths:
                for op in spec.get("paths", {}).get(path, {}).values():
                    for code in ERROR_RESPONSES:
                        op.get("responses", {}).pop(str(code), None)
            with_media_type_error(spec)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def with_media_type_error(spec: dict) -> None:
    """Document 415 ``unsupported_media_type`` (:func:`service.errors.wrong_media_type`) on every operation that
    reads a request body: a body sent as another media type than the one it lists."""
    answer = {"description": "the body was sent with another Content-Type than the one listed",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and "requestBody" in op:
                op.setdefault("responses", {}).setdefault("415", answer)


DOCS_STATIC = "/docs-static"  # fastapi-offline's Swagger UI and ReDoc files, served by the service (no CDN)
#: /docs and /redoc run code from the service only (Swagger UI's start script by its hash); ReDoc needs inline
#: styles and a blob: worker for its search
DOCS_CSP = ("default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: database (migrated), coder cache, coding-job and training-job runners, routers, middleware,
    error handlers."""
    settings = settings or Settings.from_env()
    audit_file = audit_file_from_env()  # TEXTMINE_AUDIT_LOG: a folder that does not exist fails before any migration
    tune_malloc(settings.malloc_arena_max, settings.malloc_mmap_threshold)  # before any worker thread starts
    RawTextCodec(settings.store_raw_text, settings.fernet_key)  # fail fast on a bad raw-text configuration
    heavy = limit_from_env()  # a bad TEXTMINE_HEAVY_* fails at start, before any migration, not at the first summary
    coders = CoderCache(factory=settings.coder_factory, cleaner_cache_entries=settings.cleaner_cache_entries,
                        default_model=settings.default_model,  # a bad default model fails before any migration
                        freeze=settings.freeze_heap, models_dir=settings.resolved_models_dir())
    db = Database(settings.database_url)
    runner = JobRunner(db, coders, chunk_size=settings.job_chunk_size)
    training = TrainingRunner(db, settings, coders)  # POST /models: one training at a time
    metrics = Metrics()
    db_probe = DatabaseProbe(db)  # /metrics' textmine_database_up

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_log_filter()  # again: uvicorn configures its loggers after the app object exists
        if settings.warmup:
            coders.start_warm_up()
        if settings.run_jobs:
            runner.start()
            waiting = runner.resume()  # queued for this runner; each is claimed when it runs (a lease)
            if waiting:  # another server on the same database may hold or take one: this one then leaves it
                log.info("coding jobs waiting to be resumed: %s (this or another server will take them)", waiting)
            training.start()
            failed, queued = training.resume()
            if failed:
                log.warning("training jobs %s were cut off by a server stop: marked failed", failed)
            if queued:
                log.info("queued training jobs %s", queued)
        try:
            yield
        finally:
            await app.state.batcher.close()
            runner.stop()
            training.stop()
            db_probe.close()
            db.dispose()

    app = FastAPI(title="textmine", version="0.1.0", lifespan=lifespan, responses=ERROR_RESPONSES,
                  generate_unique_id_function=operation_id,
                  docs_url=None, redoc_url=None,  # _mount_docs: the same pages without a CDN
                  description="Text analytics for Norwegian free-text survey comments. Every data endpoint needs "
                              "an API key (`X-API-Key` or `Authorization: Bearer`).")
    app.state.settings = settings
    app.state.db = db
    app.state.coders = coders
    app.state.jobs = runner
    app.state.training = training
    app.state.metrics = metrics
    app.state.db_probe = db_probe
    app.state.heavy_limit = heavy  # summaries, quotes, reports (service/limits.py)
    app.state.key_cache = KeyCache(ttl=settings.key_cache_seconds)
    app.state.results = ResultCache(settings.classify_cache_entries)

    def _code(coder, texts):
        return library.frame_records(library.classify_texts(coder, texts, settings.cleaner_factory))

    app.state.batcher = MicroBatcher(lambda texts: app.state.results.records(coders.default(), texts, _code),
                                     concurrency=settings.classify_concurrency)

    install_error_handlers(app)
    for module in (health, surveys, codebooks, jobs, classify, results, keys, erasure):
        app.include_router(module.router)
    _mount_docs(app)
    _mount_web(app)
    without_blanket_errors(app)

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["X-API-Key", "Authorization", "Content-Type"])
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(DefaultHeaders)  # no-store and nosniff on every answer, the 413 above included
    app.add_middleware(AuditMiddleware, file=audit_file)  # one line per data request, the 413s included
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _docs_page(page: HTMLResponse) -> HTMLResponse:
    """The page with its Content-Security-Policy: code from the service, and its inline scripts by hash."""
    scripts = _INLINE_SCRIPT.findall(page.body.decode("utf-8"))
    hashes = "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    page.headers["Content-Security-Policy"] = DOCS_CSP.format(hashes=hashes)
    page.headers["X-Frame-Options"] = "DENY"
    page.headers["Referrer-Policy"] = "same-origin"
    return page


def _mount_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc), public as FastAPI's own pages, but with their scripts, styles and
    favicon from the ``fastapi-offline`` package at DOCS_STATIC: they work without internet and run no third-party
    code (no CDN, no Google Fonts, no online validator)."""
    import fastapi_offline

    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_STATIC, StaticFiles(directory=str(static)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assets = root + DOCS_STATIC
        return _docs_page(get_swagger_ui_html(
            openapi_url=root + app.openapi_url, title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js", swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png", swagger_ui_parameters={"validatorUrl": None}))

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assets = root + DOCS_STATIC
        return _docs_page(get_redoc_html(
            openapi_url=root + app.openapi_url, title=f"{app.title} - ReDoc",
            redoc_js_url=f"{assets}/redoc.standalone.js", redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False))


def _mount_web(app: FastAPI) -> None:
    """Include the UI/report package (``service/web``, owned by the report helper) when it is installed; its
    login throttle and session limits go in first, so the UI's security headers cover their answers too."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("service.web") is None:
        return
    from service.web.session import install_login_limits

    install_login_limits(app)
    web = importlib.import_module("service.web")
    if hasattr(web, "mount"):
        web.mount(app)
    elif hasattr(web, "router"):
        app.include_router(web.router)
