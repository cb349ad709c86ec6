"""The uploader hears of the survey definition's warnings (review dec06e): a Ja/Nei item (``scale: [1, 2]``) with
no ``positive:`` counts its top code («Nei» under Ja = 1 / Nei = 2); the upload's response (and the stored wave)
says so, naming the item, never a cell value. Reading a stored definition stays silent."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from conftest import hdr, to_csv_bytes, upload

from service import library

COMMENT = "Saksbehandleren svarte raskt og greit"


def _yaml(positive: str = "") -> str:
    return ("name: janei\nid: rid\nindicators:\n"
            f"  - {{id: kontakt, column: q_kontakt, label: Hadde kontakt, scale: [1, 2]{positive}}}\n"
            "free_text:\n  - column: fritekst\n    label: Kommentar\n")


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"rid": [f"r{i}" for i in range(12)], "q_kontakt": [1, 2] * 6,
                         "fritekst": [COMMENT] + [""] * 11})


def _short_scale_notes(messages: list[str]) -> list[str]:
    return [m for m in messages if "as positive" in m]


def _survey(client, keys, name: str, definition_yaml: str | None) -> int:
    r = client.post("/surveys", json={"name": name, "definition_yaml": definition_yaml}, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_parse_survey_keeps_the_warnings_and_issues_none():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a UserWarning would raise here
        info = library.parse_survey(_yaml())
    notes = list(info.definition.definition_warnings)
    assert len(notes) == 1 and "indicators[0] (kontakt)" in notes[0] and "give positive: [..]" in notes[0]
    assert library.parse_survey(_yaml(", positive: [1]")).definition.definition_warnings == ()


def test_the_upload_response_and_the_stored_wave_carry_the_definition_warning(client, keys):
    sid = _survey(client, keys, "janei", _yaml())
    r = upload(client, keys["analyst"], sid, to_csv_bytes(_frame()), "w.csv")
    assert r.status_code == 201, r.text
    notes = _short_scale_notes(r.json()["warnings"])
    assert len(notes) == 1 and "indicators[0] (kontakt)" in notes[0] and "[2] as positive" in notes[0]
    assert COMMENT not in repr(r.json()["warnings"])
    stored = client.get(f"/waves/{r.json()['id']}", headers=hdr(keys["reader"])).json()
    assert _short_scale_notes(stored["warnings"]) == notes


def test_a_definition_sent_with_the_upload_is_checked_alike(client, keys):
    sid = _survey(client, keys, "janei uten definisjon", None)
    r = client.post(f"/surveys/{sid}/waves", headers=hdr(keys["analyst"]),
                    files={"file": ("w.csv", to_csv_bytes(_frame()), "text/csv"),
                           "definition": ("survey.yaml", _yaml().encode("utf-8"), "application/yaml")})
    assert r.status_code == 201, r.text
    assert len(_short_scale_notes(r.json()["warnings"])) == 1


def test_a_definition_that_names_the_positive_code_uploads_without_the_warning(client, keys):
    sid = _survey(client, keys, "janei med positiv", _yaml(", positive: [1]"))
    r = upload(client, keys["analyst"], sid, to_csv_bytes(_frame()), "w.csv")
    assert r.status_code == 201, r.text
    assert _short_scale_notes(r.json()["warnings"]) == []


@pytest.mark.parametrize("item, match", [("scale: [1, 2], measure: top2", "takes every code"),
                                         ("scale: [1, 2, 9]", "list it under excluded_codes")])
def test_a_definition_the_library_refuses_is_a_422_naming_the_item(client, keys, item, match):
    text = _yaml().replace("scale: [1, 2]", item)
    r = client.post("/surveys", json={"name": "feil", "definition_yaml": text}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422 and "kontakt" in r.text and match in r.text, r.text
