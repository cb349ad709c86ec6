"""Privacy audit of 5 December (e): a surname before "i <Place>" is a name also when it is joined by "og" to
"jeg"/"meg" («meg og Bjørkelund i Alta som driver firmaet») and when a relative clause "som <verb>" follows the
place; an organisation, a definite noun or an ordinary word there stays («NAV i Bergen som …», «Posten i Tromsø
som …»)."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.paths import DATA_DIR
from textmine.preprocess import redact

from .test_privacy_dec05b import _check


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Vi er bare meg og Bjørkelund i Alta som driver firmaet.",
         "Vi er bare meg og [NAVN] i Alta som driver firmaet."),
        ("Jeg og Bjørkelund i Alta driver firmaet.", "Jeg og [NAVN] i Alta driver firmaet."),
        ("Bjørkelund og jeg i Alta driver firmaet.", "[NAVN] og jeg i Alta driver firmaet."),
        ("Det er bare Bjørkelund og jeg i Alta som driver firmaet.",
         "Det er bare [NAVN] og jeg i Alta som driver firmaet."),
        ("Jeg og Strømsvik i Vadsø har drevet verkstedet i ti år.",
         "Jeg og [NAVN] i Vadsø har drevet verkstedet i ti år."),
        ("Kvernmo i Hammerfest som aldri svarer på e-post, er saksbehandleren vår.",
         "[NAVN] i Hammerfest som aldri svarer på e-post, er saksbehandleren vår."),
        ("Bjørkelund i Alta som driver firmaet, har ringt.", "[NAVN] i Alta som driver firmaet, har ringt."),
    ],
)
def test_a_surname_joined_to_jeg_or_before_a_relative_clause_after_i_place_is_masked(text, expected):
    _check(text, expected, "navn")


@pytest.mark.parametrize(
    "text",
    [
        "NAV i Bergen som har ansvaret, svarte ikke.",
        "Posten i Tromsø som leverer brevene, er treg.",
        "Kontoret i Bodø som behandler saken, er tregt.",
        "Equinor i Stavanger som driver med olje, har lærlinger.",  # an organisation (name_blocklist.txt)
        "Vinteren i Tromsø som varer lenge, er mørk.",  # a definite noun
        "Skatt i Oslo som er dyrt.",  # an ordinary word
        "Vi er bare meg og NAV i Alta som driver dette.",
        "Jeg og Posten i Tromsø har en avtale.",
        "Meg og Tromsø i Troms som ligger nord.",  # a place
        "Det var meg og kona i Alta som ordnet alt.",
        "Vi er bare meg og Bjørkelund i Alta.",  # no verb: no subject
    ],
)
def test_organisations_nouns_places_and_verbless_phrases_stay(text):
    _check(text, text)


def test_the_case_file_holds_the_new_cases_and_they_are_all_right():
    cases = pd.read_csv(DATA_DIR / "eval" / "pii_cases.csv")
    new = cases[cases["id"].str[:5].between("P0474", "P0480")]
    assert sorted(new["value"]) == sorted(["Bjørkelund", "Strømsvik", "Solheimsvik", "Kvernmo", "NAV", "Posten",
                                           "Kontoret"])
    for row in new.itertuples():
        out = redact(row.text)[0]
        assert (row.value not in out) == bool(row.is_pii), f"{row.id}: {row.text!r} -> {out!r}"
