"""Default-model coding jobs record which default model they used (migration 0005), and a wave summary compared
with an earlier wave refuses (409 ``model_mismatch``) two default-model jobs coded by different defaults: the
server restarted with TEXTMINE_DEFAULT_MODEL pointing elsewhere, or the default model rebuilt in place. The same
model files under another path are the same model; jobs stored before 0005 (no identity) compare as before."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from conftest import (
    create_survey,
    hdr,
    issue_keys,
    make_settings,
    sample_frame,
    survey_yaml,
    to_csv_bytes,
    upload,
    wait_job,
)
from fakes import keyword_coder_factory
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text

from service import store
from service.app import create_app
from service.coders import CoderCache
from service.db.models import CodingJob, CodingResult
from service.db.session import Database, make_engine
from service.errors import ApiError
from service.jobs import run_job
from textmine.paths import FAST_MODEL_DIR
from conftest import move_store  # alembic up/down on one connection

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")


def _model_copy(dest: Path) -> Path:
    """A default model directory (models/fast, which serves the default codebook), copied."""
    shutil.copytree(FAST_MODEL_DIR, dest)
    return dest


def _rebuild(model_dir: Path) -> None:
    """As ``python models/build_default.py`` rebuilding the model in place: a new creation stamp in the manifest
    (the loader and check_default_model still accept it)."""
    path = model_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["created_at"] = "2027-01-02T03:04:05+00:00"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def _frame(label: str, n: int = 30):
    frame = sample_frame(n)
    return frame.assign(wave=label, respondent_id=frame["respondent_id"].str.replace("2022", label))


def _code(c, keys, wave_id: int, **body) -> int:
    r = c.post(f"/waves/{wave_id}/coding-jobs", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 202, r.text
    job = wait_job(c, keys["reader"], r.json()["id"])
    assert job["state"] == "done", job
    return job["id"]


def _summary(c, keys, wave_id: int, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return c.get(f"/waves/{wave_id}/summary?{query}", headers=hdr(keys["reader"]))


def _identity(db_app, job_id: int) -> str | None:
    with db_app.state.db.session() as s:
        return s.get(CodingJob, job_id).default_model_identity


def test_waves_coded_under_different_default_models_are_not_compared(db_url, tmp_path):
    served = _model_copy(tmp_path / "served")  # TEXTMINE_DEFAULT_MODEL=served for both servers
    settings = make_settings(db_url, tmp_path, default_model=served)
    with TestClient(create_app(settings)) as c:
        keys = issue_keys(c.app)
        sid = create_survey(c, keys["analyst"])
        w21 = upload(c, keys["analyst"], sid, to_csv_bytes(_frame("2021")), "w2021.csv", "2021").json()["id"]
        w22 = upload(c, keys["analyst"], sid, to_csv_bytes(_frame("2022")), "w2022.csv", "2022").json()["id"]
        old21 = _code(c, keys, w21)
        old_identity = _identity(c.app, old21)
    assert old_identity and old_identity.startswith("sha256:")

    _rebuild(served)  # the default model rebuilt in place; the server restarted with the same setting
    with TestClient(create_app(make_settings(db_url, tmp_path, default_model=served))) as c:
        new22 = _code(c, keys, w22)
        new_identity = _identity(c.app, new22)
        assert new_identity and new_identity.startswith("sha256:") and new_identity != old_identity

        r = _summary(c, keys, w22, compare_wave_id=w21)  # the earlier wave's only job: another default model
        assert r.status_code == 409, r.text[:500]
        error = r.json()["error"]
        assert error["code"] == "model_mismatch"
        assert "default model changed" in error["message"] and f"/waves/{w21}/coding-jobs" in error["message"]
        assert error["details"]["compare_job_id"] == old21 and error["details"]["job_id"] == new22
        assert error["details"]["default_model"] == new_identity
        assert error["details"]["compare_default_model"] == old_identity
        r = _summary(c, keys, w22, compare_wave_id=w21, compare_job_id=old21)  # chosen explicitly: refused too
        assert r.status_code == 409 and r.json()["error"]["code"] == "model_mismatch", r.text

        # the earlier wave coded again with the current default: compared with that job, never with the old one
        again21 = _code(c, keys, w21, force=True)
        assert _identity(c.app, again21) == new_identity
        r = _summary(c, keys, w22, compare_wave_id=w21)
        assert r.status_code == 200, r.text[:500]
        assert r.json()["compare_job_id"] == again21
        assert r.json()["coding_jobs"] == {str(w21): again21, str(w22): new22}
        r = _summary(c, keys, w22, compare_wave_id=w21, compare_job_id=old21)
        assert r.status_code == 409 and r.json()["error"]["code"] == "model_mismatch", r.text


def test_the_same_default_model_under_another_path_is_compared(db_url, tmp_path):
    first = _model_copy(tmp_path / "first")
    with TestClient(create_app(make_settings(db_url, tmp_path, default_model=first))) as c:
        keys = issue_keys(c.app)
        sid = create_survey(c, keys["analyst"])
        w21 = upload(c, keys["analyst"], sid, to_csv_bytes(_frame("2021")), "w2021.csv", "2021").json()["id"]
        w22 = upload(c, keys["analyst"], sid, to_csv_bytes(_frame("2022")), "w2022.csv", "2022").json()["id"]
        j21 = _code(c, keys, w21)
    second = _model_copy(tmp_path / "second")  # the same files elsewhere (e.g. the model folder moved)
    with TestClient(create_app(make_settings(db_url, tmp_path, default_model=second))) as c:
        j22 = _code(c, keys, w22)
        assert _identity(c.app, j22) == _identity(c.app, j21) is not None
        r = _summary(c, keys, w22, compare_wave_id=w21)
        assert r.status_code == 200, r.text[:500]
        assert r.json()["compare_job_id"] == j21


def _store_with_waves(db_url: str, tmp_path: Path) -> tuple[Database, int, int]:
    db = Database(db_url)
    settings = make_settings(db_url, tmp_path)
    with db.session() as s:
        survey = store.create_survey(s, "arbeidsgiver", None, survey_yaml())
        w21, _ = store.upload_wave(s, settings, survey.id, to_csv_bytes(_frame("2021", 60)), "a.csv", label="2021")
        w22, _ = store.upload_wave(s, settings, survey.id, to_csv_bytes(_frame("2022", 60)), "b.csv", label="2022")
        return db, w21.id, w22.id


def _start(db: Database, wave_id: int, force: bool = False) -> int:
    with db.session() as s:
        job, _ = store.start_job(s, wave_id, None, None, force)
        return job.id


def test_a_job_resumed_under_another_default_model_fails_instead_of_mixing_models(db_url, tmp_path):
    db, w21, _ = _store_with_waves(db_url, tmp_path)
    first, second = _model_copy(tmp_path / "first"), _model_copy(tmp_path / "second")
    _rebuild(second)
    job_id = _start(db, w21)
    stop = threading.Event()  # the first server stops after one chunk: the job goes back to "queued"
    state = run_job(db, CoderCache(factory=keyword_coder_factory, default_model=first), job_id, chunk_size=3,
                    stop=stop, on_chunk=lambda job: stop.set())
    assert state == "queued"
    with db.session() as s:
        coded = s.scalar(select(func.count()).select_from(CodingResult).where(CodingResult.job_id == job_id))
        job = s.get(CodingJob, job_id)
        recorded, total = job.default_model_identity, job.total
    assert coded == 3 < total and recorded is not None

    # resumed by a server whose default model is another one: failed, its results never mixed with the new model's
    state = run_job(db, CoderCache(factory=keyword_coder_factory, default_model=second), job_id, chunk_size=3)
    assert state == "failed"
    with db.session() as s:
        job = s.get(CodingJob, job_id)
        assert job.default_model_identity == recorded
        assert "default model changed" in job.error
        coded_after = s.scalar(select(func.count()).select_from(CodingResult).where(CodingResult.job_id == job_id))
    assert coded_after == coded

    again = _start(db, w21)  # started again (no force needed): a new job, all by the current default
    assert again != job_id
    coders = CoderCache(factory=keyword_coder_factory, default_model=second)
    assert run_job(db, coders, again, chunk_size=3) == "done"
    with db.session() as s:
        assert s.get(CodingJob, again).default_model_identity == coders.default_identity != recorded
    db.dispose()


def test_starting_a_job_with_the_current_default_reuses_only_a_job_by_that_default(db_url, tmp_path):
    db, w21, _ = _store_with_waves(db_url, tmp_path)
    first, second = _model_copy(tmp_path / "first"), _model_copy(tmp_path / "second")
    _rebuild(second)
    old, new = CoderCache(default_model=first), CoderCache(default_model=second)
    assert old.default_identity != new.default_identity
    done = _start(db, w21)
    assert run_job(db, CoderCache(factory=keyword_coder_factory, default_model=first), done) == "done"
    with db.session() as s:
        same, created = store.start_job(s, w21, None, None, default_identity=old.default_identity)
        assert (same.id, created) == (done, False)  # the same default: the finished job, as before
        same, created = store.start_job(s, w21, None, None)  # no identity given: as before
        assert (same.id, created) == (done, False)
        fresh, created = store.start_job(s, w21, None, None, default_identity=new.default_identity)
        assert created and fresh.id != done and fresh.state == "queued"
        fresh_id = fresh.id
    with db.session() as s:  # the old job stays, reportable with job_id
        assert s.get(CodingJob, done).state == "done"
        again, created = store.start_job(s, w21, None, None, default_identity=new.default_identity)
        assert (again.id, created) == (fresh_id, False)  # queued, not yet identified: reused
    db.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
               for t in ("coding_jobs", "coding_results", "responses", "respondents", "waves")}
    engine.dispose()
    return out


def test_migration_0005_keeps_every_job_and_old_jobs_compare_as_before(db_url, tmp_path):
    db, w21, w22 = _store_with_waves(db_url, tmp_path)
    first, second = _model_copy(tmp_path / "first"), _model_copy(tmp_path / "second")
    _rebuild(second)
    j21, j22 = _start(db, w21), _start(db, w22)
    assert run_job(db, CoderCache(factory=keyword_coder_factory, default_model=first), j21) == "done"
    assert run_job(db, CoderCache(factory=keyword_coder_factory, default_model=second), j22) == "done"
    with pytest.raises(ApiError) as err, db.session() as s:
        store.wave_summary(s, w22, compare_wave_id=w21)
    assert err.value.status == 409 and err.value.code == "model_mismatch"
    db.dispose()
    counts = _counts(db_url)

    move_store(db_url, "0004", down=True)  # a store as written before 0005: no column, every job and result kept
    engine = make_engine(db_url)
    assert "default_model_identity" not in {c["name"] for c in inspect(engine).get_columns("coding_jobs")}
    engine.dispose()
    assert _counts(db_url) == counts

    db = Database(db_url)  # back to head: the column is there again, NULL for the jobs stored before it
    assert _counts(db_url) == counts
    with db.session() as s:
        assert [j.default_model_identity for j in s.scalars(select(CodingJob))] == [None, None]
        body = store.wave_summary(s, w22, compare_wave_id=w21)  # which defaults they used is unknown: as before
    assert body["compare_job_id"] == j21 and body["coding_jobs"] == {w21: j21, w22: j22}
    db.dispose()
