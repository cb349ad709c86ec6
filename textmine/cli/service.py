"""CLI for the service: ``textmine serve``, ``textmine keys …`` and ``textmine store …`` (same store as the API).

``textmine store`` offers what the API offers, by the same service functions and with the same privacy rules
(redacted text only, hidden cells blanked, no personal data in messages): create and upload (``survey-create``,
``upload``, ``codebook-add``), list and show (``surveys``, ``waves``, ``wave``, ``codebooks``, ``codebook``,
``models``, ``jobs``; ``--json`` prints the API's JSON), code (``code``, ``cancel``; ``cancel-training`` cancels a
training job), read results (``summary``,
``quotes``, ``report``), review and correct (``review``, ``correct``, also from a CSV file, ``uncorrect``) and ``train``; erase (``delete-wave``,
``delete-survey``, ``delete-respondent``, ``delete-model``) and apply a retention period (``purge``); remove or
re-encrypt stored raw text (``clear-raw-text``, ``rotate-raw-key``). Store changes made here write an audit line
(ids and counts only)."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import signal
import threading
from pathlib import Path
from typing import Optional

import typer

keys_app = typer.Typer(help="API keys (stored only as salted hashes).", no_args_is_help=True)
store_app = typer.Typer(help="The store (the same as the API's): surveys, waves, codebooks, coding jobs, "
                        "summaries, quotes, reports, review and corrections, models; erasure (delete-*) and "
                        "retention (purge).", no_args_is_help=True)

DB_OPT = typer.Option(None, "--database", help="SQLAlchemy URL (default: TEXTMINE_DATABASE_URL or ./textmine.db)")
# = service.schemas.MAX_ID (ids are 32-bit in every supported database; SQLite overflows past 2**63), kept here so
# that ``textmine --help`` does not import FastAPI; a test checks they agree
MAX_ID = 2_147_483_647
LIMIT_OPT = typer.Option(50, "--limit", min=1, max=500, help="rows per page (as the API's limit)")
OFFSET_OPT = typer.Option(0, "--offset", min=0, max=MAX_ID, help="rows to skip (as the API's offset)")
JSON_OPT = typer.Option(False, "--json", help="print the API's JSON instead of a table")


def _id():
    return typer.Argument(..., min=1, max=MAX_ID)


def _id_opt(name: str):
    return typer.Option(None, name, min=1, max=MAX_ID)


def _settings(database: str | None, **overrides):
    from pydantic import ValidationError

    from service.settings import Settings

    try:
        return Settings.from_env(database_url=database, **overrides)
    except ValidationError as exc:  # e.g. TEXTMINE_STORE_RAW_TEXT=yes
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        _refuse_setting(f"invalid setting TEXTMINE_{field.upper()}: {err['msg']}")
    except ValueError as exc:  # TEXTMINE_JOB_CHUNK_SIZE=many, TEXTMINE_CODER_FACTORY=nosuch:f
        _refuse_setting(exc)


def _db(database: str | None, create: bool = False):
    """The migrated store; ``create``: a missing SQLite file is a new store (else a mistyped path is refused)."""
    from service.db.session import Database

    url = _settings(database).database_url
    _check_store(url, create)
    return Database(url)


def _check_store(url: str, create: bool) -> None:
    """Refuse, before SQLAlchemy or Alembic touch anything, what would fail obscurely or write where it must not:
    a missing driver, a SQLite path that is a folder, in a missing folder, not a SQLite file, another
    application's database, or (unless ``create``) no file at all. An unparsable URL raises ArgumentError."""
    import sqlite3

    from sqlalchemy.engine import make_url

    u = make_url(url)
    try:
        u.get_dialect().import_dbapi()
    except ImportError as exc:
        _fail_store(url, f"the database driver {exc.name or ''} is not installed")
    if u.get_backend_name() != "sqlite" or u.database in (None, "", ":memory:") or u.query.get("uri"):
        return
    path = Path(u.database)
    if path.is_dir():
        _fail_store(url, f"{path} is a folder, not a database file")
    if not path.exists():
        if not path.parent.is_dir():
            _fail_store(url, f"folder {path.parent} does not exist")
        if not create:
            _fail_store(url, f"no database file {path} (check the path; `textmine keys create` or `textmine store "
                             "survey-create` starts a new store)")
        _create_private(path)
        return
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
        if header and header != b"SQLite format 3\x00":
            _fail_store(url, f"{path} is not a SQLite database")
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            con.close()
    except (OSError, sqlite3.Error) as exc:  # unreadable (permissions) or damaged
        _fail_store(url, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
    if tables and "alembic_version" not in tables:
        _fail_store(url, f"{path} is a SQLite database but not a textmine store (it has other tables); "
                         "choose another file")


def _create_private(path: Path) -> None:
    """Create the new store's empty file with mode 0600 (only its owner reads it: it holds the survey data);
    SQLite gives its ``-wal`` and ``-shm`` files the same mode. A file that appeared meanwhile is left alone."""
    import os

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        _fail_store(f"sqlite:///{path}", f"cannot create {path}: {exc.strerror or exc}")
    os.close(fd)
    os.chmod(path, 0o600)  # whatever the umask


def _fail_store(url: str, reason: str) -> None:
    typer.echo(f"error: database {_redact_url(url)}: {reason}", err=True)
    raise typer.Exit(2)


def _store_reason(exc: BaseException) -> str:
    """A database failure in one line: the driver's first line (never the SQL or its parameters), redacted."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from service.library import redact_name

    if isinstance(exc, NoSuchModuleError):
        return "unknown database type (use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)"
    if isinstance(exc, ArgumentError):
        return "not a valid database URL (use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)"
    text = str(exc.orig) if isinstance(exc, DBAPIError) and exc.orig is not None else str(exc)
    if "Can't locate revision" in text:  # alembic: the stored schema revision is not one of ours
        revision = text.rsplit(" ", 1)[-1].strip("'\"")
        return (f"its schema revision {redact_name(revision)[:60]!r} is unknown to this textmine (written by a newer "
                "textmine?); upgrade textmine or use another database")
    lines = text.strip().splitlines()
    return redact_name(lines[0])[:300] if lines else type(exc).__name__


def _store_errors(command):
    """Run a command; a database failure (unreachable, not a database, read-only, locked, unknown schema revision)
    is one line naming the store (password hidden) and exit 2, never a traceback with SQL parameters."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from alembic.util import CommandError
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return command(*args, **kwargs)
        except (SQLAlchemyError, CommandError) as exc:
            _fail_store(_settings(kwargs.get("database")).database_url, _store_reason(exc))

    return wrapper


def _checked(schema, **fields):
    """Validate CLI values with the API's request schema (same limits as over HTTP, e.g. for PostgreSQL's
    column lengths); one line naming the field, never the value."""
    from pydantic import ValidationError

    from service.errors import sanitize_validation_errors

    try:
        return schema(**fields)
    except ValidationError as exc:
        err = sanitize_validation_errors(list(exc.errors()))[0]
        typer.echo(f"error: invalid {'.'.join(str(p) for p in err['loc'])}: {err['msg']}", err=True)
        raise typer.Exit(2)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        typer.echo(f"error: {path}: not UTF-8 text (byte {exc.start}); save it as UTF-8", err=True)
        raise typer.Exit(2)


def _fail(exc) -> None:
    typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
    raise typer.Exit(2)


_CLI_WORDING = (  # API wording in store messages → this CLI's commands and options (most specific first)
    (re.compile(r'POST /waves/(\d+)/coding-jobs and /waves/(\d+)/coding-jobs with \{"force": true\}'),
     r"textmine store code \1 --force and textmine store code \2 --force"),
    (re.compile(r'POST /waves/(\d+)/coding-jobs \{"model_id": (\d+)\}'), r"textmine store code \1 --model-id \2"),
    (re.compile(r"POST /waves/(\d+)/coding-jobs(?: \{\})?"), r"textmine store code \1"),
    (re.compile(r"\bcompare_wave_id=(\d+)"), r"--compare \1"),
    (re.compile(r"\bcompare_wave_id\b"), "--compare"),
    (re.compile(r"\bcompare_job_id\b"), "--compare-job"),
    (re.compile(r"\bjob_id\b"), "--job"),
)


def cli_wording(message: str) -> str:
    """A store message as the CLI says it: ``--compare``/``--job``/``--compare-job`` for the API's query
    parameters, ``textmine store code N`` for ``POST /waves/N/coding-jobs``."""
    for pattern, repl in _CLI_WORDING:
        message = pattern.sub(repl, message)
    return message


def _fail_cli(exc) -> None:
    """:func:`_fail` in the CLI's own wording (:func:`cli_wording`)."""
    typer.echo(f"error [{exc.code}]: {cli_wording(exc.message)}", err=True)
    raise typer.Exit(2)


def _refuse_setting(exc: ValueError | str) -> None:
    """A configuration the service refuses at startup (e.g. a bad default model)."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2)


def _echo_json(obj) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _table(title: str, columns: list[str], rows: list[list]) -> None:
    """A rich table on stdout; cells are plain text (never read as markup), long ones wrap instead of being cut."""
    import sys

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _page_note(page) -> None:
    """On stderr, when the page does not hold every row: which rows are shown and the --offset of the next page."""
    shown = len(page.items)
    if page.offset == 0 and shown >= page.total:
        return
    if shown == 0:
        typer.echo(f"no rows at --offset {page.offset} (there are {page.total})", err=True)
        return
    more = f"; --offset {page.offset + shown} for more" if page.offset + shown < page.total else ""
    typer.echo(f"rows {page.offset + 1}–{page.offset + shown} of {page.total}{more}", err=True)


def register(app: typer.Typer) -> None:
    """Attach ``serve``, ``keys`` and ``store`` to the main app."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
    app.add_typer(store_app, name="store")


@_store_errors
def serve(host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port", min=1, max=65535),
          database: Optional[str] = DB_OPT, log_level: str = typer.Option("info", "--log-level"),
          log_format: Optional[str] = typer.Option(
              None, "--log-format", help="plain (default: TEXTMINE_LOG_FORMAT or plain) or json: one JSON object "
                                         "per line"),
          default_model: Optional[Path] = typer.Option(
              None, "--default-model", help="model for requests that name none (default: TEXTMINE_DEFAULT_MODEL "
                                            "or models/default; models/fast is the faster e5-static model)")) -> None:
    """Start the HTTP API (migrates the database first; resumes unfinished coding jobs)."""
    import uvicorn
    from uvicorn.config import LOG_LEVELS

    from service.app import create_app
    from service.logsetup import configure, log_format as chosen_format

    if log_level.lower() not in LOG_LEVELS:
        typer.echo(f"error: --log-level must be one of {', '.join(LOG_LEVELS)}", err=True)
        raise typer.Exit(2)
    try:
        fmt = chosen_format(log_format)
    except ValueError as exc:
        typer.echo(f"error: --log-format / TEXTMINE_LOG_FORMAT: {exc}", err=True)
        raise typer.Exit(2)
    settings = _settings(database, default_model=default_model)
    from textmine.paths import disclosure_key

    disclosure_key()  # a missing or unsafe key is a setting to fix now, not a 500 on the first summary (CacheDirError)
    _check_listen(host, port)  # before the store is migrated and unfinished jobs are resumed
    _check_serve_settings(settings)  # before the store file is made: a refused setting leaves no empty store
    file = _sqlite_file(settings.database_url)
    new_store = file is not None and not file.exists()
    _check_store(settings.database_url, create=True)
    # the textmine.* and uvicorn loggers: time, level, name; before the app is built, so that its lines (debug
    # included) go out in the chosen format; uvicorn then keeps them (log_config=None)
    configure(log_level, fmt)
    try:
        app = create_app(settings)
    except ValueError as exc:
        _refuse_setting(exc)
    shown = f"sqlite:///{file}" if file is not None else _redact_url(settings.database_url)
    typer.echo(f"textmine serving on http://{host}:{port} (docs at /docs), store: {shown}"
               + (" (a new, empty store: created now)" if new_store else ""), err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level.lower(), access_log=False, timeout_keep_alive=30,
                log_config=None)


def _check_serve_settings(settings) -> None:
    """Refuse (exit 2, one line) the settings ``create_app`` checks before it migrates: the audit log's folder,
    the raw-text policy and key, TEXTMINE_HEAVY_* (:func:`service.limits.limit_from_env`), the default model."""
    from service.audit import audit_file_from_env
    from service.crypto import RawTextCodec
    from service.library import check_default_model
    from service.limits import limit_from_env

    try:
        audit_file_from_env()
        RawTextCodec(settings.store_raw_text, settings.fernet_key)
        limit_from_env()
        check_default_model(settings.default_model)
    except ValueError as exc:
        _refuse_setting(exc)
    except OSError as exc:
        _refuse_setting(f"TEXTMINE_AUDIT_LOG cannot be written ({type(exc).__name__})")


def _check_listen(host: str, port: int) -> None:
    """Fail in one line when ``host:port`` cannot be listened on (unknown host, port in use, no permission);
    uvicorn would only find out after the app started up."""
    import socket

    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        typer.echo(f"error: --host {host!r} is not an address or a known host name "
                   f"({getattr(exc, 'strerror', None) or exc})", err=True)
        raise typer.Exit(2)
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            try:
                sock.bind(address)
            except OSError as exc:
                typer.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
                raise typer.Exit(2)


def _sqlite_file(url: str) -> Path | None:
    """The absolute path of a SQLite store's file (None for another database, in-memory or an unparsable URL), so
    that the start line says which file a server started from another folder uses."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
    except Exception:
        return None
    if u.get_backend_name() != "sqlite" or u.database in (None, "", ":memory:") or u.query.get("uri"):
        return None
    return Path(u.database).resolve()


def _redact_url(url: str) -> str:
    """The URL as messages show it: the password masked in the user part and in the query string."""
    from textmine.urls import shown_url

    return shown_url(url)


# ---------------------------------------------------------------- keys
@keys_app.command("create")
@_store_errors
def keys_create(role: str = typer.Option(..., "--role", help="reader | analyst | admin"),
                name: Optional[str] = typer.Option(None, "--name"),
                expires_in: Optional[int] = typer.Option(None, "--expires-in", min=1, max=3650,
                                                         help="days until the key is refused (like a revoked one); "
                                                              "default: it never expires"),
                database: Optional[str] = DB_OPT) -> None:
    """Create an API key; the key is printed once, on the last line."""
    from service.auth import ROLES, create_key
    from service.errors import ApiError
    from service.schemas import KeyIn

    if role not in ROLES:
        typer.echo(f"error: --role must be one of {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    _checked(KeyIn, role=role, name=name, expires_in_days=expires_in)
    from service.store import refuse_personal_data

    try:
        if name:  # as POST /keys: a key's name is refused when it holds personal data (never quoted)
            refuse_personal_data(name, "key name")
    except ApiError as exc:
        _fail(exc)
    db = _db(database, create=True)
    try:
        with db.session() as s:
            row, key = create_key(s, role, name, expires_in)
    except ApiError as exc:
        _fail(exc)
    expiry = f" expires={_when(row.expires_at)}" if row.expires_at is not None else ""
    typer.echo(f"created {role} key id={row.id} prefix={row.prefix}{expiry} (store it now; it is not shown again):")
    typer.echo(key)


@keys_app.command("list")
@_store_errors
def keys_list(database: Optional[str] = DB_OPT) -> None:
    """List keys (id, prefix, role, state: active, revoked or expired; expiry in UTC or never; last use in UTC, to the
    minute, or never; name); secrets are never stored."""
    from sqlalchemy import select

    from service.auth import key_state
    from service.db.models import ApiKey

    with _db(database).session() as s:
        for k in s.scalars(select(ApiKey).order_by(ApiKey.id)):
            expires = _when(k.expires_at) if k.expires_at is not None else "never"
            used = _when(k.last_used_at) if k.last_used_at is not None else "never"
            typer.echo(f"{k.id}\t{k.prefix}\t{k.role}\t{key_state(k)}\t{expires}\t{used}\t{k.name or ''}")


@keys_app.command("revoke")
@_store_errors
def keys_revoke(key_id: int = _id(), database: Optional[str] = DB_OPT) -> None:
    """Revoke a key (a running server refuses it from its next request on, as after DELETE /keys/{id})."""
    from service.db.models import ApiKey

    with _db(database).session() as s:
        row = s.get(ApiKey, key_id)
        if row is None:
            typer.echo(f"error: key {key_id} does not exist", err=True)
            raise typer.Exit(2)
        row.revoked = True
    typer.echo(f"revoked key {key_id} (a running server refuses it from its next request on)")


# ---------------------------------------------------------------- store
@store_app.command("survey-create")
@_store_errors
def store_survey_create(name: str, definition: Path = typer.Option(..., "--definition", exists=True, dir_okay=False),
                        description: Optional[str] = typer.Option(None, "--description"),
                        database: Optional[str] = DB_OPT) -> None:
    """Create a survey with its survey definition (like POST /surveys)."""
    from service import store
    from service.errors import ApiError
    from service.schemas import SurveyIn

    body = _checked(SurveyIn, name=name, description=description, definition_yaml=_read_text(definition))
    try:
        with _db(database, create=True).session() as s:
            row = store.create_survey(s, body.name.strip(), body.description, body.definition_yaml)
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"survey id={row.id} name={row.name}")


@store_app.command("upload")
@_store_errors
def store_upload(survey_id: int = _id(), file: Path = typer.Argument(..., exists=True, dir_okay=False),
                 definition: Optional[Path] = typer.Option(None, "--definition", exists=True, dir_okay=False),
                 label: Optional[str] = typer.Option(None, "--label", help="wave label (default: the file's wave "
                                                     "column or name); whitespace is tidied, personal data refused"),
                 allow_duplicate: bool = typer.Option(False, "--allow-duplicate",
                                                      help="store it even when a wave of the survey already holds "
                                                           "exactly this content (else refused)"),
                 database: Optional[str] = DB_OPT) -> None:
    """Upload a wave (like POST /surveys/{id}/waves): validates, redacts, stores in one transaction."""
    from service import store
    from service.crypto import RawTextCodec
    from service.errors import ApiError

    settings = _settings(database)
    try:  # a bad raw-text configuration is refused before anything is read (as at server start)
        RawTextCodec(settings.store_raw_text, settings.fernet_key)
    except ValueError as exc:
        _refuse_setting(exc)
    definition_yaml = _read_text(definition) if definition else None
    try:
        with _db(database).session() as s:
            wave, warnings = store.upload_wave(s, settings, survey_id, file.read_bytes(), file.name, label,
                                               definition_yaml, allow_duplicate=allow_duplicate)
            counts = store.wave_counts(s, wave)
    except ApiError as exc:
        _fail(exc)
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    typer.echo(f"wave id={wave.id} label={wave.label} respondents={counts['respondents']} "
               f"responses={counts['responses']}")


@store_app.command("codebook-add")
@_store_errors
def store_codebook_add(file: Path = typer.Argument(..., exists=True, dir_okay=False),
                       database: Optional[str] = DB_OPT) -> None:
    """Store a codebook version from YAML (like POST /codebooks)."""
    from service import library, store
    from service.errors import ApiError

    try:
        cb = library.codebook_from_yaml(_read_text(file))
        with _db(database, create=True).session() as s:
            row, created = store.add_codebook(s, library.codebook_to_dict(cb))
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"codebook id={row.id} {row.name} {row.version} ({'new' if created else 'already stored'})")


# ---------------------------------------------------------------- store: listing (GET /surveys, /waves, …)
def _when(dt) -> str:
    """A stored time in UTC (a time with another offset converted; SQLite's zone-less times are UTC already)."""
    if dt is None:
        return ""
    from datetime import timezone

    return (dt.astimezone(timezone.utc) if dt.tzinfo is not None else dt).strftime("%Y-%m-%d %H:%M UTC")


def _listed(database: str | None, read, as_json: bool, show) -> None:
    """Run ``read(session)`` (a page or an object of the API's schema) and print it as the API's JSON or with
    ``show``; a store error (an unknown id) is one line."""
    from service.errors import ApiError

    try:
        with _db(database).session() as s:
            result = read(s)
    except ApiError as exc:
        _fail(exc)
    if as_json:
        _echo_json(result.model_dump(mode="json"))
    else:
        show(result)


@store_app.command("surveys")
@_store_errors
def store_surveys(limit: int = LIMIT_OPT, offset: int = OFFSET_OPT, as_json: bool = JSON_OPT,
                  database: Optional[str] = DB_OPT) -> None:
    """List surveys (like GET /surveys?limit=&offset=)."""
    from service import listing

    def show(page):
        _table(f"surveys ({page.total})", ["id", "name", "description", "definition", "created"],
               [[v.id, v.name, v.description, "yes" if v.has_definition else "no", _when(v.created_at)]
                for v in page.items])
        _page_note(page)

    _listed(database, lambda s: listing.surveys(s, limit, offset), as_json, show)


@store_app.command("waves")
@_store_errors
def store_waves(survey_id: Optional[int] = _id_opt("--survey"), limit: int = LIMIT_OPT, offset: int = OFFSET_OPT,
                as_json: bool = JSON_OPT, database: Optional[str] = DB_OPT) -> None:
    """List waves with their counts (like GET /surveys/{id}/waves?limit=&offset=; without --survey: every
    survey's)."""
    from service import listing

    def show(page):
        _table(f"waves ({page.total})", ["id", "survey", "label", "file", "respondents", "responses", "warnings",
                                         "created"],
               [[w.id, w.survey_id, w.label, w.filename, w.counts.get("respondents"), w.counts.get("responses"),
                 len(w.warnings), _when(w.created_at)] for w in page.items])
        _page_note(page)

    _listed(database, lambda s: listing.waves(s, survey_id, limit, offset), as_json, show)


@store_app.command("wave")
@_store_errors
def store_wave(wave_id: int = _id(), as_json: bool = JSON_OPT, database: Optional[str] = DB_OPT) -> None:
    """A wave: counts per free-text question and the upload's warnings (like GET /waves/{id})."""
    from service import listing

    def show(w):
        rows = [["survey", w.survey_id], ["label", w.label], ["file", w.filename],
                ["respondents", w.counts.get("respondents")], ["responses", w.counts.get("responses")]]
        rows += [[f"responses: {q}", n] for q, n in (w.counts.get("responses_by_question") or {}).items()]
        rows.append(["created", _when(w.created_at)])
        _table(f"wave {w.id}", ["field", "value"], rows)
        if w.warnings:
            _table(f"warnings ({len(w.warnings)})", ["warning"], [[m] for m in w.warnings])

    _listed(database, lambda s: listing.wave(s, wave_id), as_json, show)


@store_app.command("codebooks")
@_store_errors
def store_codebooks(limit: int = LIMIT_OPT, offset: int = OFFSET_OPT, as_json: bool = JSON_OPT,
                    database: Optional[str] = DB_OPT) -> None:
    """List stored codebook versions (like GET /codebooks?limit=&offset=)."""
    from service import listing

    def show(page):
        _table(f"codebooks ({page.total})", ["id", "name", "version", "themes", "created"],
               [[c.id, c.name, c.version, c.n_themes, _when(c.created_at)] for c in page.items])
        _page_note(page)

    _listed(database, lambda s: listing.codebooks(s, limit, offset), as_json, show)


@store_app.command("codebook")
@_store_errors
def store_codebook(codebook_id: int = _id(), as_json: bool = JSON_OPT, database: Optional[str] = DB_OPT) -> None:
    """A codebook version: its themes and every stored version of the same name (like GET /codebooks/{id})."""
    from service import listing

    def show(c):
        _table(f"codebook {c.id}: {c.name} {c.version}", ["theme", "label", "exclusive", "description"],
               [[t.get("id"), t.get("label"), "yes" if t.get("exclusive") else "", t.get("description")]
                for t in c.content.get("themes", [])])
        _table(f"versions of {c.name}", ["id", "version", "created"],
               [[v["id"], v["version"], v["created_at"]] for v in c.versions])

    _listed(database, lambda s: listing.codebook(s, codebook_id), as_json, show)


@store_app.command("models")
@_store_errors
def store_models(limit: int = LIMIT_OPT, offset: int = OFFSET_OPT, as_json: bool = JSON_OPT,
                 database: Optional[str] = DB_OPT) -> None:
    """List trained models with their held-out (out-of-fold) macro F1 (like GET /models?limit=&offset=)."""
    from service import listing

    def show(page):
        _table(f"models ({page.total})", ["id", "name", "codebook", "trained on", "held-out macro F1", "warnings",
                                          "created"],
               [[m.id, m.name, m.codebook_id, m.n_training, _f1(m.metrics), len(m.warnings), _when(m.created_at)]
                for m in page.items])
        _page_note(page)

    _listed(database, lambda s: listing.models(s, limit, offset), as_json, show)


def _f1(metrics: dict) -> str:
    value = (metrics or {}).get("oof_macro_f1")
    return f"{value:.3f}" if isinstance(value, (int, float)) else ""


@store_app.command("code")
@_store_errors
def store_code(wave_id: int = _id(), codebook_id: Optional[int] = _id_opt("--codebook-id"),
               model_id: Optional[int] = _id_opt("--model-id"),
               force: bool = typer.Option(False, "--force"), database: Optional[str] = DB_OPT) -> None:
    """Run (or resume) a coding job in the foreground (like POST /waves/{id}/coding-jobs)."""
    from rich.progress import Progress

    from service import store
    from service.coders import CoderCache
    from service.db.models import CodingJob
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
            job, created = store.start_job(s, wave_id, codebook_id, model_id, force,
                                           default_identity=coders.default_identity)
            if job.state == "done":
                typer.echo(f"job id={job.id} already done ({job.done}/{job.total}); use --force to rerun")
                return
            job_id, total, done = job.id, job.total, job.done
    except ApiError as exc:
        _fail(exc)
    try:
        with _sigterm_as_interrupt(), Progress() as progress:
            task = progress.add_task(f"coding wave {wave_id}", total=total, completed=done)
            state = run_job(db, coders, job_id, settings.job_chunk_size,
                            on_chunk=lambda j: progress.update(task, completed=j.done))
    except KeyboardInterrupt as exc:  # the committed chunks stay; the job is queued again to be resumed
        resume = _resume_command(wave_id, codebook_id, model_id, database)
        _release_interrupted(db, job_id, resume, terminated=isinstance(exc, _Terminated))
    if state != "done":
        with db.session() as s:
            error = s.get(CodingJob, job_id).error
        typer.echo(f"job id={job_id} {state}" + (f": {error}" if error else ""))
        raise typer.Exit(1)
    typer.echo(f"job id={job_id} {state}")


class _Terminated(KeyboardInterrupt):
    """SIGTERM during ``store code``: handled like Ctrl-C (the job is released), exit 143."""


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """Within the block, SIGTERM raises :class:`_Terminated` where Ctrl-C raises KeyboardInterrupt (main thread
    only: a signal handler cannot be set elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(_signum, _frame):
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _resume_command(wave_id: int, codebook_id: int | None, model_id: int | None, database: str | None) -> str:
    """The ``store code`` command that resumes the job (never --force: that would start it over)."""
    parts = ["textmine store code", str(wave_id)]
    if codebook_id is not None:
        parts.append(f"--codebook-id {codebook_id}")
    if model_id is not None:
        parts.append(f"--model-id {model_id}")
    if database:
        parts.append(f"--database {_redact_url(database)}")
    return " ".join(parts)


def _release_interrupted(db, job_id: int, resume: str, terminated: bool) -> None:
    """Put the interrupted job back to "queued" (a second Ctrl-C meanwhile is ignored), say so in one line and
    exit 130 (143 after SIGTERM)."""
    from service.jobs import release_interrupted

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        job = release_interrupted(db, job_id)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    why = "interrupted (SIGTERM)" if terminated else "interrupted"
    if job is not None and job.state == "queued":
        typer.echo(f"{why}: coding job id={job_id} has {job.done} of {job.total} responses coded and stored; it is "
                   f"queued: run `{resume}` to resume it (a server resumes it at its next start)", err=True)
    elif job is not None:
        typer.echo(f"{why}: coding job id={job_id} is {job.state} with {job.done} of {job.total} responses coded "
                   "and stored", err=True)
    raise typer.Exit(143 if terminated else 130)


@store_app.command("jobs")
@_store_errors
def store_jobs(wave_id: Optional[int] = _id_opt("--wave-id"),
               wave: Optional[int] = typer.Option(None, "--wave", min=1, max=MAX_ID, help="the same as --wave-id"),
               state: Optional[str] = typer.Option(None, "--state",
                                                   help="queued | running | done | failed | cancelled"),
               limit: int = LIMIT_OPT, offset: int = OFFSET_OPT, as_json: bool = JSON_OPT,
               database: Optional[str] = DB_OPT) -> None:
    """List coding jobs, newest first, with done/total and the ETA in seconds (like GET /jobs?wave_id=&state=: the
    ETA at the job's average rate so far, as GET /jobs/{id} gives for a job that another process runs)."""
    from typing import get_args

    from service import listing
    from service.schemas import JobState

    if wave is not None and wave_id is not None and wave != wave_id:
        typer.echo("error: --wave and --wave-id name the same filter: give one", err=True)
        raise typer.Exit(2)
    wave_id = wave if wave is not None else wave_id
    if state is not None and state not in get_args(JobState):
        typer.echo(f"error: --state must be one of {', '.join(get_args(JobState))}", err=True)
        raise typer.Exit(2)

    def show(page):
        for j in page.items:
            model = j.model_id if j.model_id is not None else "-"
            typer.echo(f"{j.id}\twave={j.wave_id}\tcodebook={j.codebook_id}\tmodel={model}\t"
                       f"coded_with={j.coded_with}\t{j.state}\t{j.done}/{j.total}\teta={_eta_text(j.eta_seconds)}")
        _page_note(page)

    _listed(database, lambda s: listing.jobs(s, wave_id, state, limit, offset), as_json, show)


@store_app.command("training-jobs")
@_store_errors
def store_training_jobs(state: Optional[str] = typer.Option(None, "--state",
                                                            help="queued | running | done | failed | cancelled"),
                        limit: int = LIMIT_OPT, offset: int = OFFSET_OPT, as_json: bool = JSON_OPT,
                        database: Optional[str] = DB_OPT) -> None:
    """List model training jobs, newest first, with the model a done job made (like GET /training-jobs?state=)."""
    from typing import get_args

    from service import listing
    from service.schemas import JobState

    if state is not None and state not in get_args(JobState):
        typer.echo(f"error: --state must be one of {', '.join(get_args(JobState))}", err=True)
        raise typer.Exit(2)

    def show(page):
        for j in page.items:
            model = j.model.id if j.model is not None else "-"
            error = f"\terror={j.error}" if j.error else ""
            counted = f"{j.done}/{j.total}" if j.total else "-"  # 0/0 until the first fold says how many
            steps = f"\tsteps={counted}\teta={_eta_text(j.eta_seconds)}" if j.state == "running" else ""
            typer.echo(f"{j.id}\tcodebook={j.codebook_id}\tname={j.name or '-'}\tmodel={model}\t{j.state}\t"
                       f"{_when(j.created_at)}{steps}{error}")
        _page_note(page)

    _listed(database, lambda s: listing.training_jobs(s, state, limit, offset), as_json, show)


def _eta_text(seconds: float | None) -> str:
    """``eta_seconds`` as the listing shows it: ``-`` when unknown (not started, finished other than done)."""
    return "-" if seconds is None else f"{seconds:g}s"


@store_app.command("cancel")
@_store_errors
def store_cancel(job_id: int = _id(), database: Optional[str] = DB_OPT) -> None:
    """Cancel a queued or running coding job (like POST /jobs/{id}/cancel; a training job: 'cancel-training')."""
    from service import store
    from service.errors import ApiError

    try:
        with _db(database).session() as s:
            job = store.cancel_job(s, job_id)
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"job id={job.id} {job.state}")


@store_app.command("cancel-training")
@_store_errors
def store_cancel_training(job_id: int = _id(), as_json: bool = JSON_OPT,
                          database: Optional[str] = DB_OPT) -> None:
    """Cancel a queued or running training job (like POST /training-jobs/{id}/cancel; ids as 'training-jobs'
    lists them): a queued one never starts; a running one stops at its next step, and no model is stored (none is
    half-written, the default model stays as it is). A finished job is left as it is."""
    from service import store
    from service.errors import ApiError
    from service.routers.results import training_job_out

    try:
        with _db(database).session() as s:
            job = store.cancel_training_job(s, job_id)
            out = training_job_out(s, job)
    except ApiError as exc:
        _fail(exc)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
    else:
        typer.echo(f"training job id={out.id} {out.state}")


@store_app.command("summary")
@_store_errors
def store_summary(wave_id: int = _id(), compare_wave_id: Optional[int] = _id_opt("--compare"),
                  job_id: Optional[int] = _id_opt("--job"), compare_job_id: Optional[int] = _id_opt("--compare-job"),
                  database: Optional[str] = DB_OPT) -> None:
    """Print the wave summary as JSON (like GET /waves/{id}/summary?compare_wave_id=&job_id=&compare_job_id=):
    --job picks the wave's finished coding job (default: the latest), --compare-job the compare wave's (default:
    its latest with the same codebook and model). Hidden (suppressed) rows carry no numbers, as in the API."""
    from service import store
    from service.errors import ApiError
    from service.routers.results import blank_hidden_rows

    try:
        with _db(database).session() as s:
            body = store.wave_summary(s, wave_id, compare_wave_id, job_id, compare_job_id,
                                      min_cell_floor=_settings(database).min_cell_floor)  # as the server's
            blank_hidden_rows(body["summary"])
            body["summary"]["warnings"] = [cli_wording(w) for w in body["summary"].get("warnings") or []]
            _echo_json(body)
    except ApiError as exc:
        _fail_cli(exc)


@store_app.command("quotes")
@_store_errors
def store_quotes(wave_id: int = _id(), theme: str = typer.Argument(...),
                 n: int = typer.Option(5, "-n", "--n", min=3, max=6, help="number of quotes (3-6)"),
                 job_id: Optional[int] = _id_opt("--job"), database: Optional[str] = DB_OPT) -> None:
    """Redacted quotes for a theme (like GET /waves/{id}/themes/{theme}/quotes?n=&job_id=): --job picks the
    wave's finished coding job (default: the latest). Picked with the server's quote embedder (by default the
    default coder's, :func:`service.quoting.quote_embedder`), so the same job gives the API's quotes."""
    from service import quoting, store
    from service.errors import ApiError
    from service.listing import no_server

    settings = _settings(database)
    try:
        with _db(database).session() as s:
            _echo_json(store.theme_quotes(s, wave_id, theme, n, job_id=job_id,
                                          embedder=quoting.quote_embedder(no_server(settings).app),
                                          min_cell_floor=settings.min_cell_floor))
    except ApiError as exc:
        _fail_cli(exc)


@store_app.command("report")
@_store_errors
def store_report(wave_id: int = _id(), out: Path = typer.Option(..., "--out", file_okay=False,
                                                                help="folder for the files (created if missing)"),
                 job_id: Optional[int] = typer.Option(None, "--job-id", "--job", min=1, max=MAX_ID),
                 compare_wave_id: Optional[int] = typer.Option(None, "--compare-wave-id", "--compare", min=1,
                                                               max=MAX_ID),
                 compare_job_id: Optional[int] = typer.Option(None, "--compare-job-id", "--compare-job", min=1,
                                                              max=MAX_ID),
                 format_: str = typer.Option("all", "--format", help="html | xlsx | all"),
                 row_level: bool = typer.Option(False, "--row-level",
                                                help="the analyst's workbook: adds «Kodede svar» (redacted comments, "
                                                     "no respondent ids); default: the reader's"),
                 database: Optional[str] = DB_OPT) -> None:
    """Write the wave's report (like GET /waves/{id}/report?format=html|xlsx&job_id=&compare_wave_id=
    &compare_job_id=) to --out as rapport_ID.html and rapport_ID.xlsx: compared with the survey's previous wave
    (or --compare-wave-id); jobs checked as by 'store summary'. Nothing is written when the report fails."""
    from service import listing
    from service.errors import ApiError

    formats = listing.REPORT_FORMATS if format_ == "all" else (format_,)
    if not set(formats) <= set(listing.REPORT_FORMATS):
        typer.echo(f"error: --format must be one of {', '.join(listing.REPORT_FORMATS)}, all", err=True)
        raise typer.Exit(2)
    settings = _settings(database)
    try:
        with _db(database).session() as s:
            files = listing.report_files(s, settings, wave_id, formats, row_level=row_level, job_id=job_id,
                                         compare_wave_id=compare_wave_id, compare_job_id=compare_job_id)
    except ApiError as exc:
        _fail_cli(exc)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            _write_private(out / name, content)
    except OSError as exc:
        typer.echo(f"error: could not write the report to --out: {exc.strerror or exc}", err=True)
        raise typer.Exit(2)
    for name in files:
        typer.echo(f"wrote {out / name}")


def _write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` readable by its owner only (0600, also when the file existed): a report holds
    quotes, with --row-level the analyst's rows."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(content)


@store_app.command("review")
@_store_errors
def store_review(wave_id: Optional[int] = _id_opt("--wave-id"),
                 limit: int = typer.Option(20, "--limit", min=1, max=500), offset: int = OFFSET_OPT,
                 database: Optional[str] = DB_OPT) -> None:
    """The review queue as JSON (like GET /review-queue?wave_id=&limit=&offset=: least confident first, raised for
    rarely corrected themes, near-duplicates later; redacted texts, no non-answers; 'total' counts the whole queue;
    an unknown --wave-id is an error)."""
    from service import listing
    from service.errors import ApiError

    try:
        with _db(database).session() as s:
            page = listing.review_queue(s, wave_id, limit, offset)
    except ApiError as exc:
        _fail(exc)
    _echo_json(page.model_dump(mode="json"))


@store_app.command("correct")
@_store_errors
def store_correct(response_id: Optional[int] = typer.Argument(None, min=1, max=MAX_ID),
                  themes: Optional[str] = typer.Option(None, "--themes", help="theme ids joined by ;"),
                  type_: Optional[str] = typer.Option(None, "--type"),
                  codebook_id: Optional[int] = _id_opt("--codebook-id"),
                  file: Optional[Path] = typer.Option(
                      None, "--file", exists=True, dir_okay=False,
                      help="CSV (UTF-8, comma-separated) with the columns response_id, themes (ids joined by ;) and "
                           "optionally type: every row is checked first; one bad row and nothing is stored"),
                  database: Optional[str] = DB_OPT) -> None:
    """Store a human correction (like POST /responses/{id}/codes), or one per row of a --file, all in one
    transaction. Bad rows are listed by row number (the header is row 1) and column; --codebook-id applies to
    every row."""
    if file is not None:
        if response_id is not None or themes is not None or type_ is not None:
            typer.echo("error: --file takes the responses, themes and types from the file: give RESPONSE_ID, "
                       "--themes and --type only without --file", err=True)
            raise typer.Exit(2)
        return _correct_file(file, codebook_id, database)
    if response_id is None:
        typer.echo("error: give RESPONSE_ID (with --themes and --type) or --file CSV", err=True)
        raise typer.Exit(2)
    from service import store
    from service.errors import ApiError
    from service.schemas import CorrectionIn

    body = _checked(CorrectionIn, themes=[t for t in (themes or "").split(";") if t], type=type_,
                    codebook_id=codebook_id)
    audit = _ErasureAudit("correct", {"response_ids": [response_id], "codebook_id": codebook_id},
                          nothing="nothing stored")
    try:
        with _db(database).session() as s:
            row = store.add_correction(s, response_id, body.themes, body.type, body.codebook_id, None)
    except ApiError as exc:
        audit.write({}, error=exc.code)
        _fail(exc)
    audit.write({"corrections": 1}, ids={"response_ids": [response_id], "codebook_id": row.codebook_id})
    typer.echo(f"correction id={row.id} response={row.response_id} themes={row.themes}")


@store_app.command("uncorrect")
@_store_errors
def store_uncorrect(response_id: int = typer.Argument(..., min=1, max=MAX_ID),
                    database: Optional[str] = DB_OPT) -> None:
    """Undo the human corrections of a response (like DELETE /responses/{id}/codes: all of them; the machine codes
    count again; models trained on them are not changed). Prints the removed ids and counts as JSON."""
    from service import store
    from service.errors import ApiError

    audit = _ErasureAudit("uncorrect", {"response_id": response_id}, nothing="nothing removed")
    try:
        with _db(database).session() as s:
            removed = store.remove_corrections(s, response_id)
    except ApiError as exc:
        audit.write({}, error=exc.code)
        _fail(exc)
    audit.write({"corrections": removed["removed"]}, ids={"response_id": response_id,
                                                          "correction_ids": removed["correction_ids"],
                                                          "codebook_ids": removed["codebook_ids"]})
    _echo_json(removed)


CORRECTION_COLUMNS = ("response_id", "themes", "type")
#: the column a store refusal of a correction (POST /responses/{id}/codes) is about
_REFUSAL_COLUMN = {"not_found": "response_id", "unknown_theme": "themes", "exclusive_theme": "themes",
                   "unknown_type": "type"}


class _BadRows(Exception):
    """Raised inside the corrections' transaction so that it rolls back."""


def _correct_file(path: Path, codebook_id: int | None, database: str | None) -> None:
    """``store correct --file``: read and check every row, then store all corrections in one transaction, or none
    and every bad row listed (exit 2)."""
    from service import store
    from service.errors import ApiError

    rows, problems = _correction_rows(_read_text(path))
    audit = _ErasureAudit("correct", {"response_ids": [body["response_id"] for _, body in rows],
                                      "codebook_id": codebook_id}, nothing="nothing stored", file=True)
    try:
        with _db(database).session() as s:
            for line, body in rows:
                try:
                    store.add_correction(s, body["response_id"], body["themes"], body["type"], codebook_id, None)
                except ApiError as exc:
                    if exc.code not in _REFUSAL_COLUMN:
                        raise
                    problems.append((line, _REFUSAL_COLUMN[exc.code], _refusal_message(s, exc, body, codebook_id)))
            ids = {line: body["response_id"] for line, body in rows}
            problems = [(line, column, message if message is not None else
                         _expected_types(_row_codebook(s, ids.get(line), codebook_id)))
                        for line, column, message in problems]
            if problems:
                raise _BadRows()
    except ApiError as exc:  # not about one row (e.g. an unknown --codebook-id): nothing was stored
        audit.write({}, error=exc.code)
        _fail(exc)
    except _BadRows:
        audit.write({"bad_rows": len(problems)}, error="bad_rows")
        _fail_rows(problems)
    audit.write({"corrections": len(rows)})
    typer.echo(f"stored {len(rows)} correction(s) in one transaction")


def _row_codebook(session, response_id: int | None, codebook_id: int | None):
    """The codebook ``store.add_correction`` checks a correction of ``response_id`` against: --codebook-id, else
    the one of the response's wave's latest finished job, else the default codebook."""
    from service import store
    from service.db.models import Codebook, Response

    if codebook_id is not None:
        return store.resolve_codebook(session, codebook_id)
    response = session.get(Response, response_id) if response_id is not None else None
    job = store.latest_done_job(session, response.wave_id) if response is not None else None
    return session.get(Codebook, job.codebook_id) if job is not None else store.default_codebook_row(session)


def _expected_types(codebook) -> str:
    from textmine.codebook import DEFAULT_TYPES

    types = codebook.content.get("types") or DEFAULT_TYPES
    return f"expected one of {', '.join(types)} (case is ignored)"


def _refusal_message(session, exc, body: dict, codebook_id: int | None) -> str:
    """A store refusal of one row, in words; an unknown theme id is never echoed (not even through the name
    mask: the cell may hold special-category text), only its position in the cell."""
    if exc.code != "unknown_theme":
        return exc.message
    codebook = _row_codebook(session, body["response_id"], codebook_id)
    positions = ", ".join(str(i + 1) for i in (exc.details or {}).get("positions", []))
    where = f" (id no. {positions} in the cell)" if positions else ""
    return (f"unknown theme id(s) for codebook {codebook.name}{where}, not shown; expected one of the codebook's "
            "theme ids")


def _fail_rows(problems: list[tuple[int, str | None, str]]) -> None:
    typer.echo(f"error: --file: {len(problems)} problem(s); nothing was stored:", err=True)
    for line, column, message in sorted(problems, key=lambda p: p[0]):
        typer.echo(f"  row {line}" + (f", column {column}" if column else "") + f": {message}", err=True)
    raise typer.Exit(2)


def _correction_rows(text: str) -> tuple[list[tuple[int, dict]], list[tuple[int, str | None, str | None]]]:
    """(the rows to check against the store as (row number, body), the problems as (row number, column, what was
    expected; None for a bad type, see :func:`_correction_row`)); row 1 is the header. Values are never quoted (a
    cell may hold personal data); a file that is not CSV (e.g. a quote never closed) is refused at its row."""
    import csv
    import io

    from service.library import redact_name

    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    records: list[list[str]] = []
    while True:
        first_line = reader.line_num + 1
        try:
            records.append(next(reader))
        except StopIteration:
            break
        except csv.Error as exc:  # the message holds no value
            _fail_rows([(len(records) + 1, None, _csv_problem(exc, first_line, len(records) + 1))])
    header = [h.strip().casefold() for h in (records[0] if records else [])]
    unknown = [h for h in header if h not in CORRECTION_COLUMNS]
    missing = [c for c in CORRECTION_COLUMNS[:2] if c not in header]
    if unknown or missing or len(set(header)) < len(header):
        found = ", ".join(redact_name(h)[:40] for h in header) or "nothing"
        _fail_rows([(1, None, "expected the columns response_id, themes and optionally type, comma-separated "
                              f"(found: {found})")])
    rows, problems = [], []
    for line, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        body, row_problems = _correction_row(dict(zip(header, cells)), len(cells), len(header))
        problems += [(line, column, message) for column, message in row_problems]
        if body:  # also with a bad type only: the store still checks its response and themes
            rows.append((line, body))
    if not rows and not problems:
        problems.append((2, None, "expected at least one correction below the header"))
    return rows, problems


def _csv_problem(exc: Exception, first_line: int, row: int) -> str:
    """Why a CSV record cannot be read, e.g. a quote that is never closed (then the rest of the file would be one
    cell); ``first_line`` is its first line in the file when that differs from its row number."""
    reason = str(exc)
    if reason == "unexpected end of data":
        reason = 'a quoted cell starting in this row is never closed: a closing " is missing'
    elif "expected after" in reason:
        reason += '; a " inside a quoted cell is written ""'
    at = f" (line {first_line})" if first_line != row else ""
    return f"not readable as CSV{at} ({reason})"


def _correction_row(cells: dict[str, str], n_cells: int,
                    n_columns: int) -> tuple[dict, list[tuple[str | None, str | None]]]:
    """One row's body for ``store.add_correction`` and its problems (column, what was expected), checked by the
    API's request schema (CorrectionIn). A bad type cell is the problem ("type", None): the message names the
    types of the row's codebook (:func:`_expected_types`); the body (type None) is still returned when that is the
    row's only problem."""
    from pydantic import ValidationError

    from service.errors import sanitize_validation_errors
    from service.schemas import CorrectionIn

    if n_cells != n_columns:
        return {}, [(None, f"expected {n_columns} cells (as the header), found {n_cells}")]
    problems = []
    raw_id = cells["response_id"].strip()
    if not (raw_id.isascii() and raw_id.isdigit() and 1 <= int(raw_id) <= MAX_ID):
        problems.append(("response_id", f"expected a response id (a whole number from 1 to {MAX_ID})"))
    themes = [t.strip() for t in cells["themes"].split(";") if t.strip()]
    ctype = (cells.get("type") or "").strip() or None
    try:
        body = CorrectionIn(themes=themes, type=ctype)
    except ValidationError as exc:
        errors = sanitize_validation_errors(list(exc.errors()))
        if any(str(err["loc"][0]) == "type" for err in errors):  # not a type (e.g. too long): the codebook's list
            problems.append(("type", None))
        problems += [(str(err["loc"][0]), err["msg"]) for err in errors if str(err["loc"][0]) != "type"]
        if any(column != "type" for column, _ in problems):
            return {}, problems
        body = CorrectionIn(themes=themes)
    if any(message is not None for _, message in problems):
        return {}, problems
    return {"response_id": int(raw_id), "themes": body.themes, "type": body.type}, problems


@store_app.command("train")
@_store_errors
def store_train(codebook_id: Optional[int] = _id_opt("--codebook-id"),
                name: Optional[str] = typer.Option(None, "--name"),
                min_examples: int = typer.Option(20, "--min-examples", help="checked like POST /models (5–100,000)"),
                min_theme_examples: int = typer.Option(
                    3, "--min-theme-examples", help="without the default model's training files: refuse when a "
                    "theme has fewer corrections (like POST /models)"),
                database: Optional[str] = DB_OPT) -> None:
    """Train a supervised model from stored corrections added to the default model's training files (like POST
    /models; takes minutes)."""
    from service import store
    from service.errors import ApiError
    from service.schemas import ModelIn

    body = _checked(ModelIn, codebook_id=codebook_id, name=name, min_examples=min_examples,
                    min_theme_examples=min_theme_examples)
    settings = _settings(database)
    try:
        with _db(database).session() as s:
            model = store.train_model(s, settings, body.codebook_id, body.name, body.min_examples,
                                      min_theme_examples=body.min_theme_examples)
    except ApiError as exc:
        _fail(exc)
    except OSError as exc:  # the models folder (TEXTMINE_MODELS_DIR) is not writable; nothing was stored
        typer.echo(f"error: could not write the model to {settings.resolved_models_dir()}: {exc.strerror or exc}",
                   err=True)
        raise typer.Exit(2)
    metrics = model.metrics or {}
    base = metrics.get("n_base_examples") or 0
    typer.echo(f"model id={model.id} name={model.name} trained on {model.n_training} corrected responses"
               + (f" added to {base} examples of the default model's training files" if base else ""))
    held_out = {k: metrics[k] for k in ("oof_macro_f1", "oof_micro_f1", "oof_exact_match") if k in metrics}
    if held_out:
        typer.echo("held-out (out-of-fold) " + ", ".join(f"{k[4:]}={v:.3f}" for k, v in held_out.items()))
    for warning in metrics.get("warnings") or []:
        typer.echo(f"warning: {warning}", err=True)


# ---------------------------------------------------------------- store: erasure and retention (DELETE /waves/{id} …)
YES_OPT = typer.Option(False, "--yes", "-y", help="delete without asking (e.g. from cron); deletion cannot be undone")


def _confirm(what: str, yes: bool) -> None:
    """Ask before an irreversible deletion unless ``--yes``; exit 1 (nothing deleted) on no."""
    if yes:
        return
    if not typer.confirm(f"Delete {what} and everything derived from it? This cannot be undone", default=False):
        typer.echo("nothing deleted", err=True)
        raise typer.Exit(1)


class _ErasureAudit:
    """The audit line of one CLI store change (``service.audit.cli_record``: source cli, OS user, command, store
    ids, counts, dry run or not) on the ``textmine.audit`` logger and in ``TEXTMINE_AUDIT_LOG``: erasures, raw-text
    rotation and clearing, corrections, copies. Made before anything changes: an audit file that cannot be opened
    exits 2 (``nothing``: what the refusal says was not done)."""

    def __init__(self, command: str, ids: dict, *, nothing: str = "nothing deleted", **extra):
        from service.audit import audit_file_from_env

        self.command, self.ids, self.extra = f"store {command}", ids, extra
        try:
            self.file = audit_file_from_env()
        except ValueError as exc:  # the folder does not exist
            _refuse_audit(str(exc), nothing)
        except OSError as exc:
            _refuse_audit(f"TEXTMINE_AUDIT_LOG cannot be written ({type(exc).__name__})", nothing)

    def write(self, counts: dict, *, dry_run: bool = False, error: str | None = None, ids: dict | None = None) -> None:
        from service import audit

        record = audit.cli_record(self.command, self.ids if ids is None else ids, counts, dry_run=dry_run,
                                  error=error, **self.extra)
        if not audit.emit(record, self.file):
            typer.echo("warning: the audit line could not be written to TEXTMINE_AUDIT_LOG", err=True)


def _refuse_audit(reason: str, nothing: str = "nothing deleted") -> None:
    typer.echo(f"error: {reason}; {nothing}", err=True)
    raise typer.Exit(2)


def _erase(database: str | None, audit: _ErasureAudit, action, *args, **kwargs):
    """``action`` (a ``service.erasure.erase_*``) in one transaction, then what follows the commit (embedding
    cache, model folder, database files) and the audit line; the erasure. A refusal (unknown id, running job) is
    audited and exits 2."""
    from service import erasure
    from service.errors import ApiError

    db = _db(database)
    try:
        with db.session() as s:
            er = action(s, *args, **kwargs)
    except ApiError as exc:
        db.dispose()
        audit.write({}, error=exc.code)
        _fail_cli(exc)
    erasure.after_commit(er, db.engine)
    db.dispose()
    audit.write(er.counts, ids={"wave_ids": list(er.waves)} if "wave_ids" in audit.ids else None)
    return er


def _erased(er) -> None:
    """One line of counts on stdout; notes (models trained on erased answers, …) on stderr."""
    typer.echo("deleted " + " ".join(f"{k}={v}" for k, v in er.counts.items()))
    for note in er.notes:
        typer.echo(f"note: {cli_wording(note)}", err=True)
    if er.notes or er.counts.get("waves") or er.counts.get("respondents"):
        typer.echo("note: a running server keeps cached results in memory: restart it so that none of the deleted "
                   "data is served from its caches", err=True)


@store_app.command("delete-wave")
@_store_errors
def store_delete_wave(wave_id: int = _id(), yes: bool = YES_OPT, database: Optional[str] = DB_OPT) -> None:
    """Delete a wave with everything derived from it (like DELETE /waves/{id}): respondents, responses, coding
    jobs and results, corrections, embedding-cache vectors."""
    from service import erasure

    audit = _ErasureAudit("delete-wave", {"wave_id": wave_id})
    _confirm(f"wave {wave_id}", yes)
    _erased(_erase(database, audit, erasure.erase_wave, wave_id))


@store_app.command("delete-survey")
@_store_errors
def store_delete_survey(survey_id: int = _id(), yes: bool = YES_OPT, database: Optional[str] = DB_OPT) -> None:
    """Delete a survey and all its waves (like DELETE /surveys/{id})."""
    from service import erasure

    audit = _ErasureAudit("delete-survey", {"survey_id": survey_id})
    _confirm(f"survey {survey_id} with all its waves", yes)
    _erased(_erase(database, audit, erasure.erase_survey, survey_id))


@store_app.command("delete-respondent")
@_store_errors
def store_delete_respondent(survey_id: int = _id(), respondent_id: str = typer.Argument(..., help="the value of "
                                                                                        "the survey's id column"),
                            yes: bool = YES_OPT, database: Optional[str] = DB_OPT) -> None:
    """Erase one respondent from every wave of a survey (like DELETE /surveys/{id}/respondents/{respondent_id}):
    answers, comments, codes, review-queue entries, corrections; wave counts and fingerprints are updated."""
    from service import erasure
    from service.errors import ApiError

    try:
        rid = erasure.check_respondent_id(respondent_id)
    except ApiError as exc:
        _fail(exc)
    audit = _ErasureAudit("delete-respondent", {"survey_id": survey_id})  # never the respondent id
    _confirm(f"that respondent's answers in every wave of survey {survey_id}", yes)
    _erased(_erase(database, audit, erasure.erase_respondent, survey_id, rid))


@store_app.command("delete-model")
@_store_errors
def store_delete_model(model_id: int = _id(), yes: bool = YES_OPT, database: Optional[str] = DB_OPT) -> None:
    """Delete a trained model: its row, its folder and its coding jobs with their results (like DELETE
    /models/{id}); refused for the default model (TEXTMINE_DEFAULT_MODEL) and while a job codes with it."""
    from service import erasure

    settings = _settings(database)
    audit = _ErasureAudit("delete-model", {"model_id": model_id})
    _confirm(f"model {model_id}", yes)
    _erased(_erase(database, audit, erasure.erase_model, model_id, default_model=settings.default_model,
                   models_dir=settings.resolved_models_dir()))


@store_app.command("purge")
@_store_errors
def store_purge(older_than: float = typer.Option(..., "--older-than", min=0, max=36500, help="delete waves uploaded "
                                                 "more than this many days ago (at most 36500)"),
                dry_run: bool = typer.Option(False, "--dry-run", help="list what would be deleted; delete nothing"),
                yes: bool = YES_OPT, database: Optional[str] = DB_OPT) -> None:
    """Retention: delete every wave uploaded more than --older-than days ago, with everything derived from it
    (as delete-wave). For cron, e.g. daily at 03:15 with two years' retention, the crontab line:

    15 3 * * * textmine store purge --older-than 730 --yes --database sqlite:////srv/textmine/textmine.db
    """
    from datetime import datetime, timezone

    from service import erasure

    now = datetime.now(timezone.utc)  # one cutoff for the listing and the deletion
    audit = _ErasureAudit("purge", {"wave_ids": []}, older_than_days=older_than)
    db = _db(database)
    with db.session() as s:
        listed, _ = erasure.purge_expired(s, older_than, dry_run=True, now=now)
    db.dispose()
    verb = "would delete" if dry_run else "to delete"
    for w in listed:
        typer.echo(f"{verb} wave id={w['wave_id']} survey={w['survey_id']} label={w['label']} "
                   f"uploaded={w['uploaded']} respondents={w['respondents']} responses={w['responses']}")
    audit.ids = {"wave_ids": [w["wave_id"] for w in listed]}
    if dry_run or not listed:
        typer.echo(f"{len(listed)} wave(s) uploaded more than {older_than:g} days ago"
                   + ("; nothing deleted (dry run)" if dry_run else "; nothing to delete"))
        audit.write(_listed_counts(listed) if dry_run else erasure.Erasure().counts, dry_run=dry_run)
        return
    _confirm(f"these {len(listed)} wave(s)", yes)
    _erased(_erase(database, audit, lambda s: erasure.purge_expired(s, older_than, now=now)[1]))


def _listed_counts(listed: list[dict]) -> dict[str, int]:
    """A purge listing's totals (a dry run's audit counts): waves, respondents, responses."""
    return {"waves": len(listed), "respondents": sum(int(w["respondents"] or 0) for w in listed),
            "responses": sum(int(w["responses"] or 0) for w in listed)}


# ---------------------------------------------------------------- store: stored raw text (TEXTMINE_STORE_RAW_TEXT)
@store_app.command("rotate-raw-key")
@_store_errors
def store_rotate_raw_key(dry_run: bool = typer.Option(False, "--dry-run", help="check that every stored token "
                                                      "decrypts; change nothing"),
                         database: Optional[str] = DB_OPT) -> None:
    """Re-encrypt every stored raw text under the first key of TEXTMINE_FERNET_KEY (comma-separated: the new key
    first, the old ones after it; all decrypt), in batches, one transaction each; then VACUUM the old tokens out
    of the database files. Plain raw text is left alone and counted. Prints counts only. Afterwards the old keys
    can be dropped from TEXTMINE_FERNET_KEY."""
    from service import erasure
    from service.crypto import RawTextCodec, UndecryptableRawText, rotate_stored

    settings = _settings(database)
    if settings.store_raw_text != "encrypted" or not settings.fernet_key:
        _refuse_setting("rotate-raw-key needs TEXTMINE_STORE_RAW_TEXT=encrypted and TEXTMINE_FERNET_KEY (the new "
                        "Fernet key first, the old ones after it, comma-separated)")
    try:
        codec = RawTextCodec(settings.store_raw_text, settings.fernet_key)
    except ValueError as exc:
        _refuse_setting(exc)
    audit = _ErasureAudit("rotate-raw-key", {}, nothing="nothing re-encrypted")
    db = _db(database)
    try:
        counts = rotate_stored(db.engine, codec, dry_run=dry_run)
    except UndecryptableRawText as exc:
        if exc.rotated and not dry_run:
            erasure.purge_files(db.engine, tables=("responses",))
        db.dispose()
        audit.write({"rotated": 0 if dry_run else exc.rotated}, dry_run=dry_run, error="undecryptable",
                    ids={"response_id": exc.response_id})
        kept = (f"; the {exc.rotated} raw text(s) before its batch were re-encrypted and kept" if exc.rotated
                and not dry_run else "; nothing changed")
        typer.echo(f"error: {exc} (add the key it was encrypted with after the first){kept}", err=True)
        raise typer.Exit(2)
    if counts["rotated"] and not dry_run and not erasure.purge_files(db.engine, tables=("responses",)):
        typer.echo(f"note: {erasure.LEFTOVERS_NOTE}", err=True)
    db.dispose()
    audit.write(counts, dry_run=dry_run)
    plain = (f"; {counts['plain']} plain raw text(s) left as they are (`textmine store clear-raw-text` removes "
             "them)" if counts["plain"] else "")
    if dry_run:
        typer.echo(f"would re-encrypt {counts['rotated']} encrypted raw text(s){plain}; nothing changed (dry run)")
    else:
        typer.echo(f"re-encrypted {counts['rotated']} encrypted raw text(s) under the first key{plain}")


@store_app.command("clear-raw-text")
@_store_errors
def store_clear_raw_text(survey_id: Optional[int] = _id_opt("--survey"),
                         dry_run: bool = typer.Option(False, "--dry-run", help="count; change nothing"),
                         yes: bool = typer.Option(False, "--yes", "-y", help="clear without asking; it cannot be "
                                                  "undone"),
                         database: Optional[str] = DB_OPT) -> None:
    """Remove the stored raw text (TEXTMINE_STORE_RAW_TEXT=plain or encrypted) of every response, or of one
    --survey's, then VACUUM it out of the database files (as erasure does). The redacted texts stay. Prints the
    count. Switching the setting to none only stops storing new raw text: this removes what is stored."""
    from service import erasure
    from service.crypto import clear_stored
    from service.errors import ApiError

    ids = {"survey_id": survey_id} if survey_id is not None else {}
    audit = _ErasureAudit("clear-raw-text", ids, nothing="nothing cleared")
    where = f"survey {survey_id}'s responses" if survey_id is not None else "every response"
    if not dry_run and not yes and not typer.confirm(f"Remove the stored raw text of {where}? This cannot be "
                                                     "undone", default=False):
        typer.echo("nothing cleared", err=True)
        raise typer.Exit(1)
    db = _db(database)
    try:
        with db.session() as s:
            n = clear_stored(s, survey_id, dry_run=dry_run)
    except ApiError as exc:
        db.dispose()
        audit.write({}, dry_run=dry_run, error=exc.code)
        _fail_cli(exc)
    if n and not dry_run and not erasure.purge_files(db.engine, tables=("responses",)):
        typer.echo(f"note: {erasure.LEFTOVERS_NOTE}", err=True)
    db.dispose()
    audit.write({"responses": n}, dry_run=dry_run)
    if dry_run:
        typer.echo(f"would clear the raw text of {n} response(s) ({where}); nothing changed (dry run)")
    else:
        typer.echo(f"cleared the raw text of {n} response(s) ({where}); the redacted texts stay")


# ---------------------------------------------------------------- store: copy to another database
@store_app.command("copy")
def store_copy(source: str = typer.Option(..., "--from", help="SQLAlchemy URL of the store to copy (only read)"),
               target: str = typer.Option(..., "--to", help="SQLAlchemy URL of an empty database (created and "
                                          "migrated; refused if it holds any rows)"),
               yes: bool = typer.Option(False, "--yes", "-y", help="copy without asking")) -> None:
    """Copy a whole store to another database, e.g. from the embedded SQLite file to PostgreSQL: every table with
    its ids, hashed API keys, encrypted raw text and the store's secret, in one transaction on the target; prints
    the rows per table (never their contents) after checking them against the source. Stop the servers writing to
    the source first; point them at the target afterwards."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from service.storecopy import CountMismatch, StoreCopyError, copy_store

    _check_copy_url(source, create=False)
    shown = f"{_redact_url(source)} → {_redact_url(target)}"
    if not yes and not typer.confirm(f"Copy the store {shown}?", default=False):
        typer.echo("nothing copied", err=True)
        raise typer.Exit(1)
    _check_copy_url(target, create=True)
    audit = _ErasureAudit("copy", {}, nothing="nothing copied",  # the databases by kind only (URLs are no ids)
                          source=_url_kind(source), target=_url_kind(target))
    try:
        counts = copy_store(source, target, progress=_copy_progress)
    except CountMismatch as exc:
        audit.write({}, error="count_mismatch")
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    except StoreCopyError as exc:
        audit.write({}, error="refused")
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    except (SQLAlchemyError, CommandError) as exc:
        audit.write({}, error="database_error")
        typer.echo(f"error: copy {shown}: {_store_reason(exc)}; no rows copied to the target", err=True)
        raise typer.Exit(2)
    audit.write(counts)
    _table("rows copied per table", ["table", "rows"], [[name, n] for name, n in counts.items()])
    typer.echo(f"copied {shown}: {sum(counts.values())} rows in {len(counts)} tables, counts checked against the "
               "source", err=True)


def _url_kind(url: str) -> str:
    """A database URL's backend name (``sqlite``, ``postgresql``) for an audit line: never its path or host."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).get_backend_name()
    except Exception:
        return "unknown"


def _check_copy_url(url: str, create: bool) -> None:
    """:func:`_check_store` for ``store copy`` (an unparsable URL is one line too)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        _check_store(url, create)
    except SQLAlchemyError as exc:
        _fail_store(url, _store_reason(exc))


def _copy_progress(table: str, done: int, total: int) -> None:
    """On stderr: each table as its copy starts."""
    if done == 0:
        typer.echo(f"copying {table} ({total} rows)…", err=True)
