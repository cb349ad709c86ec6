"""Ops review (Dec 5): training from corrections on the default model's training files (1), the review queue
without non-answers (2), corrections applied to one wave only (3), an honest ETA and cancelled results taken over
(4), report job choice (5), and small fixes (6)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from conftest import (SAMPLE_CSV_2023, coded_job, create_survey, hdr, sample_frame, to_csv_bytes, upload, uploaded_wave,
                      wait_job)
from fakes import keyword_coder_factory
from sqlalchemy import func, select
from conftest import trained
from typer.testing import CliRunner

from service import store
from service.db.models import CodingJob, CodingResult, Response
from service.jobs import run_job
from textmine.cli import app as cli_app

MINI = {"name": "mini", "version": "1",
        "themes": [{"id": "ventetid", "label": "Ventetid", "keywords": ["ventetid", "vente"]},
                   {"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
                   {"id": "annet", "label": "Annet", "description": "Annet", "exclusive": True}]}


_wave, _code = uploaded_wave, coded_job


def _answers(client, wave_id, n=6):
    with client.app.state.db.session() as s:
        return s.scalars(select(Response.id).where(Response.wave_id == wave_id, Response.is_non_answer == 0)
                         .order_by(Response.id).limit(n)).all()


def _frame_2021(n=40):
    frame = sample_frame(n)
    return frame.assign(wave="2021", respondent_id=frame["respondent_id"].str.replace("2022", "2021"))


# ------------------------------------------------------------------ 1. training from corrections
def test_training_adds_corrections_to_the_default_models_training_files(client, keys):
    """POST /models trains on the default model's recorded training files plus the corrections (as ``textmine
    review --corrections``), says so in the metrics, and warns about nothing."""
    sid = create_survey(client, keys["analyst"])
    wave = _wave(client, keys, sid, sample_frame(40), "2022")
    for i, rid in enumerate(_answers(client, wave)):
        r = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon" if i % 2 else "ros"]},
                        headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
    body = trained(client, keys["analyst"], {"min_examples": 5})["model"]
    assert body["n_training"] == 6 and body["warnings"] == []
    metrics = body["metrics"]
    assert metrics["n_corrections"] == 6 and metrics["n_base_examples"] > 6000
    assert "labels_2022.csv" in metrics["base_training_files"]


def test_training_on_corrections_alone_warns_and_refuses_thin_themes(client, keys):
    """Without the default model's training files (another codebook) the model learns from the corrections alone:
    a theme with too few corrections is refused (named), otherwise the response warns."""
    sid = create_survey(client, keys["analyst"])
    wave = _wave(client, keys, sid, sample_frame(80), "2022")
    a = hdr(keys["analyst"])
    cb_id = client.post("/codebooks", json=MINI, headers=a).json()["id"]
    ids = _answers(client, wave, 10)
    assert len(ids) == 10
    for i, rid in enumerate(ids[:7]):
        r = client.post(f"/responses/{rid}/codes", json={"themes": [["ventetid", "annet"][i % 2]],
                                                         "codebook_id": cb_id}, headers=a)
        assert r.status_code == 201, r.text
    thin = client.post("/models", json={"min_examples": 5, "codebook_id": cb_id}, headers=a)
    assert thin.status_code == 422, thin.text
    err = thin.json()["error"]
    assert err["code"] == "too_few_theme_examples" and "telefon (Telefon): 0 of 3" in err["message"]
    assert err["details"]["themes"] == {"telefon": 0}
    for rid in ids[7:10]:
        r = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"], "codebook_id": cb_id}, headers=a)
        assert r.status_code == 201, r.text
    ok = trained(client, keys["analyst"], {"min_examples": 5, "codebook_id": cb_id})["model"]
    assert ok["metrics"]["n_base_examples"] == 0
    assert len(ok["warnings"]) == 1 and "corrections alone" in ok["warnings"][0]


def test_model_created_at_is_when_training_finished(client, keys, monkeypatch):
    sid = create_survey(client, keys["analyst"])
    wave = _wave(client, keys, sid, sample_frame(40), "2022")
    for rid in _answers(client, wave, 5):
        client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"]}, headers=hdr(keys["analyst"]))
    plain = keyword_coder_factory.train

    def slow(*args):
        time.sleep(1.5)
        return plain(*args)

    monkeypatch.setattr(keyword_coder_factory, "train", slow)
    start = datetime.now(timezone.utc)
    created = datetime.fromisoformat(trained(client, keys["analyst"], {"min_examples": 5})["model"]["created_at"]
                                     .replace("Z", "+00:00"))
    assert (created - start).total_seconds() >= 1.4


# ------------------------------------------------------------------ 2. review queue
def test_review_queue_leaves_out_non_answers_and_404s_an_unknown_wave(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = _wave(client, keys, sid, sample_frame(60), "2022")
    _code(client, keys, wave)
    with client.app.state.db.session() as s:
        flagged_non_answers = set(s.scalars(
            select(Response.id).join(CodingResult, CodingResult.response_id == Response.id)
            .where(Response.wave_id == wave, Response.is_non_answer == 1, CodingResult.needs_review == 1)))
    assert flagged_non_answers  # the fake coder flags them: they would be queued
    body = client.get(f"/review-queue?wave_id={wave}&limit=500", headers=hdr(keys["analyst"])).json()
    assert body["items"] and not {i["response_id"] for i in body["items"]} & flagged_non_answers
    assert body["total"] == len(body["items"])
    r = client.get("/review-queue?wave_id=999", headers=hdr(keys["analyst"]))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    url = client.app.state.settings.database_url
    res = CliRunner().invoke(cli_app, ["store", "review", "--wave-id", "999", "--database", url])
    assert res.exit_code == 2 and "error [not_found]: wave 999 does not exist" in res.output


# ------------------------------------------------------------------ 3. corrections applied to one wave only
def test_summary_counts_corrections_per_wave_and_warns_when_only_one_wave_has_them(client, keys):
    sid = create_survey(client, keys["analyst"])
    w21 = _wave(client, keys, sid, _frame_2021(), "2021")
    w22 = _wave(client, keys, sid, sample_frame(40), "2022")
    _code(client, keys, w21), _code(client, keys, w22)
    r = client.get(f"/waves/{w22}/summary?compare_wave_id={w21}", headers=hdr(keys["reader"])).json()
    assert r["summary"]["meta"]["corrections_applied"] == {"2021": 0, "2022": 0}
    assert not any("corrected by hand" in w for w in r["summary"]["warnings"])
    for rid in _answers(client, w22, 2):
        client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"]}, headers=hdr(keys["analyst"]))
    r = client.get(f"/waves/{w22}/summary?compare_wave_id={w21}", headers=hdr(keys["reader"])).json()
    assert r["summary"]["meta"]["corrections_applied"] == {"2021": 0, "2022": 2}
    mixed = [w for w in r["summary"]["warnings"] if "corrected by hand" in w]  # English, as the API's other notes
    assert len(mixed) == 1 and "wave 2022" in mixed[0] and "wave 2021 was coded by machine only" in mixed[0]
    assert "mixes two ways of coding" in mixed[0]


# ------------------------------------------------------------------ 4. ETA and cancelled jobs
def test_eta_follows_the_recent_rate(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = _wave(client, keys, sid, sample_frame(20), "2022")
    with client.app.state.db.session() as s:
        job = CodingJob(wave_id=wave, codebook_id=None, job_key="eta-test", state="running", total=100, done=50,
                        seconds_running=100.0)  # average so far: 2 s per response
        s.add(job)
        s.flush()
        job_id = job.id
    client.app.state.jobs.rates.record(job_id, seconds=1.0, n=10)  # the latest chunk: 0.1 s per response
    assert client.get(f"/jobs/{job_id}", headers=hdr(keys["reader"])).json()["eta_seconds"] == 5.0
    client.app.state.jobs.rates.record(job_id, seconds=3.0, n=10)  # slower again: weighted, not jumping
    eta = client.get(f"/jobs/{job_id}", headers=hdr(keys["reader"])).json()["eta_seconds"]
    assert 5.0 < eta < 15.0


def test_a_new_job_takes_over_a_cancelled_jobs_results_exactly_once(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = _wave(client, keys, sid, sample_frame(40), "2022")
    app = client.app
    app.state.coders.ready.wait(30)
    with app.state.db.session() as s:
        job, _ = store.start_job(s, wave, None, None, default_identity=app.state.coders.default_identity)
        old_id = job.id

    def cancel_after_first(_job):
        with app.state.db.session() as s:
            store.cancel_job(s, old_id)

    assert run_job(app.state.db, app.state.coders, old_id, 7, on_chunk=cancel_after_first) == "cancelled"
    with app.state.db.session() as s:
        n_old = s.scalar(select(func.count()).select_from(CodingResult).where(CodingResult.job_id == old_id))
        n_responses = s.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave))
    assert n_old == 7
    r = client.post(f"/waves/{wave}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
    assert r.status_code == 202 and r.json()["done"] == 7, r.text
    new = wait_job(client, keys["reader"], r.json()["id"])
    assert new["state"] == "done" and new["done"] == new["total"] == n_responses
    with app.state.db.session() as s:
        per_job = dict(s.execute(select(CodingResult.job_id, func.count()).group_by(CodingResult.job_id)).all())
        per_response = s.execute(select(func.count()).select_from(CodingResult).join(
            Response, Response.id == CodingResult.response_id).where(Response.wave_id == wave)).scalar()
    assert per_job == {new["id"]: n_responses} and per_response == n_responses
    old = client.get(f"/jobs/{old_id}", headers=hdr(keys["reader"])).json()
    assert old["state"] == "cancelled" and old["done"] == 0


# ------------------------------------------------------------------ 5. report job choice
def test_report_takes_job_compare_wave_and_compare_job_like_the_summary(client, keys):
    sid = create_survey(client, keys["analyst"])
    w22 = _wave(client, keys, sid, sample_frame(40), "2022")
    w23 = _wave(client, keys, sid, sample_frame(40, SAMPLE_CSV_2023), "2023")
    j22, j23 = _code(client, keys, w22), _code(client, keys, w23)
    # a newer job by a trained model (a forced re-coding by the same model would supersede j23 and delete its
    # results, dec06g: j23 could no longer be reported)
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == w23, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(6)).all()
    for i, rid in enumerate(ids):
        assert client.post(f"/responses/{rid}/codes", json={"themes": ["telefon" if i % 2 else "annet"]},
                           headers=hdr(keys["analyst"])).status_code == 201
    model = trained(client, keys["analyst"], {"min_examples": 5})["model"]["id"]
    new23 = _code(client, keys, w23, model_id=model)
    r = hdr(keys["reader"])

    def report(**params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return client.get(f"/waves/{w23}/report?{query}", headers=r)

    ok = report(job_id=j23, compare_wave_id=w22, compare_job_id=j22)
    assert ok.status_code == 200, ok.text
    assert f"kodejobb {j23}" in ok.text and f"kodejobb {new23}" not in ok.text
    assert f"kodejobb {new23}" in report().text
    assert report(compare_job_id=j22).json()["error"]["code"] == "compare_job_without_wave"
    assert report(job_id=j22).status_code == 404
    assert report(compare_wave_id=999).status_code == 404
    later = client.get(f"/waves/{w22}/report?compare_wave_id={w23}", headers=r)
    assert later.status_code == 422 and later.json()["error"]["code"] == "later_wave"
    assert report(compare_wave_id=w22, compare_job_id=j23).status_code == 404  # not a job of the compare wave
    xlsx = report(format="xlsx", compare_wave_id=w22, compare_job_id=999)
    assert xlsx.status_code == 404


# ------------------------------------------------------------------ 6. small fixes
def test_invalid_table_details_name_row_and_column(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(20)
    frame.loc[4, "q_tillit"] = "9"
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "bad.csv", "2022")
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_table"
    assert err["details"]["column"] == "q_tillit" and err["details"]["row"] == 6
    missing = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(20).drop(columns=["q_helhet"])),
                     "missing.csv", "2022").json()["error"]
    assert missing["code"] == "invalid_table" and missing["details"]["columns"] == ["q_helhet"]


def test_cli_summary_errors_use_the_cli_option_names(client, keys):
    sid = create_survey(client, keys["analyst"])
    w22 = _wave(client, keys, sid, sample_frame(40), "2022")
    w23 = _wave(client, keys, sid, sample_frame(40, SAMPLE_CSV_2023), "2023")
    url = client.app.state.settings.database_url
    res = CliRunner().invoke(cli_app, ["store", "summary", str(w22), "--compare", str(w23), "--database", url])
    assert res.exit_code == 2
    assert "compare_wave_id" not in res.output and f"with --compare {w22} instead" in res.output
    res = CliRunner().invoke(cli_app, ["store", "summary", str(w23), "--database", url])
    assert res.exit_code == 0 and f"textmine store code {w23}" in res.output
    assert "POST /waves" not in res.output


@pytest.mark.parametrize("message, expected", [
    ('first (POST /waves/8/coding-jobs {"model_id": 3}), or choose jobs with job_id and compare_job_id',
     "first (textmine store code 8 --model-id 3), or choose jobs with --job and --compare-job"),
])
def test_cli_wording(message, expected):
    from textmine.cli.service import cli_wording

    assert cli_wording(message) == expected


@pytest.mark.slow
def test_a_model_from_a_few_corrections_codes_as_well_as_the_default(sqlite_url, tmp_path):
    """The real library (no test doubles): a model trained through POST /models from five corrections codes the
    uncorrected sample answers about as well as the default model (exact match within 3 points), and honours the
    correction (the corrected text gets the corrected theme). Takes minutes: one full retraining."""
    import pandas as pd
    from conftest import issue_keys, make_settings
    from fastapi.testclient import TestClient

    from service.app import create_app
    from textmine.paths import DEFAULT_MODEL_DIR, SAMPLE_DIR

    if not (DEFAULT_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/default not built")
    app = create_app(make_settings(sqlite_url, tmp_path, coder_factory=None, cleaner_factory=None))
    with TestClient(app) as client:
        keys = issue_keys(app)
        a = hdr(keys["analyst"])
        assert app.state.coders.ready.wait(300), app.state.coders.warmup_error
        sid = create_survey(client, keys["analyst"])
        wave = _wave(client, keys, sid, sample_frame(40), "2022")
        ids = _answers(client, wave, 5)
        with app.state.db.session() as s:
            texts = dict(s.execute(select(Response.id, Response.text_redacted).where(Response.id.in_(ids))).all())
        default = client.post("/classify", json={"texts": [texts[i] for i in ids]}, headers=a).json()["results"]
        given = [[t["id"] for t in r["themes"]] for r in default]
        target = ["refusjon"] if "refusjon" not in given[0] else ["telefon"]  # a theme the default does not give
        for rid, themes in zip(ids, [target, *given[1:]]):
            r = client.post(f"/responses/{rid}/codes", json={"themes": themes}, headers=a)
            assert r.status_code == 201, r.text
        body = trained(client, keys["analyst"], {"min_examples": 5}, timeout=1800)["model"]
        assert body["warnings"] == [] and body["metrics"]["n_base_examples"] > 6000
        assert body["metrics"]["oof_macro_f1"] > 0.8 and "oof_exact_match" in body["metrics"]
        labelled = pd.read_csv(SAMPLE_DIR / "labels_2023.csv", dtype=str, keep_default_na=False)
        labelled = labelled[labelled["is_non_answer"] == "0"].head(200)
        truth = [set(filter(None, t.split(";"))) for t in labelled["themes"]]

        def exact(model_id=None):
            req = {"texts": labelled["text"].tolist(), **({"model_id": model_id} if model_id else {})}
            got = client.post("/classify", json=req, headers=a).json()["results"]
            return sum({t["id"] for t in r["themes"]} == want for r, want in zip(got, truth)) / len(truth)

        base, new = exact(), exact(body["id"])
        assert new >= base - 0.03, (base, new)
        again = client.post("/classify", json={"texts": [texts[ids[0]]], "model_id": body["id"]}, headers=a).json()
        # the corrected theme, which the default model did not give, is given now (one correction among ~6,800
        # training rows: whether the model also drops the text's other themes depends on the build, so not pinned)
        assert target[0] in [t["id"] for t in again["results"][0]["themes"]]
