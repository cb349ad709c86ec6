"""A body sent with the wrong Content-Type is refused with 415 ``unsupported_media_type`` naming the media type to
send (``service.errors.wrong_media_type``), instead of a 422 about a "valid dictionary" or a missing file field;
the right media type with a bad body keeps its 422, and OpenAPI lists the 415 on the operations that read a body."""

from __future__ import annotations

import json

from conftest import hdr, issue_keys, make_settings
from fastapi.testclient import TestClient

from service.app import create_app


def _app(sqlite_url, tmp_path):
    return create_app(make_settings(sqlite_url, tmp_path, warmup=False))


def test_json_route_given_text_or_form_answers_415_naming_application_json(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path)
    body = json.dumps({"name": "Arbeidsgiverundersøkelsen"})
    with TestClient(app) as c:
        analyst = hdr(issue_keys(app)["analyst"])
        for sent in ("text/plain", "application/x-www-form-urlencoded", "application/xml; charset=utf-8"):
            r = c.post("/surveys", content=body, headers={**analyst, "content-type": sent})
            assert r.status_code == 415, (sent, r.text)
            err = r.json()["error"]
            assert err["code"] == "unsupported_media_type"
            assert err["details"] == {"expected": "application/json", "content_type": sent.split(";")[0]}
            assert "Content-Type: application/json" in err["message"]
        assert c.get("/surveys", headers=analyst).json()["total"] == 0  # nothing stored
        ok = c.post("/surveys", content=body, headers={**analyst, "content-type": "application/json"})
        assert ok.status_code == 201, ok.text


def test_upload_route_given_json_answers_415_naming_multipart(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path)
    with TestClient(app) as c:
        analyst = hdr(issue_keys(app)["analyst"])
        sid = c.post("/surveys", json={"name": "Undersøkelse"}, headers=analyst).json()["id"]
        r = c.post(f"/surveys/{sid}/waves", content=b"respondent_id,wave\n1,2023\n",
                   headers={**analyst, "content-type": "application/json"})
        assert r.status_code == 415, r.text
        assert r.json()["error"]["details"]["expected"] == "multipart/form-data"
        r = c.post(f"/surveys/{sid}/waves", content=b"x", headers=analyst)  # no Content-Type at all
        assert r.status_code == 415 and r.json()["error"]["details"]["content_type"] is None
        # multipart without the file part is the client's form, not its media type: 422 naming the field
        r = c.post(f"/surveys/{sid}/waves", data={"label": "2023"}, files={"other": ("a.txt", b"a")}, headers=analyst)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
        assert "file" in r.json()["error"]["message"]


def test_bad_json_with_the_right_media_type_keeps_422_and_header_text_is_not_echoed(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path)
    with TestClient(app) as c:
        analyst = hdr(issue_keys(app)["analyst"])
        r = c.post("/surveys", content=b"[1, 2]", headers={**analyst, "content-type": "application/json"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
        # FastAPI's routes are strict about the media type: a body without Content-Type is not read as JSON
        r = c.post("/surveys", content=b"[1, 2]", headers={**analyst})
        assert r.status_code == 415, r.text
        assert r.json()["error"]["details"] == {"expected": "application/json", "content_type": None}
        sneaky = "text/kari nordmann 91234567"
        r = c.post("/surveys", content=b"{}", headers={**analyst, "content-type": sneaky})
        assert r.status_code == 415 and "91234567" not in r.text and "nordmann" not in r.text.lower()


def test_openapi_lists_415_on_operations_with_a_body_only(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path)
    spec = app.openapi()
    ops = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    with_body = [(p, m) for p, m, op in ops if "requestBody" in op]
    assert ("/surveys", "post") in with_body and ("/surveys/{survey_id}/waves", "post") in with_body
    for path, method, op in ops:
        assert ("415" in op["responses"]) == ("requestBody" in op), (path, method)
    ref = spec["paths"]["/surveys"]["post"]["responses"]["415"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[-1] in spec["components"]["schemas"]
