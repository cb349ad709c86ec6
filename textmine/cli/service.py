"""CLI for the service: ``textmine serve``, ``textmine keys …`` and ``textmine store …`` (same store as the API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

keys_app = typer.Typer(help="API-nøkler (lagres kun som saltet hash).", no_args_is_help=True)
store_app = typer.Typer(help="Lageret: undersøkelser, bølger, kodebøker, kodejobber, sammendrag.", no_args_is_help=True)

DB_OPT = typer.Option(None, "--database", help="SQLAlchemy URL (default: TEXTMINE_DATABASE_URL or ./textmine.db)")


def _settings(database: str | None, **overrides):
    from service.settings import Settings

    return Settings.from_env(database_url=database, **overrides)


def _db(database: str | None):
    from service.db.session import Database

    return Database(_settings(database).database_url)


def _fail(exc) -> None:
    typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
    raise typer.Exit(2)


def _refuse_setting(exc: ValueError) -> None:
    """A configuration the service refuses at startup (e.g. a bad default model)."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2)


def _echo_json(obj) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def register(app: typer.Typer) -> None:
    """Attach ``serve``, ``keys`` and ``store`` to the main app."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
    app.add_typer(store_app, name="store")


def serve(host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
          database: Optional[str] = DB_OPT, log_level: str = typer.Option("info", "--log-level"),
          default_model: Optional[Path] = typer.Option(
              None, "--default-model", help="model for requests that name none (default: TEXTMINE_DEFAULT_MODEL "
                                            "or models/default; models/fast is the faster e5-static model)")) -> None:
    """Start the HTTP API (migrates the database first; resumes unfinished coding jobs)."""
    import uvicorn

    from service.app import create_app

    settings = _settings(database, default_model=default_model)
    try:
        app = create_app(settings)
    except ValueError as exc:
        _refuse_setting(exc)
    typer.echo(f"textmine serving on http://{host}:{port} (docs at /docs), store: {_redact_url(settings.database_url)}",
               err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, timeout_keep_alive=30)


def _redact_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid url>"


# ---------------------------------------------------------------- keys
@keys_app.command("create")
def keys_create(role: str = typer.Option(..., "--role", help="reader | analyst | admin"),
                name: Optional[str] = typer.Option(None, "--name"), database: Optional[str] = DB_OPT) -> None:
    """Create an API key; the key is printed once, on the last line."""
    from service.auth import ROLES, create_key
    from service.errors import ApiError

    if role not in ROLES:
        typer.echo(f"error: --role must be one of {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    db = _db(database)
    try:
        with db.session() as s:
            row, key = create_key(s, role, name)
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"created {role} key id={row.id} prefix={row.prefix} (store it now; it is not shown again):")
    typer.echo(key)


@keys_app.command("list")
def keys_list(database: Optional[str] = DB_OPT) -> None:
    """List keys (id, prefix, role, revoked); secrets are never stored."""
    from sqlalchemy import select

    from service.db.models import ApiKey

    with _db(database).session() as s:
        for k in s.scalars(select(ApiKey).order_by(ApiKey.id)):
            typer.echo(f"{k.id}\t{k.prefix}\t{k.role}\t{'revoked' if k.revoked else 'active'}\t{k.name or ''}")


@keys_app.command("revoke")
def keys_revoke(key_id: int, database: Optional[str] = DB_OPT) -> None:
    from service.db.models import ApiKey

    with _db(database).session() as s:
        row = s.get(ApiKey, key_id)
        if row is None:
            typer.echo(f"error: key {key_id} does not exist", err=True)
            raise typer.Exit(2)
        row.revoked = True
    typer.echo(f"revoked key {key_id}")


# ---------------------------------------------------------------- store
@store_app.command("survey-create")
def store_survey_create(name: str, definition: Path = typer.Option(..., "--definition", exists=True, dir_okay=False),
                        description: Optional[str] = typer.Option(None, "--description"),
                        database: Optional[str] = DB_OPT) -> None:
    """Create a survey with its survey definition (like POST /surveys)."""
    from service import store
    from service.errors import ApiError

    try:
        with _db(database).session() as s:
            row = store.create_survey(s, name, description, definition.read_text(encoding="utf-8"))
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"survey id={row.id} name={row.name}")


@store_app.command("upload")
def store_upload(survey_id: int, file: Path = typer.Argument(..., exists=True, dir_okay=False),
                 definition: Optional[Path] = typer.Option(None, "--definition", exists=True, dir_okay=False),
                 label: Optional[str] = typer.Option(None, "--label"), database: Optional[str] = DB_OPT) -> None:
    """Upload a wave (like POST /surveys/{id}/waves): validates, redacts, stores in one transaction."""
    from service import store
    from service.errors import ApiError

    settings = _settings(database)
    try:
        with _db(database).session() as s:
            wave, warnings = store.upload_wave(s, settings, survey_id, file.read_bytes(), file.name, label,
                                               definition.read_text(encoding="utf-8") if definition else None)
            counts = store.wave_counts(s, wave)
    except ApiError as exc:
        _fail(exc)
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    typer.echo(f"wave id={wave.id} label={wave.label} respondents={counts['respondents']} "
               f"responses={counts['responses']}")


@store_app.command("codebook-add")
def store_codebook_add(file: Path = typer.Argument(..., exists=True, dir_okay=False),
                       database: Optional[str] = DB_OPT) -> None:
    """Store a codebook version from YAML (like POST /codebooks)."""
    from service import library, store
    from service.errors import ApiError

    try:
        cb = library.codebook_from_yaml(file.read_text(encoding="utf-8"))
        with _db(database).session() as s:
            row, created = store.add_codebook(s, library.codebook_to_dict(cb))
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"codebook id={row.id} {row.name} {row.version} ({'new' if created else 'already stored'})")


@store_app.command("code")
def store_code(wave_id: int, codebook_id: Optional[int] = typer.Option(None, "--codebook-id"),
               model_id: Optional[int] = typer.Option(None, "--model-id"),
               force: bool = typer.Option(False, "--force"), database: Optional[str] = DB_OPT) -> None:
    """Run (or resume) a coding job in the foreground (like POST /waves/{id}/coding-jobs)."""
    from rich.progress import Progress

    from service import store
    from service.coders import CoderCache
    from service.errors import ApiError
    from service.jobs import run_job

    settings = _settings(database)
    try:  # a bad TEXTMINE_DEFAULT_MODEL is refused before any job is started
        coders = CoderCache(factory=settings.coder_factory, default_model=settings.default_model)
    except ValueError as exc:
        _refuse_setting(exc)
    db = _db(database)
    try:
        with db.session() as s:
            job, created = store.start_job(s, wave_id, codebook_id, model_id, force)
            if job.state == "done":
                typer.echo(f"job id={job.id} already done ({job.done}/{job.total}); use --force to rerun")
                return
            job_id, total, done = job.id, job.total, job.done
    except ApiError as exc:
        _fail(exc)
    with Progress() as progress:
        task = progress.add_task(f"koder bølge {wave_id}", total=total, completed=done)
        state = run_job(db, coders, job_id, settings.job_chunk_size,
                        on_chunk=lambda j: progress.update(task, completed=j.done))
    typer.echo(f"job id={job_id} {state}")
    if state != "done":
        raise typer.Exit(1)


@store_app.command("jobs")
def store_jobs(wave_id: Optional[int] = typer.Option(None, "--wave-id"), database: Optional[str] = DB_OPT) -> None:
    """List coding jobs with progress (like GET /jobs)."""
    from sqlalchemy import select

    from service import store
    from service.db.models import CodingJob

    with _db(database).session() as s:
        stmt = select(CodingJob).order_by(CodingJob.id)
        if wave_id is not None:
            stmt = stmt.where(CodingJob.wave_id == wave_id)
        for job in s.scalars(stmt):
            v = store.job_view(job)
            typer.echo(f"{v['id']}\twave={v['wave_id']}\tcodebook={v['codebook_id']}\tmodel={v['model_id']}\t"
                       f"{v['state']}\t{v['done']}/{v['total']}")


@store_app.command("cancel")
def store_cancel(job_id: int, database: Optional[str] = DB_OPT) -> None:
    from service import store
    from service.errors import ApiError

    try:
        with _db(database).session() as s:
            job = store.cancel_job(s, job_id)
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"job id={job.id} {job.state}")


@store_app.command("summary")
def store_summary(wave_id: int, compare_wave_id: Optional[int] = typer.Option(None, "--compare"),
                  database: Optional[str] = DB_OPT) -> None:
    """Print the wave summary as JSON (like GET /waves/{id}/summary)."""
    from service import store
    from service.errors import ApiError

    try:
        with _db(database).session() as s:
            _echo_json(store.wave_summary(s, wave_id, compare_wave_id))
    except ApiError as exc:
        _fail(exc)


@store_app.command("quotes")
def store_quotes(wave_id: int, theme: str, n: int = typer.Option(5, "-n"), database: Optional[str] = DB_OPT) -> None:
    """Redacted quotes for a theme (like GET /waves/{id}/themes/{theme}/quotes)."""
    from service import store
    from service.errors import ApiError

    try:
        with _db(database).session() as s:
            _echo_json(store.theme_quotes(s, wave_id, theme, n))
    except ApiError as exc:
        _fail(exc)


@store_app.command("review")
def store_review(wave_id: Optional[int] = typer.Option(None, "--wave-id"), limit: int = typer.Option(20, "--limit"),
                 database: Optional[str] = DB_OPT) -> None:
    """The review queue (like GET /review-queue)."""
    from service import store

    with _db(database).session() as s:
        items, total = store.review_queue(s, limit, 0, wave_id)
    _echo_json({"total": total, "items": items})


@store_app.command("correct")
def store_correct(response_id: int, themes: str = typer.Option("", "--themes", help="theme ids joined by ;"),
                  type_: Optional[str] = typer.Option(None, "--type"),
                  codebook_id: Optional[int] = typer.Option(None, "--codebook-id"),
                  database: Optional[str] = DB_OPT) -> None:
    """Store a human correction (like POST /responses/{id}/codes)."""
    from service import store
    from service.errors import ApiError

    try:
        with _db(database).session() as s:
            row = store.add_correction(s, response_id, [t for t in themes.split(";") if t], type_, codebook_id, None)
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"correction id={row.id} response={row.response_id} themes={row.themes}")


@store_app.command("train")
def store_train(codebook_id: Optional[int] = typer.Option(None, "--codebook-id"),
                name: Optional[str] = typer.Option(None, "--name"),
                min_examples: int = typer.Option(20, "--min-examples"), database: Optional[str] = DB_OPT) -> None:
    """Train a supervised model from stored corrections (like POST /models)."""
    from service import store
    from service.errors import ApiError

    settings = _settings(database)
    try:
        with _db(database).session() as s:
            model = store.train_model(s, settings, codebook_id, name, min_examples)
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"model id={model.id} name={model.name} trained on {model.n_training} responses")
