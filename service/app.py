"""The FastAPI application factory."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service import library
from service.auth import KeyCache
from service.batcher import MicroBatcher
from service.coders import CoderCache
from service.crypto import RawTextCodec
from service.db.session import Database
from service.errors import install_error_handlers, install_log_filter
from service.schemas import ErrorBody
from service.jobs import JobRunner, TrainingRunner
from service.memory import tune_malloc
from service.middleware import BodySizeLimit, Metrics, MetricsMiddleware
from service.resultcache import ResultCache
from service.routers import classify, codebooks, health, jobs, keys, results, surveys
from service.settings import Settings

log = logging.getLogger("textmine.service")

ERROR_RESPONSES = {code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 422)}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: database (migrated), coder cache, coding-job and training-job runners, routers, middleware,
    error handlers."""
    settings = settings or Settings.from_env()
    tune_malloc(settings.malloc_arena_max, settings.malloc_mmap_threshold)  # before any worker thread starts
    RawTextCodec(settings.store_raw_text, settings.fernet_key)  # fail fast on a bad raw-text configuration
    coders = CoderCache(factory=settings.coder_factory, cleaner_cache_entries=settings.cleaner_cache_entries,
                        default_model=settings.default_model,  # a bad default model fails before any migration
                        freeze=settings.freeze_heap)
    db = Database(settings.database_url)
    runner = JobRunner(db, coders, chunk_size=settings.job_chunk_size)
    training = TrainingRunner(db, settings, coders)  # POST /models: one training at a time
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_log_filter()  # again: uvicorn configures its loggers after the app object exists
        if settings.warmup:
            coders.start_warm_up()
        if settings.run_jobs:
            runner.start()
            resumed = runner.resume()
            if resumed:
                log.info("resumed coding jobs %s", resumed)
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
            db.dispose()

    app = FastAPI(title="textmine", version="0.1.0", lifespan=lifespan, responses=ERROR_RESPONSES,
                  description="Text analytics for Norwegian free-text survey comments. Every data endpoint needs "
                              "an API key (`X-API-Key` or `Authorization: Bearer`).")
    app.state.settings = settings
    app.state.db = db
    app.state.coders = coders
    app.state.jobs = runner
    app.state.training = training
    app.state.metrics = metrics
    app.state.key_cache = KeyCache(ttl=settings.key_cache_seconds)
    app.state.results = ResultCache(settings.classify_cache_entries)

    def _code(coder, texts):
        return library.frame_records(library.classify_texts(coder, texts, settings.cleaner_factory))

    app.state.batcher = MicroBatcher(lambda texts: app.state.results.records(coders.default(), texts, _code),
                                     concurrency=settings.classify_concurrency)

    install_error_handlers(app)
    for module in (health, surveys, codebooks, jobs, classify, results, keys):
        app.include_router(module.router)
    _mount_web(app)

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["X-API-Key", "Authorization", "Content-Type"])
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _mount_web(app: FastAPI) -> None:
    """Include the UI/report package (``service/web``, owned by the report helper) when it is installed."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("service.web") is None:
        return
    web = importlib.import_module("service.web")
    if hasattr(web, "mount"):
        web.mount(app)
    elif hasattr(web, "router"):
        app.include_router(web.router)
