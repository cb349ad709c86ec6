"""Birth dates after a birth cue ("født", "fødd", "f.", "fødselsdato", "DOB", "born") are personal data."""

import pytest

from textmine.preprocess import PII_TYPES, PLACEHOLDERS, redact


def test_birth_date_is_a_pii_type():
    assert "fodselsdato" in PII_TYPES and PLACEHOLDERS["fodselsdato"] == "[FØDSELSDATO]"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Arbeidstakeren er født 01.01.1990 og har vært sykmeldt lenge.",
         "Arbeidstakeren er født [FØDSELSDATO] og har vært sykmeldt lenge."),
        ("fødselsdato: 1/1-90", "fødselsdato: [FØDSELSDATO]"),
        ("Gjelder Kari (f. 12.03.1985)", "Gjelder [NAVN] (f. [FØDSELSDATO])"),
        ("Ho er fødd 3. mars 1985 og er sjukmeld.", "Ho er fødd [FØDSELSDATO] og er sjukmeld."),
        ("DOB 1990-01-01", "DOB [FØDSELSDATO]"),
        ("Født den 24. desember 1971.", "Født den [FØDSELSDATO]."),
        ("født 24121971", "født [FØDSELSDATO]"),  # 8 digits: not a phone number here
        ("født 241271, ansatt i 20 år", "født [FØDSELSDATO], ansatt i 20 år"),
        ("Fødselsdatoen er 05.11.62", "Fødselsdatoen er [FØDSELSDATO]"),
        ("lærling født i mars 2006", "lærling født i [FØDSELSDATO]"),
        ("fødd 17.05", "fødd [FØDSELSDATO]"),
        ("Date of birth: March 3, 1985", "Date of birth: [FØDSELSDATO]"),
        ("the employee was born 3 March 1985", "the employee was born [FØDSELSDATO]"),
        ("f.dato 1.1.1990", "f.dato [FØDSELSDATO]"),
        ("Born: 01/01/1990", "Born: [FØDSELSDATO]"),
        ("født 1.mai 1985 i Bergen", "født [FØDSELSDATO] i Bergen"),
    ],
)
def test_birth_dates_after_a_cue(text, expected):
    out, counts = redact(text)
    assert out == expected
    assert counts["fodselsdato"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "møte 01.02.2024 ble avlyst",
        "sykmeldt fra 15.03 og fortsatt borte",
        "Vi sendte søknaden 1/1-24 og fikk svar 3. mars 2024.",
        "fødselspenger fra 01.02.2024",  # not a birth cue
        "Ansatte født før 1963 har rett til AFP.",  # a year and a rule threshold, not a person
        "Regelen gjelder de som er født etter 01.01.1963.",
        "Hun er født i 1985.",  # a bare year is an age band, kept
        "Han fødte 12 kalver 03.04.2024",  # "fødte" is not a birth-date cue
        "f.eks. 12.03.2024 var systemet nede",
        "Gjelder f.o.m. 01.03.2024",
        "jf. 12.03.2024 og ref. 12.03.2024",
        "nyfødt 12.03.2024, permisjon fra 01.04",
        "Det ble født 3 lam",
        "fødselsdato må fylles ut i skjemaet",
        "Ho var heime med sjuke born 12.03 og 13.03.",  # nynorsk "born" = children
        "Ansatte født 1.1.1963 eller tidligere har rett til AFP.",  # a threshold
        "Barnet ble født 3.5 kg tungt",  # a weight
    ],
)
def test_dates_without_a_birth_cue_stay(text):
    out, counts = redact(text)
    assert out == text and counts["fodselsdato"] == 0, out


def test_birth_date_with_personal_number_stays_a_personal_number():
    out, counts = redact("født 01.01.1990 10046")
    assert counts["fodselsnummer"] == 1 and counts["fodselsdato"] == 0 and out == "født [FØDSELSNUMMER]"


def test_impossible_dates_after_a_cue_stay():
    for text in ("født 32.01.1990", "født 12.13.1990", "født 99999999"):
        out, counts = redact(text)
        assert counts["fodselsdato"] == 0 and "[FØDSELSDATO]" not in out, out
