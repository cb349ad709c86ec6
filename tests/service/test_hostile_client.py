"""A hostile client: personal data in error-triggering values and file metadata never comes back, and a summary
never compares waves of different surveys."""

from __future__ import annotations

import logging

from conftest import create_survey, hdr, sample_frame, survey_yaml, table_counts, to_csv_bytes, upload, wait_job

from service.db.models import Response

FNR = "15038512363"  # valid mod-11 check digits
PHONE = "912 34 567"
EMAIL = "ola.nordmann@example.no"
PII = (FNR, PHONE, "91234567", EMAIL)


def _clean(text: str) -> bool:
    return not any(p in text for p in PII)


def _server_log(caplog) -> str:
    return "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith("httpx"))


def _coded_wave(client, keys, sid, label, n=15):
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(n)), "w.csv", label)
    assert r.status_code == 201, r.text
    wave_id = r.json()["id"]
    job = client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    assert wait_job(client, keys["reader"], job["id"])["state"] == "done"
    return wave_id


def test_summary_refuses_a_comparison_wave_of_another_survey(client, keys):
    w1 = _coded_wave(client, keys, create_survey(client, keys["analyst"], "a"), "2022")
    w2 = _coded_wave(client, keys, create_survey(client, keys["analyst"], "b"), "2021")
    r = client.get(f"/waves/{w1}/summary?compare_wave_id={w2}", headers=hdr(keys["reader"]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "other_survey", r.text


def test_error_triggering_values_are_never_echoed(client, keys, caplog):
    sid = create_survey(client, keys["analyst"])
    wave_id = _coded_wave(client, keys, sid, "2022")
    a, rd = hdr(keys["analyst"]), hdr(keys["reader"])
    with client.app.state.db.session() as s:
        rid = s.query(Response.id).filter(Response.wave_id == wave_id).first()[0]
    before = table_counts(client.app)
    bad_column = sample_frame(5).rename(columns={"fritekst_generell": EMAIL})
    bad_def = survey_yaml().replace("column: fylke", f"column: {EMAIL}")
    with caplog.at_level(logging.DEBUG):
        cases = [
            (client.get(f"/waves/{wave_id}/themes/{FNR}/quotes", headers=rd), 404, "unknown_theme"),
            (client.post(f"/responses/{rid}/codes", json={"themes": ["annet", EMAIL]}, headers=a), 422,
             "unknown_theme"),
            (client.post("/surveys", json={"name": "x", EMAIL: FNR}, headers=a), 422, "validation_error"),
            (upload(client, keys["analyst"], sid, to_csv_bytes(bad_column), "w.csv", "x"), 422, "missing_columns"),
            (client.post(f"/surveys/{sid}/waves", files={"file": ("w.csv", to_csv_bytes(sample_frame(5)), "text/csv"),
                                                         "definition": ("d.yaml", bad_def.encode(), "text/yaml")},
                         data={"label": "y"}, headers=a), 422, "personal_data_in_name"),  # column names checked
            (client.post("/codebooks", json={"name": "x", "version": "1", "themes": [{"id": PHONE, "label": "T"}]},
                         headers=a), 422, "personal_data_in_name"),  # checked first: never quoted (dec05e)
        ]
    for r, status, code in cases:
        assert r.status_code == status and r.json()["error"]["code"] == code, r.text
        assert _clean(r.text), r.text
    assert cases[1][0].json()["error"]["details"]["positions"] == [1]
    assert table_counts(client.app) == before
    assert _clean(_server_log(caplog))


def test_personal_data_in_file_metadata_is_not_stored_or_shown(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(5).assign(**{f"kontakt {EMAIL}": "x", FNR: "y"})
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), f"{EMAIL}.csv", "2022")
    assert r.status_code == 201, r.text
    assert r.json()["filename"].endswith(".csv") and "were not stored" in " ".join(r.json()["warnings"])
    assert _clean(r.text), r.text
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(5).assign(wave=EMAIL)), "w2.csv")
    assert r.status_code == 201 and r.json()["label"] == "w2", r.text  # never a label from a personal-data cell
    listing = client.get(f"/surveys/{sid}/waves", headers=hdr(keys["reader"]))
    assert listing.status_code == 200 and _clean(listing.text), listing.text


def test_a_name_inside_an_extra_key_is_not_echoed_in_a_validation_error(client, keys):
    a = hdr(keys["analyst"])
    before = table_counts(client.app)
    r = client.post("/surveys", json={"name": "x", f"kari_nordmann_{FNR}": 1}, headers=a)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", r.text
    assert "kari" not in r.text.lower() and "nordmann" not in r.text.lower() and FNR not in r.text
    ok = client.post("/surveys", json={"name": "x", "survey_colour": 1}, headers=a)  # an ordinary key is named
    assert ok.status_code == 422 and "survey_colour" in ok.text, ok.text
    assert table_counts(client.app) == before
