"""Privacy fixes of 5 December, second round (helper P1; review R1 items 5-8).

Names: a surname or unknown word joined by "og" to a name ("[NAVN] og Kvernmo") or as the subject of "på
NAV-kontoret"; a lower-case or ALL-CAPS first name that is no ordinary word as the subject of a finite verb or
joined to "jeg" ("kari har ringt", "KARI HAR RINGT", "jeg og kari"), "Per og jeg". Phones with a letter l/I for a
one after +47/0047, as a second number after "[TELEFON] eller", and before a cue ("… er nummeret mitt"). Flag:
"er med i" a congregation, a party or a union, "partimedlem", halal/kosher said of a person, rehabilitation.
"""

from __future__ import annotations

import pytest

from textmine.preprocess import health_flag

from .test_privacy_dec05b import _check, flagger  # noqa: F401 (the same check and flagger fixture)


# -- names ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kvernmo på NAV-kontoret ringte aldri tilbake.", "[NAVN] på NAV-kontoret ringte aldri tilbake."),
        ("Kvernmo hos NAV har ikke svart.", "[NAVN] hos NAV har ikke svart."),
        ("Dette gjelder [NAVN] og Kvernmo.", "Dette gjelder [NAVN] og [NAVN]."),
        ("Dette gjelder Aune og Kvernmo, som har arbeidstreningen.",
         "Dette gjelder [NAVN] og [NAVN], som har arbeidstreningen."),
        ("Kvernmo og [NAVN] har ringt.", "[NAVN] og [NAVN] har ringt."),
        ("Dette gjelder Kari og Strand.", "Dette gjelder [NAVN] og [NAVN]."),  # a surname that is also a word
        ("Kvernmo på navkontoret svarte ikke.", "[NAVN] på navkontoret svarte ikke."),
        ("kari har ringt NAV fem ganger uten svar.", "[NAVN] har ringt NAV fem ganger uten svar."),
        ("KARI HAR RINGT FEM GANGER UTEN SVAR.", "[NAVN] HAR RINGT FEM GANGER UTEN SVAR."),
        ("kari og jeg har prøvd", "[NAVN] og jeg har prøvd"),
        ("Til slutt måtte jeg og kari møte opp.", "Til slutt måtte jeg og [NAVN] møte opp."),
        ("Per og jeg har prøvd", "[NAVN] og jeg har prøvd"),
    ],
)
def test_uncued_names_are_masked(text, expected):
    _check(text, expected, "navn")


@pytest.mark.parametrize(
    "text",
    [
        "Ingen fra NAV har fulgt opp saken.",  # a pronoun, not in the redactor's common-word lexicon
        "Ingen på NAV kunne svare likt to ganger.",
        "Chatboten på nav.no svarer bare tull.",  # a definite noun the lexicon lacks
        "Søkefunksjonen på nav.no er ubrukelig.",
        "Rettleiaren på NAV-kontoret har vore flink.",
        "IA-rådgiveren fra NAV har vært en viktig sparringspartner.",
        "Folk på NAV-kontoret er flinke.",
        "Liv og jeg er ikke det samme som jobb.",  # a noun name (SUBJECT_NOUN_NAMES)
        "Skatteetaten og NAV må snakke sammen.",
        "per og jeg",  # lower-case "per": an ordinary word (name_ambiguous.txt) stays
    ],
)
def test_nouns_and_pronouns_before_office_or_pair_stay(text):
    _check(text, text)


def test_unknown_word_after_a_preposition_is_no_partner():
    _check("Vi sendte det via Altinn og Kari fikk aldri svar.", "Vi sendte det via Altinn og [NAVN] fikk aldri svar.")


# -- phones with l/I for a one -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("+47 9l2 34 567", "[TELEFON]"),
        ("0047 9l2 34 567", "[TELEFON]"),
        ("Ring meg: +47 9l2 34 567", "Ring meg: [TELEFON]"),
        ("(+47) 9I2 34 567 etter kl 15", "[TELEFON] etter kl 15"),
        ("Ring [TELEFON] eller 9l2 34 568", "Ring [TELEFON] eller [TELEFON]"),
        ("Du kan nå meg på 912 34 567 eller 9l2 34 568", "Du kan nå meg på [TELEFON] eller [TELEFON]"),
        ("Skriv 912 34 567 og 9l2 34 568 i feltet", "Skriv [TELEFON] og [TELEFON] i feltet"),
        ("9l2 34 567 er nummeret mitt", "[TELEFON] er nummeret mitt"),
        ("9l2 34 567 (mobil)", "[TELEFON] (mobil)"),
    ],
)
def test_letter_l_for_one_in_more_positions(text, expected):
    _check(text, expected, "telefon")


@pytest.mark.parametrize(
    "text",
    [
        "Koden 9l2 34 567 er koden",  # no cue before or after
        "9l2 34 567 er saksnummeret",
        "Saken 2023 og 9l2 34 568",  # "og" after no phone
        "+47 l2 34 56 78",  # starts with a one: no Norwegian number
    ],
)
def test_letter_l_numbers_without_a_phone_context_stay(text):
    _check(text, text)


# -- special-category flag -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, category",
    [
        ("Hun er med i Pinsemenigheten og NAV forsto ingenting.", "religion"),
        ("Hun er med i Pinsebevegelsen og NAV forsto ikke tilretteleggingen.", "religion"),
        ("Hun er med i Filadelfia-menigheten.", "religion"),
        ("Den ansatte er medlem av Misjonskirken.", "religion"),
        ("Han spiser bare halal, så kantina er et problem.", "religion"),
        ("Hun må ha kosher mat.", "religion"),
        ("Han er med i Fremskrittspartiet, og NAV ringte aldri tilbake.", "politikk"),
        ("Hun er engasjert i Senterpartiet.", "politikk"),
        ("Den ansatte er med i Rødt.", "politikk"),
        ("Han er partimedlem og sitter mye i møter.", "politikk"),
        ("Han er med i Elektromontørenes Forening og NAV ringte aldri.", "fagforening"),
        ("Han er leder i Maskinistforbundet.", "fagforening"),
        ("Han er på rehabilitering etter ulykken og NAV følger ikke opp.", "helse"),
        ("Han er på opptrening etter operasjonen, NAV ringte aldri.", "helse"),
        ("Den ansatte skal på Sunnaas i tre uker.", "helse"),
    ],
)
def test_special_categories_said_of_a_person_are_flagged(flagger, text, category):
    assert category in flagger.categories(text), f"{text!r}: expected {category}, got {flagger.categories(text)}"
    assert health_flag(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Han har vondt i venstre hånd.",
        "Han er med i venstre side av laget.",
        "Hun sitter på høyre side av bordet.",
        "Restauranten har halal-mat.",
        "Vi tilbyr halal mat i kantinen.",
        "Vi er med i Elektromontørenes Forening.",  # the firm, not a person
        "Han er med i foreningen.",  # an ordinary association
        "Vi driver med rehabilitering.",
        "Kommunen har et rehabiliteringssenter.",
        "Vi er på opptrening av nye ansatte.",
    ],
)
def test_institutions_sides_and_firms_are_not_flagged(flagger, text):
    assert not flagger.categories(text), f"{text!r}: got {flagger.categories(text)}"


@pytest.mark.parametrize("text, leaked", [("Ring 9l2 34 567 i dag", "9l2 34 567"), ("Ring +47 9l2 34 567", "9l2"),
                                          ("0047 9I2 34 567 er nummeret", "9I2"), ("Mobil 4l23 4567", "4l23")])
def test_quote_safety_net_masks_letter_l_phones(text, leaked):
    """The quotes' second pass (on already redacted text) catches an l/I-for-1 phone number the redactor missed."""
    from textmine.quotes import safe_quote_text

    assert leaked not in safe_quote_text(text)


@pytest.mark.parametrize("text", ["Ring l2 34 56 78", "Kode llll llll", "Se side lll", "Hallo alle sammen 2024"])
def test_quote_safety_net_leaves_look_alikes(text):
    from textmine.quotes import safe_quote_text

    assert safe_quote_text(text) == text
