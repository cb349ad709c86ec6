"""Review 2 of coding jobs and /classify: two workers on one job, a model named without its codebook."""

from __future__ import annotations

import threading

from conftest import create_survey, hdr, sample_frame, to_csv_bytes, upload
from sqlalchemy import func, select
from conftest import trained

from service import store
from service.db.models import CodingResult, Response
from service.jobs import run_job

MINI = {"name": "mini", "version": "1",
        "themes": [{"id": "ventetid", "label": "Ventetid", "keywords": ["ventetid", "vente"]},
                   {"id": "annet", "label": "Annet", "description": "Annet", "exclusive": True}]}


def _wave(client, keys, n=40):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(n)), "w.csv", "2022")
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_two_workers_on_one_job_finish_it_exactly_once(app_factory, monkeypatch):
    """`textmine store code` and a server (or two server processes) working on the same job: each chunk's results
    are stored once, the job ends done (not failed on the unique constraint) and done == total."""
    from fastapi.testclient import TestClient

    from conftest import issue_keys

    monkeypatch.setenv("TEXTMINE_FAKE_DELAY", "0.02")
    app = app_factory(run_jobs=False)
    with TestClient(app) as client:
        keys = issue_keys(app)
        wave_id = _wave(client, keys, 60)
        with app.state.db.session() as s:
            job, _ = store.start_job(s, wave_id, None, None)
            job_id = job.id
        states: dict[int, str] = {}
        barrier = threading.Barrier(2)

        def work(n):
            barrier.wait()
            states[n] = run_job(app.state.db, app.state.coders, job_id, 3)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        got = client.get(f"/jobs/{job_id}", headers=hdr(keys["reader"])).json()
        with app.state.db.session() as s:
            n_results = s.scalar(select(func.count()).select_from(CodingResult).where(CodingResult.job_id == job_id))
            n_responses = s.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave_id))
        assert set(states.values()) == {"done"}, (states, got)
        assert got["state"] == "done" and got["error"] is None
        assert got["done"] == got["total"] == n_results == n_responses
        assert got["eta_seconds"] == 0.0


def _mini_model(client, keys, wave_id):
    """A model trained for the non-default codebook MINI (the real POST /codebooks, corrections, POST /models)."""
    a = hdr(keys["analyst"])
    cb = client.post("/codebooks", json=MINI, headers=a)
    assert cb.status_code == 201, cb.text
    cb_id = cb.json()["id"]
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == wave_id, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(6)).all()
    for i, rid in enumerate(ids):
        r = client.post(f"/responses/{rid}/codes", json={"themes": ["ventetid" if i % 2 else "annet"],
                                                         "codebook_id": cb_id}, headers=a)
        assert r.status_code == 201, r.text
    m = trained(client, keys["analyst"], {"min_examples": 5, "codebook_id": cb_id})["model"]
    assert m["codebook_id"] == cb_id
    return cb_id, m["id"]


def test_classify_with_model_id_alone_uses_the_models_codebook(client, keys):
    """``model_id`` without ``codebook_id`` codes with that model and its own codebook (not a 422 claiming a
    mismatch with the default codebook the request never named); naming another codebook is still refused."""
    wave_id = _wave(client, keys)
    cb_id, model_id = _mini_model(client, keys, wave_id)
    a = hdr(keys["analyst"])
    r = client.post("/classify", json={"texts": ["Altfor lang ventetid på telefon"], "model_id": model_id}, headers=a)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["codebook_id"] == cb_id and body["model_id"] == model_id
    assert set(body["results"][0]["scores"]) == {"ventetid", "annet"}
    assert [t["id"] for t in body["results"][0]["themes"]] == ["ventetid"]
    default_cb = client.post("/classify", json={"texts": ["x"], "model_id": model_id,
                                                "codebook_id": cb_id + 1 if cb_id == 1 else 1}, headers=a)
    assert default_cb.status_code in (404, 422), default_cb.text


def test_coding_job_with_model_id_alone_uses_the_models_codebook(client, keys):
    """The same for ``POST /waves/{id}/coding-jobs``: the job runs with the model's codebook; an unknown model is
    404 ``unknown_model``."""
    from conftest import wait_job

    wave_id = _wave(client, keys)
    cb_id, model_id = _mini_model(client, keys, wave_id)
    a = hdr(keys["analyst"])
    r = client.post(f"/waves/{wave_id}/coding-jobs", json={"model_id": model_id}, headers=a)
    assert r.status_code == 202, r.text
    assert r.json()["codebook_id"] == cb_id and r.json()["model_id"] == model_id
    assert wait_job(client, keys["reader"], r.json()["id"])["state"] == "done"
    missing = client.post(f"/waves/{wave_id}/coding-jobs", json={"model_id": 999}, headers=a)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_model"
    # the store function itself (what `textmine store code --model N` calls) does the same
    with client.app.state.db.session() as s:
        job, _ = store.start_job(s, wave_id, None, model_id, force=True)
        assert (job.codebook_id, job.model_id) == (cb_id, model_id)


def test_metrics_label_only_known_http_methods(client, keys):
    """A client-chosen method string is never a metrics label (no personal data, no unbounded series)."""
    client.request("OLANORDMANN01019012345", "/healthz")
    text = client.get("/metrics", headers=hdr(keys["reader"])).text
    assert "OLANORDMANN" not in text and "01019012345" not in text
    assert 'method="other"' in text



def test_job_runner_survives_a_job_that_raises(app_factory, monkeypatch, caplog):
    """A job whose run raises outside its own error handling (the database unreachable for a moment) must not kill
    the worker thread: the jobs queued after it still run; the log names the job and the error type only."""
    from fastapi.testclient import TestClient

    import service.jobs as jobs_mod
    from conftest import issue_keys, wait_job

    real = jobs_mod.run_job
    calls = []

    def flaky(db, coders, job_id, *a, **kw):
        calls.append(job_id)
        if len(calls) == 1:
            from sqlalchemy.exc import OperationalError

            raise OperationalError("select 1", {}, Exception("database is locked"))
        return real(db, coders, job_id, *a, **kw)

    monkeypatch.setattr(jobs_mod, "run_job", flaky)
    app = app_factory()
    with TestClient(app) as client:
        keys = issue_keys(app)
        a = hdr(keys["analyst"])
        first_wave = _wave(client, keys, 20)
        sid = create_survey(client, keys["analyst"], name="annen")
        frame = sample_frame(20)
        frame = frame.assign(respondent_id=frame["respondent_id"] + "b")
        second = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w2.csv", "2022")
        assert second.status_code == 201, second.text
        j1 = client.post(f"/waves/{first_wave}/coding-jobs", json={}, headers=a).json()
        j2 = client.post(f"/waves/{second.json()['id']}/coding-jobs", json={}, headers=a).json()
        assert wait_job(client, keys["reader"], j2["id"], timeout=30)["state"] == "done"
        assert calls[:2] == [j1["id"], j2["id"]]
        assert f"coding job {j1['id']} could not be run: OperationalError" in caplog.text


def test_metrics_report_every_job_state_with_zero(client, keys):
    """``textmine_coding_jobs`` has a series for every state, 0 included, before any job and after the last one
    finished (a vanished series reads as "no data" to an alert on running/queued/failed jobs)."""
    from conftest import wait_job

    def series():
        text = client.get("/metrics", headers=hdr(keys["reader"])).text
        lines = [ln for ln in text.splitlines() if ln.startswith("textmine_coding_jobs{")]
        return {ln.split('"')[1]: float(ln.rsplit(" ", 1)[1]) for ln in lines}

    states = {"queued", "running", "done", "failed", "cancelled"}
    assert series() == dict.fromkeys(states, 0.0)
    wave_id = _wave(client, keys, 10)
    job = client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    assert wait_job(client, keys["reader"], job["id"])["state"] == "done"
    assert series() == {**dict.fromkeys(states, 0.0), "done": 1.0}
