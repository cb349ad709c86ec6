"""Copy a whole store from one database to another (``textmine store copy``), e.g. the embedded SQLite store to
PostgreSQL.

The source must be at the newest schema revision and is only read (one snapshot). The target is migrated to the
newest revision and must hold no rows (its migration-made ``store_secrets`` row is replaced by the source's). Every
table is copied in foreign-key order, in batches, in one transaction on the target: primary keys, hashed API keys,
encrypted raw text and the store's secrets as stored (nothing is decrypted). Then the id counters are set so that no
id the source ever handed out is handed out again (PostgreSQL sequences; SQLite ``sqlite_sequence``, migration
0010), the target's row counts are checked against the source's, and only then is the target committed. Messages
name tables, columns, ids and counts, never a row's contents."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Callable, Iterator

from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url

from service.db.models import Base
from service.db.session import MIGRATIONS_DIR, make_engine, migrate

#: progress(table, rows copied so far, rows in the table): called before a table's first batch and after each
Progress = Callable[[str, int, int], None]

#: target tables whose rows the target's own migration makes (replaced by the source's)
MIGRATION_ROWS = ("store_secrets",)


class StoreCopyError(Exception):
    """A copy refused or failed; nothing was committed to the target. The message holds no row contents."""


class CountMismatch(StoreCopyError):
    """The target's row counts differ from the source's after copying (rolled back)."""


def copy_store(source_url: str, target_url: str, batch: int = 1000, progress: Progress | None = None) -> dict[str, int]:
    """Copy every row of the store at ``source_url`` into the empty store at ``target_url``; the rows per table."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    _check_urls(source_url, target_url)
    source = make_engine(source_url, statement_timeout=0)
    target = None
    try:
        _check_source_revision(source)
        _create_private(target_url)
        target = make_engine(target_url, statement_timeout=0)
        _refuse_rows(target)
        migrate(target)
        with _snapshot(source) as src, target.begin() as dst:
            _refuse_rows_conn(dst)
            for name in MIGRATION_ROWS:
                dst.execute(Base.metadata.tables[name].delete())
            counts = {t.name: _copy_table(src, dst, t, batch, progress) for t in Base.metadata.sorted_tables}
            _set_counters(src, dst)
            _verify(src, dst, counts)
        return counts
    finally:
        source.dispose()
        if target is not None:
            target.dispose()


def _check_urls(source_url: str, target_url: str) -> None:
    """Refuse copying a store onto itself and a SQLite source that does not exist (SQLite would create it)."""
    src, dst = make_url(source_url), make_url(target_url)
    if src.get_backend_name() == "sqlite" and src.database not in (None, "", ":memory:"):
        if not os.path.isfile(src.database):
            raise StoreCopyError(f"source: no database file {src.database}")
    if _identity(source_url) == _identity(target_url):
        raise StoreCopyError("the source and the target are the same database")


def _create_private(url: str) -> None:
    """A new SQLite target file is created with mode 0600 (it will hold the survey data), as the CLI's stores."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or u.database in (None, "", ":memory:") or os.path.exists(u.database):
        return
    if not os.path.isdir(os.path.dirname(os.path.abspath(u.database))):
        raise StoreCopyError(f"target: folder {os.path.dirname(os.path.abspath(u.database))} does not exist")
    os.close(os.open(u.database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(u.database, 0o600)


def _identity(url: str) -> tuple:
    """What names one database: the resolved file of a SQLite URL, else backend, host, port and database."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return ("sqlite", os.path.realpath(u.database) if u.database not in (None, "", ":memory:") else url)
    return (u.get_backend_name(), u.host or "", u.port, u.database or "")


def _check_source_revision(source: Engine) -> None:
    """Refuse a source that is not a textmine store at the newest schema revision (it is never migrated here)."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with source.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        raise StoreCopyError("the source is not a textmine store (no schema revision)")
    if current != head:
        raise StoreCopyError(f"the source is at schema revision {current[:40]}, not the newest ({head}): run "
                             "`textmine serve` or any `textmine store` command on the source first (they migrate it), "
                             "with the textmine that copies")


def _refuse_rows(target: Engine) -> None:
    """Refuse a target that holds rows (before migrating it, so that a refused target is left as it was)."""
    with target.connect() as conn:
        _refuse_rows_conn(conn)


def _refuse_rows_conn(conn: Connection) -> None:
    """:func:`_refuse_rows` on a connection: every table of the target's schema, ours and any other."""
    names = inspect(conn).get_table_names()
    for name in sorted(names, key=lambda n: (n not in Base.metadata.tables, n)):
        if name in ("alembic_version", *MIGRATION_ROWS) or name.startswith("sqlite_"):
            continue
        quoted = conn.dialect.identifier_preparer.quote(name)
        if conn.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first() is not None:
            raise StoreCopyError(f"the target already holds rows (table {name}); copy only into an empty database, "
                                 "nothing is merged or overwritten")


class _snapshot:
    """A read-only connection to the source seeing one consistent state: a REPEATABLE READ transaction on
    PostgreSQL, a deferred read transaction on SQLite (WAL: writers may go on, the copy sees none of it)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> Connection:
        if self.engine.dialect.name == "postgresql":
            self.conn = self.engine.connect().execution_options(isolation_level="REPEATABLE READ")
            self.conn.execute(text("SET TRANSACTION READ ONLY"))
        else:
            self.conn = self.engine.connect()
            self.conn.exec_driver_sql("BEGIN")
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.rollback()
        self.conn.close()


def _count(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)))


def _copy_table(src: Connection, dst: Connection, table: Table, batch: int, progress: Progress | None) -> int:
    """Copy one table's rows in primary-key order, ``batch`` rows per INSERT; the rows copied."""
    total = _count(src, table)
    if progress:
        progress(table.name, 0, total)
    done = 0
    for rows in _batches(src, table, batch):
        _check_fits(dst, table, rows)
        dst.execute(table.insert(), rows)
        done += len(rows)
        if progress:
            progress(table.name, done, total)
    return done


def _batches(src: Connection, table: Table, batch: int) -> Iterator[list[dict]]:
    """The table's rows as column dicts, in primary-key order, ``batch`` at a time (streamed, not all in memory);
    times of timezone-aware columns as UTC (SQLite keeps them without a zone: they are UTC)."""
    zoned = [c.name for c in table.columns if getattr(c.type, "timezone", False)]
    result = src.execution_options(stream_results=True, yield_per=batch).execute(
        select(table).order_by(*table.primary_key.columns))
    for part in result.mappings().partitions(batch):
        rows = [dict(r) for r in part]
        for row in rows:
            for name in zoned:
                row[name] = _utc(row[name])
        yield rows


def _utc(value):
    if not isinstance(value, datetime):
        return value
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _check_fits(dst: Connection, table: Table, rows: list[dict]) -> None:
    """On PostgreSQL, refuse a value that SQLite kept but PostgreSQL cannot: text longer than its column (SQLite
    does not enforce lengths) or holding a NUL character; the table, column and row id, never the value."""
    if dst.dialect.name != "postgresql":
        return
    sized = [(c.name, getattr(c.type, "length", None)) for c in table.columns if _python_type(c) is str]
    for row in rows:
        for name, length in sized:
            value = row[name]
            if not isinstance(value, str):
                continue
            where = f"table {table.name}, {_row_name(table, row)}, column {name}"
            if length is not None and len(value) > length:
                raise StoreCopyError(f"{where}: {len(value)} characters, the column holds at most {length}")
            if "\x00" in value:
                raise StoreCopyError(f"{where}: holds a NUL character, which PostgreSQL cannot store")


def _row_name(table: Table, row: dict) -> str:
    """A row by its integer id (never a key or text primary key, which may be secret)."""
    return f"row id {row['id']}" if "id" in table.c and table.c.id.primary_key else "a row"


def _python_type(column) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _id_tables() -> list[Table]:
    """The tables with an integer surrogate key ``id`` (a sequence on PostgreSQL, AUTOINCREMENT on SQLite)."""
    return [t for t in Base.metadata.sorted_tables
            if "id" in t.c and t.c.id.primary_key and _python_type(t.c.id) is int]


def _counter(conn: Connection, table: Table) -> int:
    """The highest id the store has handed out for ``table`` (its sequence; erased rows' ids included)."""
    if conn.dialect.name == "postgresql":
        seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        if seq is None:
            return 0
        last, called = conn.execute(text(f"SELECT last_value, is_called FROM {seq}")).one()
        return int(last) if called else int(last) - 1
    if conn.dialect.name == "sqlite":
        exists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        if not conn.scalar(text(exists)):
            return 0
        return int(conn.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table.name}) or 0)
    return 0


def _set_counters(src: Connection, dst: Connection) -> None:
    """Set every id counter of the target to at least the source's counter and the highest copied id, so that a
    new row never gets an id the source handed out (erased rows' ids included)."""
    for table in _id_tables():
        high = max(_counter(src, table), int(dst.scalar(select(func.max(table.c.id))) or 0))
        if dst.dialect.name == "postgresql":
            seq = dst.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
            if seq is None:
                raise StoreCopyError(f"the target's table {table.name} has no id sequence")
            dst.execute(text("SELECT setval(:s, :v, :called)"),
                        {"s": seq, "v": max(high, 1), "called": high >= 1})
        elif dst.dialect.name == "sqlite" and high:
            if not table.dialect_options["sqlite"].get("autoincrement"):
                continue
            updated = dst.execute(text("UPDATE sqlite_sequence SET seq = max(seq, :v) WHERE name = :t"),
                                  {"v": high, "t": table.name}).rowcount
            if not updated:
                dst.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :v)"),
                            {"v": high, "t": table.name})


def _verify(src: Connection, dst: Connection, counts: dict[str, int]) -> None:
    """Compare every table's rows in the target (before commit) with the source snapshot's; raise on a difference."""
    wrong = []
    for table in Base.metadata.sorted_tables:
        have, want = _count(dst, table), _count(src, table)
        if have != want or counts[table.name] != want:
            wrong.append(f"{table.name}: source {want}, copied {counts[table.name]}, target {have}")
    if wrong:
        raise CountMismatch("row count mismatch after copying (nothing committed): " + "; ".join(wrong))
