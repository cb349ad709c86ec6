"""Ids are never handed out twice (migration 0010): after an erasure a new survey, wave, respondent, answer, job or
result gets an id above every id used before, on SQLite (AUTOINCREMENT) as on PostgreSQL (sequences); a store at
0009 upgrades keeping every row and id; upgrading again changes nothing."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import sqlite_sequence, move_store, coded_job, create_survey, hdr, sample_frame, snapshot, uploaded_wave
from sqlalchemy import func, select, text

from service.db.models import Base, CodingJob, CodingResult, Respondent, Response, Survey, Wave
from service.db.session import Database, make_engine, migrate

ID_TABLES = ["api_keys", "surveys", "waves", "respondents", "responses", "codebooks", "models", "coding_jobs",
             "training_jobs", "coding_results", "corrections"]
TS = "2026-12-01 10:00:00.000000"


def _max_ids(app) -> dict[str, int]:
    with app.state.db.session() as s:
        return {m.__tablename__: int(s.scalar(select(func.max(m.id))) or 0)
                for m in (Survey, Wave, Respondent, Response, CodingJob, CodingResult)}


def _min_ids_of_wave(app, wave_id: int) -> dict[str, int]:
    with app.state.db.session() as s:
        return {"waves": wave_id,
                "respondents": s.scalar(select(func.min(Respondent.id)).where(Respondent.wave_id == wave_id)),
                "responses": s.scalar(select(func.min(Response.id)).where(Response.wave_id == wave_id)),
                "coding_jobs": s.scalar(select(func.min(CodingJob.id)).where(CodingJob.wave_id == wave_id)),
                "coding_results": s.scalar(select(func.min(CodingResult.id)).join(CodingJob)
                                           .where(CodingJob.wave_id == wave_id))}


def test_ids_of_an_erased_survey_are_never_handed_out_again(client, keys):
    first = create_survey(client, keys["analyst"], "første")
    coded_job(client, keys, uploaded_wave(client, keys, first, sample_frame(10), "2022"))
    newest = create_survey(client, keys["analyst"], "slettes")
    coded_job(client, keys, uploaded_wave(client, keys, newest, sample_frame(10), "2022"))
    used = _max_ids(client.app)  # the erased survey holds the highest id of every table
    r = client.delete(f"/surveys/{newest}", headers=hdr(keys["admin"]))
    assert r.status_code == 200, r.text

    again = create_survey(client, keys["analyst"], "ny")
    wave = uploaded_wave(client, keys, again, sample_frame(10), "2022")
    coded_job(client, keys, wave)
    new = {"surveys": again, **_min_ids_of_wave(client.app, wave)}
    reused = {table: (new[table], used[table]) for table in new if new[table] <= used[table]}
    assert not reused, f"ids handed out again after the erasure (new id, highest id used before): {reused}"


def _insert(conn, table: str, **row) -> None:
    cols = ", ".join(row)
    conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in row)})"), row)


def _fill(conn) -> None:
    """Rows in every table of a 0009 store, ids with gaps (rows deleted before the upgrade)."""
    for i in (1, 2, 5):
        _insert(conn, "api_keys", id=i, prefix=f"p{i}", salt="s", secret_hash="h", role="admin", revoked=0,
                created_at=TS)
    _insert(conn, "ui_sessions", id_hash="a" * 64, key_id=5, sealed_key=b"x", created_at=1.0, last_seen_at=2.0)
    for i in (1, 3):
        _insert(conn, "surveys", id=i, name=f"s{i}", created_at=TS)
    for i, survey in ((2, 1), (4, 3), (7, 3)):
        _insert(conn, "waves", id=i, survey_id=survey, label=f"w{i}", n_respondents=1, n_responses=2,
                text_columns="[]", warnings="[]", created_at=TS)
    for i, wave in ((1, 2), (3, 4), (9, 7)):
        _insert(conn, "respondents", id=i, wave_id=wave, respondent_id=f"r{i}", answers="{}")
        for j, question in ((2 * i, "q1"), (2 * i + 11, "q2")):
            _insert(conn, "responses", id=j, wave_id=wave, respondent_pk=i, question=question,
                    text_redacted="tekst", raw_encrypted=0, pii_count=0, health_flag=0, is_non_answer=0)
    _insert(conn, "codebooks", id=3, name="kb", version="1", content="{}", created_at=TS)
    _insert(conn, "models", id=4, name="m", codebook_id=3, path="/m", n_training=1, metrics="{}", created_at=TS)
    _insert(conn, "training_jobs", id=6, codebook_id=3, min_examples=20, min_theme_examples=3, state="done",
            model_id=4, created_at=TS)
    _insert(conn, "coding_jobs", id=8, wave_id=7, codebook_id=3, model_id=4, job_key="k", state="done", total=2,
            done=2, chunks_done=1, created_at=TS, seconds_running=1.0)
    for i, response in ((10, 18), (12, 29)):
        _insert(conn, "coding_results", id=i, job_id=8, response_id=response, chunk=0, themes="a", scores="{}",
                confidence=0.5, needs_review=0, type="")
    _insert(conn, "corrections", id=5, response_id=29, codebook_id=3, themes="b", type="", api_key_id=5,
            created_at=TS)
    _insert(conn, "store_secrets", name="wave_fingerprint2", value="v")


def _schema(path) -> dict:
    """Every table's columns, foreign keys and indexes, and every AUTOINCREMENT table."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: {"columns": con.execute(f"PRAGMA table_info({t})").fetchall(),
                    "foreign_keys": sorted(r[2:] for r in con.execute(f"PRAGMA foreign_key_list({t})")),  # any order
                    "indexes": sorted(r[1:] for r in con.execute(f"PRAGMA index_list({t})")
                                      if not r[1].startswith("sqlite_autoindex")),
                    "index_columns": {r[1]: con.execute(f"PRAGMA index_info({r[1]})").fetchall()
                                      for r in con.execute(f"PRAGMA index_list({t})")}}
                for t in tables}
    finally:
        con.close()


def _autoincrement(path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {name for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                if "AUTOINCREMENT" in (sql or "").upper()}
    finally:
        con.close()


def _rows(path) -> dict:
    rows = snapshot(path)
    rows.pop("sqlite_sequence", None)
    rows.pop("alembic_version")
    return rows


@pytest.fixture
def store_0009(sqlite_url, tmp_path):
    """A SQLite store at revision 0009 with rows in every table; its path."""
    move_store(sqlite_url, "0009")
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        _fill(conn)
    engine.dispose()
    return tmp_path / "store.db"


def test_a_0009_store_upgrades_keeping_every_row_id_foreign_key_and_index(sqlite_url, store_0009):
    rows, schema = _rows(store_0009), _schema(store_0009)
    assert not _autoincrement(store_0009)

    move_store(sqlite_url, "0010")  # 0011 adds api_keys.expires_at: compare at the revision this test is about
    assert _rows(store_0009) == rows
    assert _schema(store_0009) == schema
    assert _autoincrement(store_0009) == set(ID_TABLES)
    highest = {t: max(eval(r)[0] for r in rows[t]) for t in ID_TABLES}  # id is the first column
    assert sqlite_sequence(store_0009) == highest
    con = sqlite3.connect(store_0009)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()

    db = Database(sqlite_url)
    with db.engine.begin() as conn:  # the cascades still reach the renamed tables
        conn.execute(text("DELETE FROM surveys WHERE id = 3"))
        assert conn.execute(text("SELECT count(*) FROM responses")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM coding_results")).scalar() == 0
        conn.execute(text("DELETE FROM api_keys WHERE id = 5"))
        assert conn.execute(text("SELECT count(*) FROM ui_sessions")).scalar() == 0
    with db.session() as s:  # the erased ids (surveys 3, waves 7, responses 29 …) are not handed out again
        survey = Survey(name="ny")
        s.add(survey)
        s.flush()
        wave = Wave(survey_id=survey.id, label="ny")
        s.add(wave)
        s.flush()
        assert (survey.id, wave.id) == (highest["surveys"] + 1, highest["waves"] + 1)
    db.dispose()


@pytest.fixture
def newest_survey_deleted(sqlite_url, tmp_path):
    """A SQLite store at head where surveys a, b and c (ids 1 to 3) were made and c, the newest, deleted; (its
    Database, disposed of afterwards; its file)."""
    db = Database(sqlite_url)
    with db.session() as s:
        for name in ("a", "b", "c"):
            s.add(Survey(name=name))
    with db.session() as s:
        s.delete(s.scalar(select(Survey).where(Survey.name == "c")))
    yield db, tmp_path / "store.db"
    db.dispose()


def test_upgrading_again_changes_nothing_and_keeps_the_sequence_above_a_deleted_newest_id(
        sqlite_url, newest_survey_deleted):
    db, path = newest_survey_deleted
    rows, schema, sequence = _rows(path), _schema(path), sqlite_sequence(path)
    assert sequence["surveys"] == 3

    migrate(db.engine)  # already at head
    move_store(sqlite_url, "0009", down=True)  # the downgrade keeps AUTOINCREMENT; 0010 runs again on such tables
    migrate(db.engine)
    assert (_rows(path), _schema(path), sqlite_sequence(path)) == (rows, schema, sequence)
    assert _autoincrement(path) == set(ID_TABLES)
    with db.session() as s:
        survey = Survey(name="d")
        s.add(survey)
        s.flush()
        assert survey.id == 4


def test_the_models_and_the_migrated_store_agree_on_autoincrement(sqlite_url, tmp_path):
    Database(sqlite_url).dispose()
    declared = {t.name for t in Base.metadata.sorted_tables if t.dialect_options["sqlite"]["autoincrement"]}
    assert declared == set(ID_TABLES) == _autoincrement(tmp_path / "store.db")


def test_a_table_made_again_by_an_earlier_revision_is_rebuilt_alone(sqlite_url, newest_survey_deleted):
    db, path = newest_survey_deleted
    rows = _rows(path)
    move_store(sqlite_url, "0006", down=True)  # drops training_jobs; 0007 makes it again without AUTOINCREMENT
    assert "training_jobs" not in _autoincrement(path)
    migrate(db.engine)
    assert _autoincrement(path) == set(ID_TABLES)
    assert _rows(path) == {**rows, "training_jobs": []}
    assert sqlite_sequence(path)["surveys"] == 3  # the survey tables' sequence untouched: id 3 stays used
