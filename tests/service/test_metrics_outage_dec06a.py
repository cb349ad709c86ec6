"""Keyed /metrics during a database outage: a key this server already verified still reads textmine_database_up 0;
an unknown key and every other endpoint answer 503 database_unavailable."""
from __future__ import annotations

from conftest import hdr, issue_keys
from fastapi.testclient import TestClient
from test_ops_dec05g import _break_database, _gauge

from service.auth import create_key


def test_a_verified_key_reads_metrics_while_the_database_is_down(app_factory, tmp_path):
    with TestClient(app_factory(warmup=False)) as client:  # warm-up's GC could outlast the probe's 2 s wait
        keys = issue_keys(client.app)
        with client.app.state.db.session() as s:
            _, unseen = create_key(s, "reader", "not yet used")
        assert _gauge(client.get("/metrics", headers=hdr(keys["reader"])).text) == "1"  # verified: in the cache
        _break_database(client.app, tmp_path)
        keyed = client.get("/metrics", headers=hdr(keys["reader"]))
        bearer = client.get("/metrics", headers={"Authorization": f"Bearer {keys['reader']}"})
        stranger = client.get("/metrics", headers=hdr(unseen))
        data = client.get("/surveys", headers=hdr(keys["reader"]))
        nokey = client.get("/metrics")
    assert keyed.status_code == bearer.status_code == 200, keyed.text
    assert _gauge(keyed.text) == _gauge(bearer.text) == "0"
    assert stranger.status_code == 503 and stranger.json()["error"]["code"] == "database_unavailable"
    assert data.status_code == 503  # only /metrics falls back to the key cache
    assert nokey.status_code == 401
