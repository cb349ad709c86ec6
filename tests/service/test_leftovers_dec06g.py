"""Service leftovers (dec06g): trained models stored relative to the models folder (a moved
``TEXTMINE_MODELS_DIR`` keeps them working, a stored path never escapes it); a survey definition's warnings on
``POST``/``GET /surveys``; a superseded coding job's results pruned when the newer job of the same wave, codebook
and model finishes, never before and never by a newer job that failed or was cancelled."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import coded_job, create_survey, hdr, sample_frame, trained, uploaded_wave
from fakes import BrokenCoder
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service import jobs as jobs_mod
from service import store
from service.coders import CoderCache
from service.db.models import CodingJob, CodingResult, Correction, Response, TrainedModel
from service.modelpaths import ModelPathError, model_folder, stored_model_path

# ---------------------------------------------------------------- 1. model folders relative to the models folder


def _train(client, keys, wave_id: int) -> int:
    """A model trained (the real POST /models) from 6 corrections of the wave's comments; its id."""
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == wave_id, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(6)).all()
    for i, rid in enumerate(ids):
        r = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon" if i % 2 else "annet"]},
                        headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
    return trained(client, keys["analyst"], {"min_examples": 5})["model"]["id"]


def _classify(client, key: str, model_id: int):
    return client.post("/classify", json={"texts": ["Telefonen var alltid opptatt"], "model_id": model_id},
                       headers=hdr(key))


def _stored_path(app, model_id: int) -> str:
    with app.state.db.session() as s:
        return s.get(TrainedModel, model_id).path


def test_a_trained_model_is_stored_relative_and_loads_after_the_models_folder_moved(app_factory, tmp_path):
    with TestClient(app_factory()) as client:
        keys = store_keys(client)
        wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(30), "2022")
        coded_job(client, keys, wave)
        model_id = _train(client, keys, wave)
        path = _stored_path(client.app, model_id)
        assert not path.startswith("/") and ".." not in path, path
        assert (tmp_path / "models" / path / "fake_model.json").is_file()
        before = _classify(client, keys["analyst"], model_id)
        assert before.status_code == 200, before.text
    shutil.move(tmp_path / "models", tmp_path / "moved-models")
    with TestClient(app_factory(models_dir=tmp_path / "moved-models")) as client:
        after = _classify(client, keys["analyst"], model_id)
        assert after.status_code == 200, after.text
        assert after.json()["model_id"] == model_id
        assert after.json()["results"] == before.json()["results"]
        job = client.post(f"/waves/{wave}/coding-jobs", json={"model_id": model_id}, headers=hdr(keys["analyst"]))
        assert job.status_code == 202, job.text
        from conftest import wait_job

        assert wait_job(client, keys["reader"], job.json()["id"])["state"] == "done"


def store_keys(client) -> dict[str, str]:
    from conftest import issue_keys

    return issue_keys(client.app)


def _legacy_row(app, folder) -> int:
    """A model row as stored before dec06g: the folder's absolute path."""
    with app.state.db.session() as s:
        cb = store.resolve_codebook(s, None)
        folder.mkdir(parents=True)
        (folder / "fake_model.json").write_text(json.dumps({"codebook": cb.content}))
        row = TrainedModel(name="legacy", codebook_id=cb.id, path=str(folder), n_training=2, metrics={})
        s.add(row)
        s.flush()
        return row.id


def test_an_old_absolute_row_loads_from_the_moved_models_folder(app_factory, tmp_path):
    with TestClient(app_factory()) as client:
        keys = store_keys(client)
        model_id = _legacy_row(client.app, tmp_path / "models" / "model-legacy")
        assert _classify(client, keys["analyst"], model_id).status_code == 200
    shutil.move(tmp_path / "models", tmp_path / "elsewhere")
    with TestClient(app_factory(models_dir=tmp_path / "elsewhere")) as client:
        r = _classify(client, keys["analyst"], model_id)
        assert r.status_code == 200, r.text


def test_stored_model_path_is_relative_inside_and_absolute_outside(tmp_path):
    models = tmp_path / "models"
    assert stored_model_path(models / "model-abc", models) == "model-abc"
    assert stored_model_path(tmp_path / "other" / "m", models) == str(tmp_path / "other" / "m")


@pytest.mark.parametrize("stored", ["../outside", "model-a/../../outside", "link-out"])
def test_a_stored_path_escaping_the_models_folder_is_refused(tmp_path, stored):
    models = tmp_path / "models"
    models.mkdir()
    (tmp_path / "outside").mkdir()
    (models / "link-out").symlink_to(tmp_path / "outside")
    with pytest.raises(ModelPathError, match="outside the models folder"):
        model_folder(stored, models)


def test_classify_with_an_escaping_model_row_is_refused_clearly(client, keys, tmp_path):
    (tmp_path / "outside").mkdir()
    with client.app.state.db.session() as s:
        cb = store.resolve_codebook(s, None)
        (tmp_path / "outside" / "fake_model.json").write_text(json.dumps({"codebook": cb.content}))
        row = TrainedModel(name="escape", codebook_id=cb.id, path="../outside", n_training=2, metrics={})
        s.add(row)
        s.flush()
        model_id = row.id
    r = _classify(client, keys["analyst"], model_id)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "model_folder_refused"
    assert "outside the models folder" in r.json()["error"]["message"]


def test_an_absolute_legacy_path_that_exists_is_used_as_it_is(tmp_path):
    folder = tmp_path / "kept" / "model-x"
    folder.mkdir(parents=True)
    assert model_folder(str(folder), tmp_path / "models") == folder


def test_deleting_a_trained_model_removes_its_folder_by_the_relative_path(client, keys, tmp_path):
    wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(30), "2022")
    coded_job(client, keys, wave)
    model_id = _train(client, keys, wave)
    folder = tmp_path / "models" / _stored_path(client.app, model_id)
    assert folder.is_dir()
    r = client.delete(f"/models/{model_id}", headers=hdr(keys["admin"]))
    assert r.status_code == 200, r.text
    assert not folder.exists() and (tmp_path / "models").is_dir()


def test_remove_model_dir_never_removes_outside_the_models_folder(tmp_path, monkeypatch):
    models, outside, cwd = tmp_path / "models", tmp_path / "outside", tmp_path / "cwd"
    for folder in (models / "model-a", outside, cwd / "model-a"):
        folder.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    store.remove_model_dir("model-a")  # no models folder given: never relative to the working directory
    store.remove_model_dir("../outside", models)
    assert (cwd / "model-a").is_dir() and outside.is_dir() and (models / "model-a").is_dir()
    store.remove_model_dir("model-a", models)
    assert not (models / "model-a").exists() and (cwd / "model-a").is_dir()


# ---------------------------------------------------------------- 2. survey definition warnings


def _janei_yaml(positive: str = "") -> str:
    return ("name: janei\nid: rid\nindicators:\n"
            f"  - {{id: kontakt, column: q_kontakt, label: Hadde kontakt, scale: [1, 2]{positive}}}\n"
            "free_text:\n  - column: fritekst\n    label: Kommentar\n")


def test_post_and_get_survey_return_the_definitions_warnings(client, keys):
    r = client.post("/surveys", json={"name": "janei", "definition_yaml": _janei_yaml()}, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    notes = r.json()["warnings"]
    assert len(notes) == 1 and "indicators[0] (kontakt)" in notes[0] and "give positive: [..]" in notes[0]
    got = client.get(f"/surveys/{r.json()['id']}", headers=hdr(keys["reader"]))
    assert got.status_code == 200 and got.json()["warnings"] == notes
    listed = client.get("/surveys", headers=hdr(keys["reader"])).json()["items"]
    assert [s["warnings"] for s in listed if s["id"] == r.json()["id"]] == [notes]


def test_a_definition_without_warnings_and_no_definition_return_none(client, keys):
    a = client.post("/surveys", json={"name": "janei pos", "definition_yaml": _janei_yaml(", positive: [1]")},
                    headers=hdr(keys["analyst"]))
    b = client.post("/surveys", json={"name": "uten"}, headers=hdr(keys["analyst"]))
    assert a.status_code == b.status_code == 201
    assert a.json()["warnings"] == [] and b.json()["warnings"] == []


def test_a_stored_definition_that_no_longer_validates_still_answers(client, keys):
    sid = create_survey(client, keys["analyst"])
    from service.db.models import Survey

    with client.app.state.db.session() as s:
        s.get(Survey, sid).definition_yaml = "name: [broken"
    r = client.get(f"/surveys/{sid}", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    assert len(r.json()["warnings"]) == 1 and "does not pass" in r.json()["warnings"][0]
    assert "broken" not in r.json()["warnings"][0]


# ---------------------------------------------------------------- 3. superseded coding jobs' results


def _result_count(app, job_id: int | None = None) -> int:
    with app.state.db.session() as s:
        stmt = select(func.count()).select_from(CodingResult)
        if job_id is not None:
            stmt = stmt.where(CodingResult.job_id == job_id)
        return int(s.scalar(stmt))


def _summary(client, keys, wave, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/waves/{wave}/summary?{query}", headers=hdr(keys["reader"]))


def test_a_forced_recoding_prunes_the_superseded_jobs_results(client, keys):
    wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(30), "2022")
    first = coded_job(client, keys, wave)
    n = _result_count(client.app)
    assert n > 0 and _result_count(client.app, first) == n
    with client.app.state.db.session() as s:  # a human correction is never pruned
        rid = s.scalars(select(Response.id).where(Response.wave_id == wave).order_by(Response.id)).first()
    assert client.post(f"/responses/{rid}/codes", json={"themes": ["annet"]},
                       headers=hdr(keys["analyst"])).status_code == 201
    summary = _summary(client, keys, wave).json()
    second = coded_job(client, keys, wave, force=True)
    third = coded_job(client, keys, wave, force=True)
    assert _result_count(client.app) == n  # not 3 n
    assert _result_count(client.app, third) == n and _result_count(client.app, first) == 0
    after = _summary(client, keys, wave).json()
    assert after["coding_jobs"] == {str(wave): third}
    assert summary["summary"] and after["summary"] == summary["summary"]  # the same codes, the correction kept
    with client.app.state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Correction)) == 1
        assert s.get(CodingJob, first).superseded_by == second and s.get(CodingJob, second).superseded_by == third
        assert s.get(CodingJob, first).state == "done" and s.get(CodingJob, third).superseded_by is None
    old = client.get(f"/jobs/{first}", headers=hdr(keys["reader"])).json()
    assert old["superseded_by"] == second and old["state"] == "done"
    r = _summary(client, keys, wave, job_id=first)
    assert r.status_code == 409 and r.json()["error"]["code"] == "job_superseded", r.text
    assert str(second) in r.json()["error"]["message"]


def test_another_models_job_is_not_superseded(client, keys):
    wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(30), "2022")
    default_job = coded_job(client, keys, wave)
    n = _result_count(client.app, default_job)
    model_id = _train(client, keys, wave)
    coded_job(client, keys, wave, model_id=model_id)
    assert _result_count(client.app, default_job) == n


@pytest.mark.parametrize("ending", ["failed", "cancelled"])
def test_a_newer_job_that_fails_or_is_cancelled_prunes_nothing(app_factory, ending):
    with TestClient(app_factory()) as client:
        keys = store_keys(client)
        wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(30), "2022")
        first = coded_job(client, keys, wave)
        n = _result_count(client.app)
        db = client.app.state.db
        with db.session() as s:
            job, _ = store.start_job(s, wave, None, None, force=True)
            newer = job.id
        if ending == "cancelled":
            with db.session() as s:
                store.cancel_job(s, newer)
            state = jobs_mod.run_job(db, CoderCache(factory=lambda cb, m: BrokenCoder()), newer)
        else:
            state = jobs_mod.run_job(db, CoderCache(factory=lambda cb, m: BrokenCoder()), newer)
        assert state == ending
        assert _result_count(client.app, first) == n
        with db.session() as s:
            assert s.get(CodingJob, first).superseded_by is None


def test_pruning_waits_for_the_newer_job_to_finish(app_factory):
    """While the newer job runs (chunks stored), the older job's results stay; they go when it is done."""
    with TestClient(app_factory(run_jobs=False)) as client:
        keys = store_keys(client)
        wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(30), "2022")
        db = client.app.state.db
        coders = client.app.state.coders
        with db.session() as s:
            first = store.start_job(s, wave, None, None)[0].id
        assert jobs_mod.run_job(db, coders, first, chunk_size=7) == "done"
        n = _result_count(client.app, first)
        with db.session() as s:
            newer = store.start_job(s, wave, None, None, force=True)[0].id
        seen: list[int] = []
        jobs_mod.run_job(db, coders, newer, chunk_size=2,
                         on_chunk=lambda job: seen.append(_result_count(client.app, first)))
        assert seen and all(c == n for c in seen)
        assert _result_count(client.app, first) == 0 and _result_count(client.app, newer) == n
