"""Signing in to the web UI and using its pages count as uses of the key (``api_keys.last_used_at``), like API
requests: an admin looking for unused keys must not revoke one that is used only through the UI."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest


@pytest.fixture()
def ui(tmp_path):
    """(client, app, key id, key): an empty store and one analyst key that has never been used."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.auth import create_key
    from service.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 't.db'}", warmup=False, run_jobs=False))
    with app.state.db.session() as s:
        row, key = create_key(s, "analyst", "ui-only")
        key_id = row.id
    with TestClient(app) as client:
        yield client, app, key_id, key


def _last_used(app, key_id):
    from service.db.models import ApiKey

    with app.state.db.session() as s:
        return s.get(ApiKey, key_id).last_used_at


def test_login_records_the_use(ui):
    client, app, key_id, key = ui
    assert _last_used(app, key_id) is None
    r = client.post("/ui/login", data={"api_key": key}, follow_redirects=False)
    assert r.status_code == 303
    assert _last_used(app, key_id) is not None


def test_a_page_view_in_a_session_records_the_use_after_a_minute(ui):
    from service.auth import key_use

    client, app, key_id, key = ui
    client.post("/ui/login", data={"api_key": key}, follow_redirects=False)
    first = _last_used(app, key_id)
    use = key_use(app)
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    use.clock = lambda: later
    assert client.get("/ui/", follow_redirects=False).status_code == 200
    seen = _last_used(app, key_id)
    assert seen is not None and seen.replace(tzinfo=timezone.utc) > first.replace(tzinfo=timezone.utc)


def test_a_wrong_key_records_nothing(ui):
    client, app, key_id, key = ui
    client.post("/ui/login", data={"api_key": key[:-2] + "xx"}, follow_redirects=False)
    assert _last_used(app, key_id) is None
