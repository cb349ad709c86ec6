"""Redaction fix of 5 December (e): a name is masked as the subject after the finite verb of a V2 sentence
(«Etter det har Kvernmo i Hammerfest ikke svart») and an ambiguous first name before «i <Place>» + a finite verb
(«Per i Hammerfest har svart»); «Per i dag», «NAV i Hammerfest», a definite noun, a subject pronoun before the
verb and a time word after «i» stay."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.paths import DATA_DIR
from textmine.preprocess import redact


def _check(text: str, expected: str) -> None:
    out, counts = redact(text)
    assert out == expected, f"{text!r}: expected {expected!r}, got {out!r}"
    assert counts["navn"] == expected.count("[NAVN]"), f"{text!r}: navn counted {counts['navn']}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Etter det har Kvernmo i Hammerfest ikke svart", "Etter det har [NAVN] i Hammerfest ikke svart"),
        ("Etterpå har Kvernmo i Tromsø ringt", "Etterpå har [NAVN] i Tromsø ringt"),
        ("Så kom Kvernmo i Alta innom.", "Så kom [NAVN] i Alta innom."),
        ("I dag er Kvernmo i Alta syk.", "I dag er [NAVN] i Alta syk."),
        ("Til slutt har Strømsvik i Vadsø svart.", "Til slutt har [NAVN] i Vadsø svart."),
        ("For to uker siden har Kvernmo i Indre Østfold ringt oss.",
         "For to uker siden har [NAVN] i Indre Østfold ringt oss."),
        ("Vi purret, men etter det har Kvernmo i Alta ikke svart.",
         "Vi purret, men etter det har [NAVN] i Alta ikke svart."),
        ("Per i Hammerfest har svart på e-posten", "[NAVN] i Hammerfest har svart på e-posten"),
        ("Per i Hammerfest ringte meg i går.", "[NAVN] i Hammerfest ringte meg i går."),
        ("Vi ventet, men Eli i Bodø har aldri svart.", "Vi ventet, men [NAVN] i Bodø har aldri svart."),
        # close variants that were already masked: they must stay masked
        ("Da ringte Hansen fra Bodø", "Da ringte [NAVN] fra Bodø"),
        ("Så kom Kari Nordmann innom", "Så kom [NAVN] innom"),
        ("Etterpå har Ødegård i Tromsø ringt", "Etterpå har [NAVN] i Tromsø ringt"),
    ],
)
def test_a_name_as_subject_after_a_v2_verb_or_before_i_place_and_a_verb_is_masked(text, expected):
    _check(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "Etter det har NAV i Hammerfest ikke svart",  # an organisation
        "Etter det har Posten i Tromsø ikke levert brevet.",  # a definite noun
        "Etter det har Kontoret i Bodø ikke svart.",
        "Nå har Equinor i Stavanger ansatt flere.",  # name_blocklist.txt
        "Per i dag har ingen svart",  # the preposition "per" + a time
        "Per i mai har vi fått svar fra NAV.",
        "Per i Mai har vi fått svar.",  # a month, capitalised
        "Per i DAG har ingen svart.",
        "Liv i Hammerfest er fint.",  # a noun that stands alone as a subject
        "Da ringte legen fra Bodø",
        "Så kom sommeren",
        "Vi har Kvernmo i Hammerfest som kontakt.",  # a subject before the verb: no V2 inversion
        "Da vi har Kvernmo i Hammerfest som kontakt, går det greit.",  # "da" opens a clause with its subject
        "Etter at vi har Kvernmo i Alta som kontakt, går det greit.",
        "Etter det har Kvernmo ikke svart.",  # an unknown word without «i <Place>»: not enough
    ],
)
def test_organisations_nouns_times_and_clauses_with_their_own_subject_stay(text):
    _check(text, text)


def test_the_case_file_holds_the_new_cases_and_they_are_all_right():
    cases = pd.read_csv(DATA_DIR / "eval" / "pii_cases.csv", dtype=str, keep_default_na=False)
    new = cases[cases["id"].str[:5].between("P0481", "P0493")]
    assert len(new) == 13 and set(new["is_pii"]) == {"0", "1"}
    for row in new.itertuples():
        assert row.text.count(row.value) == 1, f"{row.id}: value not exactly once in its text"
        out = redact(row.text)[0]
        assert (row.value not in out) == (row.is_pii == "1"), f"{row.id}: {row.text!r} -> {out!r}"
