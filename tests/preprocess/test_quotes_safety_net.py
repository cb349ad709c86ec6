"""The quotes safety net (``textmine.quotes.safe_quote_text``) also masks a birth date after a birth cue and a
link that carries a personal identifier; ordinary dates and organisational links stay in the quote.

(The older safety-net tests live in tests/stats/test_quotes.py; the rules themselves, with many more cases, in
tests/preprocess/test_redact_birthdates.py and test_redact_urls.py: here a sample through the quotes path.)"""

import pytest

from textmine.quotes import PLACEHOLDER, safe_quote_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Arbeidstakeren er født 01.01.1990 og har vært sykmeldt lenge.",
         "Arbeidstakeren er født [FØDSELSDATO] og har vært sykmeldt lenge."),
        ("fødselsdato: 1/1-90", "fødselsdato: [FØDSELSDATO]"),
        ("Gjelder Kari (f. 12.03.1985)", "Gjelder Kari (f. [FØDSELSDATO])"),
        ("Ho er fødd 3. mars 1985 og er sjukmeld.", "Ho er fødd [FØDSELSDATO] og er sjukmeld."),
        ("DOB 1990-01-01", "DOB [FØDSELSDATO]"),
        ("født 241271, ansatt i 20 år", "født [FØDSELSDATO], ansatt i 20 år"),
        ("the employee was born 3 March 1985", "the employee was born [FØDSELSDATO]"),
        ("født 1.mai 1985 i Bergen", "født [FØDSELSDATO] i Bergen"),
    ],
)
def test_birth_date_after_a_cue_is_masked(text, expected):
    assert safe_quote_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "møte 01.02.2024 ble avlyst",
        "sykmeldt fra 15.03 og fortsatt borte",
        "Vi sendte søknaden 1/1-24 og fikk svar 3. mars 2024.",
        "fødselspenger fra 01.02.2024",
        "Ansatte født før 1963 har rett til AFP.",
        "Regelen gjelder de som er født etter 01.01.1963.",
        "Hun er født i 1985.",
        "Han fødte 12 kalver 03.04.2024",
        "f.eks. 12.03.2024 var systemet nede",
        "jf. 12.03.2024 og ref. 12.03.2024",
        "nyfødt 12.03.2024, permisjon fra 01.04",
        "Ho var heime med sjuke born 12.03 og 13.03.",
        "Ansatte født 1.1.1963 eller tidligere har rett til AFP.",
        "Barnet ble født 3.5 kg tungt",
        "fødselsdato må fylles ut i skjemaet",
    ],
)
def test_ordinary_dates_stay(text):
    assert safe_quote_text(text) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Se https://www.nav.no/saksoversikt?fnr=01019010046 for saken.", "Se [LENKE] for saken."),
        ("Se profilen: firma.no/ansatte/4711", "Se profilen: [LENKE]"),
        ("send melding på wa.me/4791234567", "send melding på [LENKE]"),
        ("https://medium.com/@kari", "[LENKE]"),
        ("(se http://folk.uio.no/~kari/)", "(se [LENKE])"),
        ("profil: www.linkedin.com/in/kari-nordmann-123", "profil: [NAVN]"),
        ("Bloggen min: https://sykmeldtmamma.blogspot.com, les den", "Bloggen min: [LENKE], les den"),
    ],
)
def test_personal_link_is_masked_whole(text, expected):
    """(A link naming someone only by its words, "/person/ola.hansen", needs the cleaner's name lists.)"""
    assert safe_quote_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Informasjonen på nav.no var utdatert.",
        "Se www.nav.no/sykepenger og altinn.no",
        "https://www.nav.no/arbeidsgiver/sykepenger-i-arbeidsgiverperioden",
        "https://www.nav.no/person/kontakt-oss/nb/",
        "https://www.nav.no/person/personopplysninger/nb/",
        "https://arbeidsgiver.nav.no/min-side-arbeidsgiver/",
        "https://www.altinn.no/skjemaoversikt/arbeids--og-velferdsetaten-nav/",
        "https://lovdata.no/dokument/NL/lov/1997-02-28-19/KAPITTEL_8",
        "Søk på https://www.nav.no/sok?ord=sykepenger&page=2",
        "https://www.nav.no/no/bedrift/oppfolging/sykmeldt-arbeidstaker#kapittel-3",
        "statistikk på www.ssb.no/statbank/table/12345",
        "https://github.com/navikt/sykepenger og https://navikt.github.io/sykepenger/",
        "https://web.archive.org/web/20240312123456/https://www.nav.no/",
        "https://www.nav.no/arbeidsgiver/nyheter/20240312-nye-regler",
        "Vi la ut annonsen på arbeidsplassen.no.",
        "Les mer på nav.no/sykepenger.",
        "Se https://www.blogspot.com/about og https://wordpress.com/support",
    ],
)
def test_organisational_links_stay(text):
    assert safe_quote_text(text) == text


def test_already_redacted_text_is_unchanged():
    text = "Arbeidstaker født [FØDSELSDATO], se [LENKE] og nav.no/sykepenger"
    assert safe_quote_text(text) == text and PLACEHOLDER not in safe_quote_text(text)
