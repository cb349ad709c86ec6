"""A real uvicorn server on 127.0.0.1 (random port, temp SQLite) with both sample waves uploaded and coded,
and a headless Debian chromium driven by Playwright. Screenshots go to tests/artifacts/ (gitignored)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from textmine.paths import REPO_DIR, SAMPLE_DIR

from ..browsertools import CHROMIUM, chromium

ARTIFACTS = REPO_DIR / "tests" / "artifacts"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """(base_url, admin_key, info): the app on uvicorn with the sample waves uploaded and coded."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium not installed at {CHROMIUM} (run .ci/browser.sh)")
    if not (SAMPLE_DIR / "arbeidsgiver_2023.csv").exists():
        pytest.skip("sample data missing")
    import uvicorn

    from service.app import create_app
    from service.auth import create_key
    from service.settings import Settings
    from textmine.report.pipeline import keyword_coder_factory

    tmp = tmp_path_factory.mktemp("browser_db")
    settings = Settings(database_url=f"sqlite:///{tmp / 'textmine.db'}", warmup=False, run_jobs=True,
                        coder_factory=keyword_coder_factory, job_chunk_size=400)
    app = create_app(settings)
    from service.web.session import LoginThrottle

    app.state.login_throttle = LoginThrottle(max_total=1000)  # the browser tests log in often from 127.0.0.1
    with app.state.db.session() as s:
        _, admin = create_key(s, "admin", "browser-test")
        _, reader = create_key(s, "reader", "browser-reader")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    base = f"http://127.0.0.1:{port}"
    h = {"X-API-Key": admin}
    info = {"waves": {}}
    with httpx.Client(base_url=base, headers=h, timeout=120) as c:
        yaml_text = (SAMPLE_DIR / "survey.yaml").read_text(encoding="utf-8")
        r = c.post("/surveys", json={"name": "arbeidsgiver", "description": "Syntetisk eksempel",
                                     "definition_yaml": yaml_text})
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        for year in ("2022", "2023"):
            path = SAMPLE_DIR / f"arbeidsgiver_{year}.csv"
            r = c.post(f"/surveys/{sid}/waves", files={"file": (path.name, path.read_bytes(), "text/csv")},
                       data={"label": year})
            assert r.status_code == 201, r.text
            wid = r.json()["id"]
            info["waves"][year] = wid
            r = c.post(f"/waves/{wid}/coding-jobs", json={})
            assert r.status_code in (200, 202), r.text
            info.setdefault("jobs", {})[year] = r.json()["id"]
        for year, jid in info["jobs"].items():
            deadline = time.time() + 150
            while time.time() < deadline:
                job = c.get(f"/jobs/{jid}").json()
                if job["state"] in ("done", "failed", "cancelled"):
                    break
                time.sleep(0.3)
            assert job["state"] == "done", job
        # warm the report cache (the first build of data + charts is the slow part on a busy machine)
        assert c.get(f"/waves/{info['waves']['2023']}/report").status_code == 200
    info["survey_id"] = sid
    info["reader_key"] = reader
    yield base, admin, info
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    yield pg
    context.close()


def _login(page, base: str, key: str, next_path: str = "/ui/") -> None:
    page.goto(base + next_path)
    assert "/ui/login" in page.url, page.url
    page.get_by_label("API-nøkkel").fill(key)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda u: "/ui/login" not in u)


@pytest.fixture()
def login():
    """login(page, base, key, next_path="/ui/"): log in through the form."""
    return _login
