"""``GET /metrics`` counts training jobs by state (``textmine_training_jobs{state=…}``), as it counts coding jobs:
every known state, 0 included, and a state it does not know after them; no series while the database is down."""

from __future__ import annotations

import re

from conftest import hdr
from sqlalchemy.exc import OperationalError

from service.db.models import Codebook, TrainingJob
from service.routers import health


def _series(text: str, name: str) -> dict[str, int]:
    return {m[1]: int(float(m[2])) for m in re.finditer(rf'^{name}\{{state="([^"]+)"\}} (\S+)$', text, re.M)}


def _add_jobs(app, states: list[str]) -> None:
    with app.state.db.session() as s:
        book = Codebook(name="metrics-book", version="1", content={})
        s.add(book)
        s.flush()
        s.add_all([TrainingJob(codebook_id=book.id, state=st) for st in states])


def test_metrics_count_training_jobs_by_state_with_every_state_listed(client, keys):
    _add_jobs(client.app, ["done", "done", "failed", "queued", "done", "cancelled", "lost"])
    r = client.get("/metrics", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    assert _series(r.text, "textmine_training_jobs") == {"queued": 1, "running": 0, "done": 3, "failed": 1,
                                                          "cancelled": 1, "lost": 1}
    names = list(_series(r.text, "textmine_training_jobs"))
    assert names == ["queued", "running", "done", "failed", "cancelled", "lost"]  # known first, as coding jobs
    assert "# TYPE textmine_training_jobs gauge" in r.text
    assert "# HELP textmine_training_jobs " in r.text
    assert _series(r.text, "textmine_coding_jobs") == dict.fromkeys(names[:5], 0)  # the coding gauge unchanged


def test_an_empty_store_reports_every_training_state_as_0(client, keys):
    r = client.get("/metrics", headers=hdr(keys["reader"]))
    assert _series(r.text, "textmine_training_jobs") == dict.fromkeys(
        ["queued", "running", "done", "failed", "cancelled"], 0)


def test_no_training_series_while_the_database_is_down(app_factory, monkeypatch):
    from fastapi.testclient import TestClient

    def down(db):
        raise OperationalError("select 1", {}, Exception("connection refused"))

    monkeypatch.setattr(health, "database_answers", down)
    with TestClient(app_factory(metrics_public=True, warmup=False)) as client:
        r = client.get("/metrics")
    assert r.status_code == 200, r.text
    assert "textmine_database_up 0" in r.text
    assert "textmine_training_jobs{" not in r.text and "textmine_coding_jobs{" not in r.text
