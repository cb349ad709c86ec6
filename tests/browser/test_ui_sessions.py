"""Server-side UI sessions over HTTP (TestClient, no browser): the cookie holds a random session id, never the
API key; logout, key revocation, idle and absolute timeouts end a session on the server; the store is bounded."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import update

MINUTE, HOUR = 60, 3600


class Clock:
    """A settable clock for the session store."""

    def __init__(self):
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def ui(tmp_path):
    """(client, app, keys, clock): an empty store, keys per role, sessions on a settable clock."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.auth import create_key
    from service.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 't.db'}", warmup=False, run_jobs=False,
                              ui_session_lifetime_seconds=8 * HOUR, ui_session_idle_seconds=HOUR,
                              ui_sessions_max=50))
    with app.state.db.session() as s:
        keys = {role: create_key(s, role, f"sess-{role}")[1] for role in ("reader", "analyst", "admin")}
    clock = Clock()
    app.state.ui_sessions.clock = clock
    from service.web.session import LoginThrottle

    app.state.login_throttle = LoginThrottle(max_total=1000)  # the bounded-store test logs in 51 times
    with TestClient(app) as c:
        yield c, app, keys, clock


def _login(c, key: str) -> str:
    """Log in through the form; the session cookie's value."""
    from service.web.session import COOKIE

    c.cookies.clear()
    r = c.post("/ui/login", data={"api_key": key}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c.cookies[COOKIE]


def _with_cookie(c, value: str, name: str | None = None):
    from service.web.session import COOKIE

    c.cookies.clear()
    c.cookies.set(name or COOKIE, value)
    return c


def _logged_in(c) -> bool:
    """Whether the client's cookie opens a page, the API proxy and the report endpoint (all or none)."""
    page = c.get("/ui/", follow_redirects=False)
    api = c.get("/ui/api/surveys")
    report = c.get("/waves/999999/report")
    states = {page.status_code == 200, api.status_code == 200, report.status_code == 404}
    assert len(states) == 1, (page.status_code, api.status_code, report.status_code)
    if page.status_code != 200:
        assert page.status_code == 303 and page.headers["location"].startswith("/ui/login")
        assert api.status_code == 401 and report.status_code == 401
    return states.pop()


def _key_id(app, key: str) -> int:
    from service.auth import verify_key

    with app.state.db.session() as s:
        return verify_key(s, key).key_id


def test_cookie_holds_a_session_id_not_the_key(ui):
    """Before: the cookie's value was the API key itself."""
    c, _, keys, _ = ui
    r = c.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False)
    assert r.status_code == 303
    set_cookie = r.headers["set-cookie"]
    secret = keys["analyst"].split("_", 2)[2]
    assert keys["analyst"] not in set_cookie and secret not in set_cookie
    sid = _login(c, keys["analyst"])
    assert len(sid) >= 40 and secret not in sid and keys["analyst"] not in str(c.app.state.ui_sessions._items)
    assert _logged_in(c)
    cookie = set_cookie.lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=28800" in cookie


def test_replayed_cookie_after_logout_is_refused(ui):
    """Before: logout only deleted the cookie in the browser; a copy of it kept working."""
    c, _, keys, _ = ui
    sid = _login(c, keys["admin"])
    assert _logged_in(c)
    r = c.post("/ui/logout", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/login"
    assert not _logged_in(_with_cookie(c, sid))
    assert c.post("/ui/api/surveys", json={"name": "x"}, headers={"X-Textmine-UI": "1"}).status_code == 401


def test_old_raw_key_cookies_no_longer_log_in(ui):
    """Before: a cookie holding the API key was the login; now neither the old cookie name nor the new one
    accepts a key, and logging in clears the old cookie."""
    c, _, keys, _ = ui
    assert not _logged_in(_with_cookie(c, keys["admin"]))
    assert not _logged_in(_with_cookie(c, keys["admin"], name="textmine_key"))
    c.cookies.clear()
    r = c.post("/ui/login", data={"api_key": keys["admin"]}, follow_redirects=False)
    assert 'textmine_key=""' in r.headers["set-cookie"]


def test_forged_session_ids_are_refused(ui):
    """Random, altered, oversized and look-alike ids (including the store's own index of a live session and the
    API key itself, which the old cookie accepted) open nothing."""
    c, _, keys, _ = ui
    sid = _login(c, keys["admin"])
    flipped = sid[:-1] + ("A" if sid[-1] != "A" else "B")
    for forged in (keys["admin"], secrets.token_urlsafe(32), flipped, sid + "x", sid[:-1], "x" * 5000, "",
                   sid.swapcase()):
        assert not _logged_in(_with_cookie(c, forged)), forged[:60]
    from service.web.sessionstore import _index

    assert not _logged_in(_with_cookie(c, _index(sid)))
    assert _logged_in(_with_cookie(c, sid))  # the real one still works


def test_revoked_key_ends_its_sessions_on_the_next_request(ui):
    """Revoking through the API, or directly in the database (another process, the CLI), ends the key's UI
    sessions at once. Before: the proxy forwarded the key and the API's key cache kept a key revoked outside this
    process working for up to 30 s."""
    c, app, keys, _ = ui
    sid = _login(c, keys["reader"])
    assert _logged_in(c)
    with app.state.db.session() as s:
        s.execute(_revoke_stmt(_key_id(app, keys["reader"])))
    assert not _logged_in(_with_cookie(c, sid))
    assert len(app.state.ui_sessions) == 0

    sid = _login(c, keys["analyst"])
    assert _logged_in(c)
    admin = {"X-API-Key": keys["admin"]}
    assert c.delete(f"/keys/{_key_id(app, keys['analyst'])}", headers=admin).status_code == 200
    assert not _logged_in(_with_cookie(c, sid))


def _revoke_stmt(key_id: int):
    from service.db.models import ApiKey

    return update(ApiKey).where(ApiKey.id == key_id).values(revoked=True)


def test_idle_session_expires(ui):
    c, app, keys, clock = ui
    sid = _login(c, keys["reader"])
    clock.now += HOUR - MINUTE
    assert _logged_in(c)  # each request restarts the idle timer
    clock.now += HOUR - MINUTE
    assert _logged_in(c)
    clock.now += HOUR + 1
    assert not _logged_in(_with_cookie(c, sid))
    assert len(app.state.ui_sessions) == 0


def test_session_expires_after_its_lifetime_even_when_active(ui):
    c, _, keys, clock = ui
    sid = _login(c, keys["reader"])
    for _ in range(8 * 2 - 1):  # a request every half hour for 7.5 hours
        clock.now += HOUR / 2
        assert _logged_in(c)
    clock.now += HOUR / 2
    assert not _logged_in(_with_cookie(c, sid))


def test_store_is_bounded_and_purges_expired_sessions(ui):
    c, app, keys, clock = ui
    store = app.state.ui_sessions
    first = _login(c, keys["reader"])
    for _ in range(49):
        _login(c, keys["reader"])
    assert len(store) == 50
    c.cookies.clear()
    r = c.post("/ui/login", data={"api_key": keys["reader"]}, follow_redirects=False)
    assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0  # full of live sessions: the login waits
    assert len(store) == 50 and _logged_in(_with_cookie(c, first))  # no live session is ended for a new login
    clock.now += HOUR + 1
    _login(c, keys["reader"])  # expired sessions are purged when a new one is made
    assert len(store) == 1


def test_login_again_replaces_the_previous_session(ui):
    c, app, keys, _ = ui
    old = _login(c, keys["reader"])
    r = c.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False)  # still sends `old`
    assert r.status_code == 303 and len(app.state.ui_sessions) == 1
    assert not _logged_in(_with_cookie(c, old))


def test_proxy_acts_as_the_session_key_and_the_api_checks_roles(ui):
    """The proxy forwards as the logged-in key: the API's own role checks still decide."""
    c, _, keys, _ = ui
    _login(c, keys["reader"])
    h = {"X-Textmine-UI": "1"}
    r = c.post("/ui/api/codebooks", json={"name": "x", "version": "1", "themes": []}, headers=h)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    _login(c, keys["analyst"])
    assert c.get("/ui/api/surveys").status_code == 200


def test_session_settings_are_validated(monkeypatch):
    from pydantic import ValidationError

    from service.settings import Settings

    s = Settings()
    assert (s.ui_session_lifetime_seconds, s.ui_session_idle_seconds) == (8 * HOUR, HOUR)
    assert s.ui_sessions_max >= 1000
    monkeypatch.setenv("TEXTMINE_UI_SESSION_IDLE_SECONDS", "1800")
    monkeypatch.setenv("TEXTMINE_UI_SESSION_LIFETIME_SECONDS", "7200")
    monkeypatch.setenv("TEXTMINE_UI_SESSIONS_MAX", "100")
    s = Settings.from_env()
    assert (s.ui_session_lifetime_seconds, s.ui_session_idle_seconds, s.ui_sessions_max) == (7200, 1800, 100)
    monkeypatch.setenv("TEXTMINE_UI_SESSION_IDLE_SECONDS", "1h")
    with pytest.raises(ValueError, match="TEXTMINE_UI_SESSION_IDLE_SECONDS must be a whole number"):
        Settings.from_env()
    monkeypatch.setenv("TEXTMINE_UI_SESSION_IDLE_SECONDS", "9000")
    with pytest.raises(ValidationError, match="must not be longer than the session lifetime"):
        Settings.from_env()
    monkeypatch.setenv("TEXTMINE_UI_SESSION_IDLE_SECONDS", "1800")
    for name, bad in (("TEXTMINE_UI_SESSION_LIFETIME_SECONDS", "8"), ("TEXTMINE_UI_SESSIONS_MAX", "0")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValidationError, match="greater than or equal"):
            Settings.from_env()
        monkeypatch.delenv(name)


def test_browser_logout_ends_a_copied_session(page, browser, live_server, login):
    """In chromium: a copy of the session cookie taken before "Logg ut" opens nothing afterwards."""
    from service.web.session import COOKIE

    base, key, _ = live_server
    login(page, base, key)
    copied = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert copied and key not in copied[0]["value"]
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(lambda u: "/ui/login" in u)
    other = browser.new_context()
    try:
        other.add_cookies(copied)
        replay = other.new_page()
        replay.goto(base + "/ui/")
        assert "/ui/login" in replay.url
        assert replay.request.get(base + "/ui/api/surveys").status == 401
    finally:
        other.close()
