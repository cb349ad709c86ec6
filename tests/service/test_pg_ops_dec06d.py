"""What PostgreSQL refuses and SQLite would store (NUL characters, text longer than its VARCHAR column), text
PostgreSQL and SQLite must both keep exactly (4-byte UTF-8), and a same-name race between two servers: every case
is answered alike on both stores (a 422/409 naming the field or rows, never a 500), or keeps the text as sent."""

from __future__ import annotations

import io
import threading
import time

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from conftest import (app_client, create_survey, hdr, postgres_url_or_skip, reset_postgres, sample_frame,
                      to_csv_bytes, upload, wait_job)
from service import store
from service.crypto import RawTextCodec
from service.db.models import Codebook, CodingResult, Respondent, Response, Survey, Wave
from service.db.session import Database
from service.errors import ApiError

MINI_CODEBOOK = {"name": "mini", "version": "1",
                 "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
                            {"id": "annet", "label": "Annet", "description": "Annet", "exclusive": True}]}


def parquet_bytes(frame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def count(app, model) -> int:
    with app.state.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def test_a_nul_in_a_survey_description_is_refused_with_422_on_both_stores(db_url, tmp_path):
    with app_client(db_url, tmp_path, warmup=False, run_jobs=False) as (client, keys):
        r = client.post("/surveys", json={"name": "nul", "description": "før\x00etter"}, headers=hdr(keys["analyst"]))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid_description"
        assert "NUL" in r.json()["error"]["message"] and "før" not in r.text
        assert count(client.app, Survey) == 0
        ok = client.post("/surveys", json={"name": "ok", "description": "før\tetter"}, headers=hdr(keys["analyst"]))
        assert ok.status_code == 201 and ok.json()["description"] == "før\tetter"


@pytest.mark.parametrize("bad_id, fmt", [("r\x00007", "parquet"), ("x" * 201, "csv"), ("ab\x1bc", "parquet")],
                         ids=["nul", "longer-than-column", "escape"])
def test_respondent_ids_the_store_cannot_hold_are_refused_naming_rows_not_values(db_url, tmp_path, bad_id, fmt):
    frame = sample_frame(20)
    frame.loc[3, "respondent_id"] = bad_id
    data = parquet_bytes(frame) if fmt == "parquet" else to_csv_bytes(frame)
    with app_client(db_url, tmp_path, warmup=False, run_jobs=False) as (client, keys):
        sid = create_survey(client, keys["analyst"])
        r = upload(client, keys["analyst"], sid, data, f"wave.{fmt}", "2022")
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "invalid_ids" and err["details"]["rows"] == [5] and err["details"]["count"] == 1
        assert bad_id not in r.text and "file row(s) 5" in err["message"]
        assert count(client.app, Wave) == 0 and count(client.app, Respondent) == 0


def test_an_id_of_exactly_the_column_width_is_stored_on_both_stores(db_url, tmp_path):
    frame = sample_frame(20)
    frame.loc[0, "respondent_id"] = "x" * store.RESPONDENT_ID_MAX
    with app_client(db_url, tmp_path, warmup=False, run_jobs=False) as (client, keys):
        sid = create_survey(client, keys["analyst"])
        r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "wave.csv", "2022")
        assert r.status_code == 201, r.text
        with client.app.state.db.session() as s:
            assert s.scalar(select(func.max(func.length(Respondent.respondent_id)))) == store.RESPONDENT_ID_MAX


@pytest.mark.parametrize("field, limit", [("name", 200), ("version", 50)])
def test_a_codebook_name_or_version_longer_than_its_column_is_refused_on_both_stores(db_url, tmp_path, field, limit):
    with app_client(db_url, tmp_path, warmup=False, run_jobs=False) as (client, keys):
        at_limit = {**MINI_CODEBOOK, field: "v" * limit}
        assert client.post("/codebooks", json=at_limit, headers=hdr(keys["analyst"])).status_code == 201
        n = count(client.app, Codebook)
        too_long = {**MINI_CODEBOOK, field: "w" * (limit + 1)}
        r = client.post("/codebooks", json=too_long, headers=hdr(keys["analyst"]))
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "invalid_codebook" and err["details"] == {"field": field, "max": limit}
        assert f"at most {limit}" in err["message"] and count(client.app, Codebook) == n


def test_four_byte_utf8_comments_keep_every_character_and_code_once(db_url, tmp_path):
    key = Fernet.generate_key().decode()
    texts = {0: "Bra 😀👍🏽 telefon 𝔘𝔫𝔦 æøå", 1: "🇳🇴 " * 400 + "slutt", 2: "Z\u0301 e\u0301 NFD"}
    frame = sample_frame(30)
    for row, value in texts.items():
        frame.loc[row, "fritekst_generell"] = value
    with app_client(db_url, tmp_path, store_raw_text="encrypted", fernet_key=key) as (client, keys):
        sid = create_survey(client, keys["analyst"])
        r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "wave.csv", "2022")
        assert r.status_code == 201, r.text
        wave_id = r.json()["id"]
        job = client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
        assert wait_job(client, keys["reader"], job.json()["id"])["state"] == "done"
        codec = RawTextCodec("encrypted", key)
        with client.app.state.db.session() as s:
            raw = {codec.decode(r.text_raw, r.raw_encrypted) for r in s.scalars(select(Response))}
            n_responses = s.scalar(select(func.count()).select_from(Response))
            results = s.execute(select(func.count(), func.count(CodingResult.response_id.distinct()))).one()
        assert set(texts.values()) <= raw
        assert tuple(results) == (n_responses, n_responses)


def test_two_servers_creating_the_same_survey_name_get_201_and_409_never_500(tmp_path):
    url = postgres_url_or_skip()
    reset_postgres(url)
    first, second = Database(url), Database(url)
    outcome: dict[str, object] = {}

    def racer() -> None:  # blocks on the unique index until the first transaction commits
        try:
            with second.session() as s:
                store.create_survey(s, "race", None, None)
            outcome["second"] = "created"
        except ApiError as exc:
            outcome["second"] = (exc.status, exc.code)
        except Exception as exc:  # noqa: BLE001 - what the API would have answered 500 for
            outcome["second"] = type(exc).__name__

    try:
        with first.session() as s:
            store.create_survey(s, "race", None, None)  # flushed, not yet committed: invisible to the racer
            thread = threading.Thread(target=racer)
            thread.start()
            time.sleep(0.5)
        thread.join(30)
        assert outcome["second"] == (409, "survey_exists")
        with first.session() as s:
            assert s.scalar(select(func.count()).select_from(Survey).where(Survey.name == "race")) == 1
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.parametrize("url, shown", [
    ("postgresql+psycopg://tm:S3cr%40t@db:5432/tm", "postgresql+psycopg://tm:***@db:5432/tm"),
    ("postgresql+psycopg://tm@db/tm?password=S3cr3tQ", "postgresql+psycopg://tm@db/tm?password=***"),
    ("postgresql+psycopg:///tm?host=db&password=S3cr3tQ&sslpassword=S3cr3tK&user=tm",
     "postgresql+psycopg:///tm?host=db&password=***&sslpassword=***&user=tm"),
    ("sqlite:////srv/textmine/textmine.db", "sqlite:////srv/textmine/textmine.db"),
    ("::S3cr3t not a url::", "<invalid url>"),
])
def test_shown_url_masks_a_password_in_the_user_part_and_in_the_query_string(url, shown):
    from service.db.session import shown_url

    assert shown_url(url) == shown
    assert "S3cr" not in shown_url(url)
