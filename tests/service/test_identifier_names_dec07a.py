"""Personal data written as an identifier («ola_nordmann_91234567»: a name and a phone number the redaction does not
see inside an id) never comes back from the service: not in the upload's "not stored" warning, not in the unknown
keys of a survey definition or codebook, not in an unknown theme id, and a survey description holding one is
refused. Ordinary names are still shown as they are."""

from __future__ import annotations

import pytest
from conftest import create_survey, hdr, sample_frame, survey_yaml, to_csv_bytes, upload, wait_job

from sqlalchemy import select

from service.db.models import Response
from service.library import column_list, redact_name

IDS = ("ola_nordmann_91234567", "kari_hansen_15038512363", "kari_nordmann_91234567")
PARTS = ("nordmann", "91234567", "15038512363", "kari_hansen", "ola_nordmann")


def _leaks(text: str) -> list[str]:
    low = text.casefold()
    return [p for p in PARTS if p in low]


def test_redact_name_hides_an_id_holding_personal_data_and_keeps_ordinary_ids():
    text = f"unknown key(s) {IDS[1]}, {IDS[0]}, ekstra_felt (allowed: fritekst_generell, q_helhet)"
    shown = redact_name(text)
    assert not _leaks(shown), shown
    assert "ekstra_felt" in shown and "fritekst_generell, q_helhet" in shown
    assert column_list([IDS[0], "sektor", "q_helhet"]) == "[REDIGERT], sektor, q_helhet"
    for ordinary in ("spm_3.b-2", "fornøydMedLeder", "svar_2023.csv", "2026-12-07", "free_text[0].column"):
        assert redact_name(ordinary) == ordinary


def test_upload_warning_never_names_an_undeclared_column_holding_personal_data(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(20).assign(**{IDS[0]: "x", "ekstra_kolonne": "y"})
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv", "2022")
    assert r.status_code == 201, r.text
    assert not _leaks(r.text), r.text
    warning = next(w for w in r.json()["warnings"] if "not stored" in w)
    assert "2 column(s)" in warning and "ekstra_kolonne" in warning and "[REDIGERT]" in warning
    wave = client.get(f"/waves/{r.json()['id']}", headers=hdr(keys["reader"]))
    assert wave.status_code == 200 and not _leaks(wave.text), wave.text


def test_unknown_keys_of_a_survey_definition_are_never_echoed_when_personal(client, keys):
    yaml_text = survey_yaml() + f"\n{IDS[1]}: 1\n{IDS[0]}: 2\nekstra_nokkel: 3\n"
    r = client.post("/surveys", json={"name": "x", "definition_yaml": yaml_text}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    assert not _leaks(r.text), r.text
    assert "unknown key(s)" in r.json()["error"]["message"] and "ekstra_nokkel" in r.json()["error"]["message"]


def _codebook(**extra) -> dict:
    return {"name": "mini", "version": "1", **extra.get("top", {}),
            "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"], **extra.get("theme", {})},
                       {"id": "annet", "label": "Annet", "description": "Annet", "exclusive": True}]}


@pytest.mark.parametrize("where", ["top", "theme"])
def test_unknown_keys_of_a_codebook_are_never_echoed_when_personal(client, keys, where):
    body = _codebook(**{where: {IDS[1]: "a", IDS[0]: "b"}})
    r = client.post("/codebooks", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    assert not _leaks(r.text), r.text


def test_unknown_ordinary_codebook_key_is_still_named(client, keys):
    r = client.post("/codebooks", json=_codebook(theme={"ekstra_nokkel": "b"}), headers=hdr(keys["analyst"]))
    assert r.status_code == 422 and "ekstra_nokkel" in r.text, r.text


def test_survey_description_holding_an_id_with_personal_data_is_refused(client, keys):
    r = client.post("/surveys", json={"name": "x", "definition_yaml": survey_yaml(),
                                      "description": "laget av ola_nordmann_41234567"}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "personal_data_in_name" and "41234567" not in r.text
    ok = client.post("/surveys", json={"name": "y", "definition_yaml": survey_yaml(),
                                       "description": "Kundeundersøkelse høst 2024 (v2.1), spm_3 og q_helhet"},
                     headers=hdr(keys["analyst"]))
    assert ok.status_code == 201, ok.text


def test_unknown_theme_ids_holding_personal_data_are_never_echoed(client, keys):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(20)), "w.csv", "2022")
    assert r.status_code == 201, r.text
    wave_id = r.json()["id"]
    job = client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
    assert job.status_code == 202, job.text
    assert wait_job(client, keys["reader"], job.json()["id"])["state"] == "done"
    q = client.get(f"/waves/{wave_id}/themes/{IDS[2]}/quotes", headers=hdr(keys["reader"]))
    assert q.status_code == 404 and not _leaks(q.text), q.text
    typo = client.get(f"/waves/{wave_id}/themes/telefn/quotes", headers=hdr(keys["reader"]))
    assert typo.status_code == 404 and "'telefn'" in typo.json()["error"]["message"]
    with client.app.state.db.session() as s:
        response_id = s.scalar(select(Response.id).where(Response.wave_id == wave_id).limit(1))
    c = client.post(f"/responses/{response_id}/codes", json={"themes": [IDS[2]]}, headers=hdr(keys["analyst"]))
    assert c.status_code == 422 and not _leaks(c.text), c.text
