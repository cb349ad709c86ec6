"""Coding jobs against an unreliable database and several servers: a connection error is retried, a long outage
puts the job back to "queued" (never failed, never running forever), a job left by a killed server is claimed by
another one through its lease (never two at once), migrations of processes starting together do not race, and an
outage answers 503 ``database_unavailable``."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from conftest import create_survey, hdr, issue_keys, make_settings, postgres_url_or_skip, reset_postgres
from conftest import sample_frame, to_csv_bytes, upload
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from conftest import move_store

import service.jobs as jobs
from service import store
from service.app import create_app
from service.db.models import CodingJob, CodingResult, Response, utcnow
from service.db.session import Database, make_engine


CHUNK = 3  # responses per chunk


def _lost(what: str = "server closed the connection unexpectedly") -> OperationalError:
    return OperationalError("UPDATE coding_jobs …", {}, Exception(what))


@pytest.fixture
def store_app(db_url, tmp_path):
    """An app (no job runner) with a wave of 60 respondents and a queued default-model job on it; (app, job id)."""
    app = create_app(make_settings(db_url, tmp_path, run_jobs=False, warmup=False))
    with TestClient(app) as client:
        keys = issue_keys(app)
        sid = create_survey(client, keys["analyst"])
        r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(60)), "w.csv", "2022")
        assert r.status_code == 201, r.text
        with app.state.db.session() as s:
            job, _ = store.start_job(s, r.json()["id"], None, None, default_identity=app.state.coders.default_identity)
            job_id = job.id
        app.state.test_keys = keys
        yield app, job_id


def _job(app, job_id: int) -> CodingJob:
    with app.state.db.session() as s:
        return s.get(CodingJob, job_id)


def _wait_for_state(app, job_id: int, state: str, seconds: float) -> str:
    """Poll the job until it is in ``state`` or ``seconds`` have passed; the state it was last seen in."""
    deadline = time.monotonic() + seconds
    while (seen := _job(app, job_id).state) != state and time.monotonic() < deadline:
        time.sleep(0.05)
    return seen


def _results(app, job_id: int) -> tuple[int, int, int]:
    """(results, distinct responses among them, responses of the job's wave)."""
    with app.state.db.session() as s:
        wave_id = s.get(CodingJob, job_id).wave_id
        n, distinct = s.execute(select(func.count(), func.count(func.distinct(CodingResult.response_id)))
                                .where(CodingResult.job_id == job_id)).one()
        total = s.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave_id))
        return n, distinct, total


def _assert_done_exactly_once(app, job_id: int) -> None:
    job = _job(app, job_id)
    n, distinct, total = _results(app, job_id)
    assert (job.state, job.error, job.done, job.total) == ("done", None, total, total), vars(job)
    assert n == distinct == total, (n, distinct, total)


def _fail_first(monkeypatch, name: str, times: int, exc_factory=_lost) -> list[int]:
    """``jobs.<name>`` raises a connection error on its first ``times`` calls, then works; the calls made."""
    real, calls = getattr(jobs, name), []

    def flaky(*a, **kw):
        calls.append(1)
        if len(calls) <= times:
            raise exc_factory()
        return real(*a, **kw)

    monkeypatch.setattr(jobs, name, flaky)
    return calls


# ---------------------------------------------------------------- retry, outage, dropped connection
def test_a_chunk_commit_that_fails_twice_on_the_connection_is_retried_and_the_job_finishes(store_app, monkeypatch):
    app, job_id = store_app
    calls = _fail_first(monkeypatch, "_store_chunk", 2)
    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK, retry_seconds=30) == "done"
    total = _results(app, job_id)[2]
    assert total > 3 * CHUNK and len(calls) == 2 + -(-total // CHUNK)  # every chunk stored once, the first one tried 3 times
    _assert_done_exactly_once(app, job_id)


def test_a_database_down_longer_than_the_retries_puts_the_job_back_to_queued_not_failed(store_app, monkeypatch):
    app, job_id = store_app
    real_pending, calls = jobs._pending, []

    def pending(*a, **kw):  # the first chunk is stored, then the database goes away for good
        calls.append(1)
        if len(calls) > 1:
            raise _lost("connection refused")
        return real_pending(*a, **kw)

    monkeypatch.setattr(jobs, "_pending", pending)
    started = time.monotonic()
    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK, retry_seconds=1.0) == "queued"
    assert 0.9 < time.monotonic() - started < 10
    job = _job(app, job_id)
    assert (job.state, job.error, job.done, job.chunks_done) == ("queued", None, CHUNK, 1), vars(job)
    monkeypatch.setattr(jobs, "_pending", real_pending)  # the database is back: the job resumes, exactly once
    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK) == "done"
    _assert_done_exactly_once(app, job_id)


def test_the_runner_resumes_a_job_after_an_outage_without_a_restart_or_a_new_post(store_app, monkeypatch):
    """The outage outlasts the retries (the job goes back to "queued"), then the database answers again: the
    runner's poll claims the job and finishes it."""
    app, job_id = store_app
    down = threading.Event()
    down.set()
    real_pending = jobs._pending

    def pending(*a, **kw):
        if down.is_set():
            raise _lost("connection refused")
        return real_pending(*a, **kw)

    monkeypatch.setattr(jobs, "_pending", pending)
    runner = jobs.JobRunner(app.state.db, app.state.coders, CHUNK, poll_seconds=0.2, retry_seconds=0.3)
    runner.start()
    try:
        runner.submit(job_id)
        assert _wait_for_state(app, job_id, "queued", 10) == "queued"
        down.clear()
        _wait_for_state(app, job_id, "done", 20)
    finally:
        runner.stop()
    _assert_done_exactly_once(app, job_id)


def test_the_runner_poll_outlives_a_database_error(store_app, monkeypatch):
    app, job_id = store_app
    runner = jobs.JobRunner(app.state.db, app.state.coders, CHUNK)
    _fail_first(monkeypatch, "claim_next_job", 1)
    assert runner.poll() is None  # logged, not raised
    assert runner.poll() == job_id


def test_a_new_job_takes_over_the_results_of_a_failed_one(store_app, monkeypatch):
    app, job_id = store_app
    real, calls = jobs.library.predict, []

    def predict(coder, texts, questions=None):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("coder crashed")
        return real(coder, texts, questions)

    monkeypatch.setattr(jobs.library, "predict", predict)
    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK) == "failed"
    assert _job(app, job_id).done == 2 * CHUNK
    monkeypatch.setattr(jobs.library, "predict", real)
    with app.state.db.session() as s:
        new, created = store.start_job(s, _job(app, job_id).wave_id, None, None,
                                       default_identity=app.state.coders.default_identity)
        new_id = new.id
    assert created and new_id != job_id and _job(app, new_id).done == 2 * CHUNK
    coded = []
    monkeypatch.setattr(jobs.library, "predict", lambda c, t, q=None: coded.append(len(t)) or real(c, t, q))
    assert jobs.run_job(app.state.db, app.state.coders, new_id, CHUNK) == "done"
    assert sum(coded) == _results(app, new_id)[2] - 2 * CHUNK  # only the rest is coded again
    assert _results(app, job_id)[0] == 0 and _job(app, job_id).done == 0
    _assert_done_exactly_once(app, new_id)


# ---------------------------------------------------------------- leases: several servers
def _set(app, job_id: int, **columns) -> None:
    with app.state.db.session() as s:
        job = s.get(CodingJob, job_id)
        for name, value in columns.items():
            setattr(job, name, value)


def test_a_job_left_running_by_a_killed_server_is_claimed_by_another_runner(store_app):
    app, job_id = store_app
    _set(app, job_id, state="running", worker="elsewhere:4242:dead", heartbeat_at=utcnow() - timedelta(seconds=300))
    runner = jobs.JobRunner(app.state.db, app.state.coders, CHUNK, poll_seconds=0.1)
    runner.start()
    try:
        _wait_for_state(app, job_id, "done", 20)
    finally:
        runner.stop()
    _assert_done_exactly_once(app, job_id)
    assert _job(app, job_id).worker == runner.worker


def test_a_job_with_a_fresh_lease_is_left_to_its_server(store_app):
    app, job_id = store_app
    _set(app, job_id, state="running", worker="elsewhere:4242:live", heartbeat_at=utcnow())
    runner = jobs.JobRunner(app.state.db, app.state.coders, CHUNK)
    assert runner.poll() is None
    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK, wait=False) == "running"
    assert _results(app, job_id)[0] == 0 and _job(app, job_id).worker == "elsewhere:4242:live"


def test_two_runners_never_both_claim_one_job(store_app):
    app, job_id = store_app
    workers = [jobs.worker_id() for _ in range(6)]
    wins: list[str] = []
    barrier = threading.Barrier(len(workers))

    def claim(worker):
        barrier.wait()
        if jobs.claim_job(app.state.db, job_id, worker):
            wins.append(worker)

    threads = [threading.Thread(target=claim, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(wins) == 1, wins
    assert _job(app, job_id).worker == wins[0]
    assert jobs.claim_next_job(app.state.db, workers[-1] + "x") is None  # fresh lease: nothing to claim


def test_a_worker_whose_lease_was_taken_over_stores_no_further_chunk(store_app):
    app, job_id = store_app

    def taken_over(_job_row):  # after the first chunk another server takes the lease (this one looked gone)
        _set(app, job_id, worker="elsewhere:1:new", heartbeat_at=utcnow())

    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK, on_chunk=taken_over) == "running"
    assert _results(app, job_id)[0] == CHUNK and _job(app, job_id).worker == "elsewhere:1:new"


def test_the_running_job_keeps_its_heartbeat_fresh_during_a_long_chunk(store_app, monkeypatch):
    app, job_id = store_app
    real, beats = jobs.library.predict, []

    def slow(coder, texts, questions=None):
        first = _job(app, job_id).heartbeat_at
        time.sleep(0.5)
        beats.append((first, _job(app, job_id).heartbeat_at))
        return real(coder, texts, questions)

    monkeypatch.setattr(jobs.library, "predict", slow)
    assert jobs.run_job(app.state.db, app.state.coders, job_id, 100, lease=0.4) == "done"
    first, later = beats[0]
    assert later > first, beats


def test_migration_0009_adds_the_lease_columns_keeping_every_coding_job(store_app, db_url):
    app, job_id = store_app
    _set(app, job_id, state="running")
    app.state.db.dispose()
    move_store(db_url, "0008", down=True)
    engine = make_engine(db_url)
    assert not {"worker", "heartbeat_at"} & {c["name"] for c in inspect(engine).get_columns("coding_jobs")}
    engine.dispose()
    db = Database(db_url)
    try:
        with db.session() as s:
            rows = [(j.id, j.state, j.worker, j.heartbeat_at) for j in s.scalars(select(CodingJob))]
        assert rows == [(job_id, "running", None, None)]
        assert jobs.claim_next_job(db, "me:1:x") == job_id  # a job from before 0009 has no lease: claimable
    finally:
        db.dispose()


# ---------------------------------------------------------------- 503 during an outage
def test_an_outage_answers_503_database_unavailable_with_retry_after(store_app, monkeypatch):
    app, _job_id = store_app
    keys = app.state.test_keys
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200

        def down(*_a, **_kw):
            raise _lost("connection refused")

        monkeypatch.setattr(app.state.db, "sessionmaker", down)
        r = client.get("/surveys", headers=hdr(keys["reader"]))
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "5"
        body = r.json()
        assert body["error"]["code"] == "database_unavailable" and body["error"]["details"] == {"retry_after": 5}
        assert "connection refused" not in r.text

        def broken(*_a, **_kw):  # a failing statement is no outage: still a 500
            raise IntegrityError("INSERT …", {}, Exception("duplicate key"))

        monkeypatch.setattr(app.state.db, "sessionmaker", broken)
        r = client.get("/surveys", headers=hdr(keys["reader"]))
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error", r.text


# ---------------------------------------------------------------- engine settings
def test_pool_and_timeouts_come_from_the_environment_and_are_checked(monkeypatch):
    url = "postgresql+psycopg://u:p@127.0.0.1:9/none"  # never connected to
    engine = make_engine(url)
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout) == (10, 20, 30.0)
    assert engine.pool._pre_ping
    monkeypatch.setenv("TEXTMINE_DB_POOL_SIZE", "3")
    monkeypatch.setenv("TEXTMINE_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("TEXTMINE_DB_POOL_TIMEOUT", "2.5")
    engine = make_engine(url)
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout) == (3, 0, 2.5)
    assert make_engine(url, pool_size=4).pool.size() == 4
    for name, value in (("TEXTMINE_DB_POOL_SIZE", "many"), ("TEXTMINE_DB_POOL_SIZE", "2.5"),
                        ("TEXTMINE_DB_STATEMENT_TIMEOUT", "-1"), ("TEXTMINE_DB_CONNECT_TIMEOUT", "0")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError, match=name):
            make_engine(url)
        monkeypatch.delenv(name)


@pytest.mark.postgres
def test_postgres_statement_and_connect_timeouts(monkeypatch):
    url = postgres_url_or_skip()
    monkeypatch.setenv("TEXTMINE_DB_STATEMENT_TIMEOUT", "1")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "1s"
            started = time.monotonic()
            with pytest.raises(OperationalError):
                conn.execute(text("SELECT pg_sleep(5)"))
            assert time.monotonic() - started < 4
    finally:
        engine.dispose()
    monkeypatch.delenv("TEXTMINE_DB_STATEMENT_TIMEOUT")
    engine = make_engine(url.replace("@127.0.0.1:", "@10.255.255.1:").rsplit(":", 1)[0] + ":5432/x",
                         connect_timeout=1)
    started = time.monotonic()
    with pytest.raises(OperationalError):
        engine.connect()
    assert time.monotonic() - started < 4
    engine.dispose()


MIGRATE_AT = """
import sys, time
from service.db.session import make_engine, migrate
engine = make_engine(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # every process starts migrating at the same moment
migrate(engine)
"""


@pytest.mark.postgres
def test_processes_migrating_together_on_postgres_do_not_race(tmp_path):
    """Four server processes starting together on an empty PostgreSQL database: each one migrates (or finds the
    schema current) without a duplicate type or column error."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    url = postgres_url_or_skip()
    reset_postgres(url)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    start_at = str(time.time() + 6)
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE_AT, url, start_at], cwd=root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(4)]
    outs = []
    for proc in procs:
        try:
            outs.append((proc.wait(90), proc.stdout.read()[-600:]))
        except subprocess.TimeoutExpired:
            proc.kill()
            outs.append(("timeout", proc.stdout.read()[-600:]))
    assert [rc for rc, _ in outs] == [0, 0, 0, 0], outs
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from service.db.session import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = make_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert version == ScriptDirectory.from_config(cfg).get_current_head()


@pytest.mark.postgres
def test_a_killed_postgres_connection_mid_chunk_is_retried_exactly_once(store_app, db_url, monkeypatch):
    """pg_terminate_backend on the job's own connection inside a chunk's transaction (as a failover or a
    pgbouncer restart does): the chunk is retried on a fresh connection and the job finishes, exactly once."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    app, job_id = store_app
    real, killed = jobs._insert_new_results, []

    def insert(s, rows):
        if not killed:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
            admin = make_engine(db_url)
            with admin.begin() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.dispose()
            killed.append(pid)
        return real(s, rows)

    monkeypatch.setattr(jobs, "_insert_new_results", insert)
    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK) == "done"
    assert killed
    _assert_done_exactly_once(app, job_id)


# ---------------------------------------------------------------- a job left by a killed process of this host
def _ended_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_job_left_running_by_a_killed_local_process_is_resumed_at_once(store_app):
    import socket

    app, job_id = store_app
    dead = f"{socket.gethostname()}:{_ended_pid()}:0123456789ab"
    _set(app, job_id, state="running", worker=dead, heartbeat_at=utcnow())  # beating a moment ago: left alone
    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK, wait=False) == "running"
    two_beats = timedelta(seconds=jobs.LEASE_SECONDS / 2 + 1)  # two missed beats; the lease has not run out
    _set(app, job_id, heartbeat_at=utcnow() - two_beats)
    assert jobs.run_job(app.state.db, app.state.coders, job_id, CHUNK, wait=False) == "done"


def test_resume_requeues_only_jobs_of_ended_local_processes(store_app):
    import os
    import socket

    app, job_id = store_app
    live = f"{socket.gethostname()}:{os.getppid()}:0123456789ab"  # a process that runs
    other_host = f"elsewhere.example:{_ended_pid()}:0123456789ab"
    ended = f"{socket.gethostname()}:{_ended_pid()}:0123456789ab"
    two_beats_ago = utcnow() - timedelta(seconds=jobs.LEASE_SECONDS / 2 + 1)
    for worker, beat in ((live, two_beats_ago), (other_host, two_beats_ago), (ended, utcnow())):
        _set(app, job_id, state="running", worker=worker, heartbeat_at=beat)
        assert jobs.release_orphaned(app.state.db) == [] and _job(app, job_id).state == "running", worker
    _set(app, job_id, state="running", worker=ended, heartbeat_at=two_beats_ago)
    assert jobs.release_orphaned(app.state.db) == [job_id] and _job(app, job_id).state == "queued"


def test_the_poll_requeues_a_job_an_ended_local_process_left_before_its_lease_runs_out(store_app):
    """A server restarted right after a ``kill -9`` finds the old job still beating (resume leaves it); its poll
    queues it again once two beats are missed, not after the whole lease (review dec06d: 63 s on PostgreSQL)."""
    import socket

    app, job_id = store_app
    dead = f"{socket.gethostname()}:{_ended_pid()}:0123456789ab"
    _set(app, job_id, state="running", worker=dead, heartbeat_at=utcnow())
    runner = jobs.JobRunner(app.state.db, app.state.coders, CHUNK)
    assert runner.poll() is None and _job(app, job_id).state == "running"  # beating a moment ago: left alone
    _set(app, job_id, heartbeat_at=utcnow() - timedelta(seconds=jobs.LEASE_SECONDS / 2 + 1))
    assert runner.poll() == job_id  # two missed beats, lease not run out: released and claimed by this poll
    assert _job(app, job_id).worker == runner.worker


def test_a_job_of_an_earlier_process_with_this_pid_is_orphaned_but_not_a_live_runners(store_app):
    """A restarted container's server often gets its old pid back (pid 1): a job held under this pid by a worker
    that is none of this process's started runners is released after two missed beats; a started runner's job
    with a late beat is not (review dec06d)."""
    import os
    import socket

    app, job_id = store_app
    earlier = f"{socket.gethostname()}:{os.getpid()}:0123456789ab"
    two_beats_ago = utcnow() - timedelta(seconds=jobs.LEASE_SECONDS / 2 + 1)
    runner = jobs.JobRunner(app.state.db, app.state.coders, CHUNK, poll_seconds=3600)
    runner.start()
    try:
        _set(app, job_id, state="running", worker=runner.worker, heartbeat_at=two_beats_ago)
        assert jobs.release_orphaned(app.state.db) == [] and _job(app, job_id).state == "running"
        _set(app, job_id, state="running", worker=earlier, heartbeat_at=two_beats_ago)
        assert jobs.release_orphaned(app.state.db) == [job_id] and _job(app, job_id).state == "queued"
    finally:
        runner.stop()
