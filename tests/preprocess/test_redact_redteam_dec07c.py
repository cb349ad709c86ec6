"""Leftovers and a red-team round on the redactor as the cleaner runs it (7 December, c): an H-number of 10 or 12
digits is an id, not a personal number; a car word alone does not make a unit or word before a number a plate; the
care rule leaves a support contact at work alone; e-mail with «på» for «@», phones glued to their cue, names run
together, spreadsheet floats, flat numbers and tight post codes; and the ordinary text that must stay."""

from __future__ import annotations

import pytest

from textmine.preprocess.cleaner import redact
from textmine.preprocess.health import HealthFlagger
from textmine.preprocess.redact import _FNR_W1, _FNR_W2, _ACC_W, _mod11


def _fnr(birth: str) -> str:
    """The first valid personal number for a ddmmyy (day + 40: a D-number)."""
    for i in range(1000):
        s = birth + f"{i:03d}"
        k1 = _mod11(s, _FNR_W1)
        k2 = None if k1 is None else _mod11(s + str(k1), _FNR_W2)
        if k2 is not None:
            return s + str(k1) + str(k2)
    raise AssertionError(birth)


def _account(prefix: str) -> str:
    for i in range(10000):
        s = prefix + f"{i:04d}"
        if (k := _mod11(s, _ACC_W)) is not None:
            return s + str(k)
    raise AssertionError(prefix)


FNR, ACC = _fnr("150385"), _account("971005")


# -- (a) H-numbers --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("hnr 1234567890", "hnr [IDNUMMER]"),
    ("H-nummer: 1234567890", "H-nummer: [IDNUMMER]"),
    ("h-nr 12 34 56 78 90", "h-nr [IDNUMMER]"),
    ("H-nummer til pasienten er 1234567890", "H-nummer til pasienten er [IDNUMMER]"),
    ("hnr0101901004", "hnr[IDNUMMER]"),
    ("hnr 010190100461", "hnr [IDNUMMER]"),
])
def test_a_cued_h_number_of_10_or_12_digits_is_an_id(text, expected):
    assert redact(text)[0] == expected


@pytest.mark.parametrize("text, expected", [
    ("fnr 1234567890", "fnr [FØDSELSNUMMER]"),  # a personal-number cue keeps its type
    ("hnr og fnr 1234567890", "hnr og fnr [FØDSELSNUMMER]"),  # the nearest cue decides
    ("H-nummer 15438512345", "H-nummer [FØDSELSNUMMER]"),  # 11 digits with a valid check: shaped as one
])
def test_a_personal_number_cue_still_gives_a_personal_number(text, expected):
    assert redact(text)[0] == expected


# -- (b) plates -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "bil kr12000", "bilen er OK 12000", "Firmabil: ID 12345", "Bilen: hk 12345", "bilen ok12345",
    "stabil AB 12345",  # "stabil" ends in "bil" but is no car
])
def test_a_word_or_unit_after_a_car_word_is_no_plate(text):
    red, counts = redact(text)
    assert counts["kjennemerke"] == 0 and red == text


@pytest.mark.parametrize("text, plate", [
    ("bilen min er el 12345", "el 12345"),  # a known prefix in lower case after a car word
    ("Bil: EL 12345", "EL 12345"), ("bil: ab12345", "ab12345"), ("firmabilen ab 12345", "ab 12345"),
    ("Bilen min har reg.nr ab 12345", "ab 12345"), ("Tjenestebilen ZT 4471 ble levert", "ZT 4471"),
    ("regnr el12345 er mitt", "el12345"),
])
def test_plates_after_a_cue_are_still_masked(text, plate):
    red, counts = redact(text)
    assert plate not in red and counts["kjennemerke"] == 1


# -- (c) the care rule ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def flagger() -> HealthFlagger:
    return HealthFlagger.from_wordlists()


@pytest.mark.parametrize("text", [
    "Jeg har støttekontakt med de ansatte hver uke.", "Eg har støttekontakt med leiaren.",
    "Jeg har støttekontakt med den sykmeldte.", "jeg har støttekontakt med alle tilsette",
])
def test_a_support_contact_at_work_is_not_care(flagger, text):
    assert not flagger.flag(text)


@pytest.mark.parametrize("text", [
    "Jeg har en støttekontakt.", "Dattera vår har støttekontakt.", "Jeg har støttekontakten min.",
    "jeg har støttekontakt fra kommunen", "Sønnen min har støttekontakt med god kjemi.",
])
def test_a_support_contact_a_person_has_is_still_care(flagger, text):
    assert flagger.flag(text)


# -- red team: leaks --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value, kind", [
    ("kari.nordmann på gmail.com", "kari.nordmann", "epost"),
    ("kari punktum nordmann på gmail punktum com", "nordmann", "epost"),
    ("ola på gmail.com", "ola", "epost"),
    ("Skriv til kari_n på firma.no", "kari_n", "epost"),
    ("kari . nordmann @ firma . no", "nordmann", "epost"),
    ("mobilnr91234567", "91234567", "telefon"),
    ("tlf91234567", "91234567", "telefon"),
    ("Ring91234567", "91234567", "telefon"),
    ("Bursdagen min er 3. mai", "3. mai", "fodselsdato"),
    ("bursdagen hennes er 3. mai, og hun er 45", "3. mai", "fodselsdato"),
    ("KariNordmann ringte", "Nordmann", "navn"),
    ("Kontakt: Kari.Nordmann", "Nordmann", "navn"),
    ("kari_nordmann svarte", "nordmann", "navn"),
    ("Filen kari.nordmann.docx", "nordmann", "navn"),
    (f"{FNR}.0", FNR, "fodselsnummer"),
    ("91234567.0", "91234567", "telefon"),
    (f"{ACC}.0", ACC, "kontonummer"),
    (f"kontonr{ACC}", ACC, "kontonummer"),
    ("Jeg bor på Solheimsvegen 12 H0203", "H0203", "adresse"),
    ("Bur i Fjellvegen 3,6800 Førde", "6800", "adresse"),
])
def test_red_team_leaks_are_masked(text, value, kind):
    red, counts = redact(text)
    assert value not in red, red
    assert counts[kind] >= 1, counts


# -- red team: ordinary text that must stay ---------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Søkte om sykepenger på nav.no", "Søkte om sykepenger 2.gang på nav.no", "Les mer på www.nav.no om dette",
    "Se f.eks på nav.no", "Informasjonen på nav.no er god, men ikke på altinn.no.",
    "Søknaden er sendt. Svaret på nav.no kom raskt", "Det var greit . Synes at nav.no er bra",
    "Telefontiden 08.00-15.30 er for kort", "Telefontid 08:00-15:30", "Vi fikk faktura nr 12345678",
    "Ordrenummer 4711 2024", "Kundenr 12345678", "Tel2024 var et år", "Storgata 3,5 km unna",
    "Sykefraværet.Dette var bra", "Vi bruker MinSide og PowerPoint", "12345678.0", "2024.0",
    "Vi fikk kr 12 500 i tilskudd", "Det tok 3 uker, fra uke 12 til uke 15", "Sykefraværet gikk ned 12,5 % fra 2022",
    "NAV Arbeidslivssenter Vestland var til god hjelp", "Nav Arbeidslivssenter hjalp oss med IA-avtalen",
])
def test_ordinary_text_stays(text):
    red, counts = redact(text)
    assert red == text and not any(counts.values()), red


def test_a_phone_glued_to_its_cue_keeps_the_cue_word():
    red, counts = redact("mob:91234567 eller mobil91234567")
    assert red == "mob:[TELEFON] eller mobil[TELEFON]" and counts["telefon"] == 2
