"""A fødselsnummer/D-nummer written in groups (2-2-2-5, 2-2-2-3-2, 6-5, 6-3-2) is masked when valid, never when not."""

import re

import pytest

from textmine.preprocess import redact
from textmine.preprocess.redact import personal_number_type

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check(digits: str, weights: tuple[int, ...]) -> int:
    return (11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11) % 11


def _valid_numbers(ddmmyy: str, count: int) -> list[str]:
    """The first ``count`` personal numbers for a birth date, check digits by the mod-11 rule (10 = no number)."""
    out = []
    for serial in range(100, 1000):
        nine = f"{ddmmyy}{serial}"
        k1 = _check(nine, _W1)
        k2 = _check(nine + str(k1), _W2) if k1 < 10 else 10
        if k1 < 10 and k2 < 10:
            out.append(f"{nine}{k1}{k2}")
        if len(out) == count:
            return out
    raise AssertionError("too few valid numbers")


FNRS = _valid_numbers("150385", 2) + _valid_numbers("010101", 1) + _valid_numbers("311299", 1)
DNR = _valid_numbers("410190", 1)[0]


def _group(d: str, sizes: tuple[int, ...], seps: str) -> str:
    """``d`` cut into groups of ``sizes``, joined by ``seps`` (one separator each, the last repeated)."""
    parts, i = [], 0
    for size in sizes:
        parts.append(d[i : i + size])
        i += size
    out = parts[0]
    for k, part in enumerate(parts[1:]):
        out += seps[min(k, len(seps) - 1)] + part
    return out


GROUPINGS = [
    ((2, 2, 2, 5), " "), ((2, 2, 2, 5), "-"), ((2, 2, 2, 5), ".. "),
    ((2, 2, 2, 3, 2), " "), ((2, 2, 2, 3, 2), "."), ((2, 2, 2, 3, 2), "-"), ((2, 2, 2, 3, 2), ".. "),
    ((6, 5), " "), ((6, 5), "-"), ((6, 5), "."),
    ((6, 3, 2), " "), ((6, 3, 2), "-"), ((6, 3, 2), "."),
    ((2, 2, 2, 3, 2), "\u202f"), ((2, 2, 2, 3, 2), "\u00a0"), ((6, 3, 2), "\u2009"),
]


def test_generated_numbers_are_valid_and_broken_ones_are_not():
    assert all(personal_number_type(d) == "fodselsnummer" for d in FNRS)
    assert personal_number_type(DNR) == "dnummer"
    assert all(personal_number_type(_broken(d)) is None for d in FNRS)


def _broken(d: str) -> str:
    """``d`` with its last check digit wrong."""
    return d[:-1] + str((int(d[-1]) + 1) % 10)


@pytest.mark.parametrize("sizes,seps", GROUPINGS)
def test_every_grouping_of_a_valid_number_is_masked(sizes, seps):
    for d in FNRS:
        text = _group(d, sizes, seps)
        out, counts = redact(text)
        assert out == "[FØDSELSNUMMER]", (text, out)
        assert counts["fodselsnummer"] == 1 and counts["telefon"] == 0


@pytest.mark.parametrize("sizes,seps", [((2, 2, 2, 3, 2), " "), ((6, 3, 2), "-"), ((2, 2, 2, 3, 2), ".")])
def test_grouped_dnummer_keeps_its_own_placeholder(sizes, seps):
    out, counts = redact(_group(DNR, sizes, seps))
    assert out == "[DNUMMER]" and counts["dnummer"] == 1


@pytest.mark.parametrize("sizes,seps", GROUPINGS)
def test_a_grouping_that_fails_the_checksum_stays(sizes, seps):
    for d in FNRS:
        text = f"Det kostet {_group(_broken(d), sizes, seps)} kr"
        out, counts = redact(text)
        assert counts["fodselsnummer"] == counts["dnummer"] == 0, (text, out)
        assert _broken(d) in re.sub(r"\D", "", out) or counts["kontonummer"] == 1  # its digits all stay


def test_amounts_and_dates_stay():
    d = FNRS[0]
    for text in (f"{_group(_broken(d), (2, 2, 2, 3, 2), ' ')} kr", "Møtet var 15.03.85.", "15.03.85 kl 10"):
        out, counts = redact(text)
        assert out == text and not any(counts.values()), (text, out)


def test_grouped_number_inside_a_sentence():
    d = FNRS[1]
    text = f"Jeg sendte inn skjemaet med {_group(d, (2, 2, 2, 3, 2), ' ')} i går, men har ikke fått svar."
    out, counts = redact(text)
    assert out == "Jeg sendte inn skjemaet med [FØDSELSNUMMER] i går, men har ikke fått svar."
    assert counts["fodselsnummer"] == 1


@pytest.mark.parametrize(
    "template,expected",
    [
        ("{fnr} 91234567", "[FØDSELSNUMMER] [TELEFON]"),
        ("ring meg på {fnr}", "ring meg på [FØDSELSNUMMER]"),
        ("tlf 912 34 567 {fnr}", "tlf [TELEFON] [FØDSELSNUMMER]"),
        ("Mobil: 912 34 567, og {fnr} er mitt", "Mobil: [TELEFON], og [FØDSELSNUMMER] er mitt"),
    ],
)
def test_phone_rules_leave_no_digit_of_a_grouped_number(template, expected):
    for d in FNRS:
        for sizes, seps in (((2, 2, 2, 3, 2), " "), ((2, 2, 2, 5), " "), ((6, 3, 2), " ")):
            out, counts = redact(template.format(fnr=_group(d, sizes, seps)))
            assert out == expected, out
            assert counts["fodselsnummer"] == 1 and not re.search(r"\d", out)


def test_redactor_without_normalising_masks_thin_and_no_break_spaces(redactor):
    d = FNRS[0]
    for seps in ("\u202f", "\u00a0", "\u2009"):
        out, counts = redactor.redact(f"nr {_group(d, (2, 2, 2, 3, 2), seps)}.")
        assert out == "nr [FØDSELSNUMMER]." and counts["fodselsnummer"] == 1
