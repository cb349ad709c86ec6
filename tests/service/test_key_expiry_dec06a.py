"""API keys can expire (migration 0011, ``api_keys.expires_at``): ``textmine keys create --expires-in DAYS`` and
``POST /keys {"expires_in_days": N}``; an expired key is refused exactly like a revoked one; ``keys list`` (CLI and
API) shows the expiry and an ``expired`` state. The migrations run up to head, down to base and up again, and the
migrated schema agrees with the models."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import hdr, move_store
from sqlalchemy import inspect, select, update
from typer.testing import CliRunner

from service.auth import create_key, verify_key
from service.db.models import ApiKey, Base
from service.db.session import Database, make_engine
from textmine.cli import app as cli_app


def _expire(app, key_id: int) -> None:
    """Move a key's expiry into the past (as if its days had gone by)."""
    with app.state.db.session() as s:
        s.execute(update(ApiKey).where(ApiKey.id == key_id)
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))


def test_post_keys_with_expires_in_days_sets_the_expiry_and_lists_it(client, keys):
    before = datetime.now(timezone.utc)
    r = client.post("/keys", json={"role": "reader", "name": "temp", "expires_in_days": 7},
                    headers=hdr(keys["admin"]))
    assert r.status_code == 201, r.text
    body = r.json()
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert before + timedelta(days=7) <= expires <= datetime.now(timezone.utc) + timedelta(days=7)
    assert body["state"] == "active" and body["expired"] is False
    listed = {k["id"]: k for k in client.get("/keys", headers=hdr(keys["admin"])).json()["items"]}
    assert listed[body["id"]]["expires_at"] == body["expires_at"]
    assert listed[1]["expires_at"] is None and listed[1]["state"] == "active"  # default: no expiry, as before
    assert client.get("/surveys", headers=hdr(body["key"])).status_code == 200


@pytest.mark.parametrize("days", [0, -1, 3651, "x"])
def test_post_keys_refuses_an_expiry_out_of_range(client, keys, days):
    r = client.post("/keys", json={"role": "reader", "expires_in_days": days}, headers=hdr(keys["admin"]))
    assert r.status_code == 422, r.text
    with client.app.state.db.session() as s:
        assert s.scalar(select(ApiKey).where(ApiKey.role == "reader", ApiKey.name.is_(None))) is None


def test_an_expired_key_is_refused_exactly_like_a_revoked_one(client, keys):
    made = {}
    for label in ("expired", "revoked"):
        r = client.post("/keys", json={"role": "analyst", "expires_in_days": 30}, headers=hdr(keys["admin"]))
        made[label] = r.json()
        assert client.get("/surveys", headers=hdr(made[label]["key"])).status_code == 200  # now in the key cache
    _expire(client.app, made["expired"]["id"])
    assert client.delete(f"/keys/{made['revoked']['id']}", headers=hdr(keys["admin"])).status_code == 200
    answers = {label: client.get("/surveys", headers=hdr(k["key"])) for label, k in made.items()}
    assert answers["expired"].status_code == answers["revoked"].status_code == 401
    assert answers["expired"].json() == answers["revoked"].json()
    client.app.state.key_cache.clear()  # not cached: the lookup by prefix refuses it too
    again = client.get("/surveys", headers={"Authorization": f"Bearer {made['expired']['key']}"})
    assert again.status_code == 401 and again.json() == answers["revoked"].json()
    listed = {k["id"]: k for k in client.get("/keys", headers=hdr(keys["admin"])).json()["items"]}
    assert listed[made["expired"]["id"]]["state"] == "expired" and listed[made["expired"]["id"]]["expired"] is True
    assert listed[made["revoked"]["id"]]["state"] == "revoked"


def test_verify_key_refuses_an_expired_key_and_accepts_one_not_yet_expired(sqlite_url):
    db = Database(sqlite_url)
    with db.session() as s:
        row, key = create_key(s, "reader", None, expires_in_days=1)
    with db.session() as s:
        assert verify_key(s, key) is not None
        s.execute(update(ApiKey).where(ApiKey.id == row.id)
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    with db.session() as s:
        assert verify_key(s, key) is None
    db.dispose()


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.delenv("TEXTMINE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args, code=0):
        res = runner.invoke(cli_app, list(args))
        assert res.exit_code == code, res.output
        return res.output

    return run


def test_keys_create_expires_in_sets_the_expiry_and_keys_list_shows_it(cli, tmp_path):
    cli("keys", "create", "--role", "admin", "--name", "forever")
    cli("keys", "create", "--role", "reader", "--name", "short", "--expires-in", "3")
    cli("keys", "create", "--role", "reader", "--name", "gone", "--expires-in", "1")
    db = Database(f"sqlite:///{tmp_path / 'textmine.db'}")
    with db.session() as s:
        rows = {k.name: k for k in s.scalars(select(ApiKey))}
        assert rows["forever"].expires_at is None
        expires = rows["short"].expires_at.replace(tzinfo=timezone.utc)
        assert abs(expires - (datetime.now(timezone.utc) + timedelta(days=3))) < timedelta(minutes=1)
        s.execute(update(ApiKey).where(ApiKey.name == "gone")
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=5)))
    db.dispose()
    lines = {line.rsplit("\t", 1)[-1]: line.split("\t") for line in cli("keys", "list").splitlines()}
    assert lines["forever"][3] == "active" and lines["forever"][4] == "never"
    assert lines["short"][3] == "active" and lines["short"][4].startswith(expires.strftime("%Y-%m-%d"))
    assert lines["gone"][3] == "expired"


@pytest.mark.parametrize("days", ["0", "-2", "3651", "soon"])
def test_keys_create_refuses_a_bad_expires_in_and_creates_nothing(cli, tmp_path, days):
    out = cli("keys", "create", "--role", "reader", "--expires-in", days, code=2)
    assert "--expires-in" in out
    assert not (tmp_path / "textmine.db").exists()


# ---------------------------------------------------------------- the migration
def test_migration_0011_adds_and_removes_the_column_keeping_every_key(db_url):
    Database(db_url).dispose()
    move_store(db_url, "0010", down=True)
    engine = make_engine(db_url)
    assert "expires_at" not in {c["name"] for c in inspect(engine).get_columns("api_keys")}
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO api_keys (prefix, salt, secret_hash, role, name, revoked, created_at) "
                             "VALUES ('abc', 's', 'h', 'reader', 'old', false, '2026-12-01 10:00:00')")
    engine.dispose()
    move_store(db_url, "head")
    engine = make_engine(db_url)
    column = {c["name"]: c for c in inspect(engine).get_columns("api_keys")}["expires_at"]
    assert column["nullable"] is True
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT name, expires_at FROM api_keys").all() == [("old", None)]
    engine.dispose()


def test_downgrading_0011_revokes_every_key_with_an_expiry(db_url):
    """Without the column a key would never expire: the downgrade must not bring an expired key back (re-test)."""
    db = Database(db_url)
    with db.session() as s:
        _, lasting = create_key(s, "reader", "lasting")
        _, soon = create_key(s, "reader", "soon", expires_in_days=5)
        _, gone = create_key(s, "reader", "gone", expires_in_days=5)
        s.execute(update(ApiKey).where(ApiKey.name == "gone")
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(days=1)))
    db.dispose()
    move_store(db_url, "0010", down=True)
    move_store(db_url, "head")
    db = Database(db_url)
    with db.session() as s:
        assert verify_key(s, lasting) is not None
        assert verify_key(s, soon) is None and verify_key(s, gone) is None
    db.dispose()


def test_every_migration_runs_down_to_base_and_up_again_and_matches_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    Database(db_url).dispose()
    move_store(db_url, "base", down=True)
    engine = make_engine(db_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    move_store(db_url, "head")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    engine.dispose()
    columns = [d for d in diff if d[0] in ("add_column", "remove_column", "add_table", "remove_table")]
    assert not columns, columns
