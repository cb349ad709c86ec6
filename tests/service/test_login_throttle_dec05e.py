"""A reader key cannot log other users out of the UI: logins per client address are throttled (429 with
Retry-After), and a full session store refuses new logins (503 with Retry-After) instead of evicting live
sessions."""

from __future__ import annotations

import pytest
from conftest import UI_HOUR as HOUR
from conftest import SettableClock, issue_keys, make_settings, ui_app


@pytest.fixture
def ui(sqlite_url, tmp_path):
    """(app, keys, clock): an app without jobs; sessions and the login throttle share a settable clock."""
    clock = SettableClock()
    app = ui_app(sqlite_url, tmp_path, clock)
    return app, issue_keys(app), clock


def _browser(app, address: str = "10.0.0.1"):
    from fastapi.testclient import TestClient

    return TestClient(app, client=(address, 40000))


def _login(c, key: str):
    c.cookies.clear()
    return c.post("/ui/login", data={"api_key": key}, follow_redirects=False)


def _logged_in(c, sid: str) -> bool:
    from service.web.session import COOKIE

    c.cookies.clear()
    c.cookies.set(COOKIE, sid)
    return c.get("/ui/", follow_redirects=False).status_code == 200


def _throttle(app, clock, **limits):
    from service.web.session import LoginThrottle

    app.state.login_throttle = LoginThrottle(clock=clock, window=60, **limits)


def test_failed_logins_per_address_are_throttled(ui):
    app, keys, clock = ui
    _throttle(app, clock, max_failed=3, max_total=100)
    with _browser(app) as c, _browser(app, "10.0.0.2") as other:
        for i in range(3):
            assert _login(c, "tm_wrong").status_code == 401, f"failed login {i + 1}"
        clock.now += 10
        r = _login(c, keys["reader"])  # even the right key: this address must wait
        assert r.status_code == 429, f"4th login after 3 failures answered {r.status_code}, expected 429"
        assert r.headers["retry-after"] == "50", dict(r.headers)
        assert "text/html" in r.headers["content-type"] and "For mange innlogginger" in r.text, r.text
        assert r.headers.get("content-security-policy"), "the 429 page lacks the UI's security headers"
        assert _login(other, keys["reader"]).status_code == 303  # another address is not affected
        clock.now += 50
        assert _login(c, keys["reader"]).status_code == 303  # the window has passed


def test_all_logins_per_address_are_throttled(ui):
    app, keys, clock = ui
    _throttle(app, clock, max_failed=100, max_total=4)
    with _browser(app) as c:
        sids = []
        for i in range(4):
            r = _login(c, keys["reader"])
            assert r.status_code == 303, f"login {i + 1}: {r.status_code}"
            sids.append(r.cookies["textmine_session"])
        r = _login(c, keys["reader"])
        assert r.status_code == 429 and int(r.headers["retry-after"]) == 60, (r.status_code, dict(r.headers))
        assert all(_logged_in(c, sid) for sid in sids)  # the throttle ends no session


def test_default_throttle_is_ten_failed_and_thirty_logins_a_minute(ui):
    from service.web.session import LoginThrottle

    t = LoginThrottle()
    assert (t.max_failed, t.max_total, t.window) == (10, 30, 60)
    app, _, _ = ui
    with _browser(app) as c:
        codes = [_login(c, "tm_wrong").status_code for _ in range(11)]
    assert codes == [401] * 10 + [429], codes


def test_full_store_refuses_new_logins_and_keeps_live_sessions(ui):
    from service.web.sessionstore import SessionStore

    app, keys, clock = ui
    _throttle(app, clock, max_failed=100, max_total=100)
    app.state.ui_sessions = SessionStore(app.state.db, lifetime=8 * HOUR, idle=HOUR, max_sessions=2, clock=clock)
    with _browser(app, "10.0.0.1") as a, _browser(app, "10.0.0.2") as b, _browser(app, "10.0.0.3") as attacker:
        first = _login(a, keys["analyst"]).cookies["textmine_session"]
        clock.now += 600
        second = _login(b, keys["admin"]).cookies["textmine_session"]
        clock.now += 600
        assert _logged_in(b, second)  # used now: its idle timer restarts
        for _ in range(5):
            r = _login(attacker, keys["reader"])
            assert r.status_code == 503, f"login into a full store answered {r.status_code}, expected 503"
        assert r.headers["retry-after"] == str(HOUR - 1200), dict(r.headers)  # the first session ends idle then
        assert "text/html" in r.headers["content-type"] and "For mange" in r.text, r.text
        assert _logged_in(a, first) and _logged_in(b, second), "a live session was evicted by new logins"
        assert len(app.state.ui_sessions) == 2
        clock.now += HOUR + 1  # both idle past the timeout: expired sessions make room
        assert _login(attacker, keys["reader"]).status_code == 303
        assert len(app.state.ui_sessions) == 1


def test_store_refuses_rather_than_evicts(sqlite_url, tmp_path):
    from service.app import create_app
    from service.errors import ApiError
    from service.web.sessionstore import SessionStore

    from service.auth import create_key

    app = create_app(make_settings(sqlite_url, tmp_path, warmup=False, run_jobs=False))
    with app.state.db.session() as s:
        row, key = create_key(s, "reader", "full-store")
        key_id = row.id
    clock = SettableClock()
    store = SessionStore(app.state.db, lifetime=8 * HOUR, idle=HOUR, max_sessions=2, clock=clock)
    one, two = store.create(key_id, key), store.create(key_id, key)
    clock.now += HOUR - 1  # both still live (idle for just under the timeout)
    with pytest.raises(ApiError) as exc:
        store.create(key_id, key)
    assert (exc.value.status, exc.value.code, exc.value.details["retry_after"]) == (503, "ui_sessions_full", 1)
    assert store.get(one) is not None and store.get(two) is not None
