"""Redactor leaks closed in dec07b: a list of personal numbers (the ones glued to a comma or after another
grouped number were left), five-part names (a part left over), the H-number cues («hnr», «h-nr», «H-nummer») and a
lower-case plate after a cue («reg.nr. ab 12345», «bilen min er ab12345»)."""

import re

import pytest

from textmine.preprocess import redact
from textmine.preprocess.redact import personal_number_type

from .test_fnr_right_guard_dec07a import _group
from .test_fnr_right_guard_dec07a import _valid as _valid_in

_PERSONAL = re.compile(r"\[(?:FØDSELSNUMMER|DNUMMER)\]")


def _valid(ddmmyy: str) -> str:
    """The first personal number for a birth date (both mod-11 check digits valid; no real person)."""
    return _valid_in(ddmmyy, range(100, 1000))


FIVE = [_valid(d) for d in ("150385", "010190", "241272", "450601", "311299")]  # the 4th is a D-nummer
GROUPINGS = {"plain": (11,), "6-5": (6, 5), "2-2-2-5": (2, 2, 2, 5), "2-2-2-3-2": (2, 2, 2, 3, 2), "6-3-2": (6, 3, 2)}
JOINS = [" ", ", ", ",", " og ", "; ", " , ", " og\n"]


def test_fixtures_are_valid_personal_numbers():
    assert [personal_number_type(d) for d in FIVE] == ["fodselsnummer"] * 3 + ["dnummer", "fodselsnummer"]


FORMS = [("plain", " ")] + [(g, sep) for g in GROUPINGS if g != "plain" for sep in (" ", ".", "-")]


@pytest.mark.parametrize("grouping, group_sep", FORMS)
@pytest.mark.parametrize("join", JOINS)
def test_five_personal_numbers_in_a_row_are_all_masked(grouping, group_sep, join):
    sizes = GROUPINGS[grouping]
    listed = join.join(_group(d, sizes, group_sep) for d in FIVE)
    for text in (listed, f"Fødselsnumrene er {listed}.", f"Barna: {listed} takk"):
        out, counts = redact(text)
        assert counts["fodselsnummer"] == 4 and counts["dnummer"] == 1, (text, out)
        assert len(_PERSONAL.findall(out)) == 5 and not re.search(r"\d", out), (text, out)


def test_a_number_in_the_list_that_fails_the_checks_stays():
    bad = FIVE[2][:-1] + str((int(FIVE[2][-1]) + 1) % 10)  # last check digit off
    assert personal_number_type(bad) is None
    text = ", ".join([FIVE[0], _group(FIVE[1], (6, 5), " "), _group(bad, (6, 5), " "), FIVE[4]])
    out, counts = redact(text)
    assert counts["fodselsnummer"] == 3 and _group(bad, (6, 5), " ") in out


@pytest.mark.parametrize(
    "text",
    [
        "Vi fikk 1,5 og 2,5 poeng, 12,50 kr og 3,25 i snitt",
        "Målingene 12 34 56 789 01, 23 45 67 890 12 og 34 56 78 901 23 var like",  # no valid personal number
        "Tallene var 10, 20, 30, 40 og 50",
    ],
)
def test_lists_of_other_numbers_stay(text):
    assert redact(text)[0] == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kari Anne Marie Nordmann Olsen ringte meg.", "[NAVN] ringte meg."),
        ("Jeg snakket med Ola Johan Per Hansen Berg i går.", "Jeg snakket med [NAVN] i går."),
        ("Takk til Kari Anne Marie Nordmann Olsen!", "Takk til [NAVN]!"),
        ("Kari Anne Marie Nordmann Xyzsen ringte", "[NAVN] ringte"),  # the fifth part on no list
        ("KARI ANNE MARIE NORDMANN OLSEN ringte", "[NAVN] ringte"),
        ("kari anne marie nordmann olsen ringte", "[NAVN] ringte"),
        ("ola johan per hansen berg ringte meg", "[NAVN] ringte meg"),
    ],
)
def test_five_part_names_are_one_name(text, expected):
    out, counts = redact(text)
    assert out == expected
    assert counts["navn"] == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ola Johan Per Hansen Berg og Kari Nordmann kom", "[NAVN] og [NAVN] kom"),
        ("Kari Nordmann ringte", "[NAVN] ringte"),
        ("Vi møtte Kari Anne Fikk", "Vi møtte [NAVN] Fikk"),
        ("per i dag har kari anne marie nordmann olsen svart", "per i dag har [NAVN] svart"),
    ],
)
def test_names_around_five_part_names_keep_their_bounds(text, expected):
    assert redact(text)[0] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hnr 12345", "hnr [IDNUMMER]"),
        ("h-nr 123456", "h-nr [IDNUMMER]"),
        ("hnr: 4567891 på sykehuset", "hnr: [IDNUMMER] på sykehuset"),
        ("Mitt H-nummer er 123456", "Mitt H-nummer er [IDNUMMER]"),
        ("hjelpenummer 7654321", "hjelpenummer [IDNUMMER]"),
        ("H-nummer 1234567890", "H-nummer [IDNUMMER]"),  # 10 digits: an H-number, not a personal number
    ],
)
def test_h_number_cues_mask_the_number(text, expected):
    assert redact(text)[0] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("regnr ab12345", "regnr [KJENNEMERKE]"),
        ("reg.nr. ab 12345", "reg.nr. [KJENNEMERKE]"),
        ("bilen min er ab12345", "bilen min er [KJENNEMERKE]"),
        ("bilen min er ab 12345", "bilen min er [KJENNEMERKE]"),
        ("kjennemerke: dn 54321 ble borte", "kjennemerke: [KJENNEMERKE] ble borte"),
    ],
)
def test_lower_case_plates_after_a_cue_are_masked(text, expected):
    out, counts = redact(text)
    assert out == expected and counts["kjennemerke"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "bilen er 12000 kr billigere",
        "bilen min er ca 15000 km",
        "bilen min var ny 2019",
        "regnr er 12345",
        "Vi kjøpte bilen min for 250000",
        "Det var en feil i henhold til 12345",
    ],
)
def test_words_before_numbers_after_a_plate_cue_stay(text):
    assert redact(text)[0] == text


@pytest.mark.parametrize("text, kept", [
    ("h-nr: 12 34 56", "h-nr: "), ("hnr 123 456", "hnr "), ("pasient-id 12 34 56 78 90 12", "pasient-id "),
    ("journalnr 98 765", "journalnr "), ("hjelpenummer 1234 5678", "hjelpenummer "),
])
def test_a_cued_id_written_in_groups_is_masked_whole(text, kept):
    out, counts = redact(text)
    assert out == kept + "[IDNUMMER]" and counts["idnummer"] == 1


@pytest.mark.parametrize("text", ["Vi har 12 34 ansatte", "ansattnr [IDNUMMER] har 2 barn i 2024",
                                  "Det tok 12 til 14 uker"])
def test_grouped_numbers_without_an_id_cue_stay(text):
    assert redact(text)[0] == text
