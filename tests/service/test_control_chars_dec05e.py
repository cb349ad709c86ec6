"""Control characters (security review S, dec05 findings 1 and 8) and the 500 path's logging.

* A comment with ESC/backspace/NUL is stored without them, and the Excel report of its wave answers 200.
* ``POST /codebooks`` and key names (API and CLI) refuse NUL and other C0 controls with a 422 naming the field.
* An unhandled error logs one line (type, route, request id) — no exception message, no traceback — and the
  "Exception ignored in …" tracebacks Python prints for errors it cannot raise (openpyxl's write-only sheets after a
  failed workbook) go to the same log as one line; with ``log_level="debug"`` the traceback is kept.
"""

from __future__ import annotations

import copy
import gc
import io
import logging
import sys

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from conftest import create_survey, hdr, issue_keys, sample_frame, table_counts, upload, wait_job
from service.db.models import ApiKey, Response
from service.routers.codebooks import EXAMPLE
from textmine.preprocess.normalize import normalize

CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
COMMENTS = ["\x1b[31mTelefonen\x08 svarer aldri\x1b[0m", "Ventetid\x00 på telefon er for lang",
            "NUL\x00\x07 og bjelle"]
SECRET = "Kari Nordmann 01019012480"


def _no_controls(text: str) -> bool:
    return not any(ch in text for ch in CONTROLS)


# ---------------------------------------------------------------- comments: cleaned on upload, report answers 200
def test_normalize_drops_c0_controls_and_keeps_words_apart():
    assert normalize("\x1b[31mTelefonen\x08 svarer\x00 aldri\x1b[0m") == "[31mTelefonen svarer aldri[0m"
    assert normalize("felt\x1fskille\x0bog\ttab\r\nlinje") == "felt skille og tab linje"
    assert normalize("Tele\x00fon") == "Telefon"


def test_control_characters_in_comments_are_not_stored_and_the_xlsx_report_answers_200(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(60)
    frame.loc[: len(COMMENTS) - 1, "fritekst_generell"] = COMMENTS
    body = io.BytesIO()
    frame.to_parquet(body, index=False)  # (a CSV with NUL bytes is refused as UTF-16/binary)
    r = upload(client, keys["analyst"], sid, body.getvalue(), "w.parquet", "2022")
    assert r.status_code == 201, r.text
    wave_id = r.json()["id"]
    with client.app.state.db.session() as s:
        stored = list(s.scalars(select(Response.text_redacted).where(Response.wave_id == wave_id)))
    assert [t for t in stored if not _no_controls(t)] == []
    assert "[31mTelefonen svarer aldri[0m" in stored and "Ventetid på telefon er for lang" in stored
    job = client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    assert wait_job(client, keys["analyst"], job["id"])["state"] == "done"
    for role in ("reader", "analyst"):
        rep = client.get(f"/waves/{wave_id}/report?format=xlsx", headers=hdr(keys[role]))
        assert rep.status_code == 200, (role, rep.text)
        wb = load_workbook(io.BytesIO(rep.content), read_only=True)
        cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                 if isinstance(v, str)]
        assert [v for v in cells if not _no_controls(v)] == [], role


# ---------------------------------------------------------------- codebooks and key names: 422 naming the field
@pytest.mark.parametrize("where, char", [("name", "\x00"), ("themes.0.label", "\x00"), ("themes.0.description", "\x1b"),
                                         ("themes.0.keywords.0", "\x08"), ("types.2", "\x07")])
def test_codebook_with_a_control_character_is_refused_naming_the_field(client, keys, where, char):
    body = copy.deepcopy(EXAMPLE)
    *path, last = [int(p) if p.isdigit() else p for p in where.split(".")]
    target = body
    for part in path:
        target = target[part]
    target[last] = "Tele" + char + "fon"
    before = table_counts(client.app)
    r = client.post("/codebooks", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "control_character" and err["details"]["loc"] == f"body.{where}", err
    assert f"body.{where}" in err["message"] and f"U+{ord(char):04X}" in err["message"], err
    assert table_counts(client.app) == before


def test_codebook_with_newlines_and_tabs_in_a_description_is_stored(client, keys):
    body = copy.deepcopy(EXAMPLE)
    body["themes"][0]["description"] = "Telefon og ventetid.\nOgså\ttelefonkø."
    r = client.post("/codebooks", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("name", ["a\x00b", "rapport\x1b[31m", "leser\x08", "to\nlinjer"])
def test_key_name_with_a_control_character_is_refused(client, keys, name):
    before = table_counts(client.app)
    r = client.post("/keys", json={"role": "reader", "name": name}, headers=hdr(keys["admin"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_name" and err["details"] == {"field": "name"}, err
    assert "key name contains a control character" in err["message"]
    assert table_counts(client.app) == before


def test_cli_keys_create_refuses_a_control_character_in_the_name(tmp_path, monkeypatch):
    from sqlalchemy import create_engine

    from textmine.cli import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["keys", "create", "--role", "reader", "--name", "leser\x1b[31m"])
    assert res.exit_code == 2, res.output
    assert "invalid_name" in res.output and "\x1b" not in res.output, res.output
    ok = runner.invoke(app, ["keys", "create", "--role", "reader", "--name", "leser"])
    assert ok.exit_code == 0, ok.output
    engine = create_engine(f"sqlite:///{tmp_path / 'textmine.db'}")
    with engine.connect() as conn:
        names = list(conn.execute(select(ApiKey.name)).scalars())
    engine.dispose()
    assert names == ["leser"]


# ---------------------------------------------------------------- the 500 path logs one line
def _failing_page(pending: list):
    """A stand-in for ``store.page`` that fails with personal data in its message, leaving a suspended generator
    whose clean-up fails too (as openpyxl's write-only sheets do after a failed workbook)."""

    def rows():
        try:
            yield
        finally:
            raise ValueError(f"I/O operation on closed file ({SECRET})")

    def page(*_args, **_kwargs):
        pending.append(rows())
        next(pending[-1])
        raise RuntimeError(f"boom: {SECRET}")

    return page


def _force_500(app, monkeypatch, caplog):
    from fastapi.testclient import TestClient

    from service import store

    pending: list = []
    monkeypatch.setattr(store, "page", _failing_page(pending))
    keys = issue_keys(app)
    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.DEBUG):
        r = c.get("/codebooks", headers=hdr(keys["reader"]))
        pending.clear()  # the generator is finalised now: its error cannot be raised anywhere ("unraisable")
        gc.collect()
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error", r.text
    return r.json()["error"]["details"]["request_id"], [x for x in caplog.records if x.name == "textmine.service"]


def test_unhandled_error_logs_one_line_without_message_or_traceback(app_factory, monkeypatch, caplog, capfd):
    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)  # Python's own printer (pytest has its own)
    app = app_factory()
    request_id, records = _force_500(app, monkeypatch, caplog)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Nordmann" not in err and "01019012480" not in err, err
    lines = [x.getMessage() for x in records]
    assert [m for m in lines if m.startswith("unhandled RuntimeError on GET /codebooks")
            and request_id in m], lines
    assert [m for m in lines if m.startswith("unraisable ValueError in") and "_failing_page.<locals>.rows" in m], lines
    for x in records:
        assert x.exc_info is None and x.exc_text is None and x.stack_info is None, x.getMessage()
        assert "Nordmann" not in x.getMessage() and "01019012480" not in x.getMessage() and "boom" not in x.getMessage()


def test_debug_log_level_keeps_the_traceback(app_factory, monkeypatch, caplog):
    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)
    app = app_factory(log_level="debug")
    assert sys.unraisablehook is sys.__unraisablehook__  # Python's own hook, with the traceback, stays
    seen: list = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)  # (instead of printing it here)
    _, records = _force_500(app, monkeypatch, caplog)
    unhandled = [x for x in records if x.getMessage().startswith("unhandled RuntimeError")]
    assert unhandled and unhandled[0].exc_info and isinstance(unhandled[0].exc_info[1], RuntimeError), records
    assert [type(u.exc_value) for u in seen] == [ValueError]


def test_another_unraisable_hook_is_left_in_place(app_factory, monkeypatch):
    def hook(_unraisable):
        pass

    monkeypatch.setattr(sys, "unraisablehook", hook)
    app_factory()
    assert sys.unraisablehook is hook
