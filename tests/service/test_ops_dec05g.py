"""Start-up checks of the heavy-request limit, and the ``textmine_database_up`` gauge of /metrics.

Was: the heavy-request limit was made at the first summary, quote or report, so a bad
``TEXTMINE_HEAVY_CONCURRENCY`` / ``TEXTMINE_HEAVY_WAIT_SECONDS`` showed up as a 500 on that request, not at start.
/metrics had no series saying whether the database answers."""

from __future__ import annotations

import threading

import pytest
from conftest import hdr, issue_keys
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from service import limits
from service.db.session import make_engine
from service.routers import health

BAD = [(limits.CONCURRENCY_ENV, "abc"), (limits.CONCURRENCY_ENV, "-3"), (limits.CONCURRENCY_ENV, "0"),
       (limits.CONCURRENCY_ENV, "2.5"), (limits.WAIT_ENV, "abc"), (limits.WAIT_ENV, "-3"), (limits.WAIT_ENV, "nan")]


@pytest.fixture
def heavy_env(monkeypatch):
    """Neither heavy setting set; returns monkeypatch to set them."""
    monkeypatch.delenv(limits.CONCURRENCY_ENV, raising=False)
    monkeypatch.delenv(limits.WAIT_ENV, raising=False)
    return monkeypatch


# ---------------------------------------------------------------- 1. the heavy limit is checked at start
@pytest.mark.parametrize("name, value", BAD)
def test_a_bad_heavy_setting_fails_create_app_naming_the_variable_value_and_what_is_expected(
        app_factory, heavy_env, name, value):
    heavy_env.setenv(name, value)
    with pytest.raises(ValueError) as caught:
        app_factory()
    message = str(caught.value)
    assert message.startswith(f"{name} must be "), message
    assert repr(value) in message and "at least" in message, message


def test_a_bad_heavy_setting_fails_before_the_store_is_created(sqlite_url, tmp_path, heavy_env):
    from conftest import make_settings

    from service.app import create_app

    heavy_env.setenv(limits.CONCURRENCY_ENV, "many")
    with pytest.raises(ValueError, match=limits.CONCURRENCY_ENV):
        create_app(make_settings(sqlite_url, tmp_path))
    assert not (tmp_path / "store.db").exists()


def test_good_heavy_settings_are_read_at_start_not_at_the_first_request(app_factory, heavy_env):
    heavy_env.setenv(limits.CONCURRENCY_ENV, "3")
    heavy_env.setenv(limits.WAIT_ENV, "7.5")
    app = app_factory()
    limit = app.state.heavy_limit
    assert (limit.slots, limit.wait_seconds) == (3, 7.5)
    heavy_env.setenv(limits.CONCURRENCY_ENV, "abc")  # read once, at start: a later change is not seen (nor fails)
    assert limits.heavy_limit(app) is limit


def test_the_default_limit_is_the_cpu_count(app_factory, heavy_env):
    limit = app_factory().state.heavy_limit
    assert (limit.slots, limit.wait_seconds) == (limits.cpu_count(), limits.DEFAULT_WAIT_SECONDS)


def test_an_app_built_without_the_limit_makes_it_on_first_use(heavy_env):
    heavy_env.setenv(limits.CONCURRENCY_ENV, "2")
    bare = FastAPI()
    limit = limits.heavy_limit(bare)
    assert limit.slots == 2 and limits.heavy_limit(bare) is limit and bare.state.heavy_limit is limit


def test_the_limit_made_at_start_is_the_one_the_routes_use(app_factory, heavy_env, monkeypatch):
    """A summary request holds a slot of ``app.state.heavy_limit`` (not of another limit made on the way)."""
    from conftest import issue_keys

    from service import store

    heavy_env.setenv(limits.CONCURRENCY_ENV, "1")
    seen = {}
    app = app_factory()

    def summary(session, wave_id, *a, **kw):
        seen["free"] = app.state.heavy_limit._sem._value  # slots free while the summary computes
        return {"wave_id": wave_id, "compare_wave_id": None, "compare_job_id": None, "coding_jobs": {},
                "coding_models": {}, "summary": {"tables": {}}}

    monkeypatch.setattr(store, "wave_summary", summary)
    with TestClient(app) as client:
        keys = issue_keys(app)
        assert client.get("/waves/1/summary", headers=hdr(keys["reader"])).status_code == 200
    assert seen == {"free": 0}
    assert app.state.heavy_limit._sem._value == 1  # given back


def test_serve_with_a_bad_heavy_setting_exits_2_with_one_line(tmp_path, heavy_env):
    import socket

    import uvicorn
    from typer.testing import CliRunner

    from textmine.cli import app as cli_app

    heavy_env.setenv("TEXTMINE_CODER_FACTORY", "fakes:keyword_coder_factory")
    heavy_env.setenv("TEXTMINE_MODELS_DIR", str(tmp_path / "models"))
    heavy_env.delenv("TEXTMINE_DATABASE_URL", raising=False)
    heavy_env.delenv("TEXTMINE_AUDIT_LOG", raising=False)
    heavy_env.setenv(limits.WAIT_ENV, "-3")
    heavy_env.chdir(tmp_path)
    heavy_env.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("uvicorn.run must not be reached"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = CliRunner().invoke(cli_app, ["serve", "--port", str(port)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert f"error: {limits.WAIT_ENV} must be " in res.output and "'-3'" in res.output, res.output


# ---------------------------------------------------------------- 2. textmine_database_up
def _gauge(text: str, name: str = "textmine_database_up") -> str | None:
    """The value of an unlabelled series, None when absent; also checks its HELP and TYPE lines."""
    lines = text.splitlines()
    values = [line.split(" ", 1)[1] for line in lines if line.startswith(f"{name} ")]
    if not values:
        return None
    assert f"# TYPE {name} gauge" in lines and any(line.startswith(f"# HELP {name} ") for line in lines), text
    assert len(values) == 1, text
    return values[0]


def _break_database(app, tmp_path) -> None:
    """Point the app's store at a file in a folder that is gone: every connection fails (OperationalError)."""
    db = app.state.db
    db.dispose()
    gone = tmp_path / "gone"
    gone.mkdir()
    engine = make_engine(f"sqlite:///{gone / 'store.db'}")
    gone.rmdir()
    db.engine = engine
    db.sessionmaker = sessionmaker(engine, expire_on_commit=False)


def test_database_up_is_1_on_a_working_store(app_factory):
    # no warm-up: its full garbage collection holds the GIL for seconds on a large test-process heap, longer than
    # the probe's 2 s wait, and the gauge would read 0 on a working store
    with TestClient(app_factory(warmup=False)) as client:
        r = client.get("/metrics", headers=hdr(issue_keys(client.app)["reader"]))
    assert r.status_code == 200, r.text
    assert _gauge(r.text) == "1"
    assert 'textmine_coding_jobs{state="queued"} 0' in r.text


def test_database_up_is_0_and_metrics_still_200_when_the_database_is_unreachable(app_factory, tmp_path):
    with TestClient(app_factory(metrics_public=True, warmup=False)) as client:  # a key check needs the database
        assert _gauge(client.get("/metrics").text) == "1"
        _break_database(client.app, tmp_path)
        r = client.get("/metrics")
        ready = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert _gauge(r.text) == "0"
    assert "textmine_coding_jobs{" not in r.text  # no job counts read from a database that is down
    assert _gauge(r.text, "textmine_model_ready") is not None  # the rest of the page is still there
    assert ready.status_code == 503 and ready.json()["database"] is False  # the same check as /readyz


def test_database_up_is_0_when_the_check_raises(app_factory, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def down(db):
        raise OperationalError("select 1", {}, Exception("connection refused"))

    with TestClient(app_factory(metrics_public=True)) as client:
        monkeypatch.setattr(client.app.state.db, "session", down)
        r = client.get("/metrics")
    assert r.status_code == 200 and _gauge(r.text) == "0", r.text


def test_a_hanging_database_costs_metrics_the_probe_timeout_and_one_thread(app_factory, monkeypatch):
    """The check waits at most its timeout; a check still running is waited on by the next scrape, not doubled."""
    release = threading.Event()
    calls = []

    def hangs(db):
        calls.append(1)
        release.wait(30)  # a safety net only: the test sets it
        return True

    with TestClient(app_factory(metrics_public=True)) as client:
        client.app.state.db_probe.timeout = 0.05
        monkeypatch.setattr(health, "database_answers", hangs)
        try:
            first = client.get("/metrics")
            second = client.get("/metrics")
            still_hanging = not release.is_set()
        finally:
            release.set()
    assert still_hanging  # both answered while the check was still waiting for the database
    assert first.status_code == second.status_code == 200
    assert _gauge(first.text) == _gauge(second.text) == "0"
    assert "textmine_coding_jobs{" not in first.text  # nor did the job counts wait for it
    assert len(calls) == 1
