"""Training jobs (``POST /models``) report their progress in steps, as coding jobs do (done/total, an ETA once a
step is done), and a cancelled one (over the API or ``textmine store cancel-training``) stops at its next step,
storing no model and leaving no model folder (migration 0014: ``training_jobs.done``/``total``)."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from conftest import create_survey, hdr, issue_keys, move_store, sample_frame, uploaded_wave, wait_training
from fakes import keyword_coder_factory
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from service import store
from service.db.models import Codebook, Response, TrainedModel, TrainingJob
from service.db.session import make_engine
from textmine.cli import app as cli_app

#: the library's stages as a two-fold fit says them, then saving (service.library.SAVING_MESSAGE)
STAGES = ["cleaning and redacting 6 texts", "embedding 6 texts", "fitting fold 1 of 2 (out-of-fold scores)",
          "fitting fold 2 of 2 (out-of-fold scores)", "calibrating", "fitting the final models on all rows",
          "saving the model"]
TOTAL = 1 + 2 + 3  # preparing, two folds, calibrating, the final fit, saving


def _correct(client, keys, n: int = 6) -> None:
    """A wave and ``n`` corrections of its answers (enough for ``min_examples`` 5)."""
    a = hdr(keys["analyst"])
    wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(60), "2022")
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == wave, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(n)).all()
    for i, rid in enumerate(ids):
        r = client.post(f"/responses/{rid}/codes", json={"themes": [("telefon", "annet")[i % 2]]}, headers=a)
        assert r.status_code == 201, r.text


class Stepping:
    """A stand-in for the library trainer: says the library's stages through ``progress`` and waits at
    ``pause_at`` until released; ``said``: the stages it went past, ``ended``: set when it returns or raises."""

    def __init__(self, monkeypatch, pause_at: str):
        self.pause_at, self.said = pause_at, []
        self.paused, self.release, self.ended = threading.Event(), threading.Event(), threading.Event()
        plain = keyword_coder_factory.train

        def train(codebook, texts, labels, model_dir, progress=None):
            try:
                for stage in STAGES:
                    progress(stage)
                    self.said.append(stage)
                    if stage == pause_at:
                        self.paused.set()
                        assert self.release.wait(30)
                return plain(codebook, texts, labels, model_dir)
            finally:
                self.ended.set()

        monkeypatch.setattr(keyword_coder_factory, "train", train)


def _job(app, job_id: int) -> dict:
    with app.state.db.session() as s:
        return store.training_job_view(s, s.get(TrainingJob, job_id))


def _model_dirs(tmp_path) -> list[str]:
    folder = tmp_path / "models"
    return sorted(p.name for p in folder.glob("model-*")) if folder.exists() else []


def test_a_running_training_reports_done_of_total_steps_and_an_eta(client, keys, monkeypatch):
    _correct(client, keys)
    trainer = Stepping(monkeypatch, pause_at="calibrating")
    r = client.post("/models", json={"min_examples": 5}, headers=hdr(keys["analyst"]))
    job_id = r.json()["id"]
    assert trainer.paused.wait(30)
    running = _job(client.app, job_id)
    # calibrating is under way: preparing and both folds are done
    assert (running["state"], running["done"], running["total"]) == ("running", 3, TOTAL)
    assert running["eta_seconds"] is not None and running["eta_seconds"] >= 0
    over_api = client.get(f"/training-jobs/{job_id}", headers=hdr(keys["analyst"])).json()
    assert (over_api["done"], over_api["total"]) == (3, TOTAL) and over_api["eta_seconds"] is not None
    trainer.release.set()
    done = wait_training(client, keys["analyst"], job_id)
    assert done["state"] == "done" and done["model"] is not None
    finished = _job(client.app, job_id)
    assert (finished["done"], finished["total"], finished["eta_seconds"]) == (TOTAL, TOTAL, 0.0)
    over_api = client.get(f"/training-jobs/{job_id}", headers=hdr(keys["analyst"])).json()
    assert (over_api["done"], over_api["total"], over_api["eta_seconds"]) == (TOTAL, TOTAL, 0.0)


def test_the_eta_is_the_steps_left_at_the_average_rate_so_far():
    start = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
    job = TrainingJob(state="running", started_at=start, done=3, total=8)
    assert store.training_eta(job, now=start + timedelta(seconds=30)) == 50.0  # 10 s a step, 5 steps left
    job.done = 0  # no step done yet: no rate to go by
    assert store.training_eta(job, now=start + timedelta(seconds=30)) is None
    assert store.training_eta(TrainingJob(state="queued")) is None
    assert store.training_eta(TrainingJob(state="cancelled", started_at=start, done=3, total=8)) is None
    assert store.training_eta(TrainingJob(state="done", started_at=start, done=8, total=8)) == 0.0


@pytest.mark.parametrize("how", ["api", "cli"])
def test_a_cancelled_training_stops_at_its_next_step_and_stores_no_model(client, keys, monkeypatch, tmp_path,
                                                                         db_url, how):
    _correct(client, keys)
    trainer = Stepping(monkeypatch, pause_at="fitting fold 1 of 2 (out-of-fold scores)")
    job_id = client.post("/models", json={"min_examples": 5}, headers=hdr(keys["analyst"])).json()["id"]
    assert trainer.paused.wait(30)
    if how == "api":
        r = client.post(f"/training-jobs/{job_id}/cancel", headers=hdr(keys["analyst"]))
        assert r.status_code == 200 and r.json()["state"] == "cancelled", r.text
    else:
        res = CliRunner().invoke(cli_app, ["store", "cancel-training", str(job_id), "--database", db_url])
        assert res.exit_code == 0 and f"training job id={job_id} cancelled" in res.output, res.output
    trainer.release.set()
    assert trainer.ended.wait(30)
    # it stopped as the next step began: the second fold, calibrating, the final fit and saving never ran
    assert trainer.said == STAGES[:3]
    job = _job(client.app, job_id)
    assert (job["state"], job["model"], job["error"]) == ("cancelled", None, None)
    with client.app.state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(TrainedModel)) == 0
    assert _model_dirs(tmp_path) == []
    assert client.get("/models", headers=hdr(keys["reader"])).json()["total"] == 0


def test_cli_cancel_training_as_the_api_a_queued_job_never_starts_a_finished_one_stays(app_factory, db_url):
    app = app_factory(run_jobs=False)
    with TestClient(app) as c:
        keys = issue_keys(app)
        _correct(c, keys)
        with app.state.db.session() as s:
            queued = store.start_training_job(s, app.state.settings, None, None, min_examples=5).id
            finished = store.start_training_job(s, app.state.settings, None, None, min_examples=5)
            finished.state = "failed"
            finished = finished.id
    runner = CliRunner()
    res = runner.invoke(cli_app, ["store", "cancel-training", str(queued), "--json", "--database", db_url])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert body["id"] == queued and body["state"] == "cancelled" and body["model"] is None
    res = runner.invoke(cli_app, ["store", "cancel-training", str(finished), "--database", db_url])
    assert res.exit_code == 0 and f"training job id={finished} failed" in res.output, res.output
    res = runner.invoke(cli_app, ["store", "cancel-training", "99", "--database", db_url])
    assert res.exit_code != 0 and "training job 99 does not exist" in res.output, res.output
    with app.state.db.session() as s:
        assert [s.get(TrainingJob, i).state for i in (queued, finished)] == ["cancelled", "failed"]
        assert s.get(TrainingJob, queued).started_at is None


def test_migration_0014_adds_the_progress_columns_and_keeps_every_job(client, keys, db_url):
    with client.app.state.db.session() as s:
        codebook = Codebook(name="mini", version="1", content={})
        s.add(codebook)
        s.flush()
        s.add(TrainingJob(codebook_id=codebook.id, state="done", done=6, total=6))
    move_store(db_url, "0013", down=True)
    engine = make_engine(db_url)
    try:
        assert not {"done", "total"} & {c["name"] for c in inspect(engine).get_columns("training_jobs")}
    finally:
        engine.dispose()
    move_store(db_url, "head")
    with client.app.state.db.session() as s:
        job = s.scalars(select(TrainingJob)).one()
        assert (job.state, job.done, job.total) == ("done", None, None)  # stored before 0014: no steps known
        assert store.training_job_view(s, job)["done"] == 0


def test_a_database_error_while_storing_progress_does_not_end_the_training():
    """Progress is for show: a store briefly unreachable must not fail a training of minutes (only a job no longer
    running stops it)."""
    from sqlalchemy.exc import OperationalError

    from service import jobs

    class Unreachable:
        def session(self):
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    assert jobs.report_training_progress(Unreachable(), 1, None, 2, 6) is None
