"""SQLite stores never hand out an id twice: every table with an integer surrogate key gets AUTOINCREMENT

Without AUTOINCREMENT, SQLite gives a new row the highest id in the table + 1, so after an erasure (``DELETE
/surveys/{id}`` and the like) the deleted ids are handed out again: a correction file or ``POST
/responses/{id}/codes`` prepared before the erasure would write onto another respondent's answer, and ids in audit
logs and earlier reports would name two rows. On SQLite each such table is rebuilt with AUTOINCREMENT (rows, ids,
unique constraints, foreign keys and indexes kept) and ``sqlite_sequence`` is seeded with the table's highest id.
Ids of rows deleted before this revision and above the highest remaining id are not known and may still be used
once. PostgreSQL: nothing to do (sequences never hand out a value twice).

The rebuild cannot use ``op.batch_alter_table(recreate="always")``: it drops each old table while foreign keys
are enforced (the pragma cannot be turned off inside the migration's transaction), and dropping a referenced table
cascade-deletes the rows that refer to it (see 0003). Instead every table is first copied to a new table whose
foreign keys refer to the other new tables, then the old tables are dropped, referring tables first (no row
refers to an old table any more), and the new tables are renamed. A store whose tables already have AUTOINCREMENT
is left alone. Offline mode (SQL script) is not supported on SQLite: the tables must be read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 19:00:00
"""
import logging

import sqlalchemy as sa
from alembic import context, op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

log = logging.getLogger("textmine.service")

#: the tables whose integer surrogate key ``id`` gets AUTOINCREMENT
ID_TABLES = ("api_keys", "surveys", "waves", "respondents", "responses", "codebooks", "models", "coding_jobs",
             "training_jobs", "coding_results", "corrections")

#: prefix of the new tables while they are filled
TMP = "_tm0010_"


def _has_autoincrement(conn, name: str) -> bool:
    """True when the table ``name`` was made with AUTOINCREMENT (by this revision, or by a store made later)."""
    sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": name})
    return "AUTOINCREMENT" in (sql.scalar() or "").upper()


def _to_rebuild(meta: sa.MetaData, todo: set[str]) -> list[sa.Table]:
    """The tables in ``todo`` and every table referring to one of them (directly or not: dropping a referenced
    table would cascade into it), parents first."""
    names = set(todo)
    grown = True
    while grown:
        more = {t.name for t in meta.tables.values()
                if t.name not in names and any(fk.referred_table.name in names for fk in t.foreign_key_constraints)}
        names |= more
        grown = bool(more)
    return [t for t in meta.sorted_tables if t.name in names]


def _new_table(old: sa.Table, meta: sa.MetaData, rebuilt: set[str]) -> sa.Table:
    """A copy of ``old`` named ``TMP + name`` whose foreign keys refer to the new tables of ``rebuilt``."""
    columns = [sa.Column(c.name, c.type, nullable=c.nullable, primary_key=c.primary_key,
                         server_default=c.server_default.arg if c.server_default is not None else None,
                         autoincrement=c.primary_key and old.name in ID_TABLES)
               for c in old.columns]
    constraints = []
    for constraint in old.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            constraints.append(sa.UniqueConstraint(*[c.name for c in constraint.columns], name=constraint.name))
        elif isinstance(constraint, sa.CheckConstraint):
            constraints.append(sa.CheckConstraint(constraint.sqltext, name=constraint.name))
    for fk in old.foreign_key_constraints:
        target = fk.referred_table.name
        if target not in rebuilt and target not in meta.tables:  # a table kept as it is: known by name only
            fk.referred_table.to_metadata(meta)
        target = TMP + target if target in rebuilt else target
        constraints.append(sa.ForeignKeyConstraint(
            [c.name for c in fk.columns], [f"{target}.{e.column.name}" for e in fk.elements], name=fk.name,
            ondelete=fk.ondelete, onupdate=fk.onupdate))
    return sa.Table(TMP + old.name, meta, *columns, *constraints, sqlite_autoincrement=old.name in ID_TABLES)


def _rebuild(conn, tables: list[sa.Table]) -> None:
    """Copy ``tables`` (parents first) to new tables, drop the old ones, rename the new ones, recreate indexes."""
    rebuilt = {t.name for t in tables}
    meta = sa.MetaData()
    new = [_new_table(t, meta, rebuilt) for t in tables]
    for table in new:
        table.create(conn)
    for old, table in zip(tables, new):  # parents first: every foreign key finds its row
        cols = ", ".join(f'"{c.name}"' for c in old.columns)
        conn.execute(sa.text(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM "{old.name}"'))
    for old in reversed(tables):  # referring tables first: nothing cascades
        conn.execute(sa.text(f'DROP TABLE "{old.name}"'))
    for old, table in zip(tables, new):  # SQLite rewrites the other tables' references to the new name
        conn.execute(sa.text(f'ALTER TABLE "{table.name}" RENAME TO "{old.name}"'))
    for old in tables:
        for index in old.indexes:
            cols = ", ".join(f'"{c.name}"' for c in index.columns)
            unique = "UNIQUE " if index.unique else ""
            conn.execute(sa.text(f'CREATE {unique}INDEX "{index.name}" ON "{old.name}" ({cols})'))


def _sequences(conn) -> dict[str, int]:
    """The ``sqlite_sequence`` rows (none before the first AUTOINCREMENT table exists)."""
    if not conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
        return {}
    return {name: seq for name, seq in conn.execute(sa.text("SELECT name, seq FROM sqlite_sequence"))}


def _seed_sequence(conn, name: str, before: int) -> None:
    """``sqlite_sequence`` of ``name`` = its highest id, or the sequence it had before when higher: no id used so
    far is handed out again."""
    top = conn.execute(sa.text(f'SELECT coalesce(max(id), 0) FROM "{name}"')).scalar()
    conn.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :n"), {"n": name})
    conn.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:n, :seq)"),
                 {"n": name, "seq": max(int(top), before)})


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":  # PostgreSQL: sequences never reuse a value
        return
    if context.is_offline_mode():
        log.warning("migration 0010: SQLite tables not rebuilt with AUTOINCREMENT in offline mode "
                    "(upgrade the store online)")
        return
    conn = op.get_bind()
    meta = sa.MetaData()
    meta.reflect(conn)
    todo = {name for name in ID_TABLES if name in meta.tables and not _has_autoincrement(conn, name)}
    if not todo:
        return
    tables = _to_rebuild(meta, todo)
    before = _sequences(conn)
    _rebuild(conn, tables)
    for table in tables:
        if table.name in ID_TABLES:
            _seed_sequence(conn, table.name, before.get(table.name, 0))
    problems = conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall()
    if problems:
        raise RuntimeError(f"migration 0010: foreign keys broken after the rebuild in table(s) "
                           f"{sorted({row[0] for row in problems})}")
    log.info("migration 0010: %d table(s) rebuilt with AUTOINCREMENT", len(tables))


def downgrade() -> None:
    """No-op: AUTOINCREMENT tables work with the older code as they are, and rebuilding them without it would
    let SQLite hand out deleted ids again; downgrading only moves the revision marker back to 0009."""
