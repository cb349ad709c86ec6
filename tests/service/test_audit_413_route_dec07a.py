"""An oversized request refused before routing (``BodySizeLimit``'s 413 on its Content-Length) is audited under the
route it was for, as ``/metrics`` counts it (``service.middleware.request_route``), not as "unmatched"; a path no
route serves stays "unmatched" (a path the client chose is never written)."""

from __future__ import annotations

import json

from conftest import hdr, issue_keys, jsonl_lines, make_settings
from fastapi.testclient import TestClient

from service.app import create_app


def test_an_oversized_post_to_a_real_route_is_audited_under_that_route(db_url, tmp_path, audit_log_file):
    app = create_app(make_settings(db_url, tmp_path, warmup=False, max_request_bytes=2000))
    big = json.dumps({"name": "x" * 5000}).encode()
    with TestClient(app) as c:
        admin = {**hdr(issue_keys(app)["admin"]), "content-type": "application/json"}
        assert c.post("/surveys", content=big, headers=admin).status_code == 413
        assert c.post("/surveys/7/waves", content=big, headers=admin).status_code == 413
        assert c.post("/no/such/path", content=big, headers=admin).status_code == 413
    lines = [(r["method"], r["route"], r["status"]) for r in jsonl_lines(audit_log_file) if r["status"] == 413]
    assert lines == [("POST", "/surveys", 413), ("POST", "/surveys/{survey_id}/waves", 413),
                     ("POST", "unmatched", 413)]
    assert "/no/such/path" not in audit_log_file.read_text(encoding="utf-8")
    ids = [r["ids"] for r in jsonl_lines(audit_log_file) if r["status"] == 413]
    assert ids == [{}, {"survey_id": 7}, {}]  # the store id of the route it was for, as a routed answer has
