"""A JSON route given a body without any Content-Type answers 415 naming ``application/json`` (FastAPI's routes are
strict about the media type: such a body is not read as JSON, and was answered with a 422 about a "valid
dictionary"); a request without a body keeps its 422 (``service.errors.wrong_media_type``)."""

from __future__ import annotations

import json

from conftest import hdr, issue_keys, make_settings
from fastapi.testclient import TestClient

from service.app import create_app


def test_a_json_body_without_content_type_answers_415_and_no_body_keeps_422(sqlite_url, tmp_path):
    app = create_app(make_settings(sqlite_url, tmp_path, warmup=False))
    with TestClient(app) as c:
        analyst = hdr(issue_keys(app)["analyst"])
        for path, body in (("/surveys", {"name": "Arbeidsgiverundersøkelsen"}), ("/classify", {"texts": ["hei"]})):
            r = c.post(path, content=json.dumps(body).encode("utf-8"), headers=analyst)
            assert r.status_code == 415, (path, r.text)
            err = r.json()["error"]
            assert err["code"] == "unsupported_media_type"
            assert err["details"] == {"expected": "application/json", "content_type": None}
            assert "Content-Type: application/json" in err["message"] and "missing" in err["message"]
        assert c.get("/surveys", headers=analyst).json()["total"] == 0  # nothing stored
        r = c.post("/surveys", headers=analyst)  # no body at all: the body is missing, not of another media type
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", r.text
