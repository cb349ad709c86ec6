"""API keys record when they were last used (migration 0012, ``api_keys.last_used_at``): set when a key
authenticates, written at most once per 60 s per key (compared with the stored value, and a per-app memory of the
last write so the common case writes nothing); shown by ``GET /keys`` and ``textmine keys list``; a revoked,
expired or unknown key never sets it; a failure to record it never fails the request."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from conftest import hdr, move_store
from sqlalchemy import event, inspect, select, update
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from service import auth
from service.auth import KeyUse, key_use
from service.db.models import ApiKey
from service.db.session import Database, make_engine
from textmine.cli import app as cli_app

T0 = datetime(2026, 12, 6, 12, 0, 0, tzinfo=timezone.utc)


class Clock:
    """A settable UTC clock for :class:`KeyUse`."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _stored(app, key_id: int) -> datetime | None:
    with app.state.db.session() as s:
        value = s.scalar(select(ApiKey.last_used_at).where(ApiKey.id == key_id))
    return value if value is None or value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _key_id(app, name: str) -> int:
    with app.state.db.session() as s:
        return s.scalar(select(ApiKey.id).where(ApiKey.name == name))


@pytest.fixture
def clock(client) -> Clock:
    fake = Clock()
    client.app.state.key_use = KeyUse(clock=fake)
    return fake


@pytest.fixture
def key_statements(client) -> list[str]:
    """Every statement on api_keys the app's engine runs."""
    seen: list[str] = []

    def _count(_conn, _cursor, statement, *_args):
        if "api_keys" in statement.lower():
            seen.append(statement.lstrip().upper())

    engine = client.app.state.db.engine
    event.listen(engine, "before_cursor_execute", _count)
    yield seen
    event.remove(engine, "before_cursor_execute", _count)


@pytest.fixture
def key_writes(key_statements) -> _Writes:
    return _Writes(key_statements)


class _Writes:
    """The UPDATEs of api_keys among ``statements`` (a live view)."""

    def __init__(self, statements: list[str]):
        self.statements = statements

    def __len__(self) -> int:
        return sum(st.startswith("UPDATE API_KEYS") for st in self.statements)

    def clear(self) -> None:
        self.statements.clear()


def test_first_use_sets_last_used_and_the_listing_shows_it(client, keys, clock):
    reader, admin = _key_id(client.app, "test-reader"), _key_id(client.app, "test-admin")
    assert _stored(client.app, reader) is None
    assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200
    assert _stored(client.app, reader) == T0
    listed = {k["id"]: k for k in client.get("/keys", headers=hdr(keys["admin"])).json()["items"]}
    assert datetime.fromisoformat(listed[reader]["last_used_at"].replace("Z", "+00:00")) == T0
    assert listed[_key_id(client.app, "test-analyst")]["last_used_at"] is None  # never used: an admin can find it
    assert listed[admin]["last_used_at"] is not None  # the listing request itself used the admin key


def test_within_60_s_nothing_is_written_and_after_it_the_time_moves_on(client, keys, clock, key_writes):
    reader = _key_id(client.app, "test-reader")
    assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200  # by prefix: hashed, then cached
    assert _stored(client.app, reader) == T0 and len(key_writes) == 1
    for _ in range(3):
        clock.advance(19.5)  # 58.5 s after the write at the end
        key_writes.clear()
        assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200  # from the key cache
        assert len(key_writes.statements) == 1 and key_writes.statements[0].startswith("SELECT")  # only the check
    assert _stored(client.app, reader) == T0
    assert len(key_writes) == 0  # no write at all within the 60 s
    clock.advance(1.5)  # 60 s after the last write
    assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200
    assert _stored(client.app, reader) == T0 + timedelta(seconds=60)
    assert len(key_writes) == 1
    client.app.state.key_cache.clear()  # the lookup by prefix records it too
    clock.advance(61)
    assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200
    assert _stored(client.app, reader) == T0 + timedelta(seconds=121)


def test_a_recent_time_stored_by_another_process_is_not_rewritten(client, keys, clock, key_writes):
    reader = _key_id(client.app, "test-reader")
    with client.app.state.db.session() as s:  # another server wrote it 30 s ago
        s.execute(update(ApiKey).where(ApiKey.id == reader).values(last_used_at=T0 - timedelta(seconds=30)))
    key_writes.clear()
    assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200
    assert _stored(client.app, reader) == T0 - timedelta(seconds=30) and len(key_writes) == 0
    clock.advance(31)
    assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200
    assert _stored(client.app, reader) == T0 + timedelta(seconds=31)


def test_each_app_keeps_its_own_memory_of_writes(client, keys):
    assert key_use(client.app) is key_use(client.app)
    other = type("App", (), {"state": type("State", (), {})()})()
    assert key_use(other) is not key_use(client.app)


def test_a_revoked_expired_or_unknown_key_never_sets_it(client, keys, clock):
    made = {}
    for label in ("revoked", "expired", "guessed"):
        body = client.post("/keys", json={"role": "reader", "name": label, "expires_in_days": 5},
                           headers=hdr(keys["admin"])).json()
        made[label] = body
    assert client.delete(f"/keys/{made['revoked']['id']}", headers=hdr(keys["admin"])).status_code == 200
    with client.app.state.db.session() as s:
        s.execute(update(ApiKey).where(ApiKey.id == made["expired"]["id"])
                  .values(expires_at=T0 - timedelta(days=1)))
    prefix = made["guessed"]["key"].rsplit("_", 1)[0]
    tries = [made["revoked"]["key"], made["expired"]["key"], prefix + "_wrongsecret", "tm_nosuchprefix_secret"]
    for key in tries:
        clock.advance(120)
        assert client.get("/surveys", headers=hdr(key)).status_code == 401
    for label in made:
        assert _stored(client.app, made[label]["id"]) is None, label


def test_a_key_revoked_while_cached_is_not_recorded_any_more(client, keys, clock):
    body = client.post("/keys", json={"role": "reader", "name": "soon-revoked"}, headers=hdr(keys["admin"])).json()
    assert client.get("/surveys", headers=hdr(body["key"])).status_code == 200
    assert _stored(client.app, body["id"]) == T0
    with client.app.state.db.session() as s:  # revoked by another process: still in this server's key cache
        s.execute(update(ApiKey).where(ApiKey.id == body["id"]).values(revoked=True))
    clock.advance(120)
    assert client.get("/surveys", headers=hdr(body["key"])).status_code == 401
    assert _stored(client.app, body["id"]) == T0


def test_a_failure_to_record_never_fails_the_request_and_logs_no_key(client, keys, clock, monkeypatch, caplog):
    def broken(*_args, **_kw):
        raise OperationalError("UPDATE api_keys", {}, Exception("database is locked"))

    monkeypatch.setattr(auth, "_write_last_used", broken)
    with caplog.at_level(logging.DEBUG, logger="textmine.service"):
        assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200
    assert _stored(client.app, _key_id(client.app, "test-reader")) is None
    assert any("last use" in r.getMessage() for r in caplog.records)
    assert not any(keys["reader"] in r.getMessage() or keys["reader"].split("_")[1] in r.getMessage()
                   for r in caplog.records)


# ---------------------------------------------------------------- the CLI listing
def test_keys_list_shows_the_last_use_or_never(tmp_path, monkeypatch):
    monkeypatch.delenv("TEXTMINE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli_app, ["keys", "create", "--role", "admin", "--name", "used"]).exit_code == 0
    assert runner.invoke(cli_app, ["keys", "create", "--role", "reader", "--name", "idle"]).exit_code == 0
    db = Database(f"sqlite:///{tmp_path / 'textmine.db'}")
    with db.session() as s:
        s.execute(update(ApiKey).where(ApiKey.name == "used").values(last_used_at=T0 + timedelta(minutes=7)))
    db.dispose()
    res = runner.invoke(cli_app, ["keys", "list"])
    assert res.exit_code == 0, res.output
    lines = {line.rsplit("\t", 1)[-1]: line.split("\t") for line in res.output.splitlines()}
    assert lines["used"][5] == "2026-12-06 12:07 UTC"
    assert lines["idle"][5] == "never"
    assert lines["used"][3] == "active" and lines["used"][4] == "never"  # state and expiry stay where they were


# ---------------------------------------------------------------- the migration
def test_migration_0012_adds_and_removes_the_column_keeping_every_key(db_url):
    Database(db_url).dispose()
    move_store(db_url, "0011", down=True)
    engine = make_engine(db_url)
    assert "last_used_at" not in {c["name"] for c in inspect(engine).get_columns("api_keys")}
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO api_keys (prefix, salt, secret_hash, role, name, revoked, created_at) "
                             "VALUES ('abc', 's', 'h', 'reader', 'old', false, '2026-12-01 10:00:00')")
    engine.dispose()
    move_store(db_url, "head")
    engine = make_engine(db_url)
    column = {c["name"]: c for c in inspect(engine).get_columns("api_keys")}["last_used_at"]
    assert column["nullable"] is True
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT name, last_used_at FROM api_keys").all() == [("old", None)]
        conn.execute(update(ApiKey).values(last_used_at=T0))
    engine.dispose()
    move_store(db_url, "0011", down=True)  # the time is dropped, the key kept as it was
    engine = make_engine(db_url)
    assert "last_used_at" not in {c["name"] for c in inspect(engine).get_columns("api_keys")}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT name, revoked FROM api_keys").all() == [("old", False)]
    engine.dispose()



def test_a_locked_sqlite_store_costs_a_request_a_short_wait_not_the_busy_timeout(client, keys, clock):
    import sqlite3
    import time

    engine = client.app.state.db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    reader = _key_id(client.app, "test-reader")
    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the store's write lock
    try:
        start = time.perf_counter()
        r = client.get("/surveys", headers=hdr(keys["reader"]))
        waited = time.perf_counter() - start
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 200, r.text
    assert waited < 5, waited  # the store's busy timeout is 30 s
    assert _stored(client.app, reader) is None  # not recorded; tried again a minute later
    with engine.connect() as conn:  # the pooled connection waits as long as before for every other write
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    clock.advance(60)
    assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200
    assert _stored(client.app, reader) == T0 + timedelta(seconds=60)
