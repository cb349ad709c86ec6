"""UI sessions live in the database (table ui_sessions, migration 0004), not in one server process: a session
survives a restart and is shared by several app instances (worker processes) on the same store; logout, revocation,
idle timeout and lifetime end it everywhere. A row holds a hash of the session id, the key's id, times and the key
sealed under the (unstored) session id: never the session id or the API key. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from conftest import UI_HOUR as HOUR
from conftest import SettableClock, issue_keys, ui_app
from sqlalchemy import select, text


@pytest.fixture
def two_apps(db_url, tmp_path):
    """Two app instances (as two worker processes, or before and after a restart) on one store, one clock."""
    from fastapi.testclient import TestClient

    clock = SettableClock()
    apps = [ui_app(db_url, tmp_path, clock) for _ in range(2)]
    keys = issue_keys(apps[0])
    with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
        yield one, two, keys, clock


def _login(c, key: str) -> str:
    from service.web.session import COOKIE

    c.cookies.clear()
    r = c.post("/ui/login", data={"api_key": key}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c.cookies[COOKIE]


def _logged_in(c, sid: str) -> bool:
    """Whether ``sid`` opens a page and the API proxy (both or neither)."""
    from service.web.session import COOKIE

    c.cookies.clear()
    c.cookies.set(COOKIE, sid)
    page = c.get("/ui/", follow_redirects=False)
    api = c.get("/ui/api/surveys")
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    return page.status_code == 200


def _rows(app) -> list[dict]:
    with app.state.db.session() as s:
        return [dict(r._mapping) for r in s.execute(text("SELECT * FROM ui_sessions"))]


def test_a_session_survives_a_new_app_instance_on_the_same_store(two_apps):
    """Before: the second instance (or the server after a restart) did not know the session."""
    one, two, keys, _ = two_apps
    sid = _login(one, keys["analyst"])
    assert _logged_in(two, sid) and _logged_in(one, sid)
    r = two.post("/ui/api/surveys", json={"name": "fra to"}, headers={"X-Textmine-UI": "1"})
    assert r.status_code == 201, r.text


def test_logout_in_one_instance_ends_the_session_in_the_other(two_apps):
    one, two, keys, _ = two_apps
    sid = _login(one, keys["admin"])
    assert _logged_in(two, sid)
    r = two.post("/ui/logout", follow_redirects=False)
    assert r.status_code == 303
    assert not _logged_in(one, sid) and not _logged_in(two, sid)
    assert _rows(one.app) == []


def test_revocation_through_one_instance_ends_the_session_in_the_other(two_apps):
    one, two, keys, _ = two_apps
    sid = _login(one, keys["reader"])
    key_id = _rows(one.app)[0]["key_id"]
    assert two.delete(f"/keys/{key_id}", headers={"X-API-Key": keys["admin"]}).status_code == 200
    assert not _logged_in(one, sid)
    assert _rows(one.app) == []  # every session of the revoked key is deleted


def test_idle_timer_and_lifetime_are_shared(two_apps):
    one, two, keys, clock = two_apps
    sid = _login(one, keys["reader"])
    for _ in range(7):  # a request every 59 minutes, alternating instances: each restarts the shared idle timer
        clock.now += HOUR - 60
        assert _logged_in(two if _ % 2 else one, sid)
    clock.now += HOUR + 1
    assert not _logged_in(two, sid) and _rows(one.app) == []  # idle: ended and deleted
    sid = _login(two, keys["reader"])
    for _ in range(15):
        clock.now += HOUR / 2
        assert _logged_in(one if _ % 2 else two, sid)
    clock.now += HOUR / 2
    assert not _logged_in(one, sid)  # eight hours after login, however active


def test_expired_rows_are_purged_when_a_session_is_made(two_apps):
    one, two, keys, clock = two_apps
    old = [_login(one, keys["reader"]) for _ in range(3)]
    clock.now += HOUR + 1
    new = _login(two, keys["reader"])
    assert len(_rows(one.app)) == 1 and len(one.app.state.ui_sessions) == 1
    assert _logged_in(one, new) and not any(_logged_in(one, sid) for sid in old)


def test_rows_hold_neither_the_session_id_nor_the_api_key(two_apps):
    one, _, keys, _ = two_apps
    sid = _login(one, keys["analyst"])
    secret = keys["analyst"].split("_", 2)[2]
    (row,) = _rows(one.app)
    assert set(row) == {"id_hash", "key_id", "sealed_key", "created_at", "last_seen_at"}
    dump = repr(row)
    for value in (sid, keys["analyst"], secret):
        assert value not in dump
    assert bytes(row["sealed_key"]).find(secret.encode()) == -1
    from service.web.sessionstore import unseal

    assert unseal(sid, bytes(row["sealed_key"])) == keys["analyst"]  # only the cookie's id opens it


def test_the_api_key_cannot_be_read_back_without_the_cookie(two_apps):
    """A copy of the table (a backup) does not log anyone in: its index is not a session id."""
    one, two, keys, _ = two_apps
    _login(one, keys["admin"])
    (row,) = _rows(one.app)
    assert not _logged_in(two, row["id_hash"])


def test_a_deleted_key_cascades_to_its_sessions(two_apps):
    from service.db.models import ApiKey, UiSession

    one, _, keys, _ = two_apps
    _login(one, keys["reader"])
    with one.app.state.db.session() as s:
        key_id = s.scalars(select(UiSession.key_id)).one()
        s.delete(s.get(ApiKey, key_id))
    assert _rows(one.app) == []


def test_a_key_that_expires_ends_its_open_sessions(two_apps):
    """An open UI session ends at the next request once its key has expired, as it does once the key is revoked."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    from service.db.models import ApiKey

    one, two, keys, _ = two_apps
    made = one.post("/keys", json={"role": "reader", "expires_in_days": 1}, headers={"X-API-Key": keys["admin"]})
    assert made.status_code == 201, made.text
    sid = _login(one, made.json()["key"])
    assert _logged_in(two, sid)
    with one.app.state.db.session() as s:
        s.execute(update(ApiKey).where(ApiKey.id == made.json()["id"])
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert not _logged_in(two, sid)
    assert _rows(one.app) == []
