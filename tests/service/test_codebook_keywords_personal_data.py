"""Personal data in a theme's keywords or examples is refused when a codebook is stored (POST /codebooks and the
CLI's ``store codebook-add``, both through ``store.add_codebook``): 422 ``personal_data_in_name`` naming the theme
and the keyword's or example's place, never the value, and nothing is written."""

from __future__ import annotations

import pytest
import yaml
from conftest import hdr, table_counts
from sqlalchemy import func, select
from typer.testing import CliRunner

from service.db.models import Codebook
from service.db.session import Database
from textmine.cli import app as cli_app

FNR = "15076510013"  # mod-11 valid
PHONE = "41234567"
EMAIL = "kari.nordmann@example.no"

GOOD = {
    "name": "mini", "version": "1",
    "themes": [
        {"id": "telefon", "label": "Telefon", "description": "Telefon og ventetid.",
         "keywords": ["telefon", "ventetid", "ringe"],
         "examples": ["Lang ventetid på telefon", "Ingen tok telefonen", "Ring 55 55 33 33 og vent"]},
        {"id": "annet", "label": "Annet", "description": "Annet.", "exclusive": True,
         "keywords": ["annet"], "examples": ["Ellers greit"]},
    ],
}


def _with(theme: int, field: str, index: int, value: str) -> dict:
    themes = [dict(t) for t in GOOD["themes"]]
    items = list(themes[theme][field])
    items[index] = value
    themes[theme][field] = items
    return {**GOOD, "themes": themes}


BAD = [
    (_with(0, "examples", 1, f"Saksbehandler Kari Nordmann ga meg nummeret {PHONE}"), "theme 'telefon' example 2",
     ("Nordmann", PHONE)),
    (_with(0, "examples", 0, f"fnr {FNR} ble ikke funnet"), "theme 'telefon' example 1", (FNR,)),
    (_with(0, "keywords", 2, EMAIL), "theme 'telefon' keyword 3", (EMAIL, "kari.nordmann")),
    (_with(1, "keywords", 0, f"tlf {PHONE}"), "theme 'annet' keyword 1", (PHONE,)),
    (_with(1, "examples", 0, "Hilsen Ola Hansen"), "theme 'annet' example 1", ("Hansen",)),
]


@pytest.mark.parametrize("body, where, secrets", BAD)
def test_personal_data_in_keywords_and_examples_is_refused(client, keys, body, where, secrets):
    before = table_counts(client.app)
    r = client.post("/codebooks", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "personal_data_in_name", err
    assert where in err["message"], err["message"]
    for secret in secrets:
        assert secret not in r.text
    assert table_counts(client.app) == before


def test_a_codebook_with_ordinary_keywords_and_examples_is_stored(client, keys):
    r = client.post("/codebooks", json=GOOD, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    stored = r.json()["content"]["themes"][0]
    assert stored["examples"] == GOOD["themes"][0]["examples"]  # NAV's public number is no personal data


def test_the_cli_store_path_refuses_it_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body, where, secrets = BAD[0]
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(cli_app, ["store", "codebook-add", str(path), "--database", db_url])
    assert result.exit_code != 0, result.output
    assert where in result.output and all(s not in result.output for s in secrets), result.output
    db = Database(db_url)
    try:
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Codebook)) == 0
    finally:
        db.dispose()


def test_personal_data_in_an_id_is_refused_before_a_validation_message_could_quote_it(client, keys):
    """Two themes with the same label, one of whose ids holds a name and a fødselsnummer: the personal-data refusal
    comes first (the validator's message named the id: «berit_johansen_[FØDSELSNUMMER]»; privacy re-audit dec05e)."""
    themes = [dict(t) for t in GOOD["themes"]]
    themes[1] = {**themes[1], "id": f"berit_johansen_{FNR}", "label": "Telefon", "exclusive": False}
    before = table_counts(client.app)
    r = client.post("/codebooks", json={**GOOD, "themes": themes}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "personal_data_in_name", r.text
    for secret in ("berit", "johansen", FNR):
        assert secret not in r.text.lower()
    assert table_counts(client.app) == before


@pytest.mark.parametrize("body", [{"name": "x", "version": "1", "themes": "telefon"},
                                  {"name": "x", "version": "1", "themes": ["telefon"]},
                                  {"name": "x", "version": "1", "themes": [{"id": "a", "keywords": "a, b"}]}])
def test_a_misshapen_codebook_still_gets_the_validators_message(client, keys, body):
    r = client.post("/codebooks", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] != "personal_data_in_name"
