"""Service hardening (security review, 5 Dec): /metrics behind a key, CLI revocation at once, xlsx zip bombs
refused without storing anything, upload bytes never left on disk."""

from __future__ import annotations

import pytest
from conftest import hdr, table_counts

from service.settings import Settings


# ---------------------------------------------------------------- 1. /metrics needs a key
def test_metrics_needs_a_valid_key_of_any_role(client, keys):
    none = client.get("/metrics")
    assert none.status_code == 401
    assert none.json()["error"]["code"] == "unauthenticated" and "API key" in none.json()["error"]["message"]
    assert "textmine_" not in none.text
    bad = client.get("/metrics", headers={"Authorization": "Bearer tm_nothere_secret"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_api_key"
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {keys['reader']}"})  # as Prometheus sends it
    assert ok.status_code == 200 and "textmine_model_ready" in ok.text
    assert client.get("/metrics", headers=hdr(keys["admin"])).status_code == 200


def test_metrics_public_when_the_setting_says_so(app_factory):
    from fastapi.testclient import TestClient

    with TestClient(app_factory(metrics_public=True)) as c:
        r = c.get("/metrics")
        assert r.status_code == 200 and "textmine_coding_jobs" in r.text
        assert c.get("/surveys").status_code == 401  # only /metrics opens


@pytest.mark.parametrize("value, expected", [(None, False), ("true", True), ("1", True), ("YES", True),
                                             ("false", False), ("0", False), ("no", False)])
def test_metrics_public_from_the_environment(monkeypatch, value, expected):
    monkeypatch.delenv("TEXTMINE_METRICS_PUBLIC", raising=False)
    if value is not None:
        monkeypatch.setenv("TEXTMINE_METRICS_PUBLIC", value)
    assert Settings.from_env().metrics_public is expected


def test_metrics_public_refuses_an_unclear_value(monkeypatch):
    monkeypatch.setenv("TEXTMINE_METRICS_PUBLIC", "ja takk")
    with pytest.raises(ValueError, match="TEXTMINE_METRICS_PUBLIC must be true or false.*'ja takk'"):
        Settings.from_env()


# ---------------------------------------------------------------- 2. revocation by the CLI acts at once
def test_key_revoked_by_the_cli_stops_working_on_the_next_request(client, keys, db_url):
    """``textmine keys revoke`` runs in another process: it cannot clear this server's key cache."""
    from sqlalchemy import select
    from typer.testing import CliRunner

    from service.db.models import ApiKey
    from textmine.cli import app as cli

    reader = hdr(keys["reader"])
    assert client.get("/surveys", headers=reader).status_code == 200  # verified and cached
    assert client.get("/surveys", headers=reader).status_code == 200  # from the cache
    with client.app.state.db.session() as s:
        key_id = s.scalars(select(ApiKey.id).where(ApiKey.name == "test-reader")).one()
    res = CliRunner().invoke(cli, ["keys", "revoke", str(key_id), "--database", db_url])
    assert res.exit_code == 0, res.output
    after = client.get("/surveys", headers=reader)
    assert after.status_code == 401 and after.json()["error"]["code"] == "invalid_api_key"
    assert client.get("/metrics", headers=reader).status_code == 401
    assert client.get("/surveys", headers=hdr(keys["analyst"])).status_code == 200  # other keys unaffected


def test_cached_key_still_skips_the_hash_check(client, keys, monkeypatch):
    """The cache keeps its point: a cached key is not hashed again (only its state is re-read)."""
    import service.auth as auth

    reader = hdr(keys["reader"])
    assert client.get("/surveys", headers=reader).status_code == 200
    calls = []
    real = auth.hash_secret
    monkeypatch.setattr(auth, "hash_secret", lambda *a: calls.append(1) or real(*a))
    assert client.get("/surveys", headers=reader).status_code == 200
    assert calls == []


# ---------------------------------------------------------------- 3. xlsx zip bombs: 4xx, nothing stored
def bomb_xlsx() -> bytes:
    """A valid .xlsx (≈ 50 kB) whose sheet XML is padded with 40 MB of blanks."""
    import io
    import zipfile

    import pandas as pd

    small = io.BytesIO()
    pd.DataFrame({"respondent_id": [1], "kommentar": ["bra"]}).to_excel(small, index=False)
    out = io.BytesIO()
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            sheet = info.filename == "xl/worksheets/sheet1.xml"
            zout.writestr(info.filename, head + b" " * (40 << 20) + b"</sheetData></worksheet>" if sheet
                          else zin.read(info.filename))
    return out.getvalue()


def test_an_xlsx_zip_bomb_upload_is_refused_and_stores_nothing(client, keys, tmp_path):
    from conftest import create_survey, upload

    bomb = bomb_xlsx()
    sid = create_survey(client, keys["analyst"])
    before = table_counts(client.app)
    r = upload(client, keys["analyst"], sid, bomb, "svar_host.xlsx")
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "unreadable_table"
    assert "svar_host.xlsx" in err["message"] and "uncompressed" in err["message"] and "zip bomb" in err["message"]
    assert str(tmp_path) not in r.text and "/tmp" not in r.text  # never the server's temporary path
    assert table_counts(client.app) == before


# ---------------------------------------------------------------- 4. upload bytes on disk
MARKER = "S1MARKOR"


def big_upload(n: int = 40) -> bytes:
    """A valid wave of ``n`` respondents, over 1 MB for 40 (Starlette spools a part over 1 MB to a temporary
    file): an undeclared column (dropped at upload) carries the marker."""
    from conftest import sample_frame, to_csv_bytes

    frame = sample_frame(n)
    frame["notat"] = [f"{MARKER}{i} " + "x" * 30_000 for i in range(n)]
    return to_csv_bytes(frame)


def files_holding(folder, needle: bytes) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def open_files_under(folder) -> list[str]:
    import os

    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            out.append(target)
    return out


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Python's (and so Starlette's and the reader's) temporary folder, for this test only."""
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_no_upload_bytes_stay_on_disk_after_a_failing_and_a_succeeding_upload(client, keys, private_tmp,
                                                                               monkeypatch):
    import textmine.io as tio
    from conftest import create_survey, sample_frame, upload

    during = []
    real = tio.read_table

    def spy(path, *a, **k):  # while the table is read, Starlette's spool file of the upload is closed already
        during.append(open_files_under(private_tmp))
        return real(path, *a, **k)

    monkeypatch.setattr(tio, "read_table", spy)
    sid = create_survey(client, keys["analyst"])
    data = big_upload()
    assert len(data) > 1 << 20
    bad = data.replace(b"\n" + sample_frame(2)["respondent_id"].iloc[1].encode() + b",",
                       b"\n" + sample_frame(1)["respondent_id"].iloc[0].encode() + b",", 1)  # a repeated id
    assert bad != data
    failing = upload(client, keys["analyst"], sid, bad, "feil.csv", "2022")
    assert failing.status_code == 422, failing.text
    ok = upload(client, keys["analyst"], sid, data, "svar.csv", "2022")
    assert ok.status_code == 201, ok.text
    assert during == [[], []], during
    assert files_holding(private_tmp, MARKER.encode()) == []
    assert open_files_under(private_tmp) == []  # no open (unlinked) spool file either
    assert list(private_tmp.iterdir()) == []


def test_a_table_that_fails_to_parse_leaves_no_temporary_file(client, keys, private_tmp):
    from conftest import create_survey, upload

    sid = create_survey(client, keys["analyst"])
    broken = b"respondent_id,wave\n" + (MARKER.encode() + b"\x00" * 10) * 200_000  # not a workbook (nor a CSV)
    r = upload(client, keys["analyst"], sid, broken, "brutt.xlsx", "2022")
    assert r.status_code == 422, r.text
    assert files_holding(private_tmp, MARKER.encode()) == [] and open_files_under(private_tmp) == []
    assert list(private_tmp.iterdir()) == []


def test_the_upload_file_the_reader_opens_is_private(client, keys, private_tmp, monkeypatch):
    """While the table is read, its file is 0600 in a 0700 folder: no other local user can read the upload."""
    import os
    import stat

    import textmine.io as tio
    from conftest import create_survey, upload

    seen = []
    real = tio.read_table

    def spy(path, *a, **k):
        seen.append((stat.S_IMODE(path.parent.stat().st_mode), stat.S_IMODE(path.stat().st_mode)))
        return real(path, *a, **k)

    monkeypatch.setattr(tio, "read_table", spy)
    sid = create_survey(client, keys["analyst"])
    old_umask = os.umask(0o022)  # the usual default: the file's mode must not depend on it
    try:
        assert upload(client, keys["analyst"], sid, big_upload(5), "svar.csv", "2022").status_code == 201
    finally:
        os.umask(old_umask)
    assert seen and seen[0][0] == 0o700, seen
    assert seen[0][1] == 0o600, seen


# ---------------------------------------------------------------- 5. /classify stops when its client has gone
def _classify_then_disconnect(app, key: str, payload: dict) -> list[dict]:
    """POST /classify straight to the ASGI app; the client is gone as soon as the body is read."""
    import asyncio
    import json

    body = json.dumps(payload).encode()
    sent: list[dict] = []
    delivered = False

    async def receive():
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/classify", "raw_path": b"/classify", "root_path": "", "query_string": b"",
             "headers": [(b"host", b"test"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()), (b"x-api-key", key.encode())],
             "client": ("127.0.0.1", 1), "server": ("test", 80)}
    # in a thread of its own: an earlier test (the browser tests) may leave an event loop running in this one,
    # where asyncio.run refuses to start
    import threading

    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(app(scope, receive, send))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failed.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(120)
    if failed:
        raise failed[0]
    return sent


@pytest.mark.parametrize("extra", [{}, {"question": "Har du andre kommentarer?"}], ids=["batched", "direct"])
def test_classify_stops_coding_when_the_client_disconnects(app_factory, extra):
    """Both ways /classify codes: through the micro-batcher (default coder, no question) and directly."""
    from conftest import issue_keys

    from service.routers.classify import STEP_TEXTS

    app = app_factory(warmup=False, run_jobs=False)
    keys = issue_keys(app)
    coded: list[int] = []
    coder = app.state.coders.default()
    real = coder.predict
    coder.predict = lambda texts, *a, **k: coded.append(len(texts)) or real(texts, *a, **k)
    texts = [f"Ventetiden på telefon er lang, sak {i}" for i in range(1000)]
    sent = _classify_then_disconnect(app, keys["analyst"], {"texts": texts, **extra})
    assert sum(coded) == STEP_TEXTS, coded  # the first step only, not all 1,000 texts
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 499


def test_classify_in_steps_answers_as_in_one_call(client, keys):
    """A connected client gets every text, in order, coded as one call codes them."""
    from service import library

    texts = [f"Ventetiden på telefon er lang {i}" if i % 3 else f"Bra saksbehandler nr {i}" for i in range(250)]
    texts[7] = "x" * 4_900  # a long one: steps are cut by characters too
    r = client.post("/classify", json={"texts": texts, "question": "Har du andre kommentarer?"},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    got = [[t["id"] for t in res["themes"]] for res in r.json()["results"]]
    app = client.app
    whole = library.frame_records(library.classify_texts(app.state.coders.default(), texts,
                                                         app.state.settings.cleaner_factory))
    assert got == [[k[6:] for k, v in rec.items() if k.startswith("theme_") and int(v or 0) == 1] for rec in whole]


def test_steps_cut_by_texts_and_characters():
    from service.routers.classify import steps

    assert [len(p) for p in steps(["a"] * 250)] == [100, 100, 50]
    assert [len(p) for p in steps(["a" * 6_000, "b" * 6_000, "c" * 6_000, "d"])] == [2, 2]
    assert steps(["a" * 20_000, "b"]) == [["a" * 20_000], ["b"]]
    assert steps([]) == []
