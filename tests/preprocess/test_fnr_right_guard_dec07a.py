"""Grouped personal numbers followed by more digits: masked whatever follows (privacy first), the phone after
one masked too, dates and broken numbers left."""

import re

import pytest

from textmine.preprocess import redact
from textmine.preprocess.redact import personal_number_type

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_PERSONAL = re.compile(r"\[(?:FØDSELSNUMMER|DNUMMER)\]")


def _check(digits: str, weights: tuple[int, ...]) -> int:
    return (11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11) % 11


def _valid(ddmmyy: str, serials: range) -> str:
    """The first personal number for a birth date with an individual number in ``serials`` (mod-11 checks)."""
    for serial in serials:
        nine = f"{ddmmyy}{serial:03d}"
        k1 = _check(nine, _W1)
        k2 = _check(nine + str(k1), _W2) if k1 < 10 else 10
        if k1 < 10 and k2 < 10:
            return f"{nine}{k1}{k2}"
    raise AssertionError("no valid number")


FNR = _valid("150385", range(100, 1000))
FNR_00 = _valid("160973", range(1, 10))  # individual number "00x": its tail reads like "00" + a country code
DNR = _valid("410190", range(100, 1000))
GROUPINGS = [(2, 2, 2, 5), (2, 2, 2, 3, 2), (6, 5), (6, 3, 2)]


def _group(d: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(d[i : i + size])
        i += size
    return sep.join(parts)


def test_fixtures_are_valid_personal_numbers():
    assert personal_number_type(FNR) == personal_number_type(FNR_00) == "fodselsnummer"
    assert personal_number_type(DNR) == "dnummer" and FNR_00[6:8] == "00"


@pytest.mark.parametrize("sizes", GROUPINGS)
@pytest.mark.parametrize("tail", [" 67", " 6 7", " 67 89 12", "\u00a067 89", " 3 4 5 6 poeng", " 987 654 321",
                                  " 12 03 2024", " 0 1"])
def test_valid_numbers_followed_by_more_digit_groups_stay_masked(sizes, tail):
    """Privacy first: 11 valid digits are masked whatever digits follow (an orgnr, a spaced date, a score list);
    a right-hand guard let real numbers through and was taken out."""
    for d in (FNR, DNR):
        out, counts = redact(f"Kari Nordmann {_group(d, sizes)}{tail}")
        assert counts["fodselsnummer"] + counts["dnummer"] == 1 and d not in re.sub(r"\D", "", out), out


@pytest.mark.parametrize("sizes", GROUPINGS)
@pytest.mark.parametrize(
    "template,expected",
    [
        ("fnr {f}, tlf 99 88 77 66", "fnr [FØDSELSNUMMER], tlf [TELEFON]"),
        ("{f}. 2 barn", "[FØDSELSNUMMER]. 2 barn"),
        ("{f} 2 barn", "[FØDSELSNUMMER] 2 barn"),  # a count with its unit, not a list
        ("Gjelder {f} i mars", "Gjelder [FØDSELSNUMMER] i mars"),
        ("{f}", "[FØDSELSNUMMER]"),
        ("{f} 912 34 567", "[FØDSELSNUMMER] [TELEFON]"),  # a phone of its own right after it
        ("{f} 99 88 77 66", "[FØDSELSNUMMER] [TELEFON]"),
        ("fnr {f} 67", "fnr [FØDSELSNUMMER] 67"),  # the cue says it is one: the stray group does not undo that
    ],
)
def test_a_real_number_is_still_masked(sizes, template, expected):
    out, counts = redact(template.format(f=_group(FNR, sizes)))
    assert out == expected and counts["fodselsnummer"] == 1


BROKEN = FNR[:-1] + str((int(FNR[-1]) + 1) % 10)


@pytest.mark.parametrize("text", ["01.01.90 kl 12", "Møtet 01.01.90 kl 12 ble flyttet", f"{_group(BROKEN, (6, 5))} 12"])
def test_a_date_or_broken_number_with_digits_after_it_stays(text):
    out, counts = redact(text)
    assert out == text and not any(counts.values()), out


@pytest.mark.parametrize("grouped", [_group(FNR_00, (6, 5), "-"), _group(FNR_00, (2, 2, 2, 5), "-")])
def test_dashed_number_with_00_and_a_phone_after_keeps_no_digit(grouped):
    text = f"{grouped} 91234567"  # "00651 91234567" is no foreign phone: the birth date would be left
    out, counts = redact(text)
    assert out == "[FØDSELSNUMMER] [TELEFON]" and counts["fodselsnummer"] == 1, out
