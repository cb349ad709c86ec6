"""Superseded coding jobs (code review): the default summary never picks a job whose results were deleted, whatever
the servers' clocks say, and a chain of replaced jobs (A replaced by B, B failed, C done) leaves no results behind."""

from __future__ import annotations

import datetime as dt

from conftest import coded_job, create_survey, hdr, issue_keys, sample_frame, uploaded_wave
from fakes import BrokenCoder
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service import jobs as jobs_mod
from service import store
from service.coders import CoderCache
from service.db.models import CodingJob, CodingResult
from service.modelpaths import model_folder


def _n(app, job_id) -> int:
    with app.state.db.session() as s:
        return s.scalar(select(func.count()).select_from(CodingResult).where(CodingResult.job_id == job_id))


def test_a_superseded_job_is_never_the_latest_even_with_a_later_clock(client, keys):
    wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(30), "2022")
    first = coded_job(client, keys, wave)
    second = coded_job(client, keys, wave, force=True)
    assert _n(client.app, first) == 0 and _n(client.app, second) > 0
    with client.app.state.db.session() as s:  # the first job's server clock a minute ahead of the second's
        s.get(CodingJob, first).finished_at = s.get(CodingJob, second).finished_at + dt.timedelta(minutes=1)
    with client.app.state.db.session() as s:
        assert store.latest_done_job(s, wave).id == second
    r = client.get(f"/waves/{wave}/summary", headers=hdr(keys["reader"]))
    assert r.status_code == 200 and r.json()["coding_jobs"] == {str(wave): second}


def test_a_chain_of_replaced_jobs_leaves_no_results(app_factory):
    with TestClient(app_factory(run_jobs=False)) as client:
        keys = issue_keys(client.app)
        wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(30), "2022")
        db, coders = client.app.state.db, client.app.state.coders
        with db.session() as s:
            a = store.start_job(s, wave, None, None)[0].id
        replaced = []

        def on_chunk(job):  # a forced job replaces A after its first chunk
            if not replaced:
                with db.session() as s:
                    replaced.append(store.start_job(s, wave, None, None, force=True)[0].id)

        jobs_mod.run_job(db, coders, a, chunk_size=3, on_chunk=on_chunk)
        b = replaced[0]
        assert _n(client.app, a) > 0  # A's first chunk, left by the replacement
        jobs_mod.run_job(db, CoderCache(factory=lambda cb, m: BrokenCoder()), b)
        with db.session() as s:
            assert s.get(CodingJob, b).state == "failed"
            c = store.start_job(s, wave, None, None)[0].id
        jobs_mod.run_job(db, coders, c)
        with db.session() as s:
            assert s.get(CodingJob, c).state == "done"
        assert _n(client.app, a) == 0 and _n(client.app, c) > 0


def test_a_legacy_absolute_path_never_falls_back_above_the_models_folder(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    assert model_folder("/gone/..", models) != models / ".."  # (an existing folder: the models folder's parent)
    (models / "m1").mkdir()
    assert model_folder("/gone/m1", models) == models / "m1"  # a moved models folder: found by the last component
