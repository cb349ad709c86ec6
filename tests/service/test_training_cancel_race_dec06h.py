"""A cancel read while the training was still running, written after it finished, leaves the finished job (and
its stored model) as they are: the state changes only where the job is still active."""

from __future__ import annotations

from fastapi.testclient import TestClient
from conftest import issue_keys

from service import store
from service.db.models import Codebook, TrainingJob


def _running_job(app) -> int:
    with app.state.db.session() as s:
        codebook = Codebook(name="mini", version="1", content={})
        s.add(codebook)
        s.flush()
        job = TrainingJob(codebook_id=codebook.id, state="running", min_examples=5, min_theme_examples=3)
        s.add(job)
        s.flush()
        return job.id


def test_a_cancel_racing_the_finish_does_not_relabel_a_done_job(app_factory):
    app = app_factory(run_jobs=False)
    with TestClient(app):
        issue_keys(app)
        job_id = _running_job(app)
        with app.state.db.session() as cancelling:
            seen = store.get_or_404(cancelling, TrainingJob, job_id, "training job")
            assert seen.state == "running"  # the cancel has read the job as running …
            with app.state.db.session() as finishing:  # … when the training stores its result
                finishing.get(TrainingJob, job_id).state = "done"
            job = store.cancel_training_job(cancelling, job_id)
            assert job.state == "done" and job.finished_at is None
        with app.state.db.session() as s:
            assert s.get(TrainingJob, job_id).state == "done"


def test_a_cancel_of_a_running_job_still_cancels_it(app_factory):
    app = app_factory(run_jobs=False)
    with TestClient(app):
        issue_keys(app)
        job_id = _running_job(app)
        with app.state.db.session() as s:
            job = store.cancel_training_job(s, job_id)
            assert job.state == "cancelled" and job.finished_at is not None
        with app.state.db.session() as s:
            assert s.get(TrainingJob, job_id).state == "cancelled"
