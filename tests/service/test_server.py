"""A real uvicorn server on 127.0.0.1: round trip with the real coder, and a SIGKILL during a coding job."""

from __future__ import annotations

import time

import httpx
import pandas as pd
import pytest
from conftest import _library_cleaner_available, create_survey, make_settings, sample_frame, survey_yaml, to_csv_bytes
from server import Server, cli
from sqlalchemy import create_engine, text

from textmine.paths import SAMPLE_DIR

pytestmark = pytest.mark.slow


def _key(database: str, role: str, cwd) -> str:
    res = cli("keys", "create", "--role", role, "--database", database, cwd=cwd)
    assert res.returncode == 0, res.stderr
    key = res.stdout.strip().splitlines()[-1]
    assert key.startswith("tm_")
    return key


def _poll_job(client: httpx.Client, job_id: int, timeout: float) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} unfinished after {timeout}s: {job}")


def _fake_env() -> dict:
    env = {"TEXTMINE_CODER_FACTORY": "fakes:keyword_coder_factory", "TEXTMINE_JOB_CHUNK_SIZE": "8",
           "TEXTMINE_FAKE_DELAY": "0.6"}
    if not _library_cleaner_available():
        env["TEXTMINE_CLEANER_FACTORY"] = "fakes:regex_cleaner"
    return env


def test_round_trip_with_real_default_coder(tmp_path):
    """upload → coding job → summary → quotes over HTTP with the bundled default coder (subset of the wave)."""
    database = f"sqlite:///{tmp_path / 'rt.db'}"
    key = _key(database, "analyst", tmp_path)
    frame = sample_frame(120)
    with Server(database, cwd=tmp_path, log=tmp_path / "server.log") as srv:
        srv.wait_for("/readyz", 420)
        with httpx.Client(base_url=srv.url, headers={"X-API-Key": key}, timeout=120) as c:
            sid = create_survey(c, key)
            r = c.post(f"/surveys/{sid}/waves", files={"file": ("arbeidsgiver_2022.csv", to_csv_bytes(frame))})
            assert r.status_code == 201, r.text
            wave = r.json()
            job = c.post(f"/waves/{wave['id']}/coding-jobs", json={})
            assert job.status_code == 202
            done = _poll_job(c, job.json()["id"], 300)
            assert done["state"] == "done" and done["done"] == done["total"] == wave["counts"]["responses"]
            summary = c.get(f"/waves/{wave['id']}/summary")
            assert summary.status_code == 200, summary.text
            body = summary.json()
            assert body["coding_jobs"] == {str(wave["id"]): done["id"]}
            assert body["summary"]
            labels = pd.read_csv(SAMPLE_DIR / "labels_2022.csv", dtype=str, keep_default_na=False)
            top = labels[labels.respondent_id.isin(frame.respondent_id)]["themes"].str.split(";").explode()
            theme = top[top != ""].value_counts().index[0]
            quotes = c.get(f"/waves/{wave['id']}/themes/{theme}/quotes")
            assert quotes.status_code == 200, quotes.text
            texts = " ".join(q["text"] for q in quotes.json()["quotes"])
            classify = c.post("/classify", json={"texts": ["Vi kommer aldri gjennom på telefon, ring 91234567"]})
            assert classify.status_code == 200
            res = classify.json()["results"][0]
            assert "91234567" not in res["text"] and res["scores"]
    pii = pd.read_csv(SAMPLE_DIR / "pii_2022.csv", dtype=str, keep_default_na=False)
    pii = pii[pii.respondent_id.isin(frame.respondent_id) & pii.pii_type.isin(["fodselsnummer", "epost", "telefon"])]
    dumped = summary.text + quotes.text + texts
    leaked = [v for v in pii["value"] if v and v in dumped]
    assert not leaked


RSS_BUDGET_MB = 1536  # issue 7: the server with the default model serving /classify stays within 1.5 GB


def test_server_rss_with_default_model_stays_within_budget(tmp_path):
    """Peak RSS of ``textmine serve`` (default codebook + model, /classify on every sample comment plus
    foreign-language text that loads the wider language detector) stays within the budget; no torch."""
    import threading

    import psutil

    database = f"sqlite:///{tmp_path / 'rss.db'}"
    key = _key(database, "analyst", tmp_path)
    frame = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2022.csv", dtype=str, keep_default_na=False)
    texts = [t for col in ("fritekst_sykefravaer", "fritekst_generell") for t in frame[col] if t.strip()]
    texts += ["Wir warten seit Wochen auf eine Antwort vom Amt.", "Czekamy na odpowiedz od bardzo dawna.",
              "Vi har väntat länge på svar från handläggaren.", "The phone queue is far too long."]
    with Server(database, cwd=tmp_path, log=tmp_path / "server.log") as srv:
        srv.wait_for("/readyz", 420)
        proc = psutil.Process(srv.pid)
        peak, stop = [0], threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    peak[0] = max(peak[0], sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]))
                except psutil.Error:
                    pass
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            with httpx.Client(base_url=srv.url, headers={"X-API-Key": key}, timeout=300) as c:
                for i in range(0, len(texts), 40):
                    r = c.post("/classify", json={"texts": texts[i:i + 40]})
                    assert r.status_code == 200, r.text
            time.sleep(0.2)
        finally:
            stop.set()
            sampler.join(2)
        libs = {m.path for m in proc.memory_maps()}
    assert not [p for p in libs if "libtorch" in p], "torch was loaded into the server"
    assert 0 < peak[0] / 2**20 <= RSS_BUDGET_MB, f"server peak RSS {peak[0] / 2**20:.0f} MB > {RSS_BUDGET_MB} MB"


def _prepare_store(database: str, tmp_path, n_rows: int = 300) -> tuple[str, int, int]:
    """Key, wave and a queued coding job written in-process (same code path as the API)."""
    from service import store
    from service.auth import create_key
    from service.db.session import Database

    settings = make_settings(database, tmp_path)
    db = Database(database)
    with db.session() as s:
        key = create_key(s, "analyst", "test")[1]
        survey = store.create_survey(s, "arbeidsgiver", None, survey_yaml())
        wave, _ = store.upload_wave(s, settings, survey.id, to_csv_bytes(sample_frame(n_rows)), "w.csv")
    with db.session() as s:
        job, created = store.start_job(s, wave.id, None, None)
        assert created and job.total > 60
        ids = (wave.id, job.id)
    db.dispose()
    return key, *ids


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sigkill_during_job_then_restart_finishes_exactly_once(tmp_path, backend):
    """The server picks up the queued job at startup; SIGKILL it mid-job; the restarted server resumes the job
    from the last committed chunk and finishes with exactly one result per response."""
    if backend == "sqlite":
        database = f"sqlite:///{tmp_path / 'kill.db'}"
    else:
        from conftest import postgres_url_or_skip, reset_postgres

        database = postgres_url_or_skip()
        reset_postgres(database)
    key, wave_id, job_id = _prepare_store(database, tmp_path)
    env = _fake_env()
    log = tmp_path / "server.log"
    srv = Server(database, env=env, cwd=tmp_path, log=log).start()
    try:
        with httpx.Client(base_url=srv.url, headers={"X-API-Key": key}, timeout=60) as c:
            deadline = time.time() + 60
            while c.get(f"/jobs/{job_id}").json()["done"] < 16 and time.time() < deadline:
                time.sleep(0.05)
            srv.kill()  # SIGKILL mid-job
    finally:
        srv.kill()
    engine = create_engine(database)
    with engine.connect() as conn:
        state, done_at_kill, total = conn.execute(text("select state, done, total from coding_jobs")).one()
        assert state == "running" and 16 <= done_at_kill < total
        assert conn.execute(text("select count(*) from coding_results")).scalar() == done_at_kill
    srv2 = Server(database, env={**env, "TEXTMINE_FAKE_DELAY": "0"}, cwd=tmp_path, log=log).start()
    try:
        with httpx.Client(base_url=srv2.url, headers={"X-API-Key": key}, timeout=60) as c:
            final = _poll_job(c, job_id, 120)
            again = c.post(f"/waves/{wave_id}/coding-jobs", json={}).json()
    finally:
        srv2.stop()
    assert final["state"] == "done" and final["done"] == final["total"] == total
    assert again["id"] == job_id  # idempotent across restarts
    with engine.connect() as conn:
        n, distinct = conn.execute(text("select count(*), count(distinct response_id) from coding_results")).one()
        chunks = [r[0] for r in conn.execute(text("select distinct chunk from coding_results order by chunk"))]
        n_responses = conn.execute(text(f"select count(*) from responses where wave_id = {int(wave_id)}")).scalar()
    engine.dispose()
    assert n == distinct == total == n_responses
    assert chunks == list(range(final["chunks_done"]))
