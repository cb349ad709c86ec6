"""Service leftovers (dec07d): a server's start names the coding jobs waiting to be resumed without claiming it
resumes them (another server on the same database may hold one: it is left to it); ``too_few_theme_examples``
names each theme by id and label, with its count of the minimum (message and details); the «Tren ny modell» panel
is told the codebook's queued or running training job, so that train.js follows it after a reload."""

from __future__ import annotations

import html
import json
import logging
import re
import time

import pytest
from conftest import create_survey, hdr, issue_keys, make_settings, sample_frame, to_csv_bytes, upload
from fastapi.testclient import TestClient

from service import store
from service.app import create_app
from service.db.models import CodingJob, TrainingJob, utcnow

MINI = {"name": "mini", "version": "1",
        "themes": [{"id": "ventetid", "label": "Ventetid", "keywords": ["ventetid", "vente"]},
                   {"id": "telefon", "label": "Telefon og tilgjengelighet", "keywords": ["telefon"]},
                   {"id": "annet", "label": "Annet", "description": "Annet", "exclusive": True}]}
OTHER = "elsewhere:4242:live"  # a live server on another host (its heartbeat fresh)


@pytest.fixture
def stored_job(sqlite_url, tmp_path):
    """(database url, id of a default-model coding job on a wave of 30 rows), made by a server with no runner."""
    app = create_app(make_settings(sqlite_url, tmp_path, run_jobs=False, warmup=False))
    with TestClient(app) as client:
        keys = issue_keys(app)
        sid = create_survey(client, keys["analyst"])
        r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(30)), "w.csv", "2022")
        assert r.status_code == 201, r.text
        with app.state.db.session() as s:
            job, _ = store.start_job(s, r.json()["id"], None, None, default_identity=app.state.coders.default_identity)
            job_id = job.id
    app.state.db.dispose()
    return sqlite_url, job_id


def _jobs(app) -> list[tuple]:
    with app.state.db.session() as s:
        return [(j.id, j.state, j.worker) for j in s.query(CodingJob).order_by(CodingJob.id)]


def _idle(app) -> bool:
    """The runner has nothing left to run (seen twice, a moment apart: a job just taken off the queue)."""
    runner = app.state.jobs
    for _ in range(2):
        if runner.current is not None or not runner._queue.empty():
            return False
        time.sleep(0.2)
    return True


def _start_lines(url, tmp_path, caplog, settled=_idle) -> tuple[list[str], list[tuple]]:
    """Start a server with a job runner on ``url``; its textmine.service lines at start, and its coding jobs
    (id, state, worker) once ``settled(app)`` (at most 20 s)."""
    app = create_app(make_settings(url, tmp_path, warmup=False))
    with caplog.at_level(logging.INFO, logger="textmine.service"), TestClient(app):
        deadline = time.monotonic() + 20
        while not settled(app) and time.monotonic() < deadline:
            time.sleep(0.05)
        lines = [r.getMessage() for r in caplog.records if r.name == "textmine.service"]
        seen = _jobs(app)
    return lines, seen


def test_a_job_another_server_codes_is_named_as_waiting_not_resumed_and_left_to_it(stored_job, tmp_path, caplog):
    url, job_id = stored_job
    app = create_app(make_settings(url, tmp_path, run_jobs=False, warmup=False))
    with app.state.db.session() as s:
        job = s.get(CodingJob, job_id)
        job.state, job.worker, job.heartbeat_at = "running", OTHER, utcnow()
    app.state.db.dispose()
    lines, seen = _start_lines(url, tmp_path, caplog)
    assert (f"coding jobs waiting to be resumed: [{job_id}] (this or another server will take them)"
            in lines), lines
    assert not any(line.startswith("resumed coding jobs") for line in lines), lines
    assert seen == [(job_id, "running", OTHER)]  # the other server keeps it: nothing was resumed here


def test_a_queued_job_is_named_at_start_and_coded_by_this_server(stored_job, tmp_path, caplog):
    url, job_id = stored_job
    lines, seen = _start_lines(url, tmp_path, caplog, settled=lambda app: _jobs(app)[0][1] == "done")
    assert f"coding jobs waiting to be resumed: [{job_id}] (this or another server will take them)" in lines, lines
    assert seen[0][:2] == (job_id, "done")


def test_no_line_when_no_job_waits(sqlite_url, tmp_path, caplog):
    lines, _ = _start_lines(sqlite_url, tmp_path, caplog)
    assert not any("coding jobs" in line for line in lines), lines


# ---------------------------------------------------------------- too_few_theme_examples names the labels
def _corrected(client, keys, codebook: dict, themes: list[str]) -> int:
    """A codebook stored, and one correction per entry of ``themes`` on a wave's answers; the codebook's id."""
    from conftest import uploaded_wave
    from sqlalchemy import select

    from service.db.models import Response

    a = hdr(keys["analyst"])
    cb_id = client.post("/codebooks", json=codebook, headers=a).json()["id"]
    wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(40), "2022")
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == wave, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(len(themes))).all()
    assert len(ids) == len(themes)
    for rid, theme in zip(ids, themes):
        r = client.post(f"/responses/{rid}/codes", json={"themes": [theme], "codebook_id": cb_id}, headers=a)
        assert r.status_code == 201, r.text
    return cb_id


def test_too_few_theme_examples_names_each_theme_by_id_and_label_with_its_count(client, keys):
    cb_id = _corrected(client, keys, MINI, ["ventetid", "annet"] * 3 + ["telefon"])
    r = client.post("/models", json={"min_examples": 5, "codebook_id": cb_id}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "too_few_theme_examples"
    assert "too few for: telefon (Telefon og tilgjengelighet): 1 of 3" in err["message"], err["message"]
    assert "ventetid" not in err["message"].split("too few for:")[1]  # only the thin themes are named
    assert err["details"] == {"themes": {"telefon": 1}, "labels": {"telefon": "Telefon og tilgjengelighet"},
                              "needed": 3}


# ---------------------------------------------------------------- the panel follows a training after a reload
def _panel(page: str) -> dict:
    m = re.search(r"<section[^>]*id=\"train\"[^>]*data-train='([^']*)'", page)
    assert m, page[:500]
    return json.loads(html.unescape(m.group(1)))


def _training(app, codebook_id: int, state: str) -> int:
    with app.state.db.session() as s:
        job = TrainingJob(codebook_id=codebook_id, state=state, min_examples=20, min_theme_examples=3)
        s.add(job)
        s.flush()
        return job.id


def test_the_panel_is_told_the_codebooks_running_else_oldest_queued_training(sqlite_url, tmp_path):
    app = create_app(make_settings(sqlite_url, tmp_path, run_jobs=False, warmup=False))
    with TestClient(app) as client:
        keys = issue_keys(app)
        r = client.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False)
        assert r.status_code == 303, r.text
        with app.state.db.session() as s:
            default_id = store.default_codebook_row(s).id
        other = client.post("/codebooks", json=MINI, headers=hdr(keys["analyst"])).json()["id"]
        assert _panel(client.get("/ui/review").text)["active_job_id"] is None
        _training(app, default_id, "done")
        _training(app, other, "running")  # another codebook's: not this panel's
        assert _panel(client.get("/ui/review").text)["active_job_id"] is None
        first = _training(app, default_id, "queued")
        _training(app, default_id, "queued")
        assert _panel(client.get("/ui/review").text)["active_job_id"] == first
        running = _training(app, default_id, "running")
        assert _panel(client.get("/ui/review").text)["active_job_id"] == running
