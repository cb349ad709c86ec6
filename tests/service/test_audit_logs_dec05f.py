"""Audit trail (``textmine.audit``, ``TEXTMINE_AUDIT_LOG``), ``textmine serve``'s log setup (service.logsetup) and the
tidy-ups after the erasure module: ResultCache.clear, CoderCache.unload_model, the report cache key."""

from __future__ import annotations

import io
import json
import logging
import re
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import (coded_job, create_survey, hdr, jsonl_lines, make_settings, sample_frame, serve_cli,
                      uploaded_wave)
from fastapi.testclient import TestClient

from service import audit, erasure, logsetup
from service.app import create_app
from service.coders import CoderCache
from service.db.models import Wave
from service.resultcache import ResultCache
from service.web import reportdata

RID = "AG2022-00001"  # the sample's first respondent


@pytest.fixture
def serve_logging():
    """service.logsetup.configure on a buffer; the textmine loggers as they were afterwards."""
    root = logging.getLogger("textmine")
    audit_logger = logging.getLogger("textmine.audit")
    before = (list(root.handlers), root.level, audit_logger.level)
    buf = io.StringIO()

    def setup(level="info", fmt="plain"):
        logsetup.configure(level, fmt, stream=buf)
        return buf

    yield setup
    root.handlers[:] = before[0]
    root.setLevel(before[1])
    audit_logger.setLevel(before[2])


def _wave(client, keys) -> tuple[int, int]:
    sid = create_survey(client, keys["analyst"])
    return sid, uploaded_wave(client, keys, sid, sample_frame(30), "2022")


# ---------------------------------------------------------------- audit trail
def test_audit_line_per_data_request_with_key_id_role_route_template_and_status(audited_app):
    client, keys, ids, path = audited_app
    sid, wave_id = _wave(client, keys)
    job = coded_job(client, keys, wave_id)
    before = len(jsonl_lines(path))
    r = client.get(f"/waves/{wave_id}/summary", params={"job_id": job}, headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code in (200, 503)
    assert client.get(f"/waves/{wave_id}/summary", headers=hdr("tm_nope_nope")).status_code == 401
    lines = jsonl_lines(path)[before:]
    assert len(lines) == 2, lines  # the summary and the 401; no line for /healthz or /readyz
    line, refused = lines
    assert {k: line[k] for k in ("key_id", "role", "method", "route", "ids", "query", "status")} == {
        "key_id": ids["reader"], "role": "reader", "method": "GET", "route": "/waves/{wave_id}/summary",
        "ids": {"wave_id": wave_id}, "query": ["job_id"], "status": 200}, line
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]) and line["ms"] >= 0
    assert refused["status"] == 401 and refused["key_id"] is None and refused["role"] is None
    assert "tm_nope" not in path.read_text(encoding="utf-8") and keys["reader"] not in path.read_text()


def test_audit_line_of_a_respondent_erasure_holds_no_respondent_id_and_the_file_is_0600(audited_app):
    client, keys, ids, path = audited_app
    sid, wave_id = _wave(client, keys)
    r = client.delete(f"/surveys/{sid}/respondents/{RID}", headers=hdr(keys["admin"]))
    assert r.status_code == 200, r.text
    line = jsonl_lines(path)[-1]
    assert line["route"] == "/surveys/{survey_id}/respondents/{respondent_id:path}" and line["status"] == 200
    assert line["ids"] == {"survey_id": sid} and line["key_id"] == ids["admin"] and line["role"] == "admin"
    text = path.read_text(encoding="utf-8")
    assert RID not in text and "AG2022" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_audit_line_lists_declared_query_names_only_and_a_downloads_format(audited_app):
    client, keys, ids, path = audited_app
    sid, wave_id = _wave(client, keys)
    coded_job(client, keys, wave_id)
    r = client.get(f"/waves/{wave_id}/report", params={"format": "xlsx", "Kari Nordmann": "91234567"},
                   headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text[:300]
    line = jsonl_lines(path)[-1]
    assert line["route"] == "/waves/{wave_id}/report" and line["format"] == "xlsx" and line["query"] == ["format"]
    assert line["other_query_params"] == 1 and line["key_id"] == ids["analyst"] and line["role"] == "analyst"
    text = path.read_text(encoding="utf-8")
    assert "Kari" not in text and "91234567" not in text


def test_audit_lines_go_to_the_textmine_audit_logger_as_json(audited_app, serve_logging):
    client, keys, ids, _ = audited_app
    buf = serve_logging("warning", "json")  # audit lines are kept at --log-level warning
    assert client.get("/surveys", headers=hdr(keys["reader"])).status_code == 200
    entries = [json.loads(line) for line in buf.getvalue().splitlines()]
    line = [e for e in entries if e["logger"] == "textmine.audit"][-1]
    assert line["route"] == "/surveys" and line["key_id"] == ids["reader"] and line["level"] == "INFO"


def test_an_audit_file_in_a_missing_folder_fails_at_startup(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv(audit.AUDIT_FILE_ENV, str(tmp_path / "nope" / "audit.log"))
    with pytest.raises(ValueError, match="TEXTMINE_AUDIT_LOG"):
        create_app(make_settings(sqlite_url, tmp_path))


def test_an_existing_audit_file_is_appended_to_and_made_0600(tmp_path):
    path = tmp_path / "audit.log"
    path.write_text('{"old":1}\n')
    path.chmod(0o644)
    audit.AuditFile(path).write('{"new":2}')
    assert path.read_text().splitlines() == ['{"old":1}', '{"new":2}']
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ---------------------------------------------------------------- serve's logging
def test_plain_log_lines_have_time_level_and_logger_and_info_lines_appear(serve_logging):
    buf = serve_logging("info", "plain")
    logging.getLogger("textmine.service").info("coding jobs waiting to be resumed: %s", [3])
    logging.getLogger("textmine.service").debug("not shown")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO textmine\.service: "
                        r"coding jobs waiting to be resumed: \[3\]\n",
                        buf.getvalue()), buf.getvalue()


def test_json_log_format_from_the_environment(serve_logging, monkeypatch):
    monkeypatch.setenv(logsetup.FORMAT_ENV, "json")
    assert logsetup.log_format(None) == "json" and logsetup.log_format("plain") == "plain"
    buf = serve_logging("debug", None)
    logging.getLogger("textmine.service").debug("x %d", 1)
    entry = json.loads(buf.getvalue())
    assert {k: entry[k] for k in ("level", "logger", "message")} == {"level": "DEBUG", "logger": "textmine.service",
                                                                     "message": "x 1"}
    monkeypatch.setenv(logsetup.FORMAT_ENV, "xml")
    with pytest.raises(ValueError, match="plain, json"):
        logsetup.log_format(None)


def test_a_500_logs_a_traceback_without_the_exceptions_data_bearing_message(sqlite_url, tmp_path, serve_logging):
    app = create_app(make_settings(sqlite_url, tmp_path))

    cell = "Kari Nordmann 01019012480"

    def explode_with_data():
        raise ValueError(f"invalid literal for int(): {cell!r}")  # a traceback shows this line, not the value

    app.add_api_route("/explode", explode_with_data)
    buf = serve_logging("info", "plain")
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/explode")
    assert r.status_code == 500
    text = buf.getvalue()
    assert "ERROR textmine.service: unhandled ValueError on GET /explode" in text, text
    assert "Traceback (most recent call last)" in text and "in explode_with_data" in text
    assert "ValueError: (message withheld" in text
    assert "Kari" not in text and "01019012480" not in text


def test_other_exception_messages_are_redacted_and_chained_ones_scrubbed_too():
    name, message = "Kari Nordmann", "ring 91234567"
    try:
        try:
            {}[name]
        except KeyError as exc:
            raise RuntimeError(message) from exc
    except RuntimeError as exc:
        text = logsetup.exception_text(exc)
    assert "KeyError: (message withheld" in text and "RuntimeError: ring [TELEFON]" in text
    assert "Kari" not in text and "91234567" not in text and text.count("Traceback") == 2


def _resumed_jobs_startup(*_args, **_kwargs) -> None:
    """A stand-in for uvicorn.run: a startup that logs one info line."""
    logging.getLogger("textmine.service").info("coding jobs waiting to be resumed: %s", [7])


def test_serve_logs_info_lines_as_json_with_log_format_json(tmp_path, monkeypatch, serve_logging):
    res = serve_cli(tmp_path, monkeypatch, _resumed_jobs_startup, "--log-format", "json")
    assert res.exit_code == 0, res.output
    entries = [json.loads(line) for line in res.stderr.splitlines() if line.startswith("{")]
    assert ("INFO", "textmine.service", "coding jobs waiting to be resumed: [7]") in [
        (e["level"], e["logger"], e["message"]) for e in entries], res.stderr  # (a new store also logs its migration)
    assert all(set(e) >= {"time", "level", "logger", "message"} for e in entries), res.stderr


def test_serve_refuses_an_unknown_log_format_before_touching_the_store(tmp_path, monkeypatch, serve_logging):
    res = serve_cli(tmp_path, monkeypatch, _resumed_jobs_startup, "--log-format", "xml")
    assert res.exit_code == 2 and "--log-format" in res.output and "plain, json" in res.output
    assert not (tmp_path / "textmine.db").exists()


# ---------------------------------------------------------------- tidy-ups for erasure
def test_result_cache_clear_forgets_every_entry():
    cache = ResultCache(10)
    coder = object()
    cache.put_many(coder, ["a", "b"], [{"x": 1}, {"x": 2}])
    cache.clear()
    assert len(cache) == 0 and cache.get_many(coder, ["a", "b"]) == [None, None]


def test_coder_cache_unloads_one_models_coders(tmp_path):
    from fakes import keyword_coder_factory

    made = []
    cache = CoderCache(factory=lambda cb, path: made.append(path) or object())
    codebook = SimpleNamespace(id=1, content=keyword_coder_factory(None, None).codebook.to_dict())
    first = cache.get(codebook, SimpleNamespace(id=5, path="m5"), default=False)
    cache.get(codebook, SimpleNamespace(id=6, path="m6"), default=False)
    assert cache.unload_model(5) == 1 and cache.unload_model(5) == 0
    assert cache.get(codebook, SimpleNamespace(id=5, path="m5"), default=False) is not first  # loaded again
    assert cache.get(codebook, SimpleNamespace(id=6, path="m6"), default=False) is not None
    assert [Path(p).name for p in made].count("m6") == 1  # (the folder in the models folder, dec06g)


def test_report_cache_key_changes_when_a_respondent_is_erased_by_another_process(audited_app):
    client, keys, _, _ = audited_app
    app = client.app
    sid, wave_id = _wave(client, keys)
    coded_job(client, keys, wave_id)
    with app.state.db.session() as s:
        before = reportdata._state_key(s, [s.get(Wave, wave_id)])
    with app.state.db.session() as s:  # as ``textmine store delete-respondent``: no app caches cleared
        erasure.erase_respondent(s, sid, RID)
    with app.state.db.session() as s:
        after = reportdata._state_key(s, [s.get(Wave, wave_id)])
    assert before != after
