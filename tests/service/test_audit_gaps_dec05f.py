"""Gaps a re-test found in the audit trail and serve's logs: CLI erasures leave an audit line, UI logins and
``/ui/api/*`` calls name their key, the erasure log line is JSON, uvicorn's lines go through the same handler and
``--log-level debug`` shows the debug lines logged while the app is built."""

from __future__ import annotations

import io
import json
import logging
import os
import pwd
import stat

import pytest
from conftest import cli_with_two_waves, create_survey, jsonl_lines, sample_frame, serve_cli

from service import audit, erasure, logsetup

RID = str(sample_frame(30)["respondent_id"].iloc[0])  # the sample's first respondent


# ---------------------------------------------------------------- 1. CLI erasures are audited
@pytest.fixture
def cli(tmp_path, monkeypatch):
    """A store with survey 1 and waves 1 and 2 made by the CLI, the audit file set; (run, audit file)."""
    run = cli_with_two_waves(tmp_path, monkeypatch)
    path = tmp_path / "log" / "audit.jsonl"
    path.parent.mkdir()
    monkeypatch.setenv(audit.AUDIT_FILE_ENV, str(path))
    return run, path


def test_each_cli_erasure_writes_one_audit_line_with_user_command_ids_and_counts(cli, caplog):
    run, path = cli
    user = pwd.getpwuid(os.geteuid()).pw_name
    with caplog.at_level(logging.INFO, logger="textmine.audit"):
        run("store", "delete-respondent", "1", RID, "--yes")
        run("store", "delete-wave", "2", "--yes")
        run("store", "delete-survey", "1", "--yes")
    lines = jsonl_lines(path)
    assert [(e["source"], e["user"], e["command"], e["ids"], e["dry_run"], e["outcome"]) for e in lines] == [
        ("cli", user, "store delete-respondent", {"survey_id": 1}, False, "done"),
        ("cli", user, "store delete-wave", {"wave_id": 2}, False, "done"),
        ("cli", user, "store delete-survey", {"survey_id": 1}, False, "done")], lines
    assert lines[0]["counts"]["respondents"] == 2 and "responses" in lines[0]["counts"]
    assert lines[1]["counts"]["waves"] == 1 and lines[1]["counts"]["respondents"] == 29
    assert lines[2]["counts"]["surveys"] == 1 and lines[2]["counts"]["waves"] == 1
    assert all(e["time"].endswith("Z") for e in lines)
    text = path.read_text(encoding="utf-8")
    assert RID not in text, text  # never the respondent id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logged = [r.audit for r in caplog.records if r.name == "textmine.audit"]
    assert logged == lines  # the same records on the textmine.audit logger
    assert [json.loads(r.getMessage()) for r in caplog.records if r.name == "textmine.audit"] == lines


def test_purge_dry_run_and_purge_are_audited_with_the_wave_ids(cli):
    run, path = cli
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import create_engine, update

    from service.db.models import Wave

    engine = create_engine(f"sqlite:///{path.parent.parent / 'textmine.db'}")
    with engine.begin() as conn:
        conn.execute(update(Wave).where(Wave.id == 1).values(created_at=datetime.now(timezone.utc)
                                                             - timedelta(days=400)))
    engine.dispose()
    run("store", "purge", "--older-than", "365", "--dry-run")
    run("store", "purge", "--older-than", "365", "--yes")
    run("store", "purge", "--older-than", "365", "--yes")  # the cron route when there is nothing left to purge
    dry, done, nothing = jsonl_lines(path)
    assert (dry["command"], dry["dry_run"], dry["ids"], dry["older_than_days"]) == (
        "store purge", True, {"wave_ids": [1]}, 365), dry
    assert dry["counts"] == {"waves": 1, "respondents": 30, "responses": done["counts"]["responses"]}, dry
    assert (done["dry_run"], done["ids"], done["counts"]["waves"], done["counts"]["respondents"]) == (
        False, {"wave_ids": [1]}, 1, 30), done
    assert done["counts"]["responses"] > 0
    assert (nothing["dry_run"], nothing["ids"], nothing["counts"]["waves"]) == (False, {"wave_ids": []}, 0), nothing


def test_a_refused_cli_erasure_is_audited_and_a_declined_one_is_not(cli):
    run, path = cli
    run("store", "delete-model", "5", "--yes", code=2)
    run("store", "delete-wave", "1", input="n\n", code=1)  # nothing happened: no line
    (line,) = jsonl_lines(path)
    assert (line["command"], line["ids"], line["outcome"], line["error"], line["counts"]) == (
        "store delete-model", {"model_id": 5}, "refused", "unknown_model", {}), line


def test_a_cli_erasure_with_an_unusable_audit_file_deletes_nothing(cli, tmp_path, monkeypatch):
    run, _ = cli
    monkeypatch.setenv(audit.AUDIT_FILE_ENV, str(tmp_path / "missing" / "audit.jsonl"))
    out = run("store", "delete-wave", "1", "--yes", code=2)
    assert "TEXTMINE_AUDIT_LOG" in out and "nothing deleted" in out, out
    monkeypatch.delenv(audit.AUDIT_FILE_ENV)
    assert "waves=1" in run("store", "delete-wave", "1", "--yes")  # wave 1 was still there


def test_cli_audit_record_holds_only_the_fields_given():
    record = audit.cli_record("store delete-wave", {"wave_id": 3}, {"waves": 1}, dry_run=False)
    assert set(record) == {"time", "source", "user", "command", "ids", "counts", "dry_run", "outcome"}
    assert record["source"] == "cli" and record["user"] == pwd.getpwuid(os.geteuid()).pw_name


# ---------------------------------------------------------------- 2. UI requests name their key
def test_a_ui_login_and_ui_api_calls_name_the_key(audited_app):
    client, keys, ids, path = audited_app
    create_survey(client, keys["analyst"])
    before = len(jsonl_lines(path))
    assert client.post("/ui/login", data={"api_key": keys["reader"]}, follow_redirects=False).status_code == 303
    assert client.get("/ui/api/surveys").status_code == 200
    login, *api = jsonl_lines(path)[before:]
    assert (login["route"], login["status"], login["key_id"], login["role"]) == (
        "/ui/login", 303, ids["reader"], "reader"), login
    assert sorted(e["route"] for e in api) == ["/surveys", "/ui/api/{path:path}"], api
    assert all((e["key_id"], e["role"], e["status"]) == (ids["reader"], "reader", 200) for e in api), api
    assert keys["reader"] not in path.read_text(encoding="utf-8")


def test_ui_session_keep_alive_and_logout_name_the_key(audited_app):
    client, keys, ids, path = audited_app
    assert client.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False).status_code == 303
    before = len(jsonl_lines(path))
    assert client.post("/ui/session", headers={"X-Textmine-UI": "1"}).status_code == 200
    assert client.post("/ui/logout", follow_redirects=False).status_code == 303
    lines = jsonl_lines(path)[before:]
    assert [(e["route"], e["status"], e["key_id"], e["role"]) for e in lines] == [
        ("/ui/session", 200, ids["analyst"], "analyst"), ("/ui/logout", 303, ids["analyst"], "analyst")], lines


def test_a_failed_ui_login_and_a_proxy_call_without_a_session_name_no_key(audited_app):
    client, keys, ids, path = audited_app
    before = len(jsonl_lines(path))
    assert client.post("/ui/login", data={"api_key": "tm_nope_nope"}, follow_redirects=False).status_code == 401
    assert client.get("/ui/api/surveys").status_code == 401
    lines = jsonl_lines(path)[before:]
    assert [(e["route"], e["status"], e["key_id"]) for e in lines] == [
        ("/ui/login", 401, None), ("/ui/api/{path:path}", 401, None)], lines


# ---------------------------------------------------------------- 3. logs
def test_the_erasure_log_line_is_json(tmp_path):
    buf = io.StringIO()
    logsetup.configure("info", "json", stream=buf)
    er = erasure.Erasure()
    er.add("respondents", 1)
    er.add("responses", 1)
    erasure.after_commit(er, None, cache_path=tmp_path / "none.sqlite")
    entry = [json.loads(line) for line in buf.getvalue().splitlines()][-1]
    assert entry["logger"] == "textmine.service" and entry["erasure"] == {"respondents": 1, "responses": 1}, entry
    assert entry["message"].startswith("erasure: ") and json.loads(entry["message"][len("erasure: "):]) == {
        "respondents": 1, "responses": 1}, entry
    buf.truncate(0)
    buf.seek(0)
    logsetup.configure("info", "plain", stream=buf)
    erasure.after_commit(er, None, cache_path=tmp_path / "none.sqlite")
    assert buf.getvalue().rstrip().endswith('textmine.service: erasure: {"respondents": 1, "responses": 1}'), \
        buf.getvalue()


def test_uvicorn_lines_go_through_the_same_json_handler():
    buf = io.StringIO()
    logsetup.configure("info", "json", stream=buf)
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    entry = json.loads(buf.getvalue())
    assert (entry["level"], entry["logger"], entry["message"]) == ("INFO", "uvicorn.error",
                                                                   "Started server process [42]"), entry


def test_uvicorns_unhandled_error_line_gets_no_traceback_from_the_handler():
    from service.errors import install_log_filter

    buf = io.StringIO()
    logsetup.configure("info", "json", stream=buf)
    install_log_filter()
    try:
        raise RuntimeError("Kari Nordmann")
    except RuntimeError as exc:
        logging.getLogger("uvicorn.error").error("Exception in ASGI application\n", exc_info=exc)
    entry = json.loads(buf.getvalue())
    assert entry["message"].startswith("unhandled RuntimeError") and "traceback" not in entry, entry
    assert "Kari" not in buf.getvalue()


def test_serve_with_log_format_json_writes_uvicorns_startup_lines_as_json(tmp_path, monkeypatch):
    import uvicorn

    def fake_run(app, **kwargs):
        uvicorn.Config(app, **kwargs)  # configures uvicorn's logging as uvicorn.run does
        logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)

    res = serve_cli(tmp_path, monkeypatch, fake_run, "--log-format", "json")
    assert res.exit_code == 0, res.output
    lines = [line for line in res.stderr.splitlines() if "Started server process" in line]
    assert len(lines) == 1 and json.loads(lines[0])["logger"] == "uvicorn.error", res.stderr


def test_serve_with_log_level_debug_shows_debug_lines_logged_while_the_app_is_built(tmp_path, monkeypatch):
    import service.app

    monkeypatch.setattr(service.app, "tune_malloc", lambda *a: logging.getLogger("textmine.service").debug(
        "malloc settings %s", {"arena_max": 2}))
    res = serve_cli(tmp_path, monkeypatch, lambda *a, **k: None, "--log-level", "debug", "--log-format", "json")
    assert res.exit_code == 0, res.output
    entries = [json.loads(line) for line in res.stderr.splitlines() if line.startswith("{")]
    assert ("DEBUG", "malloc settings {'arena_max': 2}") in [(e["level"], e["message"]) for e in entries], res.stderr
