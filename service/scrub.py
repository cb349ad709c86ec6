"""Bring waves stored before the upload fixes up to today's upload rules (data migration 0002, testable here).

Uploads written by older code may hold what :func:`service.store.upload_wave` no longer stores:

* ``Respondent.answers`` keys for columns the survey definition does not declare (they may hold anything,
  e.g. national identity numbers) -> the keys are dropped (the kept set is ``library.stored_columns``, without
  the id and free-text columns, exactly what the upload writes into ``answers``);
* values of segment columns that are not among the segment's declared levels (e.g. a name typed into
  ``sektor``; today's upload refuses them, ``SurveyDefinition.undeclared_levels``) -> set to missing (None);
* unmasked values of free-valued segments (segments without declared levels, e.g. ``naering``) -> masked with
  ``SurveyDefinition.mask_free_segments``, the call the upload makes (same default redactor);
* ``Wave.warnings`` messages that may quote cell values (e.g. the old "values not among the declared levels:
  [...]") -> only messages that today's upload can produce for the wave (checked against the wave's own file
  name and definition) are kept; the others are withdrawn and value-free notes naming columns and counts are
  added for what the scrub changed;
* ``Wave.filename`` holding personal data by today's rule (``library.filename_is_personal``: "kari_svar.csv",
  "hansen-kommentarer.xlsx") -> ``upload`` plus the suffix, as the upload stores it today, and the warnings that
  quote it (``{src}: …``) renamed alike; other file names are left exactly as stored.

Each wave is checked against its own stored definition (``Wave.definition_yaml``), else its survey's. The scrub
is idempotent: a second run finds nothing to change. It returns counts only, never values. After its commit,
:func:`purge_leftovers` removes the old row versions from the database files (:func:`scrub_database` does both).

The tables are addressed through minimal Core table objects (only the columns used here) rather than the ORM
models, so that the data migration keeps working when later migrations change other columns.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from service import library, store
from service.errors import ApiError
from textmine import survey

log = logging.getLogger("textmine.service")

_surveys = sa.table("surveys", sa.column("id", sa.Integer), sa.column("definition_yaml", sa.Text))
_waves = sa.table("waves", sa.column("id", sa.Integer), sa.column("survey_id", sa.Integer),
                  sa.column("definition_yaml", sa.Text), sa.column("filename", sa.String),
                  sa.column("warnings", sa.JSON))
_respondents = sa.table("respondents", sa.column("id", sa.Integer), sa.column("wave_id", sa.Integer),
                        sa.column("respondent_id", sa.String), sa.column("answers", sa.JSON))
_responses = sa.table("responses", sa.column("wave_id", sa.Integer), sa.column("respondent_pk", sa.Integer),
                      sa.column("question", sa.String), sa.column("text_redacted", sa.Text))

COUNT_KEYS = (
    "waves_scanned",        # waves looked at
    "waves_changed",        # waves with any change (answers or warnings)
    "waves_skipped",        # waves without a usable survey definition (wave's and survey's missing or invalid)
    "respondents_changed",  # respondents whose answers changed
    "columns_dropped",      # undeclared columns removed, counted once per wave
    "keys_dropped",         # undeclared answer keys removed (respondent x column)
    "levels_cleared",       # undeclared segment levels set to missing (cells)
    "values_masked",        # free-valued segment cells masked (cells)
    "warnings_rewritten",   # stored warning messages withdrawn or rewritten
    "warnings_added",       # value-free notes added
)

# ---------------------------------------------------------------- warning messages
# The value-free messages today's upload writes into Wave.warnings (service.store.upload_wave and the
# validation it calls: service.library.validate_frame -> SurveyDefinition.validate_frame with strict=False).
# A stored message is kept only if it matches one of these AND its variable parts fit the wave (its file name,
# its definition's columns); everything else is withdrawn. Every message is matched by a pattern built from the
# template that writes it (service.store *_WARNING, textmine.survey.WARNING_TEMPLATES), so the two cannot drift.
_FIELD = re.compile(r"\{(\w+)(?::[^{}]*)?\}")  # '{n}', '{limit:g}'
_NUMBER = r"\d+"


def warning_pattern(template: str, **groups: str) -> re.Pattern:
    """A pattern matching the messages ``template.format(...)`` writes: its text literally, each ``{field}`` (or
    ``{field:spec}``) a named group matching ``groups[field]`` (default: any text)."""
    parts, last, seen = [], 0, set()
    for m in _FIELD.finditer(template):
        group = f"(?P={m[1]})" if m[1] in seen else f"(?P<{m[1]}>{groups.get(m[1], '.+')})"  # a field used twice
        parts += [re.escape(template[last:m.start()]), group]
        seen.add(m[1])
        last = m.end()
    return re.compile("".join(parts) + re.escape(template[last:]))


# the scrub's own notes (value-free; kept by later runs)
REMOVED_COLUMNS_NOTE = ("{n} column(s) not declared in the survey definition were removed from the stored answers: "
                        "{columns}")
LEVELS_NOTE = "column {col}: {n} value(s) not among the declared levels were removed (set to missing)"
WITHDRAWN_NOTE = ("{n} warning(s) stored with this upload were withdrawn: they could quote cell values or no longer "
                  "apply to the stored data")

# the fields of textmine.survey's templates that are not checked against the wave: counts, limits, row lists
_ROWS = r"rows? \d+(?:, \d+)*(?:, …)?"  # textmine.survey._rows: row numbers only
_LIMIT = r"(?:\d{1,6}(?:\.\d{1,5})?(?:e\+\d{2,3})?|inf)"  # '{limit:g}' of a limit ≥ 1000: at most 6 digits
# a count, row number or wave id as the templates write it: no leading zero and under ten million, so not an
# 11-digit national identity number, a 9-digit organisation number or an 8-digit phone number
_COUNT = re.compile(r"0|[1-9]\d{0,6}")
_LIBRARY_FIELDS = {"n": _NUMBER, "limit": _LIMIT, "rows": _ROWS}
# textmine.survey warnings today's upload never stores, with the reason (so they are withdrawn)
NOT_UPLOADED = {"undeclared_levels": "the upload refuses undeclared segment levels (library.validate_frame)"}
_CURRENT = {
    **{kind: warning_pattern(template, **_LIBRARY_FIELDS) for kind, template in survey.WARNING_TEMPLATES.items()
       if kind not in NOT_UPLOADED},
    "masked": warning_pattern(store.MASKED_WARNING, n=_NUMBER),
    "not_stored": warning_pattern(store.NOT_STORED_WARNING, n=_NUMBER),
    "pii": warning_pattern(store.PII_WARNING, n=_NUMBER),
    "duplicate": warning_pattern(store.DUPLICATE_WARNING, wave_id=_NUMBER),
    "scrub_removed_columns": warning_pattern(REMOVED_COLUMNS_NOTE, n=_NUMBER),
    "scrub_levels": warning_pattern(LEVELS_NOTE, n=_NUMBER),
    "scrub_withdrawn": warning_pattern(WITHDRAWN_NOTE, n=_NUMBER),
    # (item and column without «:» and bounded, so a long crafted message cannot make the match slow)
    "default_scale": warning_pattern(survey.DEFAULT_SCALE_WARNING, n=_NUMBER, top=_NUMBER, low=_NUMBER,
                                     alt=_NUMBER, col=r"[^:\n]{1,300}", item=r"[^:\n]{1,300}"),
}


def _removed_columns_message(dropped: list[str]) -> str:
    """Like upload_wave's "were not stored" warning (column names redacted, never values; same truncation)."""
    return REMOVED_COLUMNS_NOTE.format(n=len(dropped), columns=library.column_list(dropped))


def _levels_message(col: str, n: int) -> str:
    return LEVELS_NOTE.format(col=col, n=n)


def _withdrawn_message(n: int) -> str:
    return WITHDRAWN_NOTE.format(n=n)


def _source_fits(src: str, filename: str | None) -> bool:
    """The upload names its file ``Path(filename or "upload").name`` in messages and stores ``name[:300]``."""
    if not filename:
        return src == "upload"
    return src == filename or (len(filename) == 300 and src.startswith(filename) and "\n" not in src)


def _numbers_fit(groups: dict[str, str]) -> bool:
    """Every count, row number and wave id in the message is one the templates can write (``_COUNT``)."""
    numbers = [groups[k] for k in ("n", "wave_id") if k in groups] + re.findall(r"\d+", groups.get("rows", ""))
    return all(_COUNT.fullmatch(x) for x in numbers)


def _column_list_fits(cols: str, allowed: set[str]) -> bool:
    return all(c in allowed for c in cols.split(", "))


def current_warning(message: Any, info: library.SurveyInfo, filename: str | None) -> str | None:
    """The kind of a stored warning when today's upload (or this scrub) can produce it for a wave with this
    definition and file name; None when it cannot (it may quote cell values)."""
    if not isinstance(message, str) or "\n" in message:
        return None
    d = info.definition
    if message in d.definition_warnings:  # rebuilt from the stored definition itself (a short scale's positive code)
        return "definition"
    for kind, pattern in _CURRENT.items():
        m = pattern.fullmatch(message)
        if m is None:
            continue
        groups = m.groupdict()
        if not _numbers_fit(groups):
            return None
        if "src" in groups and not _source_fits(groups["src"], filename):
            return None
        if kind == "absent_columns" and not _column_list_fits(groups["columns"], set(d.columns)):
            return None
        if kind == "unknown_columns" and not _column_list_fits(groups["columns"], set(library.stored_columns(info))):
            return None
        if kind == "large_weights" and groups["col"] != d.weight_column:
            return None
        if kind == "multiselect_codes" and groups["col"] not in {c for ms in d.multiselect for c in ms.options}:
            return None
        if kind == "exclusive" and groups["group"] not in {ms.id for ms in d.multiselect if ms.exclusive}:
            return None
        if kind == "default_scale" and (groups["item"], groups["col"], groups["low"], groups["top"], groups["alt"]) \
                not in {(i.id, i.column, str(i.scale[0]), str(i.scale[-1]), str(i.scale[-1] - 1))
                        for i in d.indicators if tuple(i.scale) == survey.DEFAULT_SCALE}:
            return None
        if kind == "masked" and groups["col"] not in _free_segments(info):
            return None
        if kind == "scrub_levels" and groups["col"] not in _levelled_segments(info):
            return None
        return kind
    return None


# ---------------------------------------------------------------- definitions
def _levelled_segments(info: library.SurveyInfo) -> list[str]:
    return [s.column for s in info.definition.segments if s.levels]


def _free_segments(info: library.SurveyInfo) -> list[str]:
    return [s.column for s in info.definition.segments if not s.levels]


def wave_definition(wave_yaml: str | None, survey_yaml: str | None) -> library.SurveyInfo | None:
    """The wave's own stored definition, else its survey's (the first that parses); None when neither does."""
    for text in (wave_yaml, survey_yaml):
        if text:
            try:
                return library.parse_survey(text)
            except ApiError:
                continue
    return None


def answer_columns(info: library.SurveyInfo) -> set[str]:
    """The keys today's upload writes into ``Respondent.answers``: the declared columns it keeps
    (``library.stored_columns``) less the id column and the free-text columns (stored as responses)."""
    return set(library.stored_columns(info)) - {info.id_column} - set(info.text_columns)


def _column(answers: list[dict], col: str) -> pd.Series:
    return pd.Series([a.get(col) for a in answers], dtype=object)


# ---------------------------------------------------------------- the scrub
def scrub_answers(answers: list[dict], info: library.SurveyInfo) -> tuple[list[dict], dict[str, Any]]:
    """Today's upload rules applied to one wave's answers (in respondent order): new dicts (the input is not
    modified) and what changed: ``dropped`` {column: keys}, ``cleared`` {column: cells}, ``masked``
    {column: cells}, ``changed`` (positions)."""
    keep = answer_columns(info)
    out = [dict(a) if isinstance(a, dict) else {} for a in answers]
    changed = {i for i, a in enumerate(answers) if not isinstance(a, dict)}
    dropped: Counter = Counter()
    for i, a in enumerate(out):
        extra = [k for k in a if k not in keep]
        for k in extra:
            del a[k]
            dropped[k] += 1
        if extra:
            changed.add(i)
    definition = info.definition
    present = {k for a in out for k in a}
    # undeclared levels of segments that declare levels: never kept (the upload refuses them)
    levelled = [c for c in _levelled_segments(info) if c in present]
    cleared: dict[str, int] = {}
    if levelled:
        frame = pd.DataFrame({c: _column(out, c) for c in levelled})
        for col, positions in definition.undeclared_levels(frame).items():
            for p in positions:
                out[int(p)][col] = None
                changed.add(int(p))
            cleared[col] = len(positions)
    # free-valued segments: masked exactly as the upload masks them
    free = [c for c in _free_segments(info) if c in present]
    masked: dict[str, int] = {}
    if free:
        frame = pd.DataFrame({c: _column(out, c) for c in free})
        new, counts = definition.mask_free_segments(frame)
        for col, n in counts.items():
            if not n:
                continue
            for p, (old, value) in enumerate(zip(frame[col].tolist(), new[col].tolist())):
                if isinstance(value, str) and value != old:
                    out[p][col] = value
                    changed.add(p)
            masked[col] = int(n)
    return out, {"dropped": dict(dropped), "cleared": cleared, "masked": masked, "changed": sorted(changed)}


def scrub_warnings(warnings: Any, info: library.SurveyInfo, filename: str | None,
                   changes: dict[str, Any]) -> tuple[list[str], int, int]:
    """The wave's warnings with only messages today's upload can produce kept, plus value-free notes for what
    the scrub changed. Returns (messages, rewritten, added)."""
    old = list(warnings) if isinstance(warnings, list) else ([] if warnings is None else [warnings])
    kept: list[str] = []
    withdrawn = 0
    for message in old:
        if current_warning(message, info, filename) is None:
            withdrawn += 1
        else:
            kept.append(message)
    rewritten, added = withdrawn, 0
    for col, n in changes["masked"].items():  # one masking message per column, as the upload writes it
        for i, message in enumerate(kept):
            m = _CURRENT["masked"].fullmatch(message)
            if m and m["col"] == col:
                kept[i] = store.MASKED_WARNING.format(col=col, n=int(m["n"]) + n)
                rewritten += 1
                break
        else:
            kept.append(store.MASKED_WARNING.format(col=col, n=n))
            added += 1
    notes = []
    if changes["dropped"]:
        notes.append(_removed_columns_message(list(changes["dropped"])))
    notes += [_levels_message(col, n) for col, n in changes["cleared"].items()]
    if withdrawn:
        notes.append(_withdrawn_message(withdrawn))
    return kept + notes, rewritten, added + len(notes)


# ---------------------------------------------------------------- file names
def stored_filename(filename: str | None) -> str | None:
    """The name today's upload would store for a stored file name: ``upload`` plus the suffix when its stem holds
    personal data (``library.filename_is_personal``: a name, a surname or first name on its own, a
    fødselsnummer, …), else unchanged (a name stored by older code is never cut or otherwise changed)."""
    if not filename or not library.filename_is_personal(filename):
        return filename
    return library.safe_filename(filename)


def renamed_warnings(warnings: Any, old: str, new: str) -> Any:
    """The wave's warnings with the file name they start with (``{src}: …``, ``{src}, column …``, the upload's
    templates) changed from ``old`` to ``new``; other messages and non-list values unchanged."""
    if not isinstance(warnings, list):
        return warnings
    return [new + m[len(old):] if isinstance(m, str) and m.startswith((old + ":", old + ",")) else m
            for m in warnings]


def _scrub_filename(session: Session, wave_id: int, filename: str | None, warnings: Any) -> tuple[str | None, Any]:
    """Store the wave's file name as today's upload would (and the warnings quoting it renamed alike); returns the
    (possibly new) file name and warnings."""
    new = stored_filename(filename)
    if new == filename:
        return filename, warnings
    warnings = renamed_warnings(warnings, filename, new)
    session.execute(sa.update(_waves).where(_waves.c.id == wave_id).values(filename=new, warnings=warnings))
    log.info("store scrub: wave %s: a file name holding personal data was replaced by %s", wave_id, new)
    return new, warnings


def scrub_wave(session: Session, wave_id: int) -> dict[str, int]:
    """Apply today's upload rules to one stored wave (see the module docstring); counts only. The file name is
    checked even when the wave has no usable definition (the rule needs none)."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    wave = session.execute(sa.select(_waves.c.survey_id, _waves.c.definition_yaml, _waves.c.filename,
                                     _waves.c.warnings).where(_waves.c.id == wave_id)).one()
    survey_yaml = session.scalar(sa.select(_surveys.c.definition_yaml).where(_surveys.c.id == wave.survey_id))
    counts["waves_scanned"] = 1
    filename, stored_warnings = _scrub_filename(session, wave_id, wave.filename, wave.warnings)
    renamed = filename != wave.filename
    info = wave_definition(wave.definition_yaml, survey_yaml)
    if info is None:
        log.warning("store scrub: wave %s has no usable survey definition; left as it is", wave_id)
        counts["waves_skipped"] = 1
        counts["waves_changed"] = int(renamed)
        return counts
    rows = session.execute(sa.select(_respondents.c.id, _respondents.c.answers)
                           .where(_respondents.c.wave_id == wave_id).order_by(_respondents.c.id)).all()
    answers, changes = scrub_answers([r.answers for r in rows], info)
    if changes["changed"]:
        session.execute(sa.update(_respondents).where(_respondents.c.id == sa.bindparam("pk"))
                        .values(answers=sa.bindparam("new_answers")),
                        [{"pk": rows[i].id, "new_answers": answers[i]} for i in changes["changed"]])
    warnings, rewritten, added = scrub_warnings(stored_warnings, info, filename, changes)
    if warnings != stored_warnings:
        session.execute(sa.update(_waves).where(_waves.c.id == wave_id).values(warnings=warnings))
    counts.update(respondents_changed=len(changes["changed"]), columns_dropped=len(changes["dropped"]),
                  keys_dropped=sum(changes["dropped"].values()), levels_cleared=sum(changes["cleared"].values()),
                  values_masked=sum(changes["masked"].values()), warnings_rewritten=rewritten,
                  warnings_added=added)
    counts["waves_changed"] = int(renamed or bool(changes["changed"]) or warnings != stored_warnings)
    return counts


def scrub_store(session: Session) -> dict[str, int]:
    """Scrub every stored wave (in id order) in the session's transaction; the caller commits. Counts only."""
    totals = dict.fromkeys(COUNT_KEYS, 0)
    for wave_id in session.scalars(sa.select(_waves.c.id).order_by(_waves.c.id)).all():
        for key, n in scrub_wave(session, wave_id).items():
            totals[key] += n
    return totals


# ---------------------------------------------------------------- old row versions left on disk
# A committed scrub removes the values from the tables, not yet from the files: SQLite keeps the old page images
# in the main file until a checkpoint writes the new ones over them, in free pages until VACUUM (or zeroed, with
# secure_delete), and in the -wal file until it is reset. PostgreSQL keeps dead row versions in the table (and
# TOAST) files: a plain VACUUM frees them, yet their bytes can stay in the pages; VACUUM FULL rewrites the files.
# Neither VACUUM can run inside a transaction, so purge_leftovers runs after the scrub's commit (migration 0002
# runs the scrub inside the migration's transaction: call purge_leftovers on the engine once migrate() returns).
# Not reachable from here: PostgreSQL's WAL segments and archives, and backups, keep old versions until recycled.
SCRUBBED_TABLES = ("respondents", "waves")  # the scrub's; an erasure passes its own (service.erasure.ERASED_TABLES)
_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _set_secure_delete(conn: sa.Connection, on: bool | int) -> int:
    """Set SQLite's ``secure_delete`` for this connection (freed space zeroed, not only unlinked); the old value."""
    old = int(conn.exec_driver_sql("PRAGMA secure_delete").scalar())
    conn.exec_driver_sql(f"PRAGMA secure_delete = {int(on)}")
    return old


def _purge_sqlite(conn: sa.Connection) -> dict[str, Any]:
    """VACUUM (the file rebuilt: no free pages, no freed space in pages), then a TRUNCATE checkpoint (every page
    written into the main file, the -wal file emptied). ``complete`` is False when another connection's open read
    kept the checkpoint from finishing, or an open write the VACUUM: old page images may then remain."""
    try:
        conn.exec_driver_sql("VACUUM")
    except sa.exc.OperationalError:  # "database is locked": a write still open after the busy timeout
        return {"vacuumed": "", "complete": False}
    busy, wal_frames, checkpointed = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return {"vacuumed": "database", "complete": busy == 0 and wal_frames == checkpointed}


def _purge_postgresql(conn: sa.Connection, full: bool, tables: Sequence[str]) -> dict[str, Any]:
    """VACUUM ``tables``: plain VACUUM (the default) removes dead row versions without blocking the service, but
    may leave their bytes in freed page space; VACUUM FULL rewrites the tables and their TOAST into new files (old
    files deleted) under an exclusive lock: run it when the service can wait."""
    conn.exec_driver_sql(("VACUUM FULL " if full else "VACUUM ") + ", ".join(tables))
    return {"vacuumed": ", ".join(tables), "full": full, "complete": full}


def _checked_tables(tables: Sequence[str]) -> tuple[str, ...]:
    """``tables`` as plain table names (they are written into the VACUUM statement); ValueError otherwise."""
    bad = [t for t in tables if not isinstance(t, str) or not _TABLE_NAME.fullmatch(t)]
    if bad or not tables:
        raise ValueError(f"purge_leftovers: tables must be one or more lower-case table names, got {list(tables)!r}")
    return tuple(tables)


def purge_leftovers(engine: sa.Engine, *, full: bool = False,
                    tables: Sequence[str] = SCRUBBED_TABLES) -> dict[str, Any]:
    """After a committed scrub or erasure: remove the old row versions it left in the database files (see above):
    on SQLite the whole file, on PostgreSQL ``tables`` (default: the scrub's, ``SCRUBBED_TABLES``). Returns what
    was done (no values); logs a warning when something may remain."""
    tables = _checked_tables(tables)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM refuses a transaction
        if engine.dialect.name == "sqlite":
            done = _purge_sqlite(conn)
        elif engine.dialect.name == "postgresql":
            done = _purge_postgresql(conn, full, tables)
        else:
            done = {"vacuumed": "", "complete": False}
    if not done["complete"]:
        log.warning("store scrub: old row versions may remain in the database files until the next %s",
                    "VACUUM and checkpoint (another connection is using the store)" if engine.dialect.name == "sqlite"
                    else "VACUUM FULL of " + ", ".join(tables))
    return done


def scrub_database(engine: sa.Engine, *, full: bool = False) -> dict[str, int]:
    """Scrub the whole store outside a migration and commit (on SQLite with ``secure_delete`` on), then
    :func:`purge_leftovers`. Counts only."""
    with engine.begin() as conn:
        counts = scrub_on_connection(conn)
    purge_leftovers(engine, full=full)
    return counts


def scrub_on_connection(conn: sa.Connection) -> dict[str, int]:
    """:func:`scrub_store` on ``conn`` in its transaction (flushed, not committed), on SQLite with
    ``secure_delete`` on for the scrub and restored after (a connection setting). Counts only."""
    sqlite = conn.dialect.name == "sqlite"
    old = _set_secure_delete(conn, True) if sqlite else None
    session = Session(bind=conn)
    try:
        counts = scrub_store(session)
        session.flush()
    finally:
        session.close()
        if sqlite:
            _set_secure_delete(conn, old)
    return counts


# ---------------------------------------------------------------- content fingerprints (migration 0003)
def stored_fingerprint(session: Session, wave_id: int) -> str:
    """``store.content_fingerprint`` of a wave as stored: the digest its upload computes from the same rows."""
    rows = session.execute(sa.select(_respondents.c.id, _respondents.c.respondent_id, _respondents.c.answers)
                           .where(_respondents.c.wave_id == wave_id)).all()
    texts: dict[int, dict[str, str]] = {}
    for pk, question, text in session.execute(sa.select(_responses.c.respondent_pk, _responses.c.question,
                                                        _responses.c.text_redacted)
                                              .where(_responses.c.wave_id == wave_id)):
        texts.setdefault(pk, {})[question] = text
    return store.content_fingerprint((r.respondent_id, r.answers, texts.get(r.id, {})) for r in rows)


def fingerprint_waves(session: Session) -> int:
    """Store the content fingerprint of every wave that has none (in the session's transaction; the caller
    commits). Returns how many waves got one."""
    waves = sa.table("waves", sa.column("id", sa.Integer), sa.column("content_sha256", sa.String))
    ids = session.scalars(sa.select(waves.c.id).where(waves.c.content_sha256.is_(None)).order_by(waves.c.id)).all()
    for wave_id in ids:
        session.execute(sa.update(waves).where(waves.c.id == wave_id)
                        .values(content_sha256=stored_fingerprint(session, wave_id)))
    return len(ids)


def scrub_in_migration(revision: str) -> None:
    """A data migration's body (0002, 0006): :func:`scrub_on_connection` on the migration's connection, in its
    transaction; in offline (SQL script) mode only a warning, since rows must be read and redacted."""
    from alembic import context, op

    if context.is_offline_mode():
        log.warning("migration %s (store scrub) skipped in offline mode: it needs a database connection "
                    "(run service.scrub.scrub_store on the store)", revision)
        return
    counts = scrub_on_connection(op.get_bind())  # on SQLite with secure_delete on (freed space zeroed)
    if counts["waves_changed"] or counts["waves_skipped"]:
        log.info("store scrub (migration %s): %s", revision, ", ".join(f"{k}={v}" for k, v in counts.items()))
