"""The UI under attack and careless use, over HTTP (TestClient, no browser): hostile survey data and respondent
comments, cross-site form posts, role boundaries, proxy and static path tricks, security headers, bad input."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pandas as pd
import pytest
import yaml
from sqlalchemy import func, select

from textmine.paths import SAMPLE_DIR

EVIL = "<x-evil>"  # appears escaped (&lt;x-evil&gt;) or not at all; raw only if something was not escaped
SCRIPT = "</script><script>alert(1)</script>"


def _hostile_definition() -> str:
    y = yaml.safe_load((SAMPLE_DIR / "survey.yaml").read_text(encoding="utf-8"))
    y["name"] = "arb" + EVIL
    y["segments"][0]["label"] = "Sektor" + EVIL
    y["segments"][0]["levels"] = {"Privat": "Privat" + EVIL, "Offentlig": "Off'\"" + EVIL}
    y["segments"][3]["levels"][0] = "Oslo" + EVIL
    y["indicators"][0]["label"] = "Fornøyd" + EVIL
    y["free_text"][1]["label"] = "Kommentar" + EVIL + SCRIPT
    for ft in y["free_text"]:
        ft.pop("codebook", None)
    return yaml.safe_dump(y, allow_unicode=True)


def _hostile_csv() -> bytes:
    df = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str, keep_default_na=False).head(600)
    commented = df[df["fritekst_generell"].str.len() > 0].index[:40]
    df.loc[commented, "fritekst_generell"] += " telefon kø " + EVIL + SCRIPT + " 'quote\" ${x}"
    df.loc[df["fylke"] == "Oslo", "fylke"] = "Oslo" + EVIL
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """(client, keys, ids): an app with a hostile survey, wave and codebook, coded by the keyword coder."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.auth import create_key
    from service.library import default_codebook_dict
    from service.settings import Settings
    from textmine.report.pipeline import keyword_coder_factory

    tmp = tmp_path_factory.mktemp("ui_security")
    app = create_app(Settings(database_url=f"sqlite:///{tmp / 't.db'}", warmup=False, run_jobs=True,
                              coder_factory=keyword_coder_factory, job_chunk_size=400, quote_embedder="fallback"))
    from service.web.session import LoginThrottle

    app.state.login_throttle = LoginThrottle(max_total=1000)  # these tests log in ~40 times a minute from one address
    with app.state.db.session() as s:
        keys = {role: create_key(s, role, f"sec-{role}")[1] for role in ("reader", "analyst", "admin")}
    h = {"X-API-Key": keys["admin"]}
    with TestClient(app) as c:
        r = c.post("/surveys", json={"name": "arb" + EVIL, "description": "d" + EVIL,
                                     "definition_yaml": _hostile_definition()}, headers=h)
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        cb = default_codebook_dict()
        cb["name"], cb["version"] = "cb" + EVIL, "1" + EVIL
        for t in cb["themes"][:4]:
            t["label"] += EVIL
            t["description"] = "desc" + EVIL + SCRIPT
        r = c.post("/codebooks", json=cb, headers=h)
        assert r.status_code == 201, r.text
        cbid = r.json()["id"]
        r = c.post(f"/surveys/{sid}/waves", files={"file": ("f" + EVIL + ".csv", _hostile_csv(), "text/csv")},
                   data={"label": "w" + EVIL}, headers=h)
        assert r.status_code == 201, r.text
        wid = r.json()["id"]
        jid = c.post(f"/waves/{wid}/coding-jobs", json={"codebook_id": cbid}, headers=h).json()["id"]
        deadline = time.time() + 120
        while (job := c.get(f"/jobs/{jid}", headers=h).json())["state"] not in ("done", "failed", "cancelled"):
            assert time.time() < deadline, job
            time.sleep(0.2)
        assert job["state"] == "done", job
        yield c, keys, {"survey": sid, "wave": wid, "codebook": cbid}


def _as(c, key: str | None):
    """The client logged in with ``key`` through the login form (a server-side session), or logged out."""
    c.cookies.clear()
    if key:
        r = c.post("/ui/login", data={"api_key": key}, follow_redirects=False)
        assert r.status_code == 303, r.text
    return c


def _ui_pages(c, ids) -> list[str]:
    wid = ids["wave"]
    pages = ["/ui/", f"/ui/waves/{wid}", f"/ui/waves/{wid}?segment=sektor", f"/ui/waves/{wid}?segment=fylke",
             f"/ui/review?wave_id={wid}", "/ui/review", "/ui/codebooks", f"/ui/codebooks/{ids['codebook']}",
             f"/ui/waves/{wid}/coding", f"/waves/{wid}/report"]
    themes = sorted(set(re.findall(r'href="(/ui/waves/\d+/themes/[^"]+)"', c.get(f"/ui/waves/{wid}").text)))
    assert len(themes) >= 5
    return pages + themes


def _table_counts(app) -> dict[str, int]:
    from service.db.models import Base

    with app.state.db.session() as s:
        return {t.name: int(s.scalar(select(func.count()).select_from(t))) for t in Base.metadata.sorted_tables}


# ------------------------------------------------------------------------ XSS and personal data (guards)
def test_hostile_values_are_escaped_on_every_page(ui):
    """Survey, wave, codebook, segment and comment values never reach the HTML unescaped (incl. the data-boot
    JSON and the inline SVG charts)."""
    c, keys, ids = ui
    _as(c, keys["admin"])
    for path in _ui_pages(c, ids):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        assert EVIL not in r.text and "<script>alert" not in r.text, path
        assert "<script" not in r.text.replace('<script src="/ui/static/', ""), path  # no inline scripts at all
    review = c.get(f"/ui/review?wave_id={ids['wave']}").text
    assert "&lt;x-evil&gt;" in review  # the hostile comments are in the queue, escaped


def test_no_unredacted_personal_data_in_pages_or_downloads(ui):
    c, keys, ids = ui
    _as(c, keys["admin"])
    pii = pd.read_csv(SAMPLE_DIR / "pii_2023.csv", dtype=str)
    first = set(pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str).head(600)["respondent_id"])
    values = [v for rid, v in zip(pii["respondent_id"], pii["value"]) if rid in first]
    assert values  # the sample rows used here do carry planted personal data
    for path in _ui_pages(c, ids):
        text = c.get(path).text
        assert not [v for v in values if v in text], path
    x = c.get(f"/waves/{ids['wave']}/report", params={"format": "xlsx"})
    z = zipfile.ZipFile(io.BytesIO(x.content))
    blob = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert not [v for v in values if v in blob]


# ------------------------------------------------------------------------ roles
def test_reader_cannot_open_coding_page(ui):
    """Before: a reader got the coding form (200) by typing the URL; only the link was hidden."""
    c, keys, ids = ui
    r = _as(c, keys["reader"]).get(f"/ui/waves/{ids['wave']}/coding")
    assert r.status_code == 403 and "Ikke tilgang" in r.text and 'id="job-form"' not in r.text
    assert _as(c, keys["analyst"]).get(f"/ui/waves/{ids['wave']}/coding").status_code == 200
    assert _as(c, keys["reader"]).get("/ui/review").status_code == 403
    page = c.get(f"/ui/codebooks/{ids['codebook']}")  # readers may look at a codebook, not edit it
    assert page.status_code == 200 and 'data-can-edit="0"' in page.text and 'id="cb-save"' not in page.text


# ------------------------------------------------------------------------ CSRF and the login cookie
def test_cross_site_login_and_logout_are_refused(ui):
    """Before: another site could log the victim in with the attacker's key (login CSRF) or log them out."""
    from service.web.session import COOKIE

    c, keys, _ = ui
    _as(c, None)
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Sec-Fetch-Site": "same-site", "Origin": "https://other.testserver"}, {"Origin": "null"}):
        r = c.post("/ui/login", data={"api_key": keys["admin"]}, headers=headers, follow_redirects=False)
        assert r.status_code == 403, headers
        assert "set-cookie" not in r.headers and keys["admin"] not in r.text
        r = _as(c, keys["admin"]).post("/ui/logout", headers=headers, follow_redirects=False)
        assert r.status_code == 403 and "set-cookie" not in r.headers
        _as(c, None)
    for headers in ({}, {"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin"}):
        r = c.post("/ui/login", data={"api_key": keys["admin"]}, headers=headers, follow_redirects=False)
        assert r.status_code == 303 and f"{COOKIE}=" in r.headers["set-cookie"], headers
    r = c.post("/ui/logout", headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303 and f'{COOKIE}=""' in r.headers["set-cookie"]


def test_login_cookie_is_secure_behind_a_tls_proxy(ui):
    """Before: behind a TLS-terminating proxy (uvicorn sees http) the key cookie lacked the Secure flag."""
    c, keys, _ = ui
    _as(c, None)
    r = c.post("/ui/login", data={"api_key": keys["reader"]}, headers={"X-Forwarded-Proto": "https"},
               follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert r.status_code == 303 and "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    r = c.post("/ui/login", data={"api_key": keys["reader"]}, follow_redirects=False)
    assert "secure" not in r.headers["set-cookie"].lower()  # plain http (local use) still works


def test_wrong_key_and_oversized_input_get_the_login_form(ui):
    """Before: a pasted key over 300 characters got a raw JSON 422 instead of the login form."""
    c, keys, _ = ui
    _as(c, None)
    for data in ({"api_key": "tm_feil_nokkel"}, {"api_key": ""}, {}, {"api_key": "tm_" + "x" * 5000},
                 {"api_key": "x", "next": "/ui/" + "y" * 5000}, {"api_key": "15075717277"}):
        r = c.post("/ui/login", data=data, follow_redirects=False)
        assert r.status_code == 401 and r.headers["content-type"].startswith("text/html"), data
        assert "Ukjent eller tilbakekalt API-nøkkel" in r.text and "set-cookie" not in r.headers
        assert "x" * 300 not in r.text and "y" * 300 not in r.text and "15075717277" not in r.text
    r = c.post("/ui/login", data={"api_key": keys["reader"], "next": "/ui/" + "y" * 5000}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/"


def test_next_parameter_never_leaves_the_site(ui):
    c, keys, _ = ui
    _as(c, None)
    for nxt in ("https://evil.example/ui", "//evil.example/ui", "/ui//evil.example", "/ui/\\evil.example",
                "/\\evil.example", "javascript:alert(1)", "/ui/x:y", "\t//evil.example", "/uiX/../../x//y"):
        r = c.post("/ui/login", data={"api_key": keys["reader"], "next": nxt}, follow_redirects=False)
        loc = r.headers["location"]
        assert r.status_code == 303 and loc.startswith("/ui") and not loc.startswith(("//", "/\\")), (nxt, loc)
    page = c.get("/ui/login", params={"next": '"><script>alert(1)</script>'})
    assert "<script>alert" not in page.text and 'name="next" value="/ui/"' in page.text


def test_proxy_requires_ui_header_for_posts(ui):
    c, keys, ids = ui
    _as(c, keys["admin"])
    before = _table_counts(c.app)
    r = c.post(f"/ui/api/waves/{ids['wave']}/coding-jobs", json={"force": True})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = c.post("/ui/api/codebooks", content=b"name=x", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403
    assert _table_counts(c.app) == before


# ------------------------------------------------------------------------ paths
def test_proxy_refuses_dot_segments(ui):
    """Before: /ui/api/surveys/..%2Fkeys reached GET /keys (the allowlist was checked before httpx resolved ..)."""
    c, keys, _ = ui
    _as(c, keys["admin"])
    for path in ("/ui/api/surveys/..%2Fkeys", "/ui/api/surveys/%2e%2e/keys", "/ui/api/waves/1/..%2F..%2Fkeys",
                 "/ui/api/jobs/.%2F..%2Fkeys", "/ui/api/surveys/%252e%252e/keys", "/ui/api/keys"):
        r = c.get(path)
        assert r.status_code == 404 and '"prefix"' not in r.text, (path, r.text[:200])
    r = c.post("/ui/api/surveys/..%2Fkeys", json={"role": "admin"}, headers={"X-Textmine-UI": "1"})
    assert r.status_code == 404
    assert c.get("/ui/api/surveys").status_code == 200


def test_static_files_do_not_leave_their_folder(ui):
    c, _, _ = ui
    _as(c, None)
    for path in ("/ui/static/..%2Fpages.py", "/ui/static/%2e%2e/pages.py", "/ui/static/..%2F..%2Fsettings.py",
                 "/ui/static/%2e%2e/templates/base.html", "/ui/static/..%5Cpages.py"):
        r = c.get(path)
        assert r.status_code == 404 and "import" not in r.text, path
    assert c.get("/ui/static/app.js").status_code == 200


# ------------------------------------------------------------------------ headers
def test_security_headers_on_ui_and_report_responses(ui):
    """Before: no X-Content-Type-Options anywhere, and the report, static files, redirects and proxy answers
    could be framed (only rendered pages had X-Frame-Options)."""
    c, keys, ids = ui
    _as(c, keys["admin"])
    wid = ids["wave"]
    responses = [c.get(p) for p in ("/ui/", f"/ui/waves/{wid}", "/ui/static/app.js", "/ui/static/app.css",
                                    f"/waves/{wid}/report", f"/waves/{wid}/report?format=xlsx", "/ui/api/surveys",
                                    "/ui/waves/999999", "/ui/nope")]
    responses.append(_as(c, None).get("/ui/", follow_redirects=False))
    for r in responses:
        where = (r.request.url.path, r.status_code)
        assert r.headers.get("x-content-type-options") == "nosniff", where
        assert r.headers.get("x-frame-options") == "DENY", where
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, where
    assert "x-frame-options" not in c.get("/healthz").headers  # the JSON API is left alone


def test_excel_download_is_not_cached(ui):
    """Before: the HTML report said no-store, the Excel workbook (the same comments) did not."""
    c, keys, ids = ui
    r = _as(c, keys["reader"]).get(f"/waves/{ids['wave']}/report", params={"format": "xlsx"})
    assert r.status_code == 200 and r.headers.get("cache-control") == "no-store"


# ------------------------------------------------------------------------ bad input
def test_bad_input_on_pages_gives_an_html_error_page(ui):
    """Before: unknown ids and malformed values on UI pages got the API's JSON error body; an unknown wave in the
    review link an empty queue (200). Now an HTML page with the status, a fixed text and no echoed input."""
    c, keys, ids = ui
    _as(c, keys["analyst"])
    before = _table_counts(c.app)
    wid = ids["wave"]
    cases = {
        "/ui/waves/0": 422, "/ui/waves/abc%3Cb%3E": 422, "/ui/waves/99999999999": 422, "/ui/waves/999999": 404,
        "/ui/codebooks/999999": 404, f"/ui/waves/{wid}/themes/" + "x" * 3000: 404,
        f"/ui/waves/{wid}/themes/%3Cb%3Eevil": 404, "/ui/review?wave_id=-1": 422,
        "/ui/review?wave_id=abc%3Cb%3E": 422, "/ui/review?wave_id=999999": 404,
        f"/ui/waves/{wid}?segment=" + "z" * 200: 422, "/ui/waves/999999/coding": 404, "/ui/nope%3Cb%3E": 404,
    }
    for path, status in cases.items():
        r = c.get(path)
        assert r.status_code == status, (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), path
        assert 'role="alert"' in r.text and "Traceback" not in r.text
        assert "&lt;b&gt;" not in r.text and "<b>evil" not in r.text and "x" * 100 not in r.text
        assert "z" * 100 not in r.text and "999999" not in r.text, path
    r = c.get(f"/ui/waves/{wid}", params={"segment": "<b>ukjent</b>"})  # unknown segment: ignored, not echoed
    assert r.status_code == 200 and "ukjent" not in r.text
    r = c.get("/ui/logout")
    assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")
    # the JSON API and the proxy keep JSON errors
    assert c.get("/ui/api/waves/999999").json()["error"]["code"] == "not_found"
    assert c.get("/waves/999999/report").json()["error"]["code"] == "not_found"
    # bad corrections and codebooks through the UI's API path store nothing
    h = {"X-Textmine-UI": "1"}
    queue = c.get("/ui/api/review-queue", params={"wave_id": wid, "limit": 1}).json()
    rid = queue["items"][0]["response_id"]
    for body in ({"themes": ["finnes_ikke"]}, {"themes": "telefon"}, {"themes": [None]}, {}):
        assert 400 <= c.post(f"/ui/api/responses/{rid}/codes", json=body, headers=h).status_code < 500, body
    assert c.post("/ui/api/responses/999999/codes", json={"themes": []}, headers=h).status_code == 404
    for body in ({}, {"name": "x"}, {"name": "x", "version": "1", "themes": [{"id": "Ugyldig id"}]}, []):
        assert 400 <= c.post("/ui/api/codebooks", json=body, headers=h).status_code < 500, body
    assert c.post("/ui/api/codebooks", content=b"{not json", headers={**h, "content-type": "application/json"}
                  ).status_code == 422
    assert _table_counts(c.app) == before
