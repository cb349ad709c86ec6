"""Engine, session factory and programmatic Alembic migrations."""

from __future__ import annotations

import logging
import math
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, exc as sa_exc, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from textmine.urls import SECRET_QUERY_KEYS, shown_url  # noqa: F401 - re-exported (the service's URL helper)

log = logging.getLogger("textmine.service")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: PostgreSQL advisory lock key held while a process reads the schema version and upgrades ("tm" "mg")
MIGRATION_LOCK = 0x746D6D67

#: the TEXTMINE_DB_* settings of a PostgreSQL engine: environment variable -> (default, smallest allowed, kind)
DB_ENV = {"TEXTMINE_DB_CONNECT_TIMEOUT": (5.0, 1.0, float),  # seconds to open a connection
          "TEXTMINE_DB_STATEMENT_TIMEOUT": (30.0, 0.0, float),  # seconds one statement may run; 0 = no limit
          "TEXTMINE_DB_POOL_SIZE": (10, 1, int),
          "TEXTMINE_DB_MAX_OVERFLOW": (20, 0, int),
          "TEXTMINE_DB_POOL_TIMEOUT": (30.0, 1.0, float)}  # seconds to wait for a free pooled connection


def db_setting(name: str, value: float | int | None = None) -> float | int:
    """A TEXTMINE_DB_* setting: ``value`` when given, else the environment variable, else its default; a value
    that is not a number or below the smallest allowed fails with a message naming the variable."""
    default, low, kind = DB_ENV[name]
    raw = value if value is not None else os.environ.get(name, "").strip() or default
    try:
        number = float(raw)
    except (TypeError, ValueError):
        number = float("nan")
    if not math.isfinite(number) or (kind is int and not number.is_integer()):  # not a number, or not whole for a count
        raise ValueError(f"{name} must be a {'whole ' if kind is int else ''}number (got {str(raw)[:20]!r})")
    number = kind(number)
    if number < low:
        raise ValueError(f"{name} must be at least {low} (got {number})")
    return number


def is_connection_error(exc: BaseException) -> bool:
    """True for a database that is unreachable or lost the connection (down, restarting, failover, a pgbouncer
    restart, a killed backend, a statement or pool timeout): worth retrying later, unlike a bad statement."""
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.DisconnectionError, sa_exc.TimeoutError)):
        return True
    return bool(getattr(exc, "connection_invalidated", False))


def make_engine(url: str, *, connect_timeout: float | None = None, statement_timeout: float | None = None,
                pool_size: int | None = None, max_overflow: int | None = None,
                pool_timeout: float | None = None) -> Engine:
    """An engine with sane defaults: SQLite in WAL mode with FK checks and a busy timeout; PostgreSQL with
    pre-ping (a dropped connection is replaced, not handed out), a connect timeout, a statement timeout and a
    sized pool (arguments, else the TEXTMINE_DB_* environment variables of :data:`DB_ENV`)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    statement_ms = int(db_setting("TEXTMINE_DB_STATEMENT_TIMEOUT", statement_timeout) * 1000)
    connect_args = {"connect_timeout": max(1, round(db_setting("TEXTMINE_DB_CONNECT_TIMEOUT", connect_timeout)))}
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args,
                           pool_size=db_setting("TEXTMINE_DB_POOL_SIZE", pool_size),
                           max_overflow=db_setting("TEXTMINE_DB_MAX_OVERFLOW", max_overflow),
                           pool_timeout=db_setting("TEXTMINE_DB_POOL_TIMEOUT", pool_timeout))
    if url.startswith("postgresql") and statement_ms:

        @event.listens_for(engine, "connect")
        def _statement_timeout(dbapi_conn, _record):  # a SET, not a startup option: pgbouncer accepts it
            autocommit = dbapi_conn.autocommit
            dbapi_conn.autocommit = True
            cur = dbapi_conn.cursor()
            cur.execute(f"SET statement_timeout = {statement_ms}")
            cur.close()
            dbapi_conn.autocommit = autocommit

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent). A store already at the newest revision is left
    at once, without a lock (opening a store never waits behind another process's write transaction). Otherwise
    the version is read again and the upgrade run holding a lock (PostgreSQL: an advisory lock; SQLite: the write
    lock), so that two processes starting together migrate one after the other (the second finds the schema
    current) instead of both creating the same types and columns."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from alembic.runtime.migration import MigrationContext

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:  # a plain read: in WAL mode it waits for no writer
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
    with engine.begin() as conn:  # re-read under the lock: another process may have upgraded meanwhile
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL statement_timeout = 0"))  # a long migration, or waiting for one, is fine
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})  # until commit
        elif conn.dialect.name == "sqlite":
            _begin_immediate(conn)
        before = MigrationContext.configure(conn).get_current_revision()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        after = MigrationContext.configure(conn).get_current_revision()
    if before is not None and after != before:
        log.warning("the store's schema was upgraded from revision %s to %s; an upgrade cannot be undone (take a "
                    "backup before upgrading textmine); stop servers of an older textmine on this store: they refuse "
                    "it at their next start, but one already running does not notice", before, after)
    if before is not None and before < "0006":  # 0002/0006 scrubbed stored rows: clear their old versions from the files
        from service import scrub

        scrub.purge_leftovers(engine)


#: seconds a process waits for another process's SQLite migration (the write lock) before it gives up
SQLITE_MIGRATION_WAIT = 600.0


def _begin_immediate(conn, wait: float | None = None) -> None:
    """Open the SQLite migration's transaction with the write lock (``BEGIN IMMEDIATE``), before the schema version
    is read. Python's sqlite3 starts no transaction before DDL, so without it each ``CREATE``/``ALTER`` of a
    migration committed on its own: a failed upgrade left tables of later revisions under the old version number
    (every later start then failed on "table … already exists"), and two processes starting together on one store
    both upgraded it, one of them failing. Now the upgrade commits or rolls back as a whole, and a second process
    waits (up to ``wait`` s, default :data:`SQLITE_MIGRATION_WAIT`) and then finds the schema current."""
    import time

    deadline = time.monotonic() + (SQLITE_MIGRATION_WAIT if wait is None else wait)
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the connection's busy timeout itself
            return
        except sa_exc.OperationalError as exc:
            if "locked" not in str(exc.orig).lower() or time.monotonic() >= deadline:
                raise
            log.info("waiting for another process's migration of the SQLite store")


class Database:
    """Engine + session factory; ``session()`` is a transaction that commits on success, rolls back on error."""

    def __init__(self, url: str, *, run_migrations: bool = True):
        self.url = url
        self.engine = make_engine(url)
        if run_migrations:
            migrate(self.engine)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessionmaker() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
