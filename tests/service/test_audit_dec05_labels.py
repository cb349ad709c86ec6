"""Privacy audit 5 December: names and labels readers see are checked for personal data.

Was: personal data in a survey definition's labels (M1), a codebook's version, language, types or theme ids (M2),
a model's or an API key's name (M6) was stored and shown to readers; a small level of a segment without declared
levels kept its own value beside the hidden cell in summaries and pages (H1); a not-found error echoed the id the
caller sent, e.g. a fødselsnummer typed as a wave id (L2). Now each is refused with 422 ``personal_data_in_name``
naming the field, never the value, and nothing is written; small free-valued levels read "(liten gruppe …)"; large
ids are not echoed."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import yaml
from conftest import create_survey, hdr, sample_frame, survey_yaml, table_counts, to_csv_bytes, upload
from httpx import Response

FNR = "01019012480"
PHONE = "91234567"
EMAIL = "kari.nordmann@nav.no"


def _refused(client, send: Callable[[], Response], field: str | None, secrets=(),
             code: str = "personal_data_in_name") -> dict:
    """``send()`` is answered 422 ``code`` naming ``field`` (unless None), showing none of ``secrets``, and writes
    nothing; the error body."""
    before = table_counts(client.app)
    r = send()
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == code, err
    if field is not None:
        assert err["details"]["field"] == field, err
    for secret in secrets:
        assert secret not in r.text
    assert table_counts(client.app) == before
    return err


# ---------------------------------------------------------------- M1: survey definitions
def _definition(change) -> str:
    d = yaml.safe_load(survey_yaml())
    change(d)
    return yaml.safe_dump(d, allow_unicode=True, sort_keys=False)


def _set(path: tuple, value):
    def change(d):
        target = d
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


def _add_segment(d):
    d["segments"].append({"column": "kontor", "label": f"Kontor (leder Kari Nordmann {PHONE})"})


BAD_DEFINITIONS = [
    (_set(("indicators", 2, "label"), f"Fornøyd med saksbehandler Ola Hansen (fnr {FNR})"), "indicators[2].label",
     (FNR, "Hansen")),
    (_add_segment, "segments[4].label", (PHONE, "Nordmann")),
    (_set(("free_text", 1, "label"), f"Har du andre kommentarer? Kontakt {EMAIL}"), "free_text[1].label", (EMAIL,)),
    (_set(("description",), f"Kontaktperson Kari Nordmann, tlf {PHONE}"), "description", (PHONE,)),
    (_set(("segments", 0, "levels", "Privat"), f"Privat (kontakt {EMAIL})"), "segments[0].levels[0].label", (EMAIL,)),
    (_set(("segments", 3, "levels", 0), f"Oslo {FNR}"), "segments[3].levels[0]", (FNR,)),
    (_set(("multiselect", 0, "options", "tj_tiltak"), f"Tiltak (spør {EMAIL})"), "multiselect[0].options[2].label",
     (EMAIL,)),
    (_set(("multiselect", 0, "label"), f"Tjenester, ring {PHONE}"), "multiselect[0].label", (PHONE,)),
    (_set(("excluded_codes", 7), f"Vet ikke ({EMAIL})"), "excluded_codes[0].label", (EMAIL,)),
    (_set(("indicators", 2, "id"), f"kari_nordmann_{FNR}"), "indicators[2].id", (FNR, "kari_nordmann")),
    (_set(("free_text", 1, "column"), f"kommentar_til_Kari_Nordmann_{PHONE.replace(' ', '')}"),
     "free_text[1].column", ("Kari_Nordmann",)),
    (_set(("weight",), f"vekt_{FNR}"), "weight", (FNR,)),
]


@pytest.mark.parametrize("change, field, secrets", BAD_DEFINITIONS, ids=[b[1] for b in BAD_DEFINITIONS])
def test_personal_data_in_a_survey_definition_is_refused(client, keys, change, field, secrets):
    body = {"name": "Arbeidsgiver", "definition_yaml": _definition(change)}
    err = _refused(client, lambda: client.post("/surveys", json=body, headers=hdr(keys["analyst"])), field, secrets)
    assert field in err["message"], err


def test_ordinary_definition_labels_are_accepted(client, keys):
    def change(d):
        d["indicators"][0]["label"] = "Andel fornøyde"
        d["segments"][3]["label"] = "Fylke"
        d["free_text"][0]["label"] = "Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre?"
        d["segments"][1]["levels"]["2-9"] = "2–9 ansatte"
    r = client.post("/surveys", json={"name": "Arbeidsgiver", "definition_yaml": _definition(change)},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text


def test_a_wave_upload_with_a_definition_holding_personal_data_is_refused(client, keys):
    sid = create_survey(client, keys["analyst"])
    bad = _definition(_set(("indicators", 0, "label"), f"Fornøyd med Ola Hansen (fnr {FNR})"))
    files = {"file": ("wave.csv", to_csv_bytes(sample_frame(30)), "text/csv"),
             "definition": ("survey.yaml", bad.encode("utf-8"), "application/yaml")}
    _refused(client, lambda: client.post(f"/surveys/{sid}/waves", headers=hdr(keys["analyst"]), files=files),
             "indicators[0].label", (FNR, "Hansen"))


# ---------------------------------------------------------------- M2: codebook version, language, types, theme ids
GOOD_CODEBOOK = {"name": "mini", "version": "1.0", "language": "nb", "types": ["klage", "ønske", "ros"],
                 "themes": [{"id": "telefon", "label": "Telefon", "description": "Telefon og ventetid.",
                             "keywords": ["telefon"]},
                            {"id": "annet", "label": "Annet", "description": "Annet.", "keywords": [],
                             "exclusive": True}]}


def _codebook(field: str, value) -> dict:
    body = copy.deepcopy(GOOD_CODEBOOK)
    if field == "themes[0].id":
        body["themes"][0]["id"] = value
    elif field == "types[1]":
        body["types"][1] = value
    else:
        body[field] = value
    return body


BAD_CODEBOOKS = [
    ("version", f"kari_nordmann_{FNR}", (FNR, "kari_nordmann")),
    ("language", f"Kari Nordmann {PHONE}", (PHONE, "Nordmann")),
    ("types[1]", f"ring {PHONE}", (PHONE,)),
    ("types[1]", "kari_nordmann", ("kari_nordmann",)),
    ("themes[0].id", f"kari_nordmann_{FNR}", (FNR, "kari_nordmann")),
    ("themes[0].id", "ola_hansen", ("ola_hansen",)),
]


@pytest.mark.parametrize("field, value, secrets", BAD_CODEBOOKS, ids=[f"{b[0]}={b[1]}" for b in BAD_CODEBOOKS])
def test_personal_data_in_codebook_version_language_types_and_ids_is_refused(client, keys, field, value, secrets):
    _refused(client, lambda: client.post("/codebooks", json=_codebook(field, value), headers=hdr(keys["analyst"])),
             field, secrets)


def test_ordinary_codebook_ids_types_and_versions_are_accepted(client, keys):
    body = copy.deepcopy(GOOD_CODEBOOK)
    body.update(version="2024-01-15", language="nn")
    body["themes"][0]["id"] = "digitale_tjenester"
    r = client.post("/codebooks", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text


# ---------------------------------------------------------------- M6: model and key names
def test_personal_data_in_a_model_name_is_refused(client, keys):
    _refused(client, lambda: client.post("/models", json={"name": f"Kari Nordmann {FNR}", "min_examples": 5},
                                         headers=hdr(keys["analyst"])), "model name", (FNR, "Nordmann"))
    ordinary = client.post("/models", json={"name": "Arbeidsgiver 2024", "min_examples": 5},
                           headers=hdr(keys["analyst"]))
    assert ordinary.json()["error"]["code"] == "not_enough_corrections", ordinary.text  # past the name check


def test_personal_data_in_a_key_name_is_refused(client, keys):
    _refused(client, lambda: client.post("/keys", json={"role": "reader", "name": f"Kari Nordmann {PHONE}"},
                                         headers=hdr(keys["admin"])), "key name", (PHONE, "Nordmann"))
    ok = client.post("/keys", json={"role": "reader", "name": "Rapportleser"}, headers=hdr(keys["admin"]))
    assert ok.status_code == 201, ok.text


# ---------------------------------------------------------------- H1: small levels of free-valued segments
SMALL = ("EL 12345", "Bakeri 7")


@pytest.fixture
def small_level_wave(client, keys):
    """A wave whose free-valued segment ``naering`` has two one-respondent levels (and the sample's others)."""
    frame = sample_frame(150)
    frame.loc[0, "naering"], frame.loc[1, "naering"] = SMALL
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "wave.csv")
    assert r.status_code == 201, r.text
    counts = frame["naering"].value_counts()
    return r.json()["id"], counts


def test_summary_shows_small_free_levels_with_a_neutral_label(client, keys, small_level_wave):
    wave_id, counts = small_level_wave
    r = client.get(f"/waves/{wave_id}/summary", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    for value in SMALL:
        assert value not in r.text
    rows = [row for row in r.json()["summary"]["tables"]["indicators"] if row["segment"] == "naering"]
    shown = {row["value"] for row in rows}
    small = [v for v, n in counts.items() if n < 10]
    large = [v for v, n in counts.items() if n >= 10]
    assert large and all(v in shown for v in large), (large, shown)  # big groups keep their label
    assert not (set(small) & shown), shown
    neutral = {v for v in shown if v.startswith("(liten gruppe")}
    assert len(neutral) == len(small) >= 2, neutral  # several small levels stay apart
    assert all(row["suppressed"] for row in rows if row["value"] in neutral)
    fylke = {row["value"] for row in r.json()["summary"]["tables"]["indicators"] if row["segment"] == "fylke"}
    assert "Oslo" in fylke  # declared levels keep their labels, small or not


def test_reader_report_workbook_shows_small_free_levels_with_a_neutral_label(client, keys, small_level_wave):
    import io

    import openpyxl

    wave_id, _ = small_level_wave
    r = client.get(f"/waves/{wave_id}/report?format=xlsx", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None}
    for value in SMALL:
        assert value not in cells
    assert any("liten gruppe" in c.lower() for c in cells)  # «Liten gruppe N»; the workbook may drop the brackets
    html = client.get(f"/waves/{wave_id}/report", headers=hdr(keys["reader"]))
    assert html.status_code == 200 and not any(value in html.text for value in SMALL)


# ---------------------------------------------------------------- L2: ids in not-found errors
@pytest.mark.parametrize("path", [f"/waves/{FNR}/summary", f"/waves/{FNR}", f"/surveys/{PHONE}",
                                  f"/codebooks/{PHONE}", f"/jobs/{PHONE}", f"/waves/{PHONE}/report"])
def test_not_found_does_not_echo_a_personal_number_shaped_id(client, keys, path):
    r = client.get(path, headers=hdr(keys["reader"]))
    assert r.status_code == 404, r.text
    body = r.json()["error"]
    assert body["code"] in ("not_found", "unknown_codebook") and "does not exist" in body["message"]
    for shape in (FNR, FNR.lstrip("0"), PHONE):
        assert shape not in r.text


def test_not_found_still_names_a_small_id(client, keys):
    r = client.get("/waves/999/summary", headers=hdr(keys["reader"]))
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "wave 999 does not exist"
    assert r.json()["error"]["details"] == {"wave": 999}


def test_a_codebook_example_with_health_details_is_refused(client, keys):
    """A draft codebook from discover could carry a health comment as an example; readers see examples."""
    cb = _codebook("version", "1")
    cb["themes"][0]["examples"] = ["Vår sykmeldte har angst og ADHD og fikk ingen oppfølging"]
    _refused(client, lambda: client.post("/codebooks", json=cb, headers=hdr(keys["analyst"])), None,
             ("ADHD", "angst"), code="health_data_in_example")
    cb["themes"][0]["examples"] = ["Vi venter altfor lenge på svar fra NAV"]
    assert client.post("/codebooks", json=cb, headers=hdr(keys["analyst"])).status_code == 201
