"""Store scrub: the library's warning wording (textmine.survey templates) and the scrub's patterns cannot drift,
and after a scrub the scrubbed values are gone from the database files too (SQLite main and -wal files; VACUUM of
the scrubbed tables on PostgreSQL)."""

from __future__ import annotations

import importlib
import logging
import sqlite3
from pathlib import Path

import pytest
import yaml
from conftest import sample_frame, survey_yaml
from sqlalchemy import create_engine, text
from test_store_scrub import PLANTED, _plant_old_store

from service import library, scrub
from service.db.session import Database, make_engine
from textmine import survey

FNR = "01019010046"
NAME = "Kari Nordmann"
WAVE_YAML = survey_yaml() + "other_columns: [postnr]\n"

# per template: fields that fit a wave stored as "w.csv" with WAVE_YAML (the upload can write the message)
FITTING = {
    "absent_columns": dict(src="w.csv", columns="wave, fritekst_generell"),
    "unknown_columns": dict(src="w.csv", columns="postnr"),
    "large_weights": dict(src="w.csv", col="vekt", n=1, limit=1500.5, rows="row 4"),
    "multiselect_codes": dict(src="w.csv", col="tj_ingen", n=12, rows=survey._rows(range(12), lambda p: p + 2)),
    "exclusive": dict(src="w.csv", n=2, group="tjenester"),
    "undeclared_levels": dict(src="w.csv", col="sektor", n=1, rows="row 8"),
}
# what each field could carry in a message stored by old code or put there by hand
PII_FIELDS = {"src": f"{NAME}.csv", "columns": f"wave, {FNR}", "col": NAME, "group": NAME, "n": FNR,
              "rows": f"row {FNR}", "limit": "91234567"}
WITHDRAWN = scrub.WITHDRAWN_NOTE.format(n=1)


def _info():
    return library.parse_survey(WAVE_YAML)


def _no_changes() -> dict:
    return {"dropped": {}, "cleared": {}, "masked": {}, "changed": []}


def _format(template: str, fields: dict) -> str:
    """``template.format`` that also takes text for a ``{limit:g}`` field."""
    if isinstance(fields.get("limit"), str):
        template = template.replace("{limit:g}", "{limit}")
    return template.format(**fields)


# ---------------------------------------------------------------- warning wording
def test_every_library_template_has_a_fitting_example():
    assert set(FITTING) == set(survey.WARNING_TEMPLATES)


@pytest.mark.parametrize("kind", list(survey.WARNING_TEMPLATES))
def test_each_library_warning_is_kept_only_when_the_upload_can_store_it(kind):
    message = _format(survey.WARNING_TEMPLATES[kind], FITTING[kind])
    expected = None if kind in scrub.NOT_UPLOADED else kind
    assert scrub.current_warning(message, _info(), "w.csv") == expected
    kept = [] if expected is None else [message]
    notes = [] if expected else [WITHDRAWN]
    assert scrub.scrub_warnings([message], _info(), "w.csv", _no_changes()) == (kept + notes, 1 - len(kept),
                                                                                len(notes))


@pytest.mark.parametrize("kind, field", [(k, f) for k, fields in FITTING.items() for f in fields])
def test_a_library_warning_carrying_personal_data_in_any_field_is_withdrawn(kind, field):
    message = _format(survey.WARNING_TEMPLATES[kind], FITTING[kind] | {field: PII_FIELDS[field]})
    out, rewritten, added = scrub.scrub_warnings([message], _info(), "w.csv", _no_changes())
    assert out == [WITHDRAWN] and (rewritten, added) == (1, 1)
    assert not any(v in repr(out) for v in (FNR, NAME, "91234567"))


def test_what_validate_frame_writes_is_recognised_by_the_scrub():
    """Real messages, not formatted examples: every template is produced once."""
    definition = yaml.safe_load(survey_yaml())  # routed on an item declared nowhere else: stored, yet "unknown"
    definition["free_text"][1]["asked_if"] = {"item": "q_kontakt", "codes": [1]}
    info = library.parse_survey(yaml.safe_dump(definition, allow_unicode=True))
    frame = sample_frame(30).drop(columns=["wave"]).assign(q_kontakt="1")
    frame.loc[2, "vekt"] = "99999999"
    frame.loc[4, "tj_ingen"] = "Kari"
    frame.loc[5, ["tj_ingen", "tj_tiltak"]] = "1"
    frame.loc[6, "sektor"] = NAME
    warnings = info.definition.validate_frame(frame, source="w.csv", strict=False)
    kinds = [scrub.current_warning(w, info, "w.csv") for w in warnings]
    assert kinds == [k if k not in scrub.NOT_UPLOADED else None for k in survey.WARNING_TEMPLATES], warnings


def test_a_wording_change_in_the_library_reaches_the_scrub(monkeypatch):
    """The scrub's patterns are built from textmine.survey's templates: no hand-written copy to drift."""
    new = "{src}: {n} respondent(s) chose an exclusive option of {group} and other options too"
    message = new.format(src="w.csv", n=3, group="tjenester")
    assert scrub.current_warning(message, _info(), "w.csv") is None
    monkeypatch.setitem(survey.WARNING_TEMPLATES, "exclusive", new)
    try:
        importlib.reload(scrub)
        assert scrub.current_warning(message, _info(), "w.csv") == "exclusive"
    finally:
        monkeypatch.undo()
        importlib.reload(scrub)
    assert scrub.current_warning(message, _info(), "w.csv") is None


@pytest.mark.parametrize("number", [FNR, "91234567", "974760673", "012"])
def test_a_number_no_template_writes_withdraws_the_message(number):
    for message in (f"w.csv: {number} respondent(s) ticked an exclusive option of tjenester together with other "
                    "options", f"{number} personal data item(s) were redacted from the free text",
                    f"w.csv, column tj_ingen: 1 multi-select value(s) are not 0/1 codes and are treated as missing "
                    f"(rows 3, {number})"):
        assert scrub.current_warning(message, _info(), "w.csv") is None, message


def test_limits_as_the_template_formats_them_are_kept():
    for limit in (1000.0, 1500.5, 123456.0, 2.5e6, 1e12, float("inf")):
        message = survey.LARGE_WEIGHTS_WARNING.format(src="w.csv", col="vekt", n=1, limit=limit, rows="row 2")
        assert scrub.current_warning(message, _info(), "w.csv") == "large_weights", message


# ---------------------------------------------------------------- leftovers in the database files
def _sqlite_files(url: str) -> list[Path]:
    path = Path(url.removeprefix("sqlite:///"))
    return [path, path.with_name(path.name + "-wal")]


def _leftovers(url: str) -> dict[str, list[str]]:
    """Planted values found in the raw bytes of the database file and its -wal file."""
    return {f.name: [p for p in PLANTED if p.encode() in f.read_bytes()] for f in _sqlite_files(url) if f.exists()}


def _reader(url: str) -> sqlite3.Connection:
    """A second connection, as a running service holds one: the -wal file is not removed while it is open."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    return conn


@pytest.mark.parametrize("reader_open", [False, True], ids=["main-file", "wal-tail"])
def test_purge_removes_scrubbed_values_from_the_sqlite_files(sqlite_url, reader_open):
    reader = _reader(sqlite_url) if reader_open else None  # with it, old rows sit in the -wal file
    _plant_old_store(sqlite_url)
    assert any(_leftovers(sqlite_url).values())  # planted in the old store's files
    db = Database(sqlite_url)  # migration 0002 scrubs the tables, then migrate() purges the files
    try:
        assert _leftovers(sqlite_url) == {f.name: [] for f in _sqlite_files(sqlite_url) if f.exists()}
        with db.session() as s:
            rows = s.execute(text("SELECT count(*) FROM respondents")).scalar()
            secure_delete = s.execute(text("PRAGMA secure_delete")).scalar()
        done = scrub.purge_leftovers(db.engine)  # idempotent
        assert done["complete"] and done["vacuumed"] == "database"
        assert _leftovers(sqlite_url) == {f.name: [] for f in _sqlite_files(sqlite_url)}
        assert _sqlite_files(sqlite_url)[1].stat().st_size == 0  # the WAL truncated
        with db.session() as s:  # the store still works, with the same rows
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert s.execute(text("SELECT count(*) FROM respondents")).scalar() == rows
            assert s.execute(text("PRAGMA secure_delete")).scalar() == secure_delete  # the setting restored
    finally:
        db.dispose()
        if reader is not None:
            reader.close()


def test_scrub_database_commits_and_leaves_nothing_on_disk(sqlite_url):
    reader = _reader(sqlite_url)
    _plant_old_store(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        counts = scrub.scrub_database(engine)
        assert counts["waves_changed"] == 2 and counts["keys_dropped"] == 12 + 8
        assert _leftovers(sqlite_url) == {f.name: [] for f in _sqlite_files(sqlite_url)}
        assert scrub.scrub_database(engine) == dict.fromkeys(scrub.COUNT_KEYS, 0) | {"waves_scanned": 3,
                                                                                    "waves_skipped": 1}
    finally:
        engine.dispose()
        reader.close()


@pytest.mark.parametrize("begin", ["BEGIN", "BEGIN IMMEDIATE"], ids=["open-read", "open-write"])
def test_an_unfinished_purge_is_reported_without_values(sqlite_url, caplog, begin):
    reader = _reader(sqlite_url)
    _plant_old_store(sqlite_url)
    db = Database(sqlite_url)
    engine = create_engine(sqlite_url, connect_args={"timeout": 0.5})  # the service's waits 30 s for the reader
    try:
        reader.execute(begin)
        reader.execute("SELECT count(*) FROM respondents").fetchall()  # holds the old pages (or the write lock)
        with caplog.at_level(logging.WARNING, logger="textmine.service"):
            assert scrub.purge_leftovers(engine)["complete"] is False
        assert "another connection is using the store" in caplog.text
        assert not any(p in caplog.text for p in PLANTED)
        reader.rollback()
        assert scrub.purge_leftovers(engine)["complete"] is True  # once it ends, the purge finishes
        assert _leftovers(sqlite_url) == {f.name: [] for f in _sqlite_files(sqlite_url)}
    finally:
        engine.dispose()
        db.dispose()
        reader.close()


@pytest.mark.postgres
def test_purge_vacuums_the_scrubbed_tables_on_postgres(db_url, caplog):
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    _plant_old_store(db_url)
    db = Database(db_url)
    files = "SELECT pg_relation_filenode('respondents'), pg_relation_filenode('waves')"
    try:
        with db.session() as s:
            before = s.execute(text(files)).one()
        with caplog.at_level(logging.WARNING, logger="textmine.service"):
            assert scrub.purge_leftovers(db.engine) == {"vacuumed": "respondents, waves", "full": False,
                                                        "complete": False}
        assert "VACUUM FULL" in caplog.text  # a plain VACUUM may leave bytes in freed space: said so
        with db.session() as s:
            assert s.execute(text(files)).one() == before  # plain VACUUM: same files
        assert scrub.purge_leftovers(db.engine, full=True)["complete"] is True
        with db.session() as s:
            after = s.execute(text(files)).one()
        assert all(a != b for a, b in zip(after, before))  # rewritten into new files, the old ones deleted
    finally:
        db.dispose()
