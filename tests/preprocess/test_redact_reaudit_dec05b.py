"""Privacy re-audit H9 (5 December): redaction misses and over-masking.

Misses: Vietnamese names with a capitalised "Van" ("Tran Van Minh", "Le Van Thanh"), lists of ambiguous first names
next to a person verb ("Per, Eli og Kim kom på intervju"), gnr alone / reversed / as a fraction after a property word,
phones spelled with hyphens, with tens + units ("nitti to") or as an international number, "+46 (0)70 ...".
Over-masking: place names in a list of places ("i Moss, Lier og Berg") and public pages with a dotted suffix
("facebook.com/navarbeidsgiver.no", "facebook.com/politiet.oslo").
"""

from __future__ import annotations

import pytest

from textmine.preprocess import redact

from .conftest import assert_redacts, redacts_to, stays_as_is


test_vietnamese_name_with_capital_van = redacts_to(
    [
        ("Nguyen Thi Hoa og Tran Van Minh er flinke.", "[NAVN] og [NAVN] er flinke."),
        ("Le Van Thanh er ny.", "[NAVN] er ny."),
        ("Vi ansatte Le Văn Hung i fjor.", "Vi ansatte [NAVN] i fjor."),
    ],
    "navn",
)


@pytest.mark.parametrize(
    "text",
    [
        "Anne-Lise van der Berg sa opp.",  # lower-case Dutch particle: one name, as before
    ],
)
def test_dutch_lower_case_van_still_one_name(text):
    assert_redacts(text, "[NAVN] sa opp.", "navn")


test_capital_van_after_ordinary_word_stays = stays_as_is(
    [
        "Vi så Van Gogh-utstillingen på firmaturen.",
        "Det Van Morrison spilte var bra.",  # an ordinary word before "Van"
    ],
)


test_list_of_ambiguous_first_names_next_to_person_word = redacts_to(
    [
        ("Kim, Sam og Alex kom på intervju.", "[NAVN], [NAVN] og [NAVN] kom på intervju."),
        ("Per, Eli og Kim kom på intervju i mai.", "[NAVN], [NAVN] og [NAVN] kom på intervju i mai."),
        ("Vi ansatte Per, Eli og Kim i fjor.", "Vi ansatte [NAVN], [NAVN] og [NAVN] i fjor."),
    ],
    "navn",
)


test_place_names_in_a_list_of_places_stay = stays_as_is(
    [
        "Vi har ansatte i Moss, Lier og Berg.",
        "Berg, Dal og Lie er kommuner vi samarbeider med.",
        "Avdelingene i Vik, Bø og Dal er slått sammen.",
        "Kontorene i Lie og Berg er stengt.",
    ],
)


test_word_lists_next_to_person_verb_stay = stays_as_is(
    [
        "liv, dag og sol var viktig for oss.",  # lower case: words
        "Liv, helse og trivsel var tema.",  # not all first names
    ],
)


def test_person_in_list_with_a_place_name_still_masked():
    """A list with an unambiguous first name is people, not places: "Lie" after "Kari" stays masked."""
    assert_redacts("Takk til Kari, Ola og Lie for hjelpen.", "Takk til [NAVN], [NAVN] og [NAVN] for hjelpen.", "navn")


test_property_numbers = redacts_to(
    [
        ("Han bor på gnr 45/7 i Vik.", "Han bor på [EIENDOM] i Vik."),
        ("Bnr 3 gnr 12.", "[EIENDOM]."),
        ("Vi leier lokaler på gnr. 12 av en privatperson.", "Vi leier lokaler på [EIENDOM] av en privatperson."),
        ("Eiendom 45/7 ble solgt.", "Eiendom [EIENDOM] ble solgt."),
        ("Eiendommen 45/7 ble solgt.", "Eiendommen [EIENDOM] ble solgt."),
        ("Tomten 12/34 er regulert.", "Tomten [EIENDOM] er regulert."),
    ],
    "eiendom",
)


test_property_near_misses_stay = stays_as_is(
    [
        "Vedtak i sak 45/7 kom i går.",
        "Eiendomsskatten for 2023/24 ble høyere.",
        "Eiendom 2023/45 er saksnummeret.",  # a year first: a case number
        "Gnr og bnr står i skjøtet.",
        "Han eier eiendommen 1/2 sammen med søsteren.",  # a share, not gnr/bnr
    ],
)


test_spelled_and_foreign_phones = redacts_to(
    [
        ("Ring ni-to-tre-fire-fem-seks-sju-åtte.", "Ring [TELEFON]."),
        ("Ring fire-åtte-null-null-en-to-tre-fire.", "Ring [TELEFON]."),
        ("Ring meg på nitti to, trettifire, femtiseks, sytti åtte.", "Ring meg på [TELEFON]."),
        ("Ring meg på null null fire seks sju null en to tre fire fem seks sju.", "Ring meg på [TELEFON]."),
        ("Ring +46 (0)70 123 45 67 for svensk kollega.", "Ring [TELEFON] for svensk kollega."),
    ],
    "telefon",
)


test_number_words_that_are_not_phones_stay = stays_as_is(
    [
        "Vi var tjue to tre fire av oss.",
        "Det tok tretti fire fem og seks minutter.",
        "Se side-to-side-visning.",
    ],
)


test_public_pages_with_dotted_suffix_stay = stays_as_is(
    [
        "Se facebook.com/navarbeidsgiver.no for nyheter.",
        "Følg facebook.com/politiet.oslo for trafikkmeldinger.",
        "Se facebook.com/udir.no for info.",
    ],
)


@pytest.mark.parametrize(
    "text",
    [
        "Se facebook.com/kari.nordmann.",
        "Se facebook.com/politiet.kari for bilder.",  # the suffix is not a domain or a place
        "Se facebook.com/nav.kari.nordmann for bilder.",
    ],
)
def test_personal_pages_with_dots_still_masked(text):
    out, counts = redact(text)
    assert "facebook.com" not in out and counts["navn"] == 1, f"{text!r}: got {out!r}"
