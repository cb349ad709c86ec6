"""The «Tren ny modell» panel (service/web/templates/_train.html, train.js) as the server renders it: analysts get
it on the review page and the dashboard, readers never; it trains the codebook of the page's coding (the queue's,
the wave's latest job's) and compares with the codebook's newest trained model, else the default model's recorded
held-out figures; and the UI's own path (/ui/api, the session's key) starts a training job and reads it back with
the figures train.js shows."""

from __future__ import annotations

import html
import json
import re
import time

import pytest
from conftest import SAMPLE_CSV_2023, hdr, issue_keys, make_settings, sample_frame, survey_yaml
from sqlalchemy import select

from service.db.models import CodingJob, TrainedModel
from service.db.models import Response as ResponseRow
from service.web.pages import TRAINING_FIGURES
from textmine.paths import DEFAULT_MODEL_DIR

UI = {"X-Textmine-UI": "1"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(client, keys, wave id, coding job's codebook id): one coded wave of 200 sample rows."""
    from fastapi.testclient import TestClient

    from conftest import coded_job, uploaded_wave
    from service.app import create_app

    tmp = tmp_path_factory.mktemp("trainpanel")
    app = create_app(make_settings(f"sqlite:///{tmp / 'trainpanel.db'}", tmp))
    with TestClient(app) as c:
        keys = issue_keys(app)
        r = c.post("/surveys", json={"name": "arbeidsgiver", "definition_yaml": survey_yaml()},
                   headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
        wave = uploaded_wave(c, {"analyst": keys["analyst"]}, r.json()["id"], sample_frame(200, SAMPLE_CSV_2023),
                             "2023")
        job = coded_job(c, keys, wave)
        with app.state.db.session() as s:
            codebook_id = s.get(CodingJob, job).codebook_id
        yield c, keys, wave, codebook_id


def _login(client, key: str) -> None:
    r = client.post("/ui/login", data={"api_key": key}, follow_redirects=False)
    assert r.status_code == 303, r.text


def _panel(page: str) -> dict | None:
    """The panel's data-train JSON, or None when the page has no panel."""
    m = re.search(r"<section[^>]*id=\"train\"[^>]*data-train='([^']*)'", page)
    return json.loads(html.unescape(m.group(1))) if m else None


def _default_figures() -> dict:
    recorded = json.loads((DEFAULT_MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))["training"]
    return {k: float(recorded[k]) for k in TRAINING_FIGURES if k in recorded}


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_and_admins_get_the_panel_on_the_dashboard_and_review_page(site, role):
    client, keys, wave, codebook_id = site
    _login(client, keys[role])
    for path in (f"/ui/waves/{wave}", f"/ui/review?wave_id={wave}"):
        page = client.get(path).text
        panel = _panel(page)
        assert panel is not None, f"{role}: no training panel on {path}"
        assert panel["codebook_id"] == codebook_id, path
        assert 'id="train-start"' in page and ">Tren ny modell</button>" in page
        assert '<script src="/ui/static/train.js"' in page


def test_readers_never_get_the_button_or_its_script(site):
    client, keys, wave, _ = site
    _login(client, keys["reader"])
    page = client.get(f"/ui/waves/{wave}")
    assert page.status_code == 200
    assert _panel(page.text) is None and "Tren ny modell" not in page.text and "train.js" not in page.text
    review = client.get("/ui/review")
    assert review.status_code == 403 and "Tren ny modell" not in review.text


def test_the_panel_compares_with_the_newest_model_of_the_codebook_else_the_default_model(site):
    client, keys, wave, codebook_id = site
    _login(client, keys["analyst"])
    expected = _default_figures()
    with client.app.state.db.session() as s:
        had = s.scalars(select(TrainedModel).where(TrainedModel.codebook_id == codebook_id)).first()
    if had is None:  # the order of tests: the default model only while the codebook has no trained model
        base = _panel(client.get(f"/ui/waves/{wave}").text)["baseline"]
        assert expected, "models/default/metrics.json holds none of the compared figures"
        assert base["source"] == "default" and base["metrics"] == pytest.approx(expected)
    with client.app.state.db.session() as s:
        for n, f1 in ((1, 0.61), (2, 0.64)):
            s.add(TrainedModel(name=f"panel-model-{n}", codebook_id=codebook_id, path="nowhere", n_training=20,
                               metrics={"oof_macro_f1": f1, "oof_exact_match": 0.5, "oof_micro_f1": True,
                                        "label_counts": {"x": 1}}))
    base = _panel(client.get(f"/ui/review?wave_id={wave}").text)["baseline"]
    assert base == {"source": "model", "name": "panel-model-2",
                    "metrics": {"oof_macro_f1": 0.64, "oof_exact_match": 0.5}}  # a bool is not a figure


def test_the_ui_path_starts_a_training_and_reads_it_back_with_the_figures(site):
    """What train.js does, through the session (no API key header): POST /ui/api/models, then poll the job."""
    client, keys, wave, codebook_id = site
    _login(client, keys["analyst"])
    with client.app.state.db.session() as s:
        ids = s.scalars(select(ResponseRow.id).where(ResponseRow.wave_id == wave, ResponseRow.is_non_answer == 0)
                        .order_by(ResponseRow.id).limit(6)).all()
    themes = client.get(f"/codebooks/{codebook_id}", headers=hdr(keys["reader"])).json()
    theme_ids = [t["id"] for t in (themes.get("content") or themes["versions"][-1]["content"])["themes"]
                 if not t.get("exclusive")]
    for i, rid in enumerate(ids):
        r = client.post(f"/ui/api/responses/{rid}/codes", headers=UI,
                        json={"themes": [theme_ids[i % 2]], "codebook_id": codebook_id})
        assert r.status_code == 201, r.text
    refused = client.post("/ui/api/models", json={"codebook_id": codebook_id}, headers=UI)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_enough_corrections"
    assert refused.json()["error"]["details"] == {"found": 6, "needed": 20}  # what train.js tells in Norwegian
    r = client.post("/ui/api/models", json={"codebook_id": codebook_id, "min_examples": 5}, headers=UI)
    assert r.status_code == 202, r.text
    job, deadline = r.json(), time.time() + 60
    while job["state"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.2)
        job = client.get(f"/ui/api/training-jobs/{job['id']}").json()
    assert job["state"] == "done", job
    model = job["model"]
    assert model["codebook_id"] == codebook_id and model["n_training"] == 6
    # what train.js reads (the test coder records no held-out figures; the real trainer does, see library.py)
    assert isinstance(model["name"], str) and isinstance(model["metrics"], dict) and model["warnings"] == []
    assert job["done"] == job["total"] and job["eta_seconds"] == 0
    assert client.post("/ui/api/models", json={"codebook_id": codebook_id}).status_code == 403  # no UI header
