"""A red-team of this stop's redaction: a surname in capitals before a capitalised first name (the register style
«HANSEN, Kari») is one name; the CLI's messages mask a fødselsnummer in any grouping, also inside a file name
(«data/15.03.85 101 90.csv», «Kari_15 03 85 101 90.csv»), and a long word costs linear time."""
from __future__ import annotations

import time

import pytest

from textmine.cli import redact_message
from textmine.preprocess import default_resources

FNR = "15038510190"  # valid: both check digits and the date


@pytest.mark.parametrize("text, expected", [
    ("HANSEN, Kari ringte.", "[NAVN] ringte."),
    ("HANSEN Kari", "[NAVN]"),
    ("HANSEN, Kari Anne", "[NAVN]"),
    ("SANDE, Kari", "[NAVN]"),
    ("SANDE Kari kom", "[NAVN] kom"),
])
def test_a_surname_in_capitals_before_a_capitalised_first_name_is_one_name(text, expected):
    assert default_resources().redactor.redact(text)[0] == expected


@pytest.mark.parametrize("text, expected", [
    ("TAKK Kari!", "TAKK [NAVN]!"),     # ordinary words and acronyms in capitals stay
    ("NAV Kari sa", "NAV [NAVN] sa"),
    ("MVH Kari", "MVH [NAVN]"),
    ("VIKTIG Kari", "VIKTIG [NAVN]"),
    ("ALTINN Kari", "ALTINN [NAVN]"),
])
def test_a_word_in_capitals_before_a_first_name_is_not_a_surname(text, expected):
    assert default_resources().redactor.redact(text)[0] == expected


@pytest.mark.parametrize("msg, expected", [
    ("file 'data/15.03.85 101 90.csv' does not exist.", "file 'data/[FØDSELSNUMMER].csv' does not exist."),
    ("file './15 03 85 101 90.csv' does not exist.", "file './[FØDSELSNUMMER].csv' does not exist."),
    ("Se 2023/15 03 85 101 90 her", "Se 2023/[FØDSELSNUMMER] her"),
    ("id15 03 85 101 90", "id[FØDSELSNUMMER]"),
    (f"no column 'rad {FNR}'", "no column 'rad [FØDSELSNUMMER]'"),
])
def test_cli_messages_mask_a_grouped_fodselsnummer_anywhere(msg, expected):
    assert redact_message(msg) == expected


def test_no_digit_of_a_fodselsnummer_in_a_file_name_cut_at_a_space_is_left():
    out = redact_message("the file Kari_15 03 85 101 90.csv does not exist")
    assert "[FØDSELSNUMMER]" in out and not any(d in out for d in ("03 85", "101", " 90"))


@pytest.mark.parametrize("msg", ["Read 23 456 rows", "rows 3-5 are empty", "/home/kari/rapport_2023.csv not found",
                                 "15 03 85 101 91 kr"])  # a count, a range, a folder, a wrong checksum
def test_cli_messages_keep_what_is_no_personal_number(msg):
    assert redact_message(msg) == msg


def test_a_long_word_is_redacted_in_linear_time():
    for word in ("1" * 100_000, "15.03." * 16_000, "a_" * 50_000):
        start = time.perf_counter()
        redact_message(word)
        assert time.perf_counter() - start < 5  # was 60–80 s: the path pattern scanned the word once per position
