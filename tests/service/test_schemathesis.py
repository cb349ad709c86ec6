"""Property-based API fuzzing from the app's own OpenAPI schema: no generated request may cause a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from conftest import issue_keys, make_settings
from hypothesis import HealthCheck, settings

from service.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app(make_settings(f"sqlite:///{tmp / 'fuzz.db'}", tmp, run_jobs=False, warmup=False))
    keys = issue_keys(app)
    app.state.fuzz_key = keys["admin"]
    # seed a survey, a wave and a finished coding job so generated ids (1, 2, …) reach real rows
    from conftest import create_survey, sample_frame, to_csv_bytes, upload
    from fastapi.testclient import TestClient

    from service.jobs import run_job

    with TestClient(app) as c:
        sid = create_survey(c, keys["analyst"])
        wave = upload(c, keys["analyst"], sid, to_csv_bytes(sample_frame(60)), "w.csv").json()
        job = c.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers={"X-API-Key": keys["analyst"]}).json()
    assert run_job(app.state.db, app.state.coders, job["id"]) == "done"
    from service import library

    # load the coder and the cleaner's resources once, as the server's warm-up would
    app.state.coders.warm_up()
    assert app.state.coders.ready.is_set()
    library.classify_texts(app.state.coders.default(), ["Ventetiden på telefon er lang."], app.state.settings.cleaner_factory)
    return app


@pytest.fixture(scope="module")
def schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


def test_no_server_errors_on_generated_requests(schema, fuzz_app):
    key = fuzz_app.state.fuzz_key
    failures = []
    n_cases = 0
    for operation in schema.get_all_operations():
        op = operation.ok()
        path = op.path
        if path.startswith("/ui") or path.endswith("/report"):
            continue  # the browser UI (service/web) is tested by its owner

        @settings(max_examples=15, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            nonlocal n_cases
            n_cases += 1
            case.headers = {**(case.headers or {}), "X-API-Key": key}
            response = case.call(timeout=60)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        from hypothesis import given

        given(case=op.as_strategy())(check)()
    assert n_cases > 100
    assert not failures, failures[:10]
