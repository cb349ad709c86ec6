"""``textmine store copy`` / ``service.storecopy.copy_store``: a whole store moves from one database to another
(SQLite → SQLite, SQLite → PostgreSQL) with its ids, keys and secrets; a non-empty target or a source behind the
newest schema is refused and left as it was."""

from __future__ import annotations

import sqlite3
from datetime import timezone

import pytest
from conftest import (coded_job, create_survey, hdr, issue_keys, make_settings, move_store, postgres_url_or_skip,
                      reset_postgres, sqlite_sequence, sample_frame, snapshot, to_csv_bytes, upload, uploaded_wave)
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from service.app import create_app
from service.db.models import Base
from service.storecopy import StoreCopyError, copy_store
from textmine.cli import app as cli_app

ID_TABLES = [t for t in Base.metadata.sorted_tables if "id" in t.c and t.c.id.primary_key]


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def _max_ids(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.scalar(select(func.max(t.c.id))) or 0 for t in ID_TABLES}
    finally:
        engine.dispose()


def _secrets(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT name, value FROM store_secrets ORDER BY name")))
    finally:
        engine.dispose()


def _build_store(url: str, tmp_path) -> dict:
    """A store made through the app: a survey, two waves (the second then erased, so its ids are above every
    remaining id), a coding job, a correction and keys; what the tests check the copy against."""
    app = create_app(make_settings(url, tmp_path))
    with TestClient(app) as c:
        keys = issue_keys(app)
        sid = create_survey(c, keys["analyst"])
        wave = uploaded_wave(c, keys, sid, sample_frame(60), "2022")
        coded_job(c, keys, wave)
        item = c.get("/review-queue?limit=1", headers=hdr(keys["analyst"])).json()["items"][0]
        r = c.post(f"/responses/{item['response_id']}/codes", json={"themes": ["telefon"]},
                   headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
        erased = uploaded_wave(c, keys, sid, sample_frame(80).tail(20), "2023")
        coded_job(c, keys, erased)
        erased_max = _max_ids(url)
        assert c.delete(f"/waves/{erased}", headers=hdr(keys["admin"])).status_code == 200
        summary = c.get(f"/waves/{wave}/summary", headers=hdr(keys["reader"]))
        assert summary.status_code == 200, summary.text
    return {"keys": keys, "survey": sid, "wave": wave, "summary": summary.json(), "erased_max": erased_max}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target_url(request, tmp_path) -> str:
    """The copy's target: a second SQLite file, or the test PostgreSQL database (emptied)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'copy.db'}"
    url = postgres_url_or_skip()
    reset_postgres(url)
    return url


def test_copy_keeps_rows_keys_and_never_reuses_ids(tmp_path, target_url):
    source = f"sqlite:///{tmp_path / 'store.db'}"
    built = _build_store(source, tmp_path / "src")
    before = snapshot(tmp_path / "store.db")
    progress: list[tuple[str, int, int]] = []

    copied = copy_store(source, target_url, batch=7, progress=lambda *a: progress.append(a))

    assert copied == _counts(source) == _counts(target_url)
    assert copied["responses"] > 7 and copied["corrections"] == 1 and copied["store_secrets"] == 1
    assert {t for t, _, _ in progress} == set(copied)
    assert all(done == total for t, done, total in progress if done == copied[t])
    assert snapshot(tmp_path / "store.db") == before  # the source is only read
    assert _secrets(target_url) == _secrets(source)  # the source's secret, not the one the target's migration made
    # the copied keys authenticate (hashes copied as stored) and the copy answers as the source did
    app = create_app(make_settings(target_url, tmp_path / "dst"))
    with TestClient(app) as c:
        keys = built["keys"]
        r = c.get(f"/waves/{built['wave']}/summary", headers=hdr(keys["reader"]))
        assert r.status_code == 200, r.text
        assert r.json() == built["summary"]
        assert c.get("/surveys", headers=hdr("tm_not_a_key")).status_code == 401
        # the same store secret: the same wave uploaded again is recognised as a duplicate
        again = upload(c, keys["analyst"], built["survey"], to_csv_bytes(sample_frame(60)), "again.csv", "again")
        assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_wave", again.text
        # new rows get ids above every id the source ever handed out (the erased wave's included)
        new_wave = uploaded_wave(c, keys, built["survey"], sample_frame(100).tail(10), "2024")
        coded_job(c, keys, new_wave)
        new_key = c.post("/keys", json={"role": "reader", "name": "after-copy"}, headers=hdr(keys["admin"]))
        assert new_key.status_code == 201, new_key.text
    erased_max = built["erased_max"]
    assert new_wave > erased_max["waves"] > _max_ids(source)["waves"]
    assert new_key.json()["id"] > erased_max["api_keys"]
    engine = create_engine(target_url)
    with engine.connect() as conn:
        for table in ("respondents", "responses", "coding_jobs", "coding_results"):
            t = Base.metadata.tables[table]
            newest = conn.scalar(select(func.min(t.c.id)).where(t.c.id > _max_ids(source)[table]))
            assert newest > erased_max[table], table
    engine.dispose()


def test_non_empty_target_is_refused_and_left_unchanged(tmp_path):
    source = f"sqlite:///{tmp_path / 'store.db'}"
    _build_store(source, tmp_path / "src")
    target = tmp_path / "copy.db"
    copy_store(source, f"sqlite:///{target}")
    before = snapshot(target)
    with pytest.raises(StoreCopyError, match=r"already holds rows \(table api_keys"):
        copy_store(source, f"sqlite:///{target}")
    assert snapshot(target) == before


def test_source_behind_the_newest_schema_is_refused(tmp_path):
    source = f"sqlite:///{tmp_path / 'store.db'}"
    _build_store(source, tmp_path / "src")
    move_store(source, "0009", down=True)
    before = snapshot(tmp_path / "store.db")
    with pytest.raises(StoreCopyError, match="schema revision 0009.*textmine serve"):
        copy_store(source, f"sqlite:///{tmp_path / 'copy.db'}")
    assert snapshot(tmp_path / "store.db") == before
    assert not (tmp_path / "copy.db").exists()


def test_same_store_and_missing_source_are_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with pytest.raises(StoreCopyError, match="no database file"):
        copy_store(url, f"sqlite:///{tmp_path / 'copy.db'}")
    assert not (tmp_path / "store.db").exists()
    _build_store(url, tmp_path / "src")
    with pytest.raises(StoreCopyError, match="the same database"):
        copy_store(url, f"sqlite:///{tmp_path}/./store.db")


def test_cli_copy_prints_counts_never_contents(tmp_path):
    source = f"sqlite:///{tmp_path / 'store.db'}"
    _build_store(source, tmp_path / "src")
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    asked = CliRunner().invoke(cli_app, ["store", "copy", "--from", source, "--to", target], input="n\n")
    assert asked.exit_code == 1 and "nothing copied" in asked.output
    assert not (tmp_path / "copy.db").exists()
    res = CliRunner().invoke(cli_app, ["store", "copy", "--from", source, "--to", target, "--yes"])
    assert res.exit_code == 0, res.output
    counts = _counts(source)
    for table, n in counts.items():
        assert any(table in line and line.rstrip("│ ").endswith(str(n)) for line in res.output.splitlines()), table
    for secret in ("arbeidsgiver", "test-reader", "telefon"):  # survey name, key name, a theme
        assert secret not in res.output
    assert _counts(target) == counts
    again = CliRunner().invoke(cli_app, ["store", "copy", "--from", source, "--to", target, "--yes"])
    assert again.exit_code == 2 and "already holds rows" in again.output and "Traceback" not in again.output


def test_cli_copy_count_mismatch_exits_1(tmp_path, monkeypatch):
    from service import storecopy

    source = f"sqlite:///{tmp_path / 'store.db'}"
    _build_store(source, tmp_path / "src")
    real = storecopy._count

    def short(conn, table):  # the target seems to miss a row of responses
        n = real(conn, table)
        return n - 1 if table.name == "responses" and conn.engine.url.database.endswith("copy.db") else n

    monkeypatch.setattr(storecopy, "_count", short)
    res = CliRunner().invoke(cli_app, ["store", "copy", "--from", source, "--to", f"sqlite:///{tmp_path / 'copy.db'}",
                                       "--yes"])
    assert res.exit_code == 1, res.output
    assert "responses" in res.output and "mismatch" in res.output
    assert _counts(f"sqlite:///{tmp_path / 'copy.db'}")["responses"] == 0  # nothing committed


@pytest.mark.postgres
def test_round_trip_through_postgres_keeps_every_value(tmp_path, monkeypatch):
    """SQLite → PostgreSQL (a session time zone far from UTC) → SQLite: every row of every table as it was, times
    included, and the id counters no lower than the source's."""
    url = postgres_url_or_skip()
    reset_postgres(url)
    monkeypatch.setenv("PGTZ", "Asia/Kolkata")
    source = f"sqlite:///{tmp_path / 'store.db'}"
    _build_store(source, tmp_path / "src")
    copy_store(source, url)
    src_engine, pg_engine = create_engine(source), create_engine(url)
    with src_engine.connect() as s, pg_engine.connect() as p:
        assert p.scalar(text("SHOW TimeZone")) == "Asia/Kolkata"
        wave = Base.metadata.tables["waves"]
        stored = s.scalar(select(wave.c.created_at).order_by(wave.c.id))  # naive: SQLite keeps UTC without a zone
        assert p.scalar(select(wave.c.created_at).order_by(wave.c.id)) == stored.replace(tzinfo=timezone.utc)
    src_engine.dispose()
    pg_engine.dispose()
    copy_store(url, f"sqlite:///{tmp_path / 'back.db'}")
    before, after = snapshot(tmp_path / "store.db"), snapshot(tmp_path / "back.db")
    for table in Base.metadata.tables:
        assert after[table] == before[table], table
    seq, back = sqlite_sequence(tmp_path / "store.db"), sqlite_sequence(tmp_path / "back.db")
    assert all(back[name] >= n for name, n in seq.items()) and back["waves"] == seq["waves"]


@pytest.mark.postgres
def test_value_postgres_cannot_hold_is_named_not_quoted(tmp_path):
    """SQLite does not enforce column lengths: a too long value is refused by table, row id and column, never
    quoted, and nothing is committed to PostgreSQL."""
    url = postgres_url_or_skip()
    reset_postgres(url)
    source = f"sqlite:///{tmp_path / 'store.db'}"
    built = _build_store(source, tmp_path / "src")
    con = sqlite3.connect(tmp_path / "store.db")
    with con:
        con.execute("UPDATE waves SET label = ? WHERE id = ?", ("x" * 99 + "SECRETVALUE", built["wave"]))
    con.close()
    with pytest.raises(StoreCopyError) as err:
        copy_store(source, url)
    assert str(err.value) == (f"table waves, row id {built['wave']}, column label: 110 characters, the column holds "
                              "at most 100")
    left = _counts(url)
    assert left.pop("store_secrets") == 1  # the migration's own secret, not the source's rows
    assert set(left.values()) == {0}
