"""Redaction fix of 5 December (e), nynorsk review: the nynorsk word «anna» (= annet, "other") is no name, neither in
running text («Anna enn det er alt bra») nor as a codebook's catch-all theme (id «anna», label «Anna»), while a person
«Anna» is still masked («Anna på NAV-kontoret ringte meg», «saksbehandler Anna Hansen», «Hilsen Anna»); an address
keeps the preposition after its house number («Storgata 12 i stedet for …») and takes «i»/«på» + its town along
(«Fjellvegen 3 i Førde»)."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.codebook import Codebook, personal_data_fields
from textmine.labelcheck import personal_data_counts, stem_first_names
from textmine.paths import DATA_DIR
from textmine.preprocess import redact


def _check(text: str, expected: str, kind: str) -> None:
    out, counts = redact(text)
    assert out == expected, f"{text!r}: expected {expected!r}, got {out!r}"
    placeholder = "[NAVN]" if kind == "navn" else "[ADRESSE]"
    assert counts[kind] == expected.count(placeholder), f"{text!r}: {kind} counted {counts[kind]}"


@pytest.mark.parametrize(
    "text",
    [
        "Anna enn det er alt bra.",
        "Anna kvar veke kjem det brev.",
        "Anna:",
        "Anna: ventetida på telefon.",
        "anna enn det",
        "Eg har ikkje noko anna å seie.",
        "Alt anna var bra.",
        "Mykje anna fungerte dårleg.",
        "Anna",
        "Anna tema",
        "Anna, ikkje plassert",
        "Anna / uklart",
    ],
)
def test_the_nynorsk_word_anna_stays(text):
    _check(text, text, "navn")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Anna på NAV-kontoret ringte meg", "[NAVN] på NAV-kontoret ringte meg"),
        ("Anna hos NAV hjalp meg.", "[NAVN] hos NAV hjalp meg."),
        ("Per på NAV-kontoret ringte meg", "[NAVN] på NAV-kontoret ringte meg"),
        ("saksbehandler Anna Hansen var fin", "saksbehandler [NAVN] var fin"),
        ("Hilsen Anna", "Hilsen [NAVN]"),
        ("Anna ringde meg og forklarte alt.", "[NAVN] ringde meg og forklarte alt."),
        ("Anna var kjempeflink.", "[NAVN] var kjempeflink."),
        ("Eg snakka med Anna i går.", "Eg snakka med [NAVN] i går."),
        ("Annas mor ringte.", "[NAVN] mor ringte."),
    ],
)
def test_a_person_anna_is_still_masked(text, expected):
    _check(text, expected, "navn")


def test_a_noun_that_stands_alone_before_an_office_stays():
    _check("Liv på NAV-kontoret er viktig", "Liv på NAV-kontoret er viktig", "navn")


@pytest.mark.parametrize("label", ["anna", "Anna", "ANNA", "Anna tema", "Anna, ikkje plassert", "Anna / uklart"])
def test_anna_as_a_label_is_no_personal_data(label):
    assert personal_data_counts(label) == {}, label


@pytest.mark.parametrize("stem, expected", [("anna_2024", ["anna"]), ("svar_Anna", ["anna"]), ("per_fylke", [])])
def test_anna_in_a_file_name_is_still_a_first_name(stem, expected):
    assert stem_first_names(stem) == expected, stem


def test_a_codebook_with_the_catch_all_theme_anna_builds():
    d = {"name": "t", "version": "1.0", "types": ["klage", "ønske", "ros"],
         "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
                    {"id": "anna", "label": "Anna", "keywords": ["anna"]}]}
    assert personal_data_fields(d) == []
    assert [t.id for t in Codebook.from_dict(d).themes] == ["telefon", "anna"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Eg bur på Fjellvegen 3 i Førde.", "Eg bur på [ADRESSE]."),
        ("Jeg bor i Storgata 5 i Oslo.", "Jeg bor i [ADRESSE]."),
        ("Møtet var i Industriveien 22 på Lillestrøm.", "Møtet var i [ADRESSE]."),
        ("Eg bur i Storgata 5 i Mo i Rana.", "Eg bur i [ADRESSE]."),
        ("Brevet kom til Tollbugata 2 i stedet for til meg.", "Brevet kom til [ADRESSE] i stedet for til meg."),
        ("Storgata 5 i 3. etasje", "[ADRESSE] i 3. etasje"),
        ("Storgata 12 B, 0150 Oslo", "[ADRESSE]"),
        ("Storgata 12B i Oslo", "[ADRESSE]"),
        ("Storgata 12 B er adressa.", "[ADRESSE] er adressa."),
    ],
)
def test_an_address_keeps_the_preposition_after_it_and_takes_its_town(text, expected):
    _check(text, expected, "adresse")


def test_the_case_file_holds_the_new_cases_and_they_are_all_right():
    cases = pd.read_csv(DATA_DIR / "eval" / "pii_cases.csv", dtype=str, keep_default_na=False)
    new = cases[cases["id"].str[:5].between("P0494", "P0506")]
    assert len(new) == 15 and set(new["is_pii"]) == {"0", "1"}
    for row in new.itertuples():
        assert row.text.count(row.value) == 1, f"{row.id}: value not exactly once in its text"
        out = redact(row.text)[0]
        assert (row.value not in out) == (row.is_pii == "1"), f"{row.id}: {row.text!r} -> {out!r}"
