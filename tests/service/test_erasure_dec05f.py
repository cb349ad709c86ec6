"""Erasure and retention (GDPR art. 17, 5(1)(e)): DELETE /waves/{id}, /surveys/{id},
/surveys/{id}/respondents/{rid}, /models/{id}; ``textmine store delete-*`` and ``purge``; a new SQLite store 0600."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from conftest import (SAMPLE_CSV_2023, cli_with_two_waves, coded_job, create_survey, hdr, sample_frame, snapshot,
                      table_counts, to_csv_bytes, uploaded_wave)
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from service import erasure
from service.store import PageNamesCache
from service.db.models import (Codebook, CodingJob, CodingResult, Correction, Respondent, Response, Survey,
                               TrainedModel, Wave)
from service.errors import ApiError
from textmine.cli import app as cli_app
from textmine.embed.base import normalize_text
from textmine.embed.cache import EmbeddingCache

MODEL_KEY = "fake|1"


def _texts(app, wave_id: int) -> list[str]:
    with app.state.db.session() as s:
        return list(s.scalars(select(Response.text_redacted).where(Response.wave_id == wave_id)))


def _cache_texts(path, texts) -> None:
    cache = EmbeddingCache(path)
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(len(texts), 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    cache.put_many(MODEL_KEY, [(cache.key(normalize_text(t)), v) for t, v in zip(texts, vecs)])
    cache.close()


def _cached(path, texts) -> int:
    cache = EmbeddingCache(path)
    try:
        return len(cache.get_many(MODEL_KEY, [cache.key(normalize_text(t)) for t in dict.fromkeys(texts)], 8))
    finally:
        cache.close()


def _rows_of_wave(app, wave_id: int) -> dict[str, int]:
    with app.state.db.session() as s:
        resp = select(Response.id).where(Response.wave_id == wave_id)
        return {
            "waves": s.scalar(select(func.count()).select_from(Wave).where(Wave.id == wave_id)),
            "respondents": s.scalar(select(func.count()).select_from(Respondent).where(Respondent.wave_id == wave_id)),
            "responses": s.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave_id)),
            "coding_jobs": s.scalar(select(func.count()).select_from(CodingJob).where(CodingJob.wave_id == wave_id)),
            "coding_results": s.scalar(select(func.count()).select_from(CodingResult)
                                       .where(CodingResult.response_id.in_(resp))),
            "corrections": s.scalar(select(func.count()).select_from(Correction)
                                    .where(Correction.response_id.in_(resp))),
        }


def _correct(client, keys, app, wave_id: int, n: int = 2) -> list[int]:
    """Correct the first ``n`` responses of the wave (with the job's codebook's first theme); their ids."""
    with app.state.db.session() as s:
        ids = list(s.scalars(select(Response.id).where(Response.wave_id == wave_id).order_by(Response.id).limit(n)))
        job = s.scalars(select(CodingJob).where(CodingJob.wave_id == wave_id)).first()
        theme = s.get(Codebook, job.codebook_id).content["themes"][0]["id"]
    for rid in ids:
        r = client.post(f"/responses/{rid}/codes", json={"themes": [theme]}, headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
    return ids


def _model_row(app, tmp_path, codebook_id: int, name: str = "m") -> tuple[int, object]:
    folder = app.state.settings.resolved_models_dir() / f"model-{name}"
    folder.mkdir(parents=True)
    with app.state.db.session() as s:
        (folder / "fake_model.json").write_text(json.dumps({"codebook": s.get(Codebook, codebook_id).content}))
        row = TrainedModel(name=name, codebook_id=codebook_id, path=str(folder), n_training=2, metrics={})
        s.add(row)
        s.flush()
        return row.id, folder


def _two_waves(client, keys):
    sid = create_survey(client, keys["analyst"])
    w1 = uploaded_wave(client, keys, sid, sample_frame(40), "2022")
    w2 = uploaded_wave(client, keys, sid, sample_frame(40, SAMPLE_CSV_2023), "2023")
    return sid, w1, w2


# ---------------------------------------------------------------- waves and surveys
def test_delete_wave_removes_its_rows_cache_vectors_and_flags_models_leaving_other_waves(erasure_app, tmp_path):
    client, keys, cache_path = erasure_app
    app = client.app
    sid, w1, w2 = _two_waves(client, keys)
    coded_job(client, keys, w1)
    coded_job(client, keys, w2)
    corrected = _correct(client, keys, app, w1)
    _correct(client, keys, app, w2, 1)
    with app.state.db.session() as s:
        cb_id = s.get(Correction, s.scalar(select(func.min(Correction.id)))).codebook_id
    model_id, folder = _model_row(app, tmp_path, cb_id)
    texts1, texts2 = _texts(app, w1), _texts(app, w2)
    only1 = [t for t in texts1 if t not in set(texts2)]
    only2 = [t for t in texts2 if t not in set(texts1)]
    _cache_texts(cache_path, texts1 + texts2)
    before2 = _rows_of_wave(app, w2)
    assert _rows_of_wave(app, w1)["corrections"] == len(corrected)

    r = client.delete(f"/waves/{w1}", headers=hdr(keys["admin"]))
    assert r.status_code == 200, r.text
    body = r.json()
    d = body["deleted"]
    assert d["waves"] == 1 and d["respondents"] == 40 and d["responses"] == len(texts1)
    assert d["corrections"] == 2 and d["coding_jobs"] == 1 and d["coding_results"] == len(texts1)
    assert d["embedding_vectors"] >= len(set(only1)) > 0
    assert body["models_trained_on_erased"] == [model_id]
    assert any(f"model {model_id} was trained on erased answers" in n for n in body["notes"])
    assert not any(t in r.text for t in texts1 if len(t) > 12)  # counts, never text
    assert _rows_of_wave(app, w1) == dict.fromkeys(before2, 0)
    assert _rows_of_wave(app, w2) == before2  # the other wave untouched
    assert client.get(f"/waves/{w1}", headers=hdr(keys["reader"])).status_code == 404
    assert client.get(f"/waves/{w2}/summary", headers=hdr(keys["reader"])).status_code == 200
    assert _cached(cache_path, only1) == 0
    assert _cached(cache_path, only2) == len(set(only2)) > 0  # the other wave's vectors stay
    assert folder.exists()  # flagged, not deleted


def test_delete_survey_removes_every_wave_and_leaves_other_surveys(erasure_app):
    client, keys, _ = erasure_app
    app = client.app
    sid, w1, w2 = _two_waves(client, keys)
    coded_job(client, keys, w1)
    other = create_survey(client, keys["analyst"], "annen")
    w3 = uploaded_wave(client, keys, other, sample_frame(30), "2022")
    coded_job(client, keys, w3)
    before3 = _rows_of_wave(app, w3)
    r = client.delete(f"/surveys/{sid}", headers=hdr(keys["admin"]))
    assert r.status_code == 200, r.text
    d = r.json()["deleted"]
    assert d["surveys"] == 1 and d["waves"] == 2 and d["respondents"] == 80 and d["coding_jobs"] == 1
    with app.state.db.session() as s:
        assert s.get(Survey, sid) is None and s.get(Survey, other) is not None
    for w in (w1, w2):
        assert set(_rows_of_wave(app, w).values()) == {0}
    assert _rows_of_wave(app, w3) == before3


@pytest.mark.parametrize("role", ["reader", "analyst"])
def test_erasure_endpoints_are_admin_only_and_change_nothing(erasure_app, role):
    client, keys, _ = erasure_app
    sid, w1, _ = _two_waves(client, keys)
    with client.app.state.db.session() as s:
        rid = s.scalars(select(Respondent.respondent_id).where(Respondent.wave_id == w1)).first()
    before = table_counts(client.app)
    for path in (f"/waves/{w1}", f"/surveys/{sid}", f"/surveys/{sid}/respondents/{rid}", "/models/1"):
        r = client.delete(path, headers=hdr(keys[role]))
        assert r.status_code == 403, (path, r.text)
        assert r.json()["error"]["code"] == "forbidden"
    assert table_counts(client.app) == before


def test_unknown_ids_are_404_and_change_nothing(erasure_app):
    client, keys, _ = erasure_app
    sid, w1, _ = _two_waves(client, keys)
    before = table_counts(client.app)
    for path, code in ((f"/waves/{w1 + 100}", "not_found"), (f"/surveys/{sid + 100}", "not_found"),
                       (f"/surveys/{sid}/respondents/ingen-slik-person", "unknown_respondent"),
                       ("/models/99", "unknown_model")):
        r = client.delete(path, headers=hdr(keys["admin"]))
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == code, (path, r.text)
        assert "ingen-slik-person" not in r.text  # a respondent id is never quoted
    assert table_counts(client.app) == before


def test_a_running_coding_job_refuses_the_deletion(erasure_app):
    client, keys, _ = erasure_app
    sid, w1, w2 = _two_waves(client, keys)
    job = coded_job(client, keys, w1)
    with client.app.state.db.session() as s:
        s.execute(update(CodingJob).where(CodingJob.id == job).values(state="running"))
    before = table_counts(client.app)
    for path in (f"/waves/{w1}", f"/surveys/{sid}"):
        r = client.delete(path, headers=hdr(keys["admin"]))
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "job_running" and f"job {job}" in r.json()["error"]["message"]
        assert "cancel it first" in r.json()["error"]["message"]
    assert table_counts(client.app) == before
    assert client.delete(f"/waves/{w2}", headers=hdr(keys["admin"])).status_code == 200  # another wave: fine


def test_a_failure_half_way_leaves_the_database_unchanged(erasure_app, tmp_path, monkeypatch):
    client, keys, _ = erasure_app
    sid, w1, _ = _two_waves(client, keys)
    coded_job(client, keys, w1)
    _correct(client, keys, client.app, w1)
    db_file = tmp_path / "store.db"
    before = snapshot(db_file)
    real = erasure._delete_in

    def failing(session, column, ids):
        if column is Respondent.wave_id or column is Respondent.id:  # after responses, results, corrections went
            raise RuntimeError("disk gone")
        return real(session, column, ids)

    monkeypatch.setattr(erasure, "_delete_in", failing)
    for action, args in ((erasure.erase_wave, (w1,)), (erasure.erase_survey, (sid,))):
        with pytest.raises(RuntimeError, match="disk gone"):
            with client.app.state.db.session() as s:
                action(s, *args)
        assert snapshot(db_file) == before


def test_a_respondent_id_with_slashes_is_erased_through_the_api(erasure_app):
    """Ids such as «AG/2024/01» are accepted at upload, so the erasure route takes them too (percent-encoded or not)."""
    client, keys, _ = erasure_app
    frame = sample_frame(20)
    frame["respondent_id"] = [f"AG/2024/{i:02d}" for i in range(len(frame))]
    sid = create_survey(client, keys["analyst"], "skråstrek")
    wave = uploaded_wave(client, keys, sid, frame, "2024")
    for path in (f"/surveys/{sid}/respondents/AG/2024/03", f"/surveys/{sid}/respondents/AG%2F2024%2F04"):
        r = client.delete(path, headers=hdr(keys["admin"]))
        assert r.status_code == 200, (path, r.text)
        assert "AG/2024" not in r.text
    with client.app.state.db.session() as s:
        left = set(s.scalars(select(Respondent.respondent_id).where(Respondent.wave_id == wave)))
    assert len(left) == 18 and not {"AG/2024/03", "AG/2024/04"} & left


# ---------------------------------------------------------------- one respondent
def test_summary_after_erasing_a_respondent_equals_the_wave_uploaded_without_them(erasure_app, tmp_path):
    client, keys, cache_path = erasure_app
    app = client.app
    frame = sample_frame(60)
    gone = str(frame["respondent_id"].iloc[3])
    sid = create_survey(client, keys["analyst"], "med")
    w_with = uploaded_wave(client, keys, sid, frame, "2022")
    later = frame.iloc[:50].copy()  # a panel's next wave (new answers): the respondent is in both waves
    later["q_helhet"] = later["q_helhet"].map(lambda v: "1" if str(v) != "1" else "2")
    w_later = uploaded_wave(client, keys, sid, later, "2023")
    ref = create_survey(client, keys["analyst"], "uten")
    w_without = uploaded_wave(client, keys, ref, frame.drop(index=3).reset_index(drop=True), "2022")
    coded_job(client, keys, w_with)
    coded_job(client, keys, w_without)
    with app.state.db.session() as s:
        mine = list(s.scalars(select(Response.id).join(Respondent, Respondent.id == Response.respondent_pk)
                              .where(Respondent.wave_id == w_with, Respondent.respondent_id == gone)))
        gone_texts = list(s.scalars(select(Response.text_redacted).where(Response.id.in_(mine))))
        theme = s.get(Codebook, s.scalars(select(CodingJob.codebook_id)).first()).content["themes"][0]["id"]
    assert mine
    assert client.post(f"/responses/{mine[0]}/codes", json={"themes": [theme]},
                       headers=hdr(keys["analyst"])).status_code == 201
    _cache_texts(cache_path, gone_texts)
    summary_before = client.get(f"/waves/{w_with}/summary", headers=hdr(keys["reader"])).json()  # fills caches

    r = client.delete(f"/surveys/{sid}/respondents/{gone}", headers=hdr(keys["admin"]))
    assert r.status_code == 200, r.text
    d = r.json()["deleted"]
    assert d["respondents"] == 2 and d["corrections"] == 1 and d["waves"] == 0
    assert d["responses"] >= len(mine) and d["coding_results"] == len(mine)
    assert gone not in r.text
    with app.state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Respondent).where(Respondent.respondent_id == gone)) == 0
        a, b, later = s.get(Wave, w_with), s.get(Wave, w_without), s.get(Wave, w_later)
        assert (a.n_respondents, a.n_responses) == (b.n_respondents, b.n_responses) == (59, b.n_responses)
        assert later.n_respondents == 49
        assert a.content_sha256 == b.content_sha256 and a.content_hmac is None
    assert _cached(cache_path, gone_texts) == 0
    got = client.get(f"/waves/{w_with}", headers=hdr(keys["reader"])).json()["counts"]
    want = client.get(f"/waves/{w_without}", headers=hdr(keys["reader"])).json()["counts"]
    assert got == want
    after = client.get(f"/waves/{w_with}/summary", headers=hdr(keys["reader"])).json()["summary"]
    expected = client.get(f"/waves/{w_without}/summary", headers=hdr(keys["reader"])).json()["summary"]
    after["meta"].pop("corrections_applied", None)
    expected["meta"].pop("corrections_applied", None)
    assert after == expected
    assert after != summary_before["summary"]
    # the same content uploaded again is now found as a duplicate of the erased wave (by its new fingerprint)
    again = client.post(f"/surveys/{sid}/waves", data={"label": "2022b"}, headers=hdr(keys["analyst"]),
                        files={"file": ("w.csv", to_csv_bytes(frame.drop(index=3).reset_index(drop=True)), "text/csv")})
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_wave", again.text


def test_result_caches_are_emptied_by_an_erasure(erasure_app):
    client, keys, _ = erasure_app
    app = client.app
    sid, w1, _ = _two_waves(client, keys)
    r = client.post("/classify", json={"texts": ["Ventetiden på telefon er altfor lang."]},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    assert len(app.state.results) == 1
    names = app.state.__dict__.setdefault("_quote_names_cache", PageNamesCache())
    names.put(("k",), sample_frame(2), {})
    assert client.delete(f"/waves/{w1}", headers=hdr(keys["admin"])).status_code == 200
    assert len(app.state.results) == 0 and names.get(("k",)) is None


# ---------------------------------------------------------------- models
def test_delete_model_removes_row_folder_and_its_jobs_and_refuses_the_default_model(erasure_app, tmp_path):
    client, keys, _ = erasure_app
    app = client.app
    sid, w1, _ = _two_waves(client, keys)
    coded_job(client, keys, w1)
    with app.state.db.session() as s:
        cb_id = s.scalars(select(CodingJob.codebook_id)).first()
    model_id, folder = _model_row(app, tmp_path, cb_id)
    job = coded_job(client, keys, w1, model_id=model_id)
    with app.state.db.session() as s:
        n_results = s.scalar(select(func.count()).select_from(CodingResult).where(CodingResult.job_id == job))
    assert n_results > 0
    assert app.state.coders._coders.get((cb_id, model_id)) is not None  # loaded
    # the service's default model is refused (store level: the app's default must be a valid model to start)
    with app.state.db.session() as s:
        with pytest.raises(ApiError) as exc:
            erasure.erase_model(s, model_id, default_model=folder)
    assert exc.value.status == 409 and exc.value.code == "model_in_use"
    r = client.delete(f"/models/{model_id}", headers=hdr(keys["admin"]))
    assert r.status_code == 200, r.text
    assert r.json()["deleted"]["models"] == 1 and r.json()["deleted"]["coding_results"] == n_results
    assert not folder.exists()
    with app.state.db.session() as s:
        assert s.get(TrainedModel, model_id) is None and s.get(CodingJob, job) is None
    assert (cb_id, model_id) not in app.state.coders._coders
    assert client.delete(f"/models/{model_id}", headers=hdr(keys["admin"])).status_code == 404


# ---------------------------------------------------------------- CLI
def _count(tmp_path, model) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{tmp_path / 'textmine.db'}")
    with Session(engine) as s:
        n = int(s.scalar(select(func.count()).select_from(model)))
    engine.dispose()
    return n


def test_cli_delete_commands_ask_unless_yes_and_print_counts(tmp_path, monkeypatch):
    run = cli_with_two_waves(tmp_path, monkeypatch)
    run("store", "code", "1")
    out = run("store", "delete-wave", "1", input="n\n", code=1)
    assert "nothing deleted" in out and _count(tmp_path, Wave) == 2
    out = run("store", "delete-wave", "1", input="y\n")
    assert "deleted surveys=0 waves=1 respondents=30" in out and "coding_jobs=1" in out
    assert _count(tmp_path, Wave) == 1 and _count(tmp_path, CodingResult) == 0
    out = run("store", "delete-wave", "1", "--yes", code=2)
    assert "wave 1 does not exist" in out or "not_found" in out
    rid = str(sample_frame(30)["respondent_id"].iloc[0])
    out = run("store", "delete-respondent", "1", rid, "--yes")
    assert "respondents=1" in out and rid not in out.replace("delete-respondent", "")
    out = run("store", "delete-respondent", "1", rid, "--yes", code=2)
    assert "unknown_respondent" in out
    out = run("store", "delete-model", "5", "--yes", code=2)
    assert "unknown_model" in out
    out = run("store", "delete-survey", "1", "--yes")
    assert "surveys=1 waves=1 respondents=29" in out
    assert _count(tmp_path, Survey) == 0 and _count(tmp_path, Response) == 0


def test_cli_delete_model_removes_the_row_and_folder(tmp_path, monkeypatch):
    run = cli_with_two_waves(tmp_path, monkeypatch)
    folder = tmp_path / "models" / "model-x"
    folder.mkdir(parents=True)
    (folder / "fake_model.json").write_text(json.dumps({}))
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{tmp_path / 'textmine.db'}")
    with Session(engine) as s:
        s.add(Codebook(name="cb", version="1", content={"themes": []}))
        s.flush()
        s.add(TrainedModel(name="x", codebook_id=1, path=str(folder)))
        s.commit()
    engine.dispose()
    out = run("store", "delete-model", "1", "--yes")
    assert "models=1" in out and not folder.exists() and _count(tmp_path, TrainedModel) == 0


def test_cli_purge_dry_run_lists_and_keeps_then_purge_deletes_only_old_waves(tmp_path, monkeypatch):
    run = cli_with_two_waves(tmp_path, monkeypatch)
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'textmine.db'}")
    with engine.begin() as conn:
        old = datetime.now(timezone.utc) - timedelta(days=400)
        conn.execute(update(Wave).where(Wave.id == 1).values(created_at=old))
    engine.dispose()
    out = run("store", "purge", "--older-than", "365", "--dry-run")
    assert "would delete wave id=1 survey=1 label=2022" in out and "id=2" not in out
    assert "1 wave(s)" in out and "nothing deleted (dry run)" in out
    assert _count(tmp_path, Wave) == 2
    out = run("store", "purge", "--older-than", "365", input="n\n", code=1)
    assert _count(tmp_path, Wave) == 2
    out = run("store", "purge", "--older-than", "365", "--yes")
    assert "deleted surveys=0 waves=1 respondents=30" in out
    assert _count(tmp_path, Wave) == 1
    out = run("store", "purge", "--older-than", "365", "--yes")
    assert "0 wave(s)" in out and "nothing to delete" in out


def test_a_new_sqlite_store_and_its_wal_files_are_private(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old = os.umask(0o022)
    try:
        res = CliRunner().invoke(cli_app, ["keys", "create", "--role", "admin"])
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    db = tmp_path / "textmine.db"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    import sqlite3

    con = sqlite3.connect(db)  # WAL mode: opening makes the -wal and -shm files
    con.execute("create table if not exists t (x)")
    try:
        for suffix in ("-wal", "-shm"):
            side = tmp_path / f"textmine.db{suffix}"
            assert side.exists() and stat.S_IMODE(side.stat().st_mode) == 0o600, suffix
    finally:
        con.close()


def test_embedding_cache_delete_texts_removes_every_embedders_vectors_and_creates_no_store(tmp_path):
    from textmine.embed.cache import delete_texts_at

    missing = tmp_path / "none" / "vectors.sqlite"
    assert delete_texts_at(missing, ["Hei"]) == 0 and not missing.parent.exists()
    path = tmp_path / "emb" / "vectors.sqlite"
    cache = EmbeddingCache(path)
    vec = np.ones(4, dtype=np.float32) / 2
    for model in ("a|1", "b|1"):
        cache.put_many(model, [(cache.key(normalize_text(t)), vec) for t in ("Lang  ventetid", "Bra service")])
    cache.close()
    assert delete_texts_at(path, ["Lang ventetid "]) == 2  # normalised as CachedEmbedder keys it; both embedders
    cache = EmbeddingCache(path)
    assert cache.count() == 2 and cache.count("a|1") == 1
    cache.close()


@pytest.mark.parametrize("days", ["99999999", "inf", "1e400"])
def test_cli_purge_refuses_an_age_past_a_century_without_a_traceback(tmp_path, monkeypatch, days):
    run = cli_with_two_waves(tmp_path, monkeypatch)
    out = run("store", "purge", "--older-than", days, "--dry-run", code=2)
    assert "Traceback" not in out and "OverflowError" not in out and "--older-than" in out
    assert _count(tmp_path, Wave) == 2
