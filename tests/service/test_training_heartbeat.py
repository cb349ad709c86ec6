"""Several servers on one database: a (re)starting server fails only the trainings whose server is gone (no
heartbeat for four beats, or a process of this host that has ended), never another live server's training."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import timedelta

from conftest import hdr, issue_keys, make_settings
from fakes import keyword_coder_factory
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text
from conftest import move_store
from test_training_jobs import _correct, _slow_training

from service import store
from service.app import create_app
from service.db.models import TrainedModel, TrainingJob, utcnow
from service.db.session import Database, make_engine
from service.jobs import INTERRUPTED_TRAINING, TrainingRunner, worker_id


def _job(app, **columns) -> int:
    with app.state.db.session() as s:
        job = store.start_training_job(s, app.state.settings, None, None, min_examples=5)
        for name, value in columns.items():
            setattr(job, name, value)
        s.flush()
        return job.id


def _state(app, job_id: int) -> tuple[str, str | None]:
    with app.state.db.session() as s:
        job = s.get(TrainingJob, job_id)
        return job.state, job.error


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_server_starting_beside_a_live_training_leaves_it_running(client, keys, monkeypatch, app_factory):
    _correct(client, keys)
    started, release = _slow_training(monkeypatch)
    app = client.app
    first = TrainingRunner(app.state.db, app.state.settings)  # server A, training
    first.start()
    try:
        job_id = _job(app)
        first.submit(job_id)
        assert started.wait(30)
        second = app_factory()  # server B starts on the same database: resume() and a heartbeat sweep
        with TestClient(second) as c:
            assert c.get(f"/training-jobs/{job_id}", headers=hdr(keys["analyst"])).json()["state"] == "running"
            other = TrainingRunner(second.state.db, second.state.settings)
            assert other.resume() == ([], []) and other.beat() == []
        assert _state(app, job_id) == ("running", None)
        release.set()
        for _ in range(300):
            if _state(app, job_id)[0] != "running":
                break
            time.sleep(0.1)
        assert _state(app, job_id) == ("done", None)  # A's model is stored, not discarded
        with app.state.db.session() as s:
            assert s.scalar(select(func.count()).select_from(TrainedModel)) == 1
    finally:
        release.set()
        first.stop(timeout=30)


def test_a_training_whose_server_stopped_beating_is_failed_by_another_server(client, keys):
    _correct(client, keys)
    app = client.app
    now = utcnow()
    gone = _job(app, state="running", started_at=now - timedelta(hours=1), worker="host-b:4242:aa11bb22cc33",
                heartbeat_at=now - timedelta(minutes=10))
    alive = _job(app, state="running", started_at=now - timedelta(hours=1), worker="host-c:4242:aa11bb22cc34",
                 heartbeat_at=now - timedelta(seconds=20))
    runner = TrainingRunner(app.state.db, app.state.settings)  # 30 s beats: stale after 120 s
    assert runner.stale_after == 120.0
    assert runner.beat() == [gone]
    assert _state(app, gone) == ("failed", INTERRUPTED_TRAINING)
    assert _state(app, alive) == ("running", None)
    # the same job 100 s later has missed four beats
    from service.jobs import fail_interrupted_training
    assert fail_interrupted_training(app.state.db, stale_after=120.0, now=now + timedelta(seconds=101)) == [alive]


def test_a_training_of_an_ended_process_on_this_host_is_failed_at_start_up_at_once(client, keys):
    _correct(client, keys)
    app = client.app
    host, now = socket.gethostname(), utcnow()
    ended = _job(app, state="running", started_at=now, heartbeat_at=now, worker=f"{host}:{_dead_pid()}:0a0b0c0d0e0f")
    restarted = _job(app, state="running", started_at=now, heartbeat_at=now,  # this pid, not a live runner's token
                     worker=worker_id().rsplit(":", 1)[0] + ":ffffffffffff")
    runner = TrainingRunner(app.state.db, app.state.settings)
    runner.start()
    try:
        mine = _job(app, state="running", started_at=now, heartbeat_at=now, worker=runner.worker)
        failed, _queued = runner.resume()
        assert sorted(failed) == sorted([ended, restarted])
        assert _state(app, mine) == ("running", None)  # a live runner of this process
    finally:
        runner.stop(timeout=5)


def test_the_heartbeat_advances_while_a_model_trains(app_factory, monkeypatch):
    app = app_factory(training_heartbeat_seconds=0.2)
    with TestClient(app) as c:
        keys = issue_keys(app)
        _correct(c, keys)
        started, release = _slow_training(monkeypatch)
        runner = TrainingRunner(app.state.db, app.state.settings)
        runner.start()
        try:
            job_id = _job(app)
            runner.submit(job_id)
            assert started.wait(30)
            with app.state.db.session() as s:
                job = s.get(TrainingJob, job_id)
                first, worker = job.heartbeat_at, job.worker
            assert worker == runner.worker and first is not None
            time.sleep(0.9)
            with app.state.db.session() as s:
                assert s.get(TrainingJob, job_id).heartbeat_at > first
        finally:
            release.set()
            runner.stop(timeout=30)


def test_the_heartbeat_setting_comes_from_the_environment_and_is_checked(monkeypatch):
    from service.settings import Settings

    monkeypatch.setenv("TEXTMINE_TRAINING_HEARTBEAT_SECONDS", "12.5")
    assert Settings.from_env().training_heartbeat_seconds == 12.5
    monkeypatch.setenv("TEXTMINE_TRAINING_HEARTBEAT_SECONDS", "soon")
    try:
        Settings.from_env()
    except ValueError as exc:
        assert "TEXTMINE_TRAINING_HEARTBEAT_SECONDS" in str(exc) and "'soon'" in str(exc)
    else:
        raise AssertionError("a non-number was accepted")


def test_migration_0008_adds_the_heartbeat_columns_keeping_every_training_job(db_url, tmp_path):
    app = create_app(make_settings(db_url, tmp_path, run_jobs=False))
    with TestClient(app) as c:
        keys = issue_keys(app)
        _correct(c, keys)
        legacy = _job(app, state="running", started_at=utcnow())
        done = _job(app, state="cancelled")
    move_store(db_url, "0007", down=True)
    engine = make_engine(db_url)
    assert not {"worker", "heartbeat_at"} & {col["name"] for col in inspect(engine).get_columns("training_jobs")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM training_jobs")).scalar() == 2
    engine.dispose()
    db = Database(db_url)  # back to head: the old jobs have no server and no heartbeat
    try:
        with db.session() as s:
            assert [(j.worker, j.heartbeat_at) for j in s.scalars(select(TrainingJob))] == [(None, None)] * 2
    finally:
        db.dispose()
    app = create_app(make_settings(db_url, tmp_path))  # a running job without heartbeat: failed at start, as before
    with TestClient(app):
        assert _state(app, legacy) == ("failed", INTERRUPTED_TRAINING)
        assert _state(app, done) == ("cancelled", None)
