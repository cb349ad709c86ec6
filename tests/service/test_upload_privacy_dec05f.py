"""Privacy gaps the data protection officer found (Dec 5): respondent ids that are personal data (fødselsnummer,
e-mail address, phone number) are refused at upload; a wave nearly equal to a stored one (differencing two waves
rebuilds one respondent) is refused (409 near_duplicate_wave); /classify says per text whether it holds
special-category (health) data."""

from __future__ import annotations

import uuid

import pytest
from conftest import create_survey, hdr, sample_frame, table_counts, to_csv_bytes, upload

FNR = "15038510190"  # valid check digits (synthetic)


def _with_id(frame, pos: int, value: str):
    out = frame.copy()
    out.loc[pos, "respondent_id"] = value
    return out


# ---------------------------------------------------------------- 1. personal data as respondent id
@pytest.mark.parametrize("value", [FNR, "ola.nordmann@example.no", "91234567", "+47 912 34 567"])
def test_personal_data_as_respondent_id_is_refused_naming_column_and_rows_never_the_value(client, keys, value):
    sid = create_survey(client, keys["analyst"])
    frame = _with_id(_with_id(sample_frame(20), 4, value), 11, value.replace("9", "4", 1) if "@" not in value
                     else "kari@example.no")
    before = table_counts(client.app)
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv", "2022")
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "personal_data_in_ids"
    assert "respondent_id" in error["message"] and "6" in error["message"]
    assert error["details"]["column"] == "respondent_id" and error["details"]["rows"][0] == 6  # file row (header 1)
    assert value not in r.text and "kari@example.no" not in r.text
    assert table_counts(client.app) == before


def test_fnr_id_with_its_leading_zero_lost_is_refused(client, keys):
    """A fødselsnummer read as a number (Excel) loses its leading zero: 10 digits, still refused."""
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(_with_id(sample_frame(20), 0, "1019040034")), "w.csv")
    assert r.status_code == 422 and r.json()["error"]["details"]["rows"] == [2], r.text


def test_fnr_among_a_run_of_numeric_ids_is_still_refused(client, keys):
    """A run of consecutive numbers is an id column (phone-shaped ids pass), but a fødselsnummer in it is not."""
    frame = sample_frame(30).copy()
    frame["respondent_id"] = [str(40000000 + i) for i in range(29)] + [FNR]
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv")
    assert r.status_code == 422 and r.json()["error"]["details"]["rows"] == [31], r.text


@pytest.mark.parametrize("ids", [
    [f"AG2023-{i:05d}" for i in range(1, 21)],
    [f"{i:06d}" for i in range(1, 21)],  # 000001 …
    [str(uuid.UUID(int=i * 7919 + 1)) for i in range(20)],
    [str(12345678900 + i) for i in range(20)],  # 11 digits: checked below to fail mod 11
    [str(40000000 + i) for i in range(30)],  # a consecutive run of 8-digit numbers: ids, not phone numbers
])
def test_plain_survey_ids_pass(client, keys, ids):
    from textmine.preprocess.redact import personal_number_type

    ids = [i for i in ids if not (len(i) == 11 and i.isdigit() and personal_number_type(i))]
    frame = sample_frame(len(ids)).copy()
    frame["respondent_id"] = ids
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv", "2022")
    assert r.status_code == 201, r.text


# ---------------------------------------------------------------- 2. near-duplicate waves
def test_wave_minus_one_row_under_another_label_is_refused(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(40)
    first = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "a.csv", "2023")
    assert first.status_code == 201, first.text
    before = table_counts(client.app)
    minus_one = frame.drop(index=7)
    r = upload(client, keys["analyst"], sid, to_csv_bytes(minus_one), "b.csv", "2023-foreløpig")
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "near_duplicate_wave"
    wid = first.json()["id"]
    assert error["details"]["wave_id"] == wid and error["details"]["label"] == "2023"
    assert f"wave {wid}" in error["message"] and f"DELETE /waves/{wid}" in error["message"]
    assert frame.loc[7, "respondent_id"] not in r.text
    assert table_counts(client.app) == before
    # the same with one row added, or a few answers changed
    plus_one = sample_frame(41)
    r = upload(client, keys["analyst"], sid, to_csv_bytes(plus_one), "c.csv", "2023-endelig")
    assert r.status_code == 409 and r.json()["error"]["code"] == "near_duplicate_wave", r.text
    changed = frame.copy()
    changed.loc[0, "q_helhet"] = "1" if changed.loc[0, "q_helhet"] != "1" else "2"
    r = upload(client, keys["analyst"], sid, to_csv_bytes(changed), "d.csv", "2023-rettet")
    assert r.status_code == 409 and r.json()["error"]["code"] == "near_duplicate_wave", r.text
    assert table_counts(client.app) == before


def test_panel_next_wave_same_ids_other_answers_passes(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(40)
    assert upload(client, keys["analyst"], sid, to_csv_bytes(frame), "a.csv", "2022").status_code == 201
    nxt = frame.copy()
    nxt["q_helhet"] = nxt["q_helhet"].map(lambda v: "1" if v != "1" else "2")  # every respondent answers anew
    r = upload(client, keys["analyst"], sid, to_csv_bytes(nxt), "b.csv", "2023")
    assert r.status_code == 201, r.text
    # another sample of respondents (different ids) also passes
    other = sample_frame(80).iloc[40:]
    assert upload(client, keys["analyst"], sid, to_csv_bytes(other), "c.csv", "2024").status_code == 201


def test_near_duplicate_check_uses_keyed_row_hashes(client, keys):
    """The rows are compared by keyed hashes of their stored content, not by raw text."""
    from service import store

    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(10)
    assert upload(client, keys["analyst"], sid, to_csv_bytes(frame), "a.csv", "2022").status_code == 201
    with client.app.state.db.session() as session:
        secret = store.fingerprint_secret(session)
    a = store.row_fingerprint(secret, {"q": 1}, {"f": "tekst"})
    assert a == store.row_fingerprint(secret, {"q": 1}, {"f": "tekst"}) and len(a) == 32
    assert a != store.row_fingerprint("annen-nokkel", {"q": 1}, {"f": "tekst"})
    assert a != store.row_fingerprint(secret, {"q": 2}, {"f": "tekst"})
    assert b"tekst" not in a


# ---------------------------------------------------------------- 3. /classify health flag
def test_classify_returns_health_flag_and_themes_for_flagged_text(client, keys):
    health = "Min ansatt har vært sykmeldt med depresjon, og ingen svarer på telefon"
    plain = "Lang ventetid på telefon"
    for body in ({"texts": [health, plain]}, {"texts": [plain, health]}):  # the second: partly from the cache
        r = client.post("/classify", json=body, headers=hdr(keys["analyst"]))
        assert r.status_code == 200, r.text
        res = {t: x for t, x in zip(body["texts"], r.json()["results"])}
        assert res[health]["health_flag"] is True and res[plain]["health_flag"] is False
        assert res[health]["themes"], "a flagged text still gets its themes"
    cb = {"name": "mini", "version": "1", "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"]}]}
    cid = client.post("/codebooks", json=cb, headers=hdr(keys["analyst"])).json()["id"]
    r = client.post("/classify", json={"texts": [health, plain], "codebook_id": cid}, headers=hdr(keys["analyst"]))
    assert [x["health_flag"] for x in r.json()["results"]] == [True, False]
    assert [t["id"] for t in r.json()["results"][0]["themes"]] == ["telefon"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ClassifiedText"]
    assert "health_flag" in schema["required"]
    assert "helse" in schema["properties"]["health_flag"]["description"].lower() or \
        "health" in schema["properties"]["health_flag"]["description"].lower()


def test_the_redaction_note_is_stored_with_the_wave(client, keys):
    """The upload's answer said «N personal data item(s) were redacted …» but GET /waves/{id} showed no warning: the
    note was appended to the list the new Wave row already held, so the later assignment looked unchanged."""
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(12)
    frame.loc[3, "fritekst_generell"] = "Ring meg på 91234567, hilsen Kari Nordmann"
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "a.csv", "2022")
    assert r.status_code == 201, r.text
    said = [w for w in r.json()["warnings"] if "personal data item(s) were redacted" in w]
    assert said, r.json()
    stored = client.get(f"/waves/{r.json()['id']}", headers=hdr(keys["reader"])).json()
    assert [w for w in stored["warnings"] if "personal data item(s) were redacted" in w] == said, stored
