"""A scripted client's retries and follow-ups: a retried training, correction or forced coding job finds the first
one instead of adding another, 409s point at what exists, 201/202 answers carry Location, readable unique
operationIds, and one language in ``summary.warnings``."""

from __future__ import annotations

from collections import Counter

from conftest import (create_survey, hdr, issue_keys, sample_frame, survey_yaml, to_csv_bytes, upload,
                      uploaded_wave)
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service import store
from service.db.models import Correction, Response, TrainingJob


def _answered(app, wave_id: int, n: int) -> list[int]:
    with app.state.db.session() as s:
        return list(s.scalars(select(Response.id).where(Response.wave_id == wave_id, Response.is_non_answer == 0)
                              .order_by(Response.id).limit(n)))


def _corrected_wave(c, keys, n: int = 6) -> list[int]:
    """A survey, a wave and ``n`` corrections of its answers; the corrected response ids."""
    sid = create_survey(c, keys["analyst"])
    wave = uploaded_wave(c, keys, sid, sample_frame(80), "2022")
    ids = _answered(c.app, wave, n)
    for i, rid in enumerate(ids):
        r = c.post(f"/responses/{rid}/codes", json={"themes": [("telefon", "refusjon")[i % 2]]},
                   headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
    return ids


def _training_jobs(app) -> int:
    with app.state.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(TrainingJob)))


# ---------------------------------------------------------------- 1: POST /models retried
def test_a_retried_training_request_returns_the_active_job_instead_of_queueing_another(app_factory):
    app = app_factory(run_jobs=False)  # the jobs stay queued: nothing trains
    with TestClient(app) as c:
        keys = issue_keys(app)
        ids = _corrected_wave(c, keys)
        body = {"name": "nightly", "min_examples": 5}
        first = c.post("/models", json=body, headers=hdr(keys["analyst"]))
        assert first.status_code == 202, first.text
        assert first.json()["created"] is True
        again = c.post("/models", json=body, headers=hdr(keys["analyst"]))
        assert again.status_code == 200, again.text
        assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
        assert again.headers["Location"] == f"/training-jobs/{first.json()['id']}"
        assert set(again.json()) == set(first.json())
        assert _training_jobs(app) == 1
        other = c.post("/models", json={**body, "name": "other"}, headers=hdr(keys["analyst"]))
        assert other.status_code == 202 and other.json()["id"] != first.json()["id"]
        # a running job trains on the corrections it read when it started: a correction since then is new data
        with app.state.db.session() as s:
            job = s.get(TrainingJob, first.json()["id"])
            job.state, job.started_at = "running", store.utcnow()
        r = c.post(f"/responses/{ids[0]}/codes", json={"themes": ["annet"]}, headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
        fresh = c.post("/models", json=body, headers=hdr(keys["analyst"]))
        assert fresh.status_code == 202 and fresh.json()["id"] not in (first.json()["id"], other.json()["id"])
        c.post(f"/training-jobs/{fresh.json()['id']}/cancel", headers=hdr(keys["analyst"]))
        after = c.post("/models", json=body, headers=hdr(keys["analyst"]))  # a cancelled job is not reused
        assert after.status_code == 202 and after.json()["id"] != fresh.json()["id"]


# ---------------------------------------------------------------- 2: 409 pointers and Location
def test_conflicts_point_at_what_exists_and_creations_answer_location(client, keys):
    body = {"name": "nattlig", "definition_yaml": survey_yaml()}
    r = client.post("/surveys", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 201 and r.headers["Location"] == f"/surveys/{r.json()['id']}"
    sid = r.json()["id"]
    again = client.post("/surveys", json=body, headers=hdr(keys["analyst"]))
    assert again.status_code == 409 and again.json()["error"]["code"] == "survey_exists"
    assert again.json()["error"]["details"]["survey_id"] == sid
    data = to_csv_bytes(sample_frame(20))
    w = upload(client, keys["analyst"], sid, data, "a.csv", "2022")
    assert w.status_code == 201 and w.headers["Location"] == f"/waves/{w.json()['id']}"
    other = to_csv_bytes(sample_frame(30))
    dup = upload(client, keys["analyst"], sid, other, "b.csv", "2022")
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "wave_exists"
    assert dup.json()["error"]["details"] == {"label": "2022", "wave_id": w.json()["id"]}
    job = client.post(f"/waves/{w.json()['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
    assert job.status_code == 202 and job.headers["Location"] == f"/jobs/{job.json()['id']}"


# ---------------------------------------------------------------- 3: a retried correction
def test_a_retried_identical_correction_returns_the_stored_one(client, keys):
    sid = create_survey(client, keys["analyst"])
    rid = _answered(client.app, uploaded_wave(client, keys, sid, sample_frame(20), "2022"), 1)[0]
    body = {"themes": ["telefon"], "type": "klage"}
    first = client.post(f"/responses/{rid}/codes", json=body, headers=hdr(keys["analyst"]))
    assert first.status_code == 201, first.text
    again = client.post(f"/responses/{rid}/codes", json={"themes": [" Telefon"], "type": "Klage"},
                        headers=hdr(keys["analyst"]))
    assert again.status_code == 200 and again.json() == first.json()
    changed = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"], "type": "ros"},
                          headers=hdr(keys["analyst"]))
    assert changed.status_code == 201 and changed.json()["id"] != first.json()["id"]
    back = client.post(f"/responses/{rid}/codes", json=body, headers=hdr(keys["analyst"]))  # not the latest: new row
    assert back.status_code == 201 and back.json()["id"] not in (first.json()["id"], changed.json()["id"])
    other_key = client.post(f"/responses/{rid}/codes", json=body, headers=hdr(keys["admin"]))
    assert other_key.status_code == 201
    with client.app.state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Correction).where(Correction.response_id == rid)) == 4


# ---------------------------------------------------------------- 4: a forced job replaced by a newer forced one
def test_a_forced_job_cancelled_by_a_newer_forced_one_points_at_it(app_factory):
    app = app_factory(run_jobs=False)
    with TestClient(app) as c:
        keys = issue_keys(app)
        wave = uploaded_wave(c, keys, create_survey(c, keys["analyst"]), sample_frame(20), "2022")
        first = c.post(f"/waves/{wave}/coding-jobs", json={"force": True}, headers=hdr(keys["analyst"])).json()
        second = c.post(f"/waves/{wave}/coding-jobs", json={"force": True}, headers=hdr(keys["analyst"])).json()
        old = c.get(f"/jobs/{first['id']}", headers=hdr(keys["reader"])).json()
        assert old["state"] == "cancelled" and old["superseded_by"] == second["id"]
        assert f"job {second['id']}" in old["error"]
        new = c.get(f"/jobs/{second['id']}", headers=hdr(keys["reader"])).json()
        assert new["state"] == "queued" and new["superseded_by"] is None and new["error"] is None


# ---------------------------------------------------------------- 5: OpenAPI
def test_operation_ids_are_readable_and_unique_and_health_lists_no_key_errors(client):
    spec = client.get("/openapi.json").json()
    ops = {(path, method): op for path, item in spec["paths"].items() for method, op in item.items()}
    ids = Counter(op["operationId"] for op in ops.values())
    assert [i for i, n in ids.items() if n > 1] == []
    assert ops[("/waves/{wave_id}/summary", "get")]["operationId"] == "wave_summary"
    assert ops[("/healthz", "get")]["operationId"] == "healthz"
    for path in ("/healthz", "/readyz"):
        assert not {"401", "403"} & set(ops[(path, "get")]["responses"]), path
    assert {"401", "403"} <= set(ops[("/surveys", "get")]["responses"])
    assert "offset 0" in ops[("/review-queue", "get")]["description"]


# ---------------------------------------------------------------- 6: one language in summary.warnings
def test_the_service_s_summary_warnings_are_english_as_the_rest():
    notes = store._mixed_review_warnings({"2022": 4, "2023": 0})
    assert len(notes) == 1
    text = notes[0]
    assert "2022" in text and "2023" in text and "4" in text
    assert not {"måling", "og", "rettelser", "Merk"} & set(text.replace(",", " ").replace(":", " ").split())
    assert "corrected by hand" in text
