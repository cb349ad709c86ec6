"""Review of the 7 Dec redaction/health changes: spaced-dot e-mails, "på" for "@", reference numbers vs phones,
the support-contact care rule, "døv for" idioms and spreadsheet float cells."""

import pytest

from textmine.preprocess import default_resources
from textmine.preprocess.health import HealthFlagger
from textmine.preprocess.normalize import normalize


@pytest.fixture(scope="module")
def redactor():
    return default_resources().redactor


@pytest.fixture(scope="module")
def flagger() -> HealthFlagger:
    return HealthFlagger.from_wordlists()


def _red(redactor, text: str) -> tuple[str, dict[str, int]]:
    return redactor.redact(normalize(text))


# -- 1. spaced dots with a bracketed / spelled "@" marker are e-mails ---------------------------------------------
@pytest.mark.parametrize("text, gone", [
    ("kari (at) gmail . com", "kari"),
    ("ola [at] hotmail . no", "hotmail"),
    ("ola snabel-a firma . no", "firma"),
    ("ola92 (a) gmail . com", "ola92"),
    ("kari(at)gmail . com", "gmail"),
    ("ola.hansen krøllalfa gmail . com", "gmail"),
    ("kari . nordmann (at) firma . no", "kari"),
    ("kari.nordmann at gmail . com", "gmail"),
    ("Det var greit . kari.nordmann at gmail.com", "nordmann"),
])
def test_spaced_dot_addresses_with_a_marker_are_masked(redactor, text, gone):
    red, counts = _red(redactor, text)
    assert gone not in red and counts["epost"] == 1


@pytest.mark.parametrize("text", ["greit . Synes at nav.no", "Det var greit . Synes at nav.no er bra"])
def test_a_bare_at_after_a_spaced_dot_is_text(redactor, text):
    red, counts = _red(redactor, text)
    assert red == normalize(text) and counts["epost"] == 0


# -- 2. "på" for "@": ordinary text stays, addresses are masked -------------------------------------------------
@pytest.mark.parametrize("text", [
    "Det var vanskelig.Informasjonen på nav.no er dårlig.",
    "Har brukt Min.side på nav.no",
    "sykmelding.pdf på nav.no",
    "Lastet opp vedlegg.docx på altinn.no",
    "kl.08 på nav.no",
    "Ting_som_ikke_virker på nav.no",
    "a.s på regjeringen.no",
    "Min.side på bergen.kommune.no",
    "Lønn.no på nav.no",
])
def test_paa_text_is_not_an_address(redactor, text):
    red, counts = _red(redactor, text)
    assert counts["epost"] == 0 and "på" in red


@pytest.mark.parametrize("text", [
    "kari.nordmann på gmail.com", "k.nordmann på online.no", "ola på hotmail.com", "Kari.Nordmann på Gmail.com",
    "per.olsen på nav.no", "kari.nordmann på oslo.kommune.no", "kari.nordmann på gmail . com",
    "kari.nordmann på gmail (dot) com", "ola92 på gmail,com",
])
def test_paa_addresses_are_masked(redactor, text):
    red, counts = _red(redactor, text)
    assert red.strip() == "[EPOST]" and counts["epost"] == 1


# -- 3. reference numbers vs phone numbers --------------------------------------------------------------------
@pytest.mark.parametrize("text", ["kundenr 91234567", "Kundenummer: 41234567", "Ring meg, kundenr er 91234567",
                                  "ring saks nr. 91234567"])
def test_a_mobile_after_a_customer_or_phone_cue_is_masked(redactor, text):
    red, counts = _red(redactor, text)
    assert "91234567" not in red and "41234567" not in red and counts["telefon"] == 1


@pytest.mark.parametrize("text, number", [("faktura nr 12345678", "12345678"), ("Ordrenummer 4711 2024", "4711 2024"),
                                          ("kundenr 12345678", "12345678")])
def test_reference_numbers_stay(redactor, text, number):
    red, counts = _red(redactor, text)
    assert number in red and counts["telefon"] == 0


# -- 4. care and "døv for" ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Jeg har fått støttekontakt med tilsette i kommunen som følger meg opp.",
    "Jeg har støttekontakt med teamet på dagsenteret.",
    "Sønnen min har støttekontakt med NAV sin hjelp.",
    "Jeg får støttekontakt med de ansatte i kommunen.",
    "Jeg har støttekontakt med de som jobber i hjemmetjenesten.",
])
def test_a_support_contact_someone_has_or_gets_is_care(flagger, text):
    assert flagger.flag(text)


def test_the_writers_supportive_contact_at_work_is_not_care(flagger):
    assert not flagger.flag("Jeg har støttekontakt med de ansatte hver uke.")


@pytest.mark.parametrize("text", ["NAV var døv for våre innspill.", "NAV er døv for innspill fra oss.",
                                  "Saksbehandler var som døv for argumentene."])
def test_deaf_to_idioms_are_not_health(flagger, text):
    assert not flagger.flag(text)


@pytest.mark.parametrize("text", ["Jeg er døv.", "Som døv bruker får jeg ikke ringt."])
def test_a_deaf_person_is_still_health(flagger, text):
    assert flagger.flag(text)


# -- 5. spreadsheet floats -------------------------------------------------------------------------------------
def test_a_float_cell_that_lost_its_leading_zero_is_a_personal_number(redactor):
    red, counts = _red(redactor, "1019010046.0")
    assert "1019010046" not in red and counts["fodselsnummer"] == 1


def test_an_invalid_ten_digit_float_cell_stays(redactor):
    red, counts = _red(redactor, "1019010047.0")
    assert red == "1019010047.0" and sum(counts.values()) == 0


@pytest.mark.parametrize("text, kind", [("Tlf 91234567.0", "telefon"), ("fnr 1019010046.0 er feil", "fodselsnummer")])
def test_a_float_inside_a_text_is_masked(redactor, text, kind):
    red, counts = _red(redactor, text)
    assert ".0" not in red and counts[kind] == 1


def test_an_amount_float_inside_a_text_stays(redactor):
    red, counts = _red(redactor, "Beløp 45000000.0 i fjor")
    assert "45000000.0" in red and counts["telefon"] == 0
