"""Names written surname first, the way registries and Altinn write them («HANSEN KARI»): a known surname followed by
a known first name is one name in any case (Title, CAPITALS; lower case only when neither word is a name that is also
an ordinary word or a place), and the whole run is masked, never half of it (red-team r1, finding 3)."""

import pytest

from textmine import labelcheck
from textmine.preprocess import redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kontaktperson hos oss er HANSEN KARI, telefonen er umulig",
         "Kontaktperson hos oss er [NAVN], telefonen er umulig"),  # was unchanged
        ("ring hansen kari", "ring [NAVN]"),  # was unchanged
        ("snakket med nordmann ola", "snakket med [NAVN]"),  # was unchanged
        ("Ring HANSEN KARI", "Ring [NAVN]"),  # was «Ring [NAVN] KARI»
        ("HANSEN KARI ringte", "[NAVN] ringte"),  # was «HANSEN [NAVN] ringte»
        ("Nordmann Ola var hyggelig", "[NAVN] var hyggelig"),  # was «Nordmann [NAVN] var hyggelig»
        ("Saksbehandler JOHANSEN KARI ANNE svarte", "Saksbehandler [NAVN] svarte"),  # a second first name too
        ("Fikk brev fra OLSEN PER i går", "Fikk brev fra [NAVN] i går"),  # ambiguous first name, plain surname
        ("vi fikk svar fra olsen ingrid", "vi fikk svar fra [NAVN]"),
        ("Ring BERG KARI", "Ring [NAVN]"),  # a surname that is also a place, not after a place preposition
        ("STRAND KARI ringte", "[NAVN] ringte"),  # was «STRAND [NAVN] ringte»
    ],
)
def test_surname_first_is_one_name(text, expected):
    assert redact(text)[0] == expected


@pytest.mark.parametrize(
    "text, kept",
    [
        ("vi har hytte ved strand per år", "strand per"),  # lower case: «strand», «per» are words
        ("det ligger i vik kari sa det", "i vik"),  # «vik» is a word and a place («kari sa» is masked alone)
        ("huset ligger ved berg anne", "ved berg"),  # lower case «berg» (word, place)
        ("i dal liv er det fint", "dal liv"),  # «dal», «liv»: words
        ("Det er STRAND PER TIME", "STRAND PER"),  # both names are words: no name in capitals either
        ("Fint vær i BERG DAG etter dag", "BERG DAG"),
        ("Kontakt NAV KARI sa ja", "NAV"),  # «NAV» is no surname (block list)
        ("Vi bor i Vik Kari og jeg", "i Vik"),  # after a place preposition: the place
        ("Hytta ligger på BERG KARI vet", "på BERG"),
    ],
)
def test_words_that_are_also_names_stay(text, kept):
    assert kept in redact(text)[0]


@pytest.mark.parametrize("case", ["HANSEN KARI", "Hansen Kari", "hansen kari"])
def test_redacts_each_case_fully(case):
    out, counts = redact(f"Svar fra {case} i dag")
    assert out == "Svar fra [NAVN] i dag"
    assert counts["navn"] == 1


def test_label_with_surname_first_counts_as_name():
    assert labelcheck.personal_data_counts("Rapport for HANSEN KARI").get("navn") == 1  # was {}
    assert labelcheck.personal_data_counts("Rapport for juni") == {}
