"""POST /models as a background training job (202 + GET /training-jobs/{id}): checks still answered at once, one
training at a time, failures and server stops end as "failed" with a clear message and no model, and coding and
training jobs record the textmine and word-list versions they ran with (migration 0007)."""

from __future__ import annotations

import threading
import time

from conftest import move_store, coded_job, trained, wait_training, create_survey, hdr, issue_keys, make_settings, sample_frame, table_counts, uploaded_wave
from fakes import keyword_coder_factory
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text

import textmine
from service import library, store
from service.app import create_app
from service.db.models import CodingJob, Response, TrainedModel, TrainingJob
from service.db.session import MIGRATIONS_DIR, Database, make_engine
from service.jobs import INTERRUPTED_TRAINING, TrainingRunner, run_job

FNR = "01019012480"
MINI = {"name": "mini", "version": "1",
        "themes": [{"id": "ventetid", "label": "Ventetid", "keywords": ["ventetid", "vente"]},
                   {"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
                   {"id": "annet", "label": "Annet", "description": "Annet", "exclusive": True}]}


def _correct(client, keys, n: int = 6, themes=("telefon", "annet"), codebook_id: int | None = None) -> None:
    """A survey, a wave and ``n`` corrections of its answers (``themes`` in turn)."""
    sid = create_survey(client, keys["analyst"], name=f"arbeidsgiver {codebook_id or 0}")
    wave = uploaded_wave(client, keys, sid, sample_frame(80), "2022")
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == wave, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(n)).all()
    assert len(ids) == n
    for i, rid in enumerate(ids):
        body = {"themes": [themes[i % len(themes)]], **({"codebook_id": codebook_id} if codebook_id else {})}
        r = client.post(f"/responses/{rid}/codes", json=body, headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text


def _slow_training(monkeypatch):
    """Make training wait until released; returns (started, release) events."""
    started, release = threading.Event(), threading.Event()
    plain = keyword_coder_factory.train

    def slow(*args):
        started.set()
        release.wait(30)
        return plain(*args)

    monkeypatch.setattr(keyword_coder_factory, "train", slow)
    return started, release


def _model_dirs(tmp_path) -> list:
    folder = tmp_path / "models"
    return sorted(p.name for p in folder.glob("model-*")) if folder.exists() else []


# ---------------------------------------------------------------- 202, polling, the model
def test_post_models_answers_202_at_once_and_the_job_ends_with_the_model(client, keys):
    _correct(client, keys)
    a = hdr(keys["analyst"])
    r = client.post("/models", json={"min_examples": 5, "name": "Arbeidsgiver 2024"}, headers=a)
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["state"] in ("queued", "running", "done") and body["model"] in (None, body["model"])
    assert r.headers["location"] == f"/training-jobs/{body['id']}"
    job = wait_training(client, keys["analyst"], body["id"])
    assert job["state"] == "done" and job["error"] is None
    assert job["started_at"] and job["finished_at"] and job["created_at"].endswith("Z")
    model = job["model"]
    assert model["name"] == "Arbeidsgiver 2024" and model["n_training"] == 6
    assert job["textmine_version"] == textmine.__version__ == library.textmine_version()
    assert job["lexicon_version"] == library.lexicon_version() and job["lexicon_version"].startswith("sha256:")
    listed = client.get("/models", headers=hdr(keys["reader"])).json()
    assert [m["id"] for m in listed["items"]] == [model["id"]]
    jobs = client.get("/training-jobs?state=done", headers=a).json()
    assert jobs["total"] == 1 and jobs["items"][0]["id"] == body["id"] and jobs["items"][0]["model"] == model
    assert client.get("/training-jobs?state=failed", headers=a).json()["total"] == 0
    # the trained model codes a wave (the job's model row is a real model)
    assert client.post("/classify", json={"texts": ["telefon"], "model_id": model["id"]},
                       headers=a).status_code == 200


def test_training_jobs_are_for_analysts_and_404_when_unknown(client, keys):
    assert client.get("/training-jobs", headers=hdr(keys["reader"])).status_code == 403
    assert client.get("/training-jobs/1", headers=hdr(keys["reader"])).status_code == 403
    r = client.get("/training-jobs/4", headers=hdr(keys["analyst"]))
    assert r.status_code == 404 and r.json()["error"]["message"] == "training job 4 does not exist"
    page = client.get("/training-jobs?limit=1&offset=0", headers=hdr(keys["analyst"])).json()
    assert page == {"items": [], "total": 0, "limit": 1, "offset": 0}


# ---------------------------------------------------------------- the checks stay synchronous
def test_every_check_answers_at_once_and_creates_no_job(client, keys):
    a = hdr(keys["analyst"])
    before = table_counts(client.app)
    r = client.post("/models", json={"min_examples": 5}, headers=a)
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_enough_corrections", r.text
    r = client.post("/models", json={"min_examples": 5, "name": f"Kari Nordmann {FNR}"}, headers=a)
    assert r.status_code == 422 and r.json()["error"]["code"] == "personal_data_in_name", r.text
    assert FNR not in r.text
    r = client.post("/models", json={"min_examples": 5, "codebook_id": 999}, headers=a)
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_codebook", r.text
    assert table_counts(client.app) == before
    cb_id = client.post("/codebooks", json=MINI, headers=a).json()["id"]
    _correct(client, keys, 6, themes=("ventetid", "annet"), codebook_id=cb_id)
    before = table_counts(client.app)
    r = client.post("/models", json={"min_examples": 5, "codebook_id": cb_id}, headers=a)
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_few_theme_examples", r.text
    assert r.json()["error"]["details"]["themes"] == {"telefon": 0}
    assert table_counts(client.app) == before and before["training_jobs"] == 0


def test_a_training_on_corrections_alone_keeps_its_warning(client, keys):
    a = hdr(keys["analyst"])
    cb_id = client.post("/codebooks", json=MINI, headers=a).json()["id"]
    _correct(client, keys, 9, themes=("ventetid", "annet", "telefon"), codebook_id=cb_id)
    job = trained(client, keys["analyst"], {"min_examples": 5, "codebook_id": cb_id})
    assert job["codebook_id"] == cb_id and job["model"]["codebook_id"] == cb_id
    assert job["model"]["metrics"]["n_base_examples"] == 0
    assert len(job["model"]["warnings"]) == 1 and "corrections alone" in job["model"]["warnings"][0]


# ---------------------------------------------------------------- failures
def test_a_failed_training_fails_the_job_with_a_clear_message_and_stores_no_model(client, keys, monkeypatch,
                                                                                    tmp_path, caplog):
    _correct(client, keys)

    def broken(codebook, texts, labels, model_dir):
        model_dir.mkdir(parents=True, exist_ok=True)  # half-written, then the library fails quoting a comment
        raise RuntimeError(f"cannot embed 'Kari Nordmann {FNR} ringte'")

    monkeypatch.setattr(keyword_coder_factory, "train", broken)
    r = client.post("/models", json={"min_examples": 5}, headers=hdr(keys["analyst"]))
    assert r.status_code == 202, r.text
    job = wait_training(client, keys["analyst"], r.json()["id"])
    assert job["state"] == "failed" and job["model"] is None and job["finished_at"]
    assert job["error"] == "training failed: RuntimeError"
    listed = client.get(f"/training-jobs/{job['id']}", headers=hdr(keys["analyst"])).text
    assert FNR not in listed and "Nordmann" not in listed and FNR not in caplog.text
    assert client.get("/models", headers=hdr(keys["reader"])).json()["total"] == 0
    assert table_counts(client.app)["models"] == 0 and _model_dirs(tmp_path) == []


def test_corrections_gone_since_the_request_fail_the_job_with_the_check_s_message(client, keys, monkeypatch):
    """The worker checks the request again when it starts: what changed meanwhile is a clear "refused"."""
    _correct(client, keys)
    app = client.app
    with app.state.db.session() as s:
        job = store.start_training_job(s, app.state.settings, None, None, min_examples=5)
        job.min_examples = 50  # as if corrections were removed since the request was checked
        job_id = job.id
    app.state.training.submit(job_id)
    got = wait_training(client, keys["analyst"], job_id)
    assert got["state"] == "failed" and got["error"] == ("training refused: training needs at least 50 corrected "
                                                         f"responses for codebook {got['codebook_id']}; found 6")


def test_cancelled_training_jobs_store_no_model(client, keys, monkeypatch, tmp_path):
    """A queued job cancelled never starts; a running one trains to the end but its model is discarded."""
    _correct(client, keys)
    started, release = _slow_training(monkeypatch)
    a = hdr(keys["analyst"])
    running, queued = (client.post("/models", json={"min_examples": 5, "name": f"nightly-{i}"}, headers=a).json()["id"]
                       for i in range(2))  # two requests (the same one again is a retry: its job)
    assert started.wait(30)
    for job_id in (running, queued):
        r = client.post(f"/training-jobs/{job_id}/cancel", headers=a)
        assert r.status_code == 200 and r.json()["state"] == "cancelled", r.text
    release.set()
    later = trained(client, keys["analyst"], {"min_examples": 5})  # queued after both: the worker has passed them
    never = wait_training(client, keys["analyst"], queued)
    assert never["state"] == "cancelled" and never["started_at"] is None and never["textmine_version"] is None
    assert wait_training(client, keys["analyst"], running)["model"] is None
    models = client.get("/models", headers=hdr(keys["reader"])).json()["items"]
    assert [m["id"] for m in models] == [later["model"]["id"]] and len(_model_dirs(tmp_path)) == 1
    done = client.post(f"/training-jobs/{running}/cancel", headers=a).json()
    assert done["state"] == "cancelled"  # finished jobs are left as they are
    assert client.post("/training-jobs/99/cancel", headers=hdr(keys["reader"])).status_code == 403


# ---------------------------------------------------------------- stops and restarts
def test_a_training_job_left_running_is_failed_at_start_up_and_a_queued_one_runs(app_factory, tmp_path):
    first = app_factory(run_jobs=False)
    with TestClient(first) as c:
        keys = issue_keys(first)
        _correct(c, keys)
        with first.state.db.session() as s:  # as a killed server left them: one running, one queued
            killed = store.start_training_job(s, first.state.settings, None, None, min_examples=5)
            killed.state, killed.started_at = "running", killed.created_at
            waiting = store.start_training_job(s, first.state.settings, None, None, min_examples=5)
            killed_id, waiting_id = killed.id, waiting.id
    app = app_factory()
    with TestClient(app) as c:
        failed = c.get(f"/training-jobs/{killed_id}", headers=hdr(keys["analyst"])).json()
        assert failed["state"] == "failed" and failed["error"] == INTERRUPTED_TRAINING and failed["finished_at"]
        assert failed["model"] is None
        assert wait_training(c, keys["analyst"], waiting_id)["state"] == "done"
    with app.state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(TrainedModel)) == 1


def test_stopping_the_server_mid_training_fails_the_job_and_discards_a_late_model(client, keys, monkeypatch,
                                                                                  tmp_path):
    _correct(client, keys)
    started, release = _slow_training(monkeypatch)
    app = client.app
    runner = TrainingRunner(app.state.db, app.state.settings)
    runner.start()
    with app.state.db.session() as s:
        job_id = store.start_training_job(s, app.state.settings, None, None, min_examples=5).id
    runner.submit(job_id)
    assert started.wait(30)
    runner.stop(timeout=0.2)  # still training: failed now, not left running until the next start
    with app.state.db.session() as s:
        job = s.get(TrainingJob, job_id)
        assert (job.state, job.error) == ("failed", INTERRUPTED_TRAINING)
    release.set()  # the training finishes after all: its model is not stored
    runner._thread.join(30)
    with app.state.db.session() as s:
        assert s.get(TrainingJob, job_id).state == "failed"
        assert s.scalar(select(func.count()).select_from(TrainedModel)) == 0
    assert _model_dirs(tmp_path) == []


def test_two_trainings_never_run_at_once(client, keys, monkeypatch):
    _correct(client, keys)
    plain = keyword_coder_factory.train
    running, most = [0], [0]
    lock = threading.Lock()

    def counted(*args):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return plain(*args)

    monkeypatch.setattr(keyword_coder_factory, "train", counted)
    ids = [client.post("/models", json={"min_examples": 5, "name": f"nightly-{i}"},
                       headers=hdr(keys["analyst"])).json()["id"] for i in range(3)]
    jobs = [wait_training(client, keys["analyst"], i) for i in ids]
    assert [j["state"] for j in jobs] == ["done"] * 3 and most[0] == 1
    assert len({j["model"]["id"] for j in jobs}) == 3


# ---------------------------------------------------------------- versions
def test_coding_jobs_record_the_textmine_and_word_list_versions(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = uploaded_wave(client, keys, sid, sample_frame(20), "2022")
    job_id = coded_job(client, keys, wave)
    job = client.get(f"/jobs/{job_id}", headers=hdr(keys["reader"])).json()
    assert job["textmine_version"] == textmine.__version__
    assert job["lexicon_version"] == library.wordlists_digest() == library.lexicon_version()
    listed = client.get(f"/jobs?wave_id={wave}", headers=hdr(keys["reader"])).json()["items"][0]
    assert (listed["textmine_version"], listed["lexicon_version"]) == (job["textmine_version"], job["lexicon_version"])


def test_a_resumed_coding_job_keeps_the_versions_it_first_ran_with(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = uploaded_wave(client, keys, sid, sample_frame(20), "2022")
    job_id = coded_job(client, keys, wave)
    with client.app.state.db.session() as s:
        job = s.get(CodingJob, job_id)
        job.state, job.lexicon_version = "queued", "sha256:older"
    client.app.state.jobs.submit(job_id)
    deadline = time.time() + 30
    while client.get(f"/jobs/{job_id}", headers=hdr(keys["reader"])).json()["state"] != "done":
        assert time.time() < deadline
        time.sleep(0.05)
    assert client.get(f"/jobs/{job_id}", headers=hdr(keys["reader"])).json()["lexicon_version"] == "sha256:older"


def test_a_job_taking_over_cancelled_results_keeps_the_versions_they_were_coded_with(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = uploaded_wave(client, keys, sid, sample_frame(40), "2022")
    app = client.app
    app.state.coders.ready.wait(30)
    with app.state.db.session() as s:
        old_id = store.start_job(s, wave, None, None, default_identity=app.state.coders.default_identity)[0].id

    def cancel_after_first(_job):
        with app.state.db.session() as s:
            store.cancel_job(s, old_id)
            s.get(CodingJob, old_id).lexicon_version = "sha256:older"  # as if coded before the lists changed

    assert run_job(app.state.db, app.state.coders, old_id, 7, on_chunk=cancel_after_first) == "cancelled"
    r = client.post(f"/waves/{wave}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
    assert r.status_code == 202 and r.json()["done"] == 7, r.text
    assert r.json()["lexicon_version"] == "sha256:older" and r.json()["textmine_version"] == textmine.__version__


def test_the_word_list_version_is_stable_and_follows_the_files(tmp_path):
    folder = tmp_path / "wordlists"
    folder.mkdir()
    (folder / "nonanswers.txt").write_text("vet ikke\n", encoding="utf-8")
    (folder / "keep_words.txt").write_text("nav\n", encoding="utf-8")
    first = library.wordlists_digest(folder)
    assert first == library.wordlists_digest(folder) and first.startswith("sha256:") and len(first) == 23
    (folder / "nonanswers.txt").write_text("vet ikke\ningen\n", encoding="utf-8")
    edited = library.wordlists_digest(folder)
    (folder / "name_first_no.txt").write_text("kari\n", encoding="utf-8")
    assert len({first, edited, library.wordlists_digest(folder)}) == 3
    assert library.wordlists_digest(tmp_path / "none") == "missing"
    assert library.lexicon_version() is library.lexicon_version()  # computed once per process


# ---------------------------------------------------------------- migration 0007
def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migration_0007_adds_training_jobs_and_version_columns_keeping_every_row(db_url, tmp_path):
    app = create_app(make_settings(db_url, tmp_path))
    with TestClient(app) as c:
        keys = issue_keys(app)
        sid = create_survey(c, keys["analyst"])
        wave = uploaded_wave(c, keys, sid, sample_frame(20), "2022")
        job_id = coded_job(c, keys, wave)
        before = table_counts(app)

    move_store(db_url, "0006", down=True)  # a store before 0007: no training_jobs, no version columns, every row kept
    engine = make_engine(db_url)
    assert "training_jobs" not in inspect(engine).get_table_names()
    assert not {"textmine_version", "lexicon_version"} & {c["name"] for c in inspect(engine).get_columns("coding_jobs")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM coding_results")).scalar() == before["coding_results"]
    engine.dispose()

    db = Database(db_url)  # migrates to head: the old job has no versions (not known), nothing else changed
    try:
        with db.session() as s:
            job = s.get(CodingJob, job_id)
            assert (job.state, job.textmine_version, job.lexicon_version) == ("done", None, None)
            assert s.scalar(select(func.count()).select_from(TrainingJob)) == 0
            counts = {t: s.scalar(text(f"SELECT count(*) FROM {t}")) for t in before}
        assert counts == before
        with db.engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == _head()
    finally:
        db.dispose()
