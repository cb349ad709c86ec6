"""Ctrl-C (or SIGTERM) during ``textmine store code``: the job is left "queued", never "running" forever, with every
finished chunk kept; the rerun (or the server's next start) resumes it and codes each response exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3

import pytest
from conftest import SURVEY_YAML, _library_cleaner_available, sample_frame, to_csv_bytes
from typer.testing import CliRunner


def run_cli(*args):
    """``textmine ARGS…`` in-process (as tests/clitools.py, which this folder cannot import)."""
    from textmine.cli import app

    return CliRunner().invoke(app, [*map(str, args)])


@pytest.fixture
def store(tmp_path, monkeypatch):
    """./textmine.db with survey 1 and wave 1 (40 respondents), not coded; coding in chunks of 4."""
    monkeypatch.setenv("TEXTMINE_CODER_FACTORY", "fakes:keyword_coder_factory")
    monkeypatch.setenv("TEXTMINE_JOB_CHUNK_SIZE", "4")
    monkeypatch.delenv("TEXTMINE_DATABASE_URL", raising=False)
    if not _library_cleaner_available():
        monkeypatch.setenv("TEXTMINE_CLEANER_FACTORY", "fakes:regex_cleaner")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wave.csv").write_bytes(to_csv_bytes(sample_frame(40)))
    assert run_cli("store", "survey-create", "arbeidsgiver", "--definition", SURVEY_YAML).exit_code == 0
    assert run_cli("store", "upload", "1", tmp_path / "wave.csv").exit_code == 0
    return tmp_path / "textmine.db"


def _stop_after_first_chunk(monkeypatch, stop) -> None:
    """The coder's second call (the second chunk) runs ``stop`` instead of coding; the others code."""
    from service import library

    real, calls = library.predict, []

    def predict(coder, texts, questions=None):
        calls.append(len(texts))
        if len(calls) == 2:
            stop()
        return real(coder, texts, questions)

    monkeypatch.setattr(library, "predict", predict)


def _rows(path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _assert_resumed_exactly_once(store) -> None:
    res = run_cli("store", "code", "1")
    assert res.exit_code == 0 and "job id=1 done" in res.output, res.output
    (total,), = _rows(store, "select count(*) from responses where wave_id = 1")
    assert _rows(store, "select state, done, total from coding_jobs") == [("done", total, total)]
    assert _rows(store, "select count(distinct response_id), count(*) from coding_results") == [(total, total)]


def _raise_keyboard_interrupt():
    raise KeyboardInterrupt


def test_ctrl_c_leaves_the_job_queued_with_its_chunks_and_the_rerun_resumes_it(store, monkeypatch):
    _stop_after_first_chunk(monkeypatch, _raise_keyboard_interrupt)
    res = run_cli("store", "code", "1")
    assert res.exit_code == 130, res.output
    assert "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if "interrupted" in line]
    assert len(lines) == 1, res.output  # one line: interrupted, how much is stored, how to resume
    (total,), = _rows(store, "select count(*) from responses where wave_id = 1")
    assert f"4 of {total} responses coded and stored" in lines[0] and "`textmine store code 1`" in lines[0], lines[0]
    assert _rows(store, "select state, done, chunks_done from coding_jobs") == [("queued", 4, 1)]
    assert _rows(store, "select count(*) from coding_results") == [(4,)]
    assert "\tqueued\t4/" in run_cli("store", "jobs").output

    _assert_resumed_exactly_once(store)  # the coder's later calls code normally


def test_a_server_shows_the_interrupted_job_queued_and_resumes_it_at_start(store, monkeypatch, tmp_path):
    from fastapi.testclient import TestClient

    from conftest import hdr, issue_keys, make_settings, wait_job
    from service.app import create_app

    _stop_after_first_chunk(monkeypatch, _raise_keyboard_interrupt)
    assert run_cli("store", "code", "1").exit_code == 130
    url = f"sqlite:///{store}"
    idle = create_app(make_settings(url, tmp_path, run_jobs=False, warmup=False))
    with TestClient(idle) as c:
        job = c.get("/jobs/1", headers=hdr(issue_keys(idle)["reader"])).json()
    assert (job["state"], job["done"]) == ("queued", 4)
    app = create_app(make_settings(url, tmp_path, warmup=False))  # a (re)started server resumes queued jobs
    with TestClient(app) as c:
        job = wait_job(c, issue_keys(app)["reader"], 1)
    (total,), = _rows(store, "select count(*) from responses where wave_id = 1")
    assert (job["state"], job["done"], job["total"]) == ("done", total, total)
    assert _rows(store, "select count(distinct response_id), count(*) from coding_results") == [(total, total)]


def test_a_running_server_starts_the_interrupted_job_when_it_is_requested_again(store, monkeypatch, tmp_path):
    from fastapi.testclient import TestClient

    from conftest import hdr, issue_keys, make_settings, wait_job
    from service import library
    from service.app import create_app

    real_predict = library.predict
    app = create_app(make_settings(f"sqlite:///{store}", tmp_path, warmup=False))
    with TestClient(app) as c:  # the server is up (nothing to resume) when the CLI run is interrupted
        keys = issue_keys(app)
        _stop_after_first_chunk(monkeypatch, _raise_keyboard_interrupt)
        assert run_cli("store", "code", "1").exit_code == 130
        monkeypatch.setattr(library, "predict", real_predict)  # the server's coder codes normally
        r = c.post("/waves/1/coding-jobs", headers=hdr(keys["analyst"]), json={})
        assert r.status_code == 200 and r.json()["id"] == 1, r.text  # the same job, not a new one
        job = wait_job(c, keys["reader"], 1)
    (total,), = _rows(store, "select count(*) from responses where wave_id = 1")
    assert (job["state"], job["done"], job["total"]) == ("done", total, total)
    assert _rows(store, "select count(distinct response_id), count(*) from coding_results") == [(total, total)]


def test_resume_command_keeps_the_codebook_and_drops_force(store, monkeypatch):
    from textmine.paths import DEFAULT_CODEBOOK

    assert "codebook id=1" in run_cli("store", "codebook-add", DEFAULT_CODEBOOK).output
    _stop_after_first_chunk(monkeypatch, _raise_keyboard_interrupt)
    res = run_cli("store", "code", "1", "--codebook-id", "1", "--force")
    assert res.exit_code == 130, res.output
    assert "`textmine store code 1 --codebook-id 1`" in res.output, res.output
    assert _rows(store, "select state from coding_jobs") == [("queued",)]


def test_sigterm_is_handled_like_ctrl_c(store, monkeypatch):
    def unhandled(_signum, _frame):  # where the command installs no handler of its own, fail (not die)
        raise AssertionError("SIGTERM reached the test process: `store code` did not handle it")

    previous = signal.signal(signal.SIGTERM, unhandled)
    try:
        _stop_after_first_chunk(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGTERM))
        res = run_cli("store", "code", "1")
        assert signal.getsignal(signal.SIGTERM) is unhandled  # restored afterwards
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert res.exit_code == 143, (res.output, res.exception)
    assert "interrupted (SIGTERM)" in res.output and "store code 1" in res.output, res.output
    assert _rows(store, "select state, done from coding_jobs") == [("queued", 4)]
