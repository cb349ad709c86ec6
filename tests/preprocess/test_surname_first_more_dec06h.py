"""Names written surname first that the dec06g rule missed: a capitalised surname that is also an ordinary word or
place before a capitalised first name that is one too («Strand Per», «Lie Tor»), the register/list style with a comma
(«Hansen, Kari», «hansen, kari», «HANSEN, KARI», an unknown capitalised surname «Sæbø, Kari»), and in capitals a
surname on no list («SANDE KARI») or in ``name_last_no.txt`` («Bråten Kari»). Each is one «[NAVN]»; ordinary words,
places after a place preposition and shouted words before a first name stay."""

import pytest

from textmine.preprocess import redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Strand Per ringte meg i går", "[NAVN] ringte meg i går"),  # was «Strand [NAVN] ringte …»
        ("Lie Tor har svart på e-posten", "[NAVN] har svart på e-posten"),  # was «Lie [NAVN] har …»
        ("Berg Eli ringte", "[NAVN] ringte"),  # was «Berg [NAVN] ringte» (sentence-initial)
        ("Moe Per sa ja", "[NAVN] sa ja"),
        ("Kontakt SANDE KARI i dag", "Kontakt [NAVN] i dag"),  # a place-like surname on no list (was unchanged)
        ("Bråten Kari ringte", "[NAVN] ringte"),  # «bråten» is in name_last_no.txt now
        ("hansen, kari ringte", "[NAVN] ringte"),  # was «hansen, [NAVN] ringte»
        ("Hansen, Kari ringte", "[NAVN] ringte"),  # was «[NAVN], [NAVN] ringte» (two names)
        ("HANSEN, KARI ringte", "[NAVN] ringte"),  # was «HANSEN, [NAVN] ringte»
        ("Hansen,Kari ringte", "[NAVN] ringte"),
        ("Sæbø, Kari ringte", "[NAVN] ringte"),  # an unknown capitalised surname (was «Sæbø, [NAVN] ringte»)
        ("Hansen, Kari Anne svarte", "[NAVN] svarte"),  # a second first name too
    ],
)
def test_surname_first_is_one_name(text, expected):
    out, counts = redact(text)
    assert out == expected
    assert counts["navn"] == 1


@pytest.mark.parametrize(
    "text, kept",
    [
        ("Det er STRAND PER TIME", "STRAND PER TIME"),  # in capitals both words are words: no name
        ("Vi har hytte ved strand per år", "strand per år"),  # lower case
        ("Vi bor i Vik Kari og jeg", "i Vik"),  # after a place preposition: the place
        ("Strand Sol og sommer", "Strand"),  # a noun before a first name that is a noun standing alone
        ("jeg liker berg, kari liker sjø", "berg, kari"),  # lower case: «berg» is a word and a place
        ("Ja, Kari ringte", "Ja,"),  # an ordinary word before the comma
        ("Molde, Kari ringte", "Molde,"),  # a place before the comma
        ("MVH KARI", "MVH"),  # a blocked word in capitals
        ("ALTINN KARI", "ALTINN"),  # a service, blocked as «Altinn»
        ("NAV KARI", "NAV"),
        ("RING KARI", "RING"),  # an ordinary word in capitals
        ("BHTS KARI", "BHTS"),  # no vowel: an acronym
        ("BOR PÅ SANDE KARI VET", "PÅ SANDE"),  # after a place preposition
    ],
)
def test_words_before_a_first_name_stay(text, kept):
    assert kept in redact(text)[0]


def test_list_of_first_names_is_still_four_names():
    out, counts = redact("Per, Kari, Ola og Lise var på kurs")
    assert out == "[NAVN], [NAVN], [NAVN] og [NAVN] var på kurs"
    assert counts["navn"] == 4


def test_two_full_names_joined_by_a_comma_stay_two():
    out, counts = redact("Kari Hansen, Ola Olsen og jeg")
    assert out == "[NAVN], [NAVN] og jeg"
    assert counts["navn"] == 2
