"""Training jobs: an ETA from the steps after the first one (migration 0015: ``training_jobs.first_step_at``), a
cancel noticed between the batches the first step embeds (``library.CheckedEmbedder``), and the record of the
corrections a model was trained on (``metrics.corrections_record``; beside a kept corrections.csv the record
``textmine review --corrections`` writes)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from conftest import create_survey, hdr, issue_keys, move_store, sample_frame, trained, uploaded_wave
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select

from service import jobs, library, store
from service.db.models import Codebook, Response, TrainedModel, TrainingJob
from service.db.session import make_engine

START = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


class FakeEmbedder:
    """Vectors from each text alone (its length); ``calls``: the texts of each encode call; ``on_call(n)``: told
    the number of each call as it is made."""

    name, version, dimension = "fake", "1", 4

    def __init__(self, on_call=None):
        self.calls: list[list[str]] = []
        self.on_call = on_call

    def encode(self, texts, *, batch_size: int = 64, show_progress: bool = False):
        if isinstance(texts, str):
            raise TypeError("encode() expects a sequence of texts")
        self.calls.append(list(texts))
        if self.on_call is not None:
            self.on_call(len(self.calls))
        return np.array([[len(t), len(t) % 7, 1.0, 0.5] for t in texts], dtype=np.float32)


def _corrected(client, keys, n: int = 6) -> list[str]:
    """A wave and ``n`` corrections of its answers; the corrected answers' stored texts."""
    wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(60), "2022")
    with client.app.state.db.session() as s:
        rows = s.execute(select(Response.id, Response.text_redacted).where(
            Response.wave_id == wave, Response.is_non_answer == 0).order_by(Response.id).limit(n)).all()
    for i, (rid, _) in enumerate(rows):
        r = client.post(f"/responses/{rid}/codes", json={"themes": [("telefon", "annet")[i % 2]]},
                        headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
    return [t for _, t in rows]


def _queued_job(app) -> int:
    """A queued training job's id (the store's rows only: what training would read is not needed)."""
    with app.state.db.session() as s:
        codebook = Codebook(name="mini", version="1", content={})
        s.add(codebook)
        s.flush()
        job = TrainingJob(codebook_id=codebook.id, state="queued")
        s.add(job)
        s.flush()
        return job.id


def _model_dirs(tmp_path) -> list[str]:
    folder = tmp_path / "models"
    return sorted(p.name for p in folder.glob("model-*")) if folder.exists() else []


# ---------------------------------------------------------------- 1. the ETA
def test_the_eta_goes_by_the_steps_after_the_first_one():
    # a slow first step (100 s of preparing), then 10 s a step: 5 steps left take 50 s, not 5 × 120/3 = 200 s
    slow = TrainingJob(state="running", started_at=START, first_step_at=START + timedelta(seconds=100), done=3,
                       total=8)
    assert store.training_eta(slow, now=START + timedelta(seconds=120)) == 50.0
    # a fast first step (1 s), then 20 s a step: 100 s, not 5 × 41/3 ≈ 68 s
    fast = TrainingJob(state="running", started_at=START, first_step_at=START + timedelta(seconds=1), done=3,
                       total=8)
    assert store.training_eta(fast, now=START + timedelta(seconds=41)) == 100.0
    # only the first step done: no step after it to go by
    one = TrainingJob(state="running", started_at=START, first_step_at=START + timedelta(seconds=100), done=1,
                      total=8)
    assert store.training_eta(one, now=START + timedelta(seconds=130)) is None
    # a row stored before migration 0015 (no first_step_at): the average since it started
    older = TrainingJob(state="running", started_at=START, done=3, total=8)
    assert store.training_eta(older, now=START + timedelta(seconds=30)) == 50.0
    assert store.training_eta(TrainingJob(state="running", started_at=START, done=1, total=8),
                              now=START + timedelta(seconds=30)) is None
    assert store.training_eta(TrainingJob(state="cancelled", started_at=START, first_step_at=START, done=3,
                                          total=8)) is None
    assert store.training_eta(TrainingJob(state="done", started_at=START, done=8, total=8)) == 0.0


def test_the_first_steps_end_is_stored_once_as_the_second_step_starts(app_factory, monkeypatch):
    app = app_factory(run_jobs=False)
    job_id = _queued_job(app)
    assert jobs._claim_training(app.state.db, job_id, "w") is not None
    clock = {}
    monkeypatch.setattr(jobs, "utcnow", lambda: clock["now"])
    for done, total, at in ((0, 0, 90), (1, 6, 95), (2, 6, 99)):  # each step starts at ``at`` seconds
        clock["now"] = START + timedelta(seconds=at)
        jobs.report_training_progress(app.state.db, job_id, "w", done, total)
        with app.state.db.session() as s:
            job = s.get(TrainingJob, job_id)
            stamped = job.first_step_at
            if done == 0:
                assert stamped is None  # the first step is under way
    assert store._utc(stamped) == START + timedelta(seconds=95)  # as done became 1, not later
    assert (job.done, job.total) == (2, 6)


def test_migration_0015_adds_first_step_at_and_keeps_every_job(client, keys, db_url):
    with client.app.state.db.session() as s:
        codebook = Codebook(name="mini", version="1", content={})
        s.add(codebook)
        s.flush()
        s.add(TrainingJob(codebook_id=codebook.id, state="running", started_at=START, done=3, total=8,
                          first_step_at=START + timedelta(seconds=100)))
    move_store(db_url, "0014", down=True)
    engine = make_engine(db_url)
    try:
        assert "first_step_at" not in {c["name"] for c in inspect(engine).get_columns("training_jobs")}
    finally:
        engine.dispose()
    move_store(db_url, "head")
    with client.app.state.db.session() as s:
        job = s.scalars(select(TrainingJob)).one()
        assert (job.state, job.done, job.total, job.first_step_at) == ("running", 3, 8, None)
        # stored before 0015: the average since it started
        assert store.training_eta(job, now=START + timedelta(seconds=30)) == 50.0


# ---------------------------------------------------------------- 2. a cancel while preparing
def test_checked_embedder_encodes_in_batches_and_checks_between_them_at_most_every_n_seconds():
    inner, checks, clock = FakeEmbedder(), [], iter([0.0, 0.5, 1.0, 2.5, 3.0])
    texts = [f"svar {'x' * i}" for i in range(11)]
    emb = library.CheckedEmbedder(inner, lambda: checks.append(len(inner.calls)), batch=2, every=2.0,
                                  clock=lambda: next(clock))
    got = emb.encode(texts)
    np.testing.assert_array_equal(got, FakeEmbedder().encode(texts))  # each text's own vector, in order
    assert [len(c) for c in inner.calls] == [2, 2, 2, 2, 2, 1]
    # between batches at 0, 0.5, 1.0, 2.5, 3.0 s: checked at 0 s and 2.5 s only (after batches 1 and 4)
    assert checks == [1, 4]
    assert (emb.name, emb.version, emb.dimension) == ("fake", "1", 4)  # what a saved model records
    assert emb.encode(["ett svar"]).shape == (1, 4) and checks == [1, 4]  # one batch: nothing between
    with pytest.raises(TypeError):
        emb.encode("ett svar")  # a bare string: the embedder's own error


def test_checked_copy_leaves_the_servers_coder_as_it_was():
    from textmine.classify import SupervisedCoder

    inner = FakeEmbedder()
    coder = SupervisedCoder(library.codebook_from_dict(library.default_codebook_dict()), embedder=inner,
                            embedder_spec="e5")
    twin = library.checked_copy(coder, lambda: None)
    assert isinstance(twin, SupervisedCoder) and twin is not coder and twin.zeroshot is not coder.zeroshot
    assert isinstance(twin.embedder, library.CheckedEmbedder) and twin.zeroshot._embedder is twin.embedder
    assert coder.embedder is inner and coder.zeroshot._embedder is inner  # shared, never wrapped


def test_a_training_cancelled_while_it_embeds_its_rows_stops_at_the_next_batch(app_factory, monkeypatch, tmp_path):
    app = app_factory(run_jobs=False, coder_factory=None, warmup=False)
    with TestClient(app) as c:
        _corrected(c, issue_keys(app))
    db = app.state.db
    # the corrections alone (not the default model's training files): the library's own fit, on a fake embedder
    monkeypatch.setattr(library, "base_training", lambda cb, model=None: library.BaseTraining(missing="test"))
    monkeypatch.setattr(library, "CHECKED_BATCH", 1)
    monkeypatch.setattr(library, "CHECK_EVERY_SECONDS", 0.0)
    with db.session() as s:
        job_id = store.start_training_job(s, app.state.settings, None, None, min_examples=5,
                                          min_theme_examples=0).id

    def cancel_in_second_batch(n: int) -> None:
        if n == 2:
            with db.session() as s:
                assert store.cancel_training_job(s, job_id).state == "cancelled"

    fake = FakeEmbedder(cancel_in_second_batch)
    monkeypatch.setattr(library, "shared_embedder", lambda spec="e5": fake)
    assert jobs.run_training_job(db, app.state.settings, job_id, worker="w") == "cancelled"
    assert len(fake.calls) == 2 and [len(c) for c in fake.calls] == [1, 1]  # stopped before the third batch
    with db.session() as s:
        job = s.get(TrainingJob, job_id)
        assert (job.state, job.model_id, job.error, job.done) == ("cancelled", None, None, 0)  # in its first step
        assert s.scalar(select(func.count()).select_from(TrainedModel)) == 0
    assert _model_dirs(tmp_path) == []


def test_the_check_between_batches_stops_only_a_job_no_longer_running_here(app_factory):
    app = app_factory(run_jobs=False)
    job_id = _queued_job(app)
    assert jobs._claim_training(app.state.db, job_id, "w") is not None
    assert jobs.check_training_running(app.state.db, job_id, "w") is None
    with pytest.raises(jobs.TrainingStopped):
        jobs.check_training_running(app.state.db, job_id, "another server")
    with app.state.db.session() as s:
        store.cancel_training_job(s, job_id)
    with pytest.raises(jobs.TrainingStopped, match="cancelled"):
        jobs.check_training_running(app.state.db, job_id, "w")
    with pytest.raises(jobs.TrainingStopped, match="missing"):
        jobs.check_training_running(app.state.db, 999, "w")


# ---------------------------------------------------------------- 3. the corrections' record
def test_a_trained_model_records_its_corrections_codebook_count_and_job(client, keys):
    texts = _corrected(client, keys)
    job = trained(client, keys["analyst"], {"min_examples": 5})
    record = job["model"]["metrics"]["corrections_record"]
    with client.app.state.db.session() as s:
        codebook = s.get(Codebook, job["codebook_id"])
        cb = library.codebook_from_dict(codebook.content)
    assert record == {"codebook_id": codebook.id, "codebook_name": cb.name, "codebook_version": cb.version,
                      "codebook_hash": cb.hash, "coded_by": library.CORRECTIONS_CODED_BY, "n_corrections": 6,
                      "training_job_id": job["id"], "textmine_version": record["textmine_version"]}
    shown = json.dumps(job, ensure_ascii=False)
    assert not [t for t in texts if t and t in shown]  # never a corrected answer's text


def test_the_service_writes_the_clis_record_beside_the_corrections_it_keeps(monkeypatch, tmp_path):
    """The retraining path (the default model's files + the corrections) with the library's retraining stubbed:
    corrections.csv kept as the CLI keeps it, the record beside it readable as the CLI reads it, and the retraining
    given a private copy of the server's coder."""
    from textmine import review
    from textmine.classify import SupervisedCoder
    from textmine.pipeline import identity_codebook, identity_path

    cb = library.codebook_from_dict(library.default_codebook_dict())
    inner = FakeEmbedder()
    server_coder = SupervisedCoder(cb, embedder=inner, embedder_spec="e5")
    seen = {}

    class Saved:
        embedder_spec = "e5"

        def save(self, model_dir):
            (model_dir / "manifest.json").write_text("{}", encoding="utf-8")

    def retrain(coder, corrections, **kw):
        seen["coder"] = coder
        stored = pd.DataFrame({"id": "", "question": "", "text": corrections["text"], "themes": corrections["themes"],
                               "type": "", "text_sha256": "x"}, columns=review.STORED_COLUMNS)
        return review.RetrainResult(coder=Saved(), before={}, after={}, n_corrections=len(stored),
                                    corrections=stored)

    monkeypatch.setattr(review, "apply_corrections", retrain)
    corrections = pd.DataFrame({"text": ["a", "b", "c"], "themes": ["telefon", "annet", "telefon"],
                                "type": "", "question": ""})
    base = library.BaseTraining(frame=corrections.assign(group="labels.csv"), files=["labels.csv"])
    model_dir = tmp_path / "model-x"
    library.train_with_corrections(cb, corrections, model_dir, base=base, base_coder=server_coder,
                                   stop_check=lambda: None, job_id=41)
    assert seen["coder"] is not server_coder and isinstance(seen["coder"].embedder, library.CheckedEmbedder)
    assert server_coder.embedder is inner
    record = json.loads(identity_path(model_dir / review.CORRECTIONS_FILE).read_text(encoding="utf-8"))
    assert (record["model"], record["n_corrections"], record["training_job_id"]) == (
        library.CORRECTIONS_CODED_BY, 3, 41)
    assert identity_codebook(record, "record").hash == cb.hash  # what `summary --coded` reads back
