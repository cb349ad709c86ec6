"""OpenAPI completeness for an API integrator: ``GET /waves/{id}/summary`` has a typed response model (its body
unchanged: extra keys and nulls kept), and a 413 (request too large) is counted in ``/metrics`` under the route it
was sent to, like the route's other answers."""

from __future__ import annotations

import json
import re

import pytest
from conftest import (SAMPLE_CSV_2023, coded_job, create_survey, hdr, issue_keys, make_settings, sample_frame,
                      uploaded_wave)
from fastapi.testclient import TestClient

from service import store
from service.app import create_app
from service.routers.results import blank_hidden_rows

SUMMARY_KEYS = {"wave_id", "compare_wave_id", "compare_job_id", "coding_jobs", "coding_models", "summary"}
LIBRARY_KEYS = {"survey", "waves", "meta", "warnings", "tables"}


def _schema(spec: dict, ref_or_schema: dict) -> dict:
    ref = ref_or_schema.get("$ref") or next((p["$ref"] for p in ref_or_schema.get("allOf", [])), None)
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else ref_or_schema


@pytest.fixture
def spec(tmp_path):
    return create_app(make_settings(f"sqlite:///{tmp_path / 's.db'}", tmp_path, warmup=False)).openapi()


# ---------------------------------------------------------------- 1: the summary's response model
def test_the_summary_response_names_its_top_level_keys_with_types_and_descriptions(spec):
    ok = spec["paths"]["/waves/{wave_id}/summary"]["get"]["responses"]["200"]["content"]["application/json"]
    top = _schema(spec, ok["schema"])
    assert set(top["properties"]) == SUMMARY_KEYS
    assert set(top["required"]) == SUMMARY_KEYS  # always present (null where there is none)
    assert top.get("additionalProperties") is True  # a key added later is documented as allowed, not dropped
    for name, prop in top["properties"].items():
        assert prop.get("description") or name == "summary", name
    assert top["properties"]["wave_id"]["type"] == "integer"
    assert {"type": "null"} in top["properties"]["compare_wave_id"]["anyOf"]
    assert top["properties"]["coding_jobs"]["additionalProperties"] == {"type": "integer"}
    body = _schema(spec, top["properties"]["summary"])
    assert set(body["properties"]) == LIBRARY_KEYS and set(body["required"]) == LIBRARY_KEYS
    assert body.get("additionalProperties") is True
    assert all(p.get("description") for p in body["properties"].values())
    assert body["properties"]["warnings"]["items"] == {"type": "string"}
    assert body["properties"]["tables"]["additionalProperties"]["type"] == "array"


@pytest.fixture(scope="module")
def two_waves(tmp_path_factory):
    """An app with two coded waves of the sample survey (2022, 2023) and a reader key."""
    tmp = tmp_path_factory.mktemp("summary")
    app = create_app(make_settings(f"sqlite:///{tmp / 's.db'}", tmp))
    with TestClient(app) as c:
        keys = issue_keys(app)
        sid = create_survey(c, keys["analyst"])
        w1 = uploaded_wave(c, keys, sid, sample_frame(60), "2022")
        w2 = uploaded_wave(c, keys, sid, sample_frame(60, SAMPLE_CSV_2023), "2023")
        coded_job(c, keys, w1)
        coded_job(c, keys, w2)
        yield c, keys, w1, w2


def _store_body(app, wave_id: int, compare: int | None) -> dict:
    """What the route answered before it had a model: the store's dict, hidden rows blanked, as JSON."""
    with app.state.db.session() as s:
        body = store.wave_summary(s, wave_id, compare, min_cell_floor=app.state.settings.min_cell_floor)
    blank_hidden_rows(body["summary"])
    return json.loads(json.dumps(body))


@pytest.mark.parametrize("compare", [False, True])
def test_the_summary_body_is_what_the_store_gives(two_waves, compare):
    c, keys, w1, w2 = two_waves
    r = c.get(f"/waves/{w2}/summary", params={"compare_wave_id": w1} if compare else {}, headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got == _store_body(c.app, w2, w1 if compare else None)
    assert list(got) == ["wave_id", "compare_wave_id", "compare_job_id", "coding_jobs", "coding_models", "summary"]
    assert list(got["summary"]) == ["survey", "waves", "meta", "warnings", "tables"]
    assert got["coding_models"] == ({str(w1): None, str(w2): None} if compare else {str(w2): None})  # nulls kept
    assert (got["compare_wave_id"] is None) is (not compare)


def test_keys_the_model_does_not_name_are_kept(two_waves, monkeypatch):
    c, keys, _, w2 = two_waves
    real = store.wave_summary

    def with_extras(*args, **kw):
        body = real(*args, **kw)
        body["summary"]["new_part"] = {"x": [1, None]}
        return {**body, "later_key": None}

    monkeypatch.setattr(store, "wave_summary", with_extras)
    got = c.get(f"/waves/{w2}/summary", headers=hdr(keys["reader"])).json()
    assert got["later_key"] is None and got["summary"]["new_part"] == {"x": [1, None]}


# ---------------------------------------------------------------- 3: 413s in /metrics
def _count(metrics: str, method: str, route: str, status: int) -> int:
    m = re.search(rf'^textmine_http_requests_total\{{method="{method}",route="{re.escape(route)}",'
                  rf'status="{status}"\}} (\d+)$', metrics, re.M)
    return int(m.group(1)) if m else 0


def _latency_count(metrics: str, method: str, route: str) -> int:
    m = re.search(rf'^textmine_http_request_duration_seconds_count\{{method="{method}",route="{re.escape(route)}"\}} '
                  r"(\d+)$", metrics, re.M)
    return int(m.group(1)) if m else 0


def test_a_413_is_counted_under_its_route_like_other_answers(tmp_path):
    app = create_app(make_settings(f"sqlite:///{tmp_path / 's.db'}", tmp_path, warmup=False, metrics_public=True,
                                   max_request_bytes=2000))
    with TestClient(app) as c:
        admin = hdr(issue_keys(app)["admin"])
        big = json.dumps({"name": "x" * 5000}).encode()
        assert c.post("/surveys", content=big, headers={**admin, "content-type": "application/json"}).status_code \
            == 413  # refused on its Content-Length, before routing
        assert c.post("/surveys/7/waves", content=big, headers=admin).status_code == 413
        assert c.post("/surveys", json={"name": ""}, headers=admin).status_code == 422  # an answer after routing

        def chunks():  # no Content-Length: refused while it is read, after routing
            for _ in range(5):
                yield b" " * 1000

        assert c.post("/classify", content=chunks(), headers={**admin, "content-type": "application/json"}) \
            .status_code == 413
        assert c.post("/no/such/path", content=big, headers=admin).status_code == 413
        assert c.put("/surveys", content=big, headers=admin).status_code == 413
        metrics = c.get("/metrics").text
    assert _count(metrics, "POST", "/surveys", 413) == 1
    assert _count(metrics, "POST", "/surveys", 422) == 1
    assert _latency_count(metrics, "POST", "/surveys") == 2  # the 413 is in the route's latency histogram too
    assert _count(metrics, "POST", "/surveys/{survey_id}/waves", 413) == 1
    assert _count(metrics, "POST", "/classify", 413) == 1
    assert _count(metrics, "PUT", "/surveys", 413) == 1  # the route a 405 would have named
    assert _count(metrics, "POST", "unmatched", 413) == 1  # a path no route serves is never a label
    assert "/no/such/path" not in metrics
