"""Every bad input gets a clear 4xx and leaves the database exactly as it was (both stores)."""

from __future__ import annotations

import pytest
from conftest import (
    create_survey,
    hdr,
    issue_keys,
    make_settings,
    postgres_url_or_skip,
    reset_postgres,
    sample_frame,
    table_counts,
    to_csv_bytes,
    upload,
)

from service.app import create_app


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request, tmp_path_factory):
    """One app per backend with a survey and one good wave already stored (the tests only send bad input, so
    they can share it; 'unchanged' is checked against a non-empty store)."""
    from fastapi.testclient import TestClient

    tmp = tmp_path_factory.mktemp(f"bad-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'store.db'}"
    else:
        url = postgres_url_or_skip()
        reset_postgres(url)
    app = create_app(make_settings(url, tmp))
    with TestClient(app) as c:
        keys = issue_keys(app)
        sid = create_survey(c, keys["analyst"])
        assert upload(c, keys["analyst"], sid, to_csv_bytes(sample_frame(15)), "w.csv", "first").status_code == 201
        yield c, keys, sid


@pytest.fixture
def client(store_env):
    return store_env[0]


@pytest.fixture
def keys(store_env):
    return store_env[1]


@pytest.fixture
def seeded(store_env):
    return store_env[2]


def _assert_error(r, status, code=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body


def _csv(frame):
    return to_csv_bytes(frame)


BAD_UPLOADS = {
    "empty file": (lambda: b"", 422, "empty_file"),
    "header only": (lambda: _csv(sample_frame(5)).split(b"\n", 1)[0] + b"\n", 422, "empty_file"),
    "utf-16": (lambda: _csv(sample_frame(5)).decode().encode("utf-16-le"), 422, "wrong_encoding"),  # no BOM
    "mixed encoding": (lambda: _csv(sample_frame(5)) + "AG2022-99999,2022,Privat,1,x,Oslo,1,1,1,1,1,1,1,1,1,1,1,"
                       "0,0,0,0,1,,Bl\u00e5b\u00e6r".encode("latin-1") + b"\n", 422, "wrong_encoding"),
    "missing columns": (lambda: _csv(sample_frame(5).drop(columns=["fritekst_generell"])), 422, "missing_columns"),
    "missing id column": (lambda: _csv(sample_frame(5).drop(columns=["respondent_id"])), 422, "missing_columns"),
    "duplicate ids": (lambda: _csv(sample_frame(5).assign(respondent_id=["A", "B", "A", "C", "D"])), 422,
                      "duplicate_ids"),
    "100k-char comment": (lambda: _csv(sample_frame(5).assign(fritekst_generell=["x" * 100_000] + [""] * 4)), 422,
                          "comment_too_long"),
    "bad indicator code": (lambda: _csv(sample_frame(5).assign(q_helhet=["99"] * 5)), 422, "invalid_table"),
    "binary garbage": (lambda: bytes(range(256)) * 40, 422, None),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_upload_is_4xx_and_store_unchanged(client, keys, seeded, case):
    make, status, code = BAD_UPLOADS[case]
    before = table_counts(client.app)
    r = upload(client, keys["analyst"], seeded, make(), "bad.csv", "second")
    _assert_error(r, status, code)
    assert table_counts(client.app) == before


def test_error_messages_name_the_problem(client, keys, seeded):
    r = upload(client, keys["analyst"], seeded, _csv(sample_frame(5).assign(respondent_id=["A", "B", "A", "C", "D"])),
               "bad.csv", "x")
    assert "respondent_id" in r.json()["error"]["message"] and r.json()["error"]["details"]["rows"] == [2, 4]
    assert "file rows 2, 4" in r.json()["error"]["message"] and '"A"' not in r.text  # rows, never the ids
    r = upload(client, keys["analyst"], seeded, _csv(sample_frame(5).drop(columns=["fritekst_generell"])), "b.csv", "x")
    assert r.json()["error"]["details"]["missing"] == ["fritekst_generell"]
    long = sample_frame(5).assign(fritekst_generell=[""] * 3 + ["x" * 100_000, ""])
    r = upload(client, keys["analyst"], seeded, _csv(long), "b.csv", "x")
    assert "row 5" in r.json()["error"]["message"] and "fritekst_generell" in r.json()["error"]["message"]


def test_50mb_upload_is_413_and_store_unchanged(client, keys, seeded):
    before = table_counts(client.app)
    big = b"respondent_id,wave\n" + b"A,2022\n" * (50 * 1024 * 1024 // 7)
    r = upload(client, keys["analyst"], seeded, big, "big.csv", "big")
    _assert_error(r, 413, "payload_too_large")
    assert "20 MB" in r.json()["error"]["message"]
    assert table_counts(client.app) == before


def test_other_bad_requests_store_unchanged(client, keys, seeded):
    before = table_counts(client.app)
    wave_id = client.get(f"/surveys/{seeded}/waves", headers=hdr(keys["reader"])).json()["items"][0]["id"]
    cases = [
        (client.post(f"/waves/{wave_id}/coding-jobs", json={"codebook_id": 999}, headers=hdr(keys["analyst"])),
         404, "unknown_codebook"),
        (client.post(f"/waves/{wave_id}/coding-jobs", json={"model_id": 999}, headers=hdr(keys["analyst"])),
         404, "unknown_model"),
        (client.post("/waves/999/coding-jobs", json={}, headers=hdr(keys["analyst"])), 404, "not_found"),
        (client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=hdr("tm_abc_wrong")), 401, "invalid_api_key"),
        (client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=hdr(keys["reader"])), 403, "forbidden"),
        (upload(client, "tm_abc_wrong", seeded, _csv(sample_frame(5)), "w.csv", "k"), 401, "invalid_api_key"),
        (upload(client, keys["analyst"], seeded, _csv(sample_frame(5)), "w.csv", "first"), 409, "wave_exists"),
        (upload(client, keys["analyst"], 999, _csv(sample_frame(5)), "w.csv", "z"), 404, "not_found"),
        (upload(client, keys["analyst"], seeded, b"x", "w.docx", "z"), 415, "unsupported_file_type"),
        (client.post("/surveys", json={"name": "bad", "definition_yaml": "name: x\nfoo: [1"},
                     headers=hdr(keys["analyst"])), 422, "invalid_survey_definition"),
        (client.post("/surveys", json={"name": "arbeidsgiver"}, headers=hdr(keys["analyst"])), 409, "survey_exists"),
        (client.post("/responses/999999/codes", json={"themes": []}, headers=hdr(keys["analyst"])), 404, "not_found"),
        (client.get(f"/waves/{wave_id}/themes/telefon/quotes", headers=hdr(keys["reader"])), 409, "not_coded"),
    ]
    for r, status, code in cases:
        _assert_error(r, status, code)
    assert table_counts(client.app) == before
