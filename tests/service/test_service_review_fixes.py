"""Service review (w2) findings 3, 4, 5, 6, 7 and 10: one job per simultaneous identical start, one wave per
upload, exclusive themes and case-insensitive types in corrections, neutral file names, personal data refused in
survey descriptions and codebooks. Every refusal leaves the database unchanged."""

from __future__ import annotations

import threading

import pandas as pd
from conftest import (SAMPLE_CSV_2023, SURVEY_YAML, _library_cleaner_available, create_survey, hdr, make_settings,
                      sample_frame, survey_yaml, table_counts, to_csv_bytes, upload)
from sqlalchemy import event, func, select
from typer.testing import CliRunner

from service import library, store
from service.db.models import CodingJob, Correction, Response
from service.db.session import Database
from service.errors import ApiError
from textmine.cli import app as cli_app

FNR = "15076510013"  # mod-11 valid
PHONE = "41234567"


def _mixed_csv() -> bytes:
    """20 respondents of 2022 and 20 of 2023 in one file."""
    return to_csv_bytes(pd.concat([sample_frame(20), sample_frame(20, SAMPLE_CSV_2023)], ignore_index=True))


def _first_response(app, wave_id: int) -> int:
    with app.state.db.session() as s:
        return int(s.scalar(select(func.min(Response.id)).where(Response.wave_id == wave_id)))


def _cli(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CODER_FACTORY", "fakes:keyword_coder_factory")
    if not _library_cleaner_available():
        monkeypatch.setenv("TEXTMINE_CLEANER_FACTORY", "fakes:regex_cleaner")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli_app, [str(a) for a in args])


def _cli_counts(tmp_path) -> dict[str, int]:
    db = Database(f"sqlite:///{tmp_path / 'textmine.db'}")
    try:
        with db.session() as s:
            return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)))
                    for m in (CodingJob, Correction, Response)}
    finally:
        db.dispose()


# ---------------------------------------------------------------- 3: simultaneous identical job starts
def test_simultaneous_identical_job_starts_create_one_job(db_url, tmp_path):
    """Both starts pass the existing-job check before either inserts (a barrier on the response count, which
    start_job reads between check and insert, holds each until the other arrives or 3 s pass). Before: two jobs,
    both 'created'."""
    db = Database(db_url)
    settings = make_settings(db_url, tmp_path)
    with db.session() as s:
        survey_id = store.create_survey(s, "arbeidsgiver", None, survey_yaml()).id
        wave_id = store.upload_wave(s, settings, survey_id, to_csv_bytes(sample_frame(10)), "w.csv")[0].id
        store.default_codebook_row(s)
    barrier = threading.Barrier(2, timeout=3)

    def hold(conn, cursor, statement, params, context, executemany):
        if "count(" in statement.lower() and "from responses" in statement.lower():
            try:
                barrier.wait()
            except threading.BrokenBarrierError:  # the other start waits for the lock: no race to force
                pass

    event.listen(db.engine, "before_cursor_execute", hold)
    results: list[tuple[int, bool]] = []

    def start():
        with db.session() as s:
            job, created = store.start_job(s, wave_id, None, None)
            results.append((job.id, created))

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    event.remove(db.engine, "before_cursor_execute", hold)
    with db.session() as s:
        n_jobs = s.scalar(select(func.count()).select_from(CodingJob).where(CodingJob.wave_id == wave_id))
    db.dispose()
    assert n_jobs == 1, results
    assert sorted(created for _id, created in results) == [False, True]
    assert len({job_id for job_id, _c in results}) == 1


# ---------------------------------------------------------------- 4: several waves in one file
def test_upload_holding_several_waves_is_refused(client, keys):
    sid = create_survey(client, keys["analyst"])
    before = table_counts(client.app)
    r = upload(client, keys["analyst"], sid, _mixed_csv(), "mixed.csv")
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "several_waves" and "column wave" in err["message"] and "split it per wave" in err["message"]
    assert err["details"]["values"] == ["2022", "2023"] and err["details"]["column"] == "wave"
    assert table_counts(client.app) == before
    ok = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(20)), "one.csv")  # one wave: stored
    assert ok.status_code == 201 and ok.json()["label"] == "2022"


def test_store_upload_cli_refuses_several_waves(tmp_path, monkeypatch):
    run = _cli(tmp_path, monkeypatch)
    (tmp_path / "mixed.csv").write_bytes(_mixed_csv())
    assert run("store", "survey-create", "arbeidsgiver", "--definition", SURVEY_YAML).exit_code == 0
    res = run("store", "upload", "1", tmp_path / "mixed.csv")
    assert res.exit_code == 2 and "several_waves" in res.output and "2022, 2023" in res.output, res.output
    assert _cli_counts(tmp_path)["responses"] == 0


# ---------------------------------------------------------------- 5 and 10: corrections
def test_correction_combining_an_exclusive_theme_is_refused(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(20))).json()
    rid = _first_response(client.app, wave["id"])
    before = table_counts(client.app)
    r = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon", "annet"], "type": "klage"},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "exclusive_theme" and "exclusive theme 'annet'" in err["message"]
    assert err["details"]["exclusive"] == "annet" and err["details"]["position"] == 1
    assert table_counts(client.app) == before
    for themes in (["annet"], ["telefon", "saksbehandlingstid"], ["annet", "annet"]):  # still accepted
        ok = client.post(f"/responses/{rid}/codes", json={"themes": themes}, headers=hdr(keys["analyst"]))
        assert ok.status_code == 201, ok.text


def test_correction_type_is_case_insensitive(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(20))).json()
    rid = _first_response(client.app, wave["id"])
    r = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"], "type": "Klage"},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    assert r.json()["type"] == "klage"
    before = table_counts(client.app)
    bad = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"], "type": "Klagen"},
                      headers=hdr(keys["analyst"]))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_type"
    assert table_counts(client.app) == before


def test_store_correct_cli_refuses_exclusive_and_normalises_type(tmp_path, monkeypatch):
    run = _cli(tmp_path, monkeypatch)
    (tmp_path / "wave.csv").write_bytes(to_csv_bytes(sample_frame(20)))
    assert run("store", "survey-create", "arbeidsgiver", "--definition", SURVEY_YAML).exit_code == 0
    assert run("store", "upload", "1", tmp_path / "wave.csv").exit_code == 0
    bad = run("store", "correct", "1", "--themes", "telefon;annet")
    assert bad.exit_code == 2 and "exclusive_theme" in bad.output and "'annet'" in bad.output, bad.output
    assert _cli_counts(tmp_path)["corrections"] == 0
    ok = run("store", "correct", "1", "--themes", "telefon", "--type", "ROS")
    assert ok.exit_code == 0, ok.output
    db = Database(f"sqlite:///{tmp_path / 'textmine.db'}")
    with db.session() as s:
        assert [c.type for c in s.scalars(select(Correction))] == ["ros"]
    db.dispose()


# ---------------------------------------------------------------- 6: file names
def test_safe_filename_keeps_nothing_of_a_stem_with_personal_data():
    assert library.safe_filename(f"svar_Kari_Nordmann_{FNR}.csv") == "upload.csv"
    assert library.safe_filename("Nordmann Kari.xlsx") == "upload.xlsx"
    assert library.safe_filename(f"eksport {PHONE}.csv") == "upload.csv"
    assert library.safe_filename("arbeidsgiver_2022.csv") == "arbeidsgiver_2022.csv"
    assert library.safe_filename("wave_20240115.csv") == "wave_20240115.csv"  # a date, not a phone number


def test_uploaded_file_name_with_a_name_is_stored_neutral(client, keys):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(10)), f"svar_Kari_Nordmann_{FNR}.csv")
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "upload.csv"
    listed = client.get(f"/surveys/{sid}/waves", headers=hdr(keys["reader"])).text
    assert "Nordmann" not in listed and "Kari" not in listed and FNR not in listed


# ---------------------------------------------------------------- 7: descriptions and codebooks
def test_survey_description_with_personal_data_is_refused(client, keys):
    before = table_counts(client.app)
    secret = f"Spørsmål til Kari Nordmann, tlf {PHONE}, fnr {FNR}"
    r = client.post("/surveys", json={"name": "ok navn", "description": secret}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "personal_data_in_name"
    assert "survey description" in r.json()["error"]["message"]
    assert "Nordmann" not in r.text and PHONE not in r.text and FNR not in r.text
    assert table_counts(client.app) == before
    ok = client.post("/surveys", json={"name": "ok navn", "description": "Arbeidsgiverundersøkelsen 2024"},
                     headers=hdr(keys["analyst"]))
    assert ok.status_code == 201, ok.text


def test_codebook_name_and_theme_texts_with_personal_data_are_refused(client, keys):
    good = {"name": "mini", "version": "1",
            "themes": [{"id": "telefon", "label": "Telefon", "description": "Telefon og ventetid."},
                       {"id": "annet", "label": "Annet", "description": "Annet.", "exclusive": True}]}
    before = table_counts(client.app)
    bad_name = {**good, "name": f"Kari Nordmann {FNR}"}
    bad_label = {**good, "themes": [{**good["themes"][0], "label": f"Ring {PHONE}"}, good["themes"][1]]}
    bad_description = {**good, "themes": [{**good["themes"][0], "description": "Spør etter Kari Nordmann"},
                                          good["themes"][1]]}
    for body, where in ((bad_name, "codebook name"), (bad_label, "label of theme telefon"),
                        (bad_description, "description of theme telefon")):
        r = client.post("/codebooks", json=body, headers=hdr(keys["analyst"]))
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "personal_data_in_name" and where in err["message"], err
        assert "Nordmann" not in r.text and PHONE not in r.text and FNR not in r.text
    assert table_counts(client.app) == before
    assert client.post("/codebooks", json=good, headers=hdr(keys["analyst"])).status_code == 201


def test_bundled_codebooks_pass_the_personal_data_check():
    from pathlib import Path

    for path in Path(SURVEY_YAML).parents[2].joinpath("data", "codebooks").glob("*.yaml"):
        store._refuse_personal_data_in_codebook(library.codebook_to_dict(library.codebook_from_yaml(path.read_text())))
    store._refuse_personal_data_in_codebook(library.default_codebook_dict())
    try:
        store.refuse_personal_data(f"tlf {PHONE}", "survey description")
    except ApiError as exc:
        assert exc.code == "personal_data_in_name" and PHONE not in str(exc.message)
    else:
        raise AssertionError("a phone number was not found")
