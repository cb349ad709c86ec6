"""Shared fixtures for the service tests: stores (SQLite + PostgreSQL), apps, keys, sample uploads."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # fakes.py is importable by name here and in server subprocesses (PYTHONPATH)
    sys.path.insert(0, str(HERE))

from fakes import keyword_coder_factory  # noqa: E402

from service import audit, erasure  # noqa: E402
from service.app import create_app  # noqa: E402
from service.auth import create_key  # noqa: E402
from service.db.models import ApiKey, Base  # noqa: E402
from service.settings import Settings  # noqa: E402
from textmine.paths import SAMPLE_DIR  # noqa: E402


def sqlite_sequence(path) -> dict[str, int]:
    """SQLite's AUTOINCREMENT counters of the store file ``path``: table -> the highest id handed out."""
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT name, seq FROM sqlite_sequence"))
    finally:
        con.close()


def move_store(url: str, revision: str, down: bool = False) -> None:
    """Upgrade (or, ``down``, downgrade) the store at ``url`` to Alembic ``revision``."""
    from alembic import command
    from alembic.config import Config

    from service.db.session import MIGRATIONS_DIR, make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
    engine.dispose()


_LOGGERS = ("textmine", "textmine.service", "textmine.audit", "uvicorn", "uvicorn.error", "uvicorn.access",
            "uvicorn.asgi")


@pytest.fixture(autouse=True)
def _restore_logging():
    """Every test starts with the textmine and uvicorn loggers in their default state and leaves them as it found
    them: `textmine serve` (run through the CLI runner with uvicorn stubbed) installs its log handler, filters and
    levels, and a uvicorn server started in-process configures uvicorn's loggers; either would otherwise change what
    later tests log (e.g. a traceback attached to a line that must have none, or a level that hides a line)."""
    import logging

    saved = {n: (list(lg.handlers), lg.level, lg.propagate, list(lg.filters), lg.disabled)
             for n in _LOGGERS for lg in [logging.getLogger(n)]}
    for name in _LOGGERS:
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.setLevel(logging.NOTSET)
        lg.propagate = True
        lg.filters[:] = []
        lg.disabled = False
    yield
    for name, (handlers, level, propagate, filters, disabled) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate
        lg.filters[:] = filters
        lg.disabled = disabled

POSTGRES_ENV = "TEXTMINE_TEST_POSTGRES_URL"
SAMPLE_CSV = SAMPLE_DIR / "arbeidsgiver_2022.csv"
SAMPLE_CSV_2023 = SAMPLE_DIR / "arbeidsgiver_2023.csv"
SURVEY_YAML = SAMPLE_DIR / "survey.yaml"


def postgres_url_or_skip() -> str:
    """The PostgreSQL URL for store tests; skip only when told to, otherwise fail loudly (CI must prove it)."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("TEXTMINE_SKIP_POSTGRES") == "1":
        pytest.skip("PostgreSQL store tests skipped because TEXTMINE_SKIP_POSTGRES=1")
    pytest.fail(f"{POSTGRES_ENV} is not set: source .ci/postgres.sh first (or set TEXTMINE_SKIP_POSTGRES=1 to skip "
                "the PostgreSQL store tests explicitly)")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """Every store test runs on both backends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = postgres_url_or_skip()
    reset_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def _library_cleaner_available() -> bool:
    try:
        from textmine.preprocess import Cleaner  # noqa: F401
    except ImportError:
        return False
    return True


def make_settings(url: str, tmp_path: Path, **kw) -> Settings:
    from fakes import regex_cleaner

    base = dict(database_url=url, coder_factory=keyword_coder_factory, job_chunk_size=7, warmup=True, quote_embedder="fallback",
                models_dir=tmp_path / "models", cleaner_factory=None if _library_cleaner_available() else regex_cleaner)
    base.update(kw)
    return Settings(**base)


@pytest.fixture
def app_factory(db_url, tmp_path):
    def _make(**kw):
        return create_app(make_settings(db_url, tmp_path, **kw))

    return _make


@pytest.fixture
def client(app_factory):
    app = app_factory()
    with TestClient(app) as c:
        yield c


def issue_keys(app) -> dict[str, str]:
    keys = {}
    with app.state.db.session() as s:
        for role in ("reader", "analyst", "admin"):
            keys[role] = create_key(s, role, f"test-{role}")[1]
    return keys


@pytest.fixture
def keys(client) -> dict[str, str]:
    return issue_keys(client.app)


def hdr(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def table_counts(app) -> dict[str, int]:
    """Row count of every table (the 'database unchanged' check)."""
    with app.state.db.session() as s:
        return {t.name: int(s.scalar(select(func.count()).select_from(t))) for t in Base.metadata.sorted_tables}


def sample_frame(n: int | None = None, path: Path = SAMPLE_CSV) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame if n is None else frame.head(n)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def survey_yaml() -> str:
    return SURVEY_YAML.read_text(encoding="utf-8")


def create_survey(c, key: str, name: str = "arbeidsgiver") -> int:
    r = c.post("/surveys", json={"name": name, "definition_yaml": survey_yaml()}, headers=hdr(key))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload(c, key: str, survey_id: int, data: bytes, filename: str = "wave.csv", label: str | None = None):
    form = {"label": label} if label else {}
    return c.post(f"/surveys/{survey_id}/waves", files={"file": (filename, data, "text/csv")}, data=form,
                  headers=hdr(key))


def wait_job(c, key: str, job_id: int, timeout: float = 60.0) -> dict:
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        job = c.get(f"/jobs/{job_id}", headers=hdr(key)).json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s: {job}")


def snapshot(path) -> dict:
    """Every row of every table (the 'database exactly as it was' check); {} when there is no file."""
    if not path.exists():
        return {}
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table' order by name")]
        return {t: sorted(map(repr, con.execute(f'select * from "{t}"'))) for t in tables}
    finally:
        con.close()


def uploaded_wave(client, keys, sid, frame, label):
    """Upload ``frame`` as wave ``label`` of survey ``sid`` (201 asserted); the wave id."""
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), f"w{label}.csv", label)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def coded_job(client, keys, wave_id, **body):
    """Start a coding job for the wave (202 asserted), wait until it is done; the job id."""
    r = client.post(f"/waves/{wave_id}/coding-jobs", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 202, r.text
    job = wait_job(client, keys["reader"], r.json()["id"])
    assert job["state"] == "done", job
    return job["id"]


def wait_training(client, key: str, job_id: int, timeout: float = 60.0) -> dict:
    """Poll GET /training-jobs/{id} until the job has finished; its last body."""
    deadline = time.time() + timeout
    job: dict = {}
    while time.time() < deadline:
        r = client.get(f"/training-jobs/{job_id}", headers=hdr(key))
        assert r.status_code == 200, r.text
        job = r.json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"training job {job_id} did not finish in {timeout}s: {job}")


def trained(client, key: str, body: dict, timeout: float = 60.0) -> dict:
    """POST /models (202 asserted) and wait for the training job to be done (asserted); the finished job, whose
    ``model`` is the trained model."""
    r = client.post("/models", json=body, headers=hdr(key))
    assert r.status_code == 202, r.text
    job = wait_training(client, key, r.json()["id"], timeout)
    assert job["state"] == "done", job
    return job


def jsonl_lines(path) -> list[dict]:
    """The JSON records of the JSON-lines file ``path`` (an audit log), blank lines skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def embed_cache_file(tmp_path, monkeypatch) -> Path:
    """The embedding cache file erasures clean (TEXTMINE_EMBED_CACHE), under ``tmp_path``; not made yet."""
    path = tmp_path / "emb" / "vectors.sqlite"
    monkeypatch.setenv(erasure.EMBED_CACHE_ENV, str(path))
    return path


@pytest.fixture
def audit_log_file(tmp_path, monkeypatch) -> Path:
    """The audit file (TEXTMINE_AUDIT_LOG) in a new folder under ``tmp_path``; not made yet."""
    path = tmp_path / "audit" / "audit.log"
    path.parent.mkdir()
    monkeypatch.setenv(audit.AUDIT_FILE_ENV, str(path))
    return path


@contextmanager
def app_client(url: str, tmp_path: Path, **settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A test client of a new app on the store ``url`` (the environment as the caller set it) and its keys."""
    app = create_app(make_settings(url, tmp_path, **settings))
    with TestClient(app) as client:
        yield client, issue_keys(app)


@pytest.fixture
def erasure_app(sqlite_url, tmp_path, embed_cache_file):
    """An app on a SQLite store whose erasures clean ``embed_cache_file``; (client, keys, the cache file)."""
    with app_client(sqlite_url, tmp_path) as (client, keys):
        yield client, keys, embed_cache_file


@pytest.fixture
def audited_app(sqlite_url, tmp_path, embed_cache_file, audit_log_file):
    """An app on a SQLite store writing its audit lines to ``audit_log_file`` (erasures clean ``embed_cache_file``);
    (client, keys, key ids by role, the audit file)."""
    with app_client(sqlite_url, tmp_path) as (client, keys):
        with client.app.state.db.session() as s:
            ids = {row.role: row.id for row in s.scalars(select(ApiKey))}
        yield client, keys, ids, audit_log_file


def cli_env(tmp_path: Path, monkeypatch) -> None:
    """The environment of a ``textmine`` command run in ``tmp_path`` (its store ``textmine.db`` there): the fake
    coder, the models and the embedding cache under ``tmp_path``, no store URL or audit file from outside."""
    monkeypatch.setenv("TEXTMINE_CODER_FACTORY", "fakes:keyword_coder_factory")
    if not _library_cleaner_available():
        monkeypatch.setenv("TEXTMINE_CLEANER_FACTORY", "fakes:regex_cleaner")
    monkeypatch.setenv(erasure.EMBED_CACHE_ENV, str(tmp_path / "emb" / "vectors.sqlite"))
    monkeypatch.setenv("TEXTMINE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("TEXTMINE_DATABASE_URL", raising=False)
    monkeypatch.delenv(audit.AUDIT_FILE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)


def cli_with_two_waves(tmp_path: Path, monkeypatch) -> Callable[..., str]:
    """Run ``textmine`` in :func:`cli_env` after making survey 1 with waves 1 ("2022") and 2 ("2023") of the
    sample's first 30 rows; ``run(*args, code=0, input=None)`` asserts the exit code and returns the output."""
    from typer.testing import CliRunner

    from textmine.cli import app as cli_app

    cli_env(tmp_path, monkeypatch)
    runner = CliRunner()

    def run(*args, code: int = 0, input: str | None = None) -> str:
        res = runner.invoke(cli_app, list(args), input=input)
        assert res.exit_code == code, res.output
        return res.output

    data = tmp_path / "wave.csv"
    data.write_bytes(to_csv_bytes(sample_frame(30)))
    run("store", "survey-create", "arbeidsgiver", "--definition", str(SURVEY_YAML))
    run("store", "upload", "1", str(data), "--label", "2022")
    run("store", "upload", "1", str(data), "--label", "2023", "--allow-duplicate")
    return run


def serve_cli(tmp_path: Path, monkeypatch, fake_run: Callable[..., None], *args: str):
    """``textmine serve *args`` on a free port in :func:`cli_env`, uvicorn.run replaced by ``fake_run``; the
    CliRunner result."""
    import socket

    import uvicorn
    from typer.testing import CliRunner

    from textmine.cli import app as cli_app

    cli_env(tmp_path, monkeypatch)
    monkeypatch.setattr(uvicorn, "run", fake_run)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return CliRunner().invoke(cli_app, ["serve", "--port", str(port), *args])


# ---------------------------------------------------------------- UI sessions on a settable clock
UI_HOUR = 3600  # the idle timeout of :func:`ui_app`'s sessions (their lifetime: eight of them)


class SettableClock:
    """A clock the test moves by hand (``clock.now += seconds``)."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def ui_app(url: str, tmp_path: Path, clock: SettableClock):
    """An app without jobs or warm-up whose UI sessions (idle an hour, lifetime eight hours) read ``clock``."""
    app = create_app(make_settings(url, tmp_path, warmup=False, run_jobs=False, ui_session_idle_seconds=UI_HOUR,
                                   ui_session_lifetime_seconds=8 * UI_HOUR))
    app.state.ui_sessions.clock = clock
    return app


# ---------------------------------------------------------------- the micro-batcher and the embedding cache
def run_async(make_coro: Callable, timeout: float = 60.0):
    """``asyncio.run(make_coro())`` on a thread of its own (the browser tests leave an event loop running on this
    one); its value, or its exception re-raised here."""
    import asyncio
    import threading

    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(make_coro())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join(timeout)
    if "error" in box:
        raise box["error"]
    return box["value"]


def vectors_on_disk(embedder, texts) -> int:
    """How many of ``texts`` have a vector in ``embedder``'s cache file (read through a connection of its own)."""
    from textmine.embed import EmbeddingCache, normalize_text

    store = EmbeddingCache(embedder.store.path)
    try:
        keys = [store.key(normalize_text(t)) for t in dict.fromkeys(texts)]
        return len(store.get_many(embedder.model_key, keys, embedder.dimension))
    finally:
        store.close()


@contextmanager
def embedding_service(url: str, tmp_path: Path, monkeypatch, backend, coder: Callable):
    """(client, keys, embedder): an app whose coders are ``coder(codebook, embedder)``, all sharing one
    CachedEmbedder on ``backend`` with its cache file under ``tmp_path`` (where an erasure looks for it)."""
    from textmine.embed import CachedEmbedder, EmbeddingCache

    cache_path = tmp_path / "emb" / "vectors.sqlite"
    monkeypatch.setenv(erasure.EMBED_CACHE_ENV, str(cache_path))
    embedder = CachedEmbedder(backend, EmbeddingCache(cache_path))

    def factory(codebook, model_dir):
        return coder(keyword_coder_factory(codebook, model_dir).codebook, embedder)

    factory.train = keyword_coder_factory.train
    app = create_app(make_settings(url, tmp_path, coder_factory=factory))
    try:
        with TestClient(app) as client:
            assert app.state.coders.ready.wait(30)
            yield client, issue_keys(app), embedder
    finally:
        embedder.store.close()


@pytest.fixture
def cli_dir(tmp_path: Path, monkeypatch) -> Path:
    """``tmp_path``, a ``textmine`` command's working folder in :func:`cli_env`."""
    cli_env(tmp_path, monkeypatch)
    return tmp_path
