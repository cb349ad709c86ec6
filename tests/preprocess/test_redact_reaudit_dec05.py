"""Privacy re-audit 5 December: foreign phone numbers, cued passport/driving-licence numbers and IP addresses,
and a surname alone after a clear cue ("familien Nordmann", "K. Nordmann", "Olsen-familien")."""

import pytest

from textmine.preprocess import redact


def _check(text: str, expected: str, kind: str, n: int = 1) -> None:
    out, counts = redact(text)
    assert out == expected, f"{text!r}: expected {expected!r}, got {out!r}"
    assert counts[kind] == n, f"{text!r}: expected {n} × {kind}, got {counts}"


def _kept(text: str) -> None:
    out, counts = redact(text)
    assert out == text, f"{text!r}: expected unchanged, got {out!r} ({counts})"


# -- 1. foreign phone numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+46 70 123 45 67", "[TELEFON]"),
        ("Ring meg på +44 7700 900123 i kveld.", "Ring meg på [TELEFON] i kveld."),
        ("0046 70 1234567", "[TELEFON]"),
        ("svensk nummer +46701234567.", "svensk nummer [TELEFON]."),
        ("tlf +47 912 34 567", "tlf [TELEFON]"),  # the Norwegian form as before
        ("0047 91234567", "[TELEFON]"),
    ],
)
def test_country_code_numbers_masked(text, expected):
    _check(text, expected, "telefon")


@pytest.mark.parametrize(
    "text",
    [
        "Kostnadene økte med +12 345 678 kr i fjor.",  # an amount
        "Endringen +2024-01-01 gjelder alle.",  # a date
        "Referansen 0012345678 står på brevet.",  # leading zeros, no grouping: an id, not "00" + country code
        "kl. 10.00",
        "+1500 kr",
    ],
)
def test_amounts_dates_and_zero_padded_ids_kept(text):
    _kept(text)


# -- 2. passport / driving-licence numbers and IP addresses after a cue -------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("passnr 12345678", "passnr [IDNUMMER]"),
        ("passnummer 12345678", "passnummer [IDNUMMER]"),
        ("pass nr. 12345678", "pass nr. [IDNUMMER]"),
        ("Passnummeret mitt er 87654321.", "Passnummeret mitt er [IDNUMMER]."),
        ("førerkortnr 100234567", "førerkortnr [IDNUMMER]"),
        ("ip 192.168.1.10", "ip [IDNUMMER]"),
        ("IP-adresse 10.0.0.1", "IP-adresse [IDNUMMER]"),
        ("IP-adressen er 10.0.0.1, sa de.", "IP-adressen er [IDNUMMER], sa de."),
    ],
)
def test_cued_document_numbers_and_ip_masked(text, expected):
    _check(text, expected, "idnummer")


@pytest.mark.parametrize(
    "text",
    [
        "versjon 1.2.3.4",  # no ip cue
        "Appen var på versjon 1.2.3.4 og krasjet.",
        "Møtet startet kl. 10.00 og varte en time.",
        "ip 999.1.1.1",  # not an IPv4 address
        "Bestått pass 3 av 4 på kurset.",  # "pass" without "nr"
    ],
)
def test_versions_times_and_uncued_numbers_kept(text):
    _kept(text)


# -- 3. a surname alone after a clear cue ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hilsen familien Nordmann", "Hilsen familien [NAVN]"),  # surname only in name_last_no.txt
        ("Hilsen familien Strand", "Hilsen familien [NAVN]"),  # a surname that is also a word, after the cue
        ("Takk for hjelpen. K. Nordmann", "Takk for hjelpen. [NAVN]"),
        ("hilsen K. Nordmann og familien", "hilsen [NAVN] og familien"),
        ("Kari K. Nordmann", "[NAVN]"),  # the initial joins the name before, no stray surname
        ("Olsen-familien har ventet.", "[NAVN]-familien har ventet."),
        ("Nordmann-familiens hytte", "[NAVN]-familiens hytte"),
    ],
)
def test_cued_surname_masked(text, expected):
    _check(text, expected, "navn")


@pytest.mark.parametrize(
    "text",
    [
        "Som nordmann i utlandet fikk jeg ingen hjelp.",
        "Nordmann",  # no cue
        "Vi gikk en tur langs strand og berg.",
        "familien Nav",  # not a surname
        "Familien var fornøyd.",
    ],
)
def test_surname_words_without_cue_kept(text):
    _kept(text)
