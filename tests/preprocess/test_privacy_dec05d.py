"""Privacy fixes of 5 December, third round (d): a surname-like word as the subject of a verb after "i <Place>"
("Kvernmo i Hammerfest har aldri svart") is a name; an organisation, a noun or an ordinary word there stays
("NAV i Bergen", "Kontoret i Bodø", "Posten i Tromsø", "Equinor i Stavanger")."""

from __future__ import annotations

import pytest

from .test_privacy_dec05b import _check


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kvernmo i Hammerfest har aldri svart.", "[NAVN] i Hammerfest har aldri svart."),
        ("Kvernmo i Hammerfest er aldri å få tak i.", "[NAVN] i Hammerfest er aldri å få tak i."),
        ("Vi ringte flere ganger, men Kvernmo i Indre Østfold sa bare nei.",
         "Vi ringte flere ganger, men [NAVN] i Indre Østfold sa bare nei."),
        ("Haugen i Alta ringte tilbake samme dag.", "[NAVN] i Alta ringte tilbake samme dag."),  # also a word
        ("Kvernmo i NAV Hammerfest har aldri svart.", "[NAVN] i NAV Hammerfest har aldri svart."),
    ],
)
def test_surname_before_i_place_and_a_verb_is_masked(text, expected):
    _check(text, expected, "navn")


@pytest.mark.parametrize(
    "text",
    [
        "NAV i Bergen har aldri svart.",
        "Nav i Bergen har aldri svart.",
        "Kontoret i Bodø har aldri svart.",
        "Posten i Tromsø har aldri svart.",
        "Equinor i Stavanger har tatt inn mange lærlinger.",  # an organisation (name_blocklist.txt)
        "Lerøy i Bergen har vært flinke.",
        "UiT i Tromsø har svart raskt.",
        "Vinteren i Hammerfest er lang.",  # a definite noun
        "Fylkesmannen i Troms var treg.",
        "Tromsø i Troms har mange arbeidsplasser.",  # a place
        "Skatt i Oslo er dyrt.",  # an ordinary word
        "Per i dag har vi ingen.",  # the preposition, no place
        "Kvernmo i Hammerfest",  # no verb: no subject
    ],
)
def test_organisations_nouns_and_places_before_i_place_stay(text):
    _check(text, text)
