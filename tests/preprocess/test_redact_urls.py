"""Personal links: URLs whose host, path or query carries an identifier are masked as [LENKE];
organisational links (nav.no, www.nav.no/sykepenger, altinn.no) stay."""

import pytest

from textmine.preprocess import PII_TYPES, PLACEHOLDERS, redact


def test_link_is_a_pii_type():
    assert "lenke" in PII_TYPES and PLACEHOLDERS["lenke"] == "[LENKE]"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Se https://www.nav.no/saksoversikt?fnr=01019010046 for saken.", "Se [LENKE] for saken."),
        ("lenke: https://minside.example.no/sak?id=abc-77", "lenke: [LENKE]"),
        ("https://skjema.example.no/svar?epost=kari.nordmann%40gmail.com", "[LENKE]"),
        ("https://portal.example.com/share/kari@firma.no/cv.pdf", "[LENKE]"),
        ("Se www.firma.no/profil/kari-nordmann", "Se [LENKE]"),
        ("https://www.nav.no/person/ola.hansen", "[LENKE]"),
        ("Se profilen: firma.no/ansatte/4711", "Se profilen: [LENKE]"),
        ("https://nav.no/saksoversikt/sak/123456789/dokument", "[LENKE]"),  # long numeric id
        ("Søknaden ligger på https://soknad.example.no/s/a?ref=8841276512.", "Søknaden ligger på [LENKE]."),
        ("se https://example.no/skjema?dob=1990-01-01", "se [LENKE]"),
        ("koden: https://github.com/kari-nordmann/cv", "koden: [LENKE]"),
        ("Bloggen min: kari-nordmann.blogspot.com", "Bloggen min: [LENKE]"),
        ("Se karinordmann.no for CV", "Se [LENKE] for CV"),
        ("hjemmeside: www.ola-hansen.no/om-meg", "hjemmeside: [LENKE]"),
        ("kode på github.com/karinordmann", "kode på [LENKE]"),
        ("send melding på wa.me/4791234567", "send melding på [LENKE]"),
        ("https://medium.com/@kari", "[LENKE]"),
        ("http://folk.uio.no/~kari/", "[LENKE]"),
        ("Vår ansatt: www.firma.no/om-oss/kari-nordmann (daglig leder)", "Vår ansatt: [LENKE] (daglig leder)"),
    ],
)
def test_personal_links(text, expected):
    out, counts = redact(text)
    assert out == expected
    assert counts["lenke"] == 1 and "fodselsnummer" not in [k for k, v in counts.items() if v]


@pytest.mark.parametrize(
    "text",
    [
        "Informasjonen på nav.no var utdatert.",
        "Se www.nav.no/sykepenger og altinn.no",
        "https://www.nav.no/arbeidsgiver/sykepenger-i-arbeidsgiverperioden",
        "https://www.nav.no/no/person/arbeid/sykmeldt-arbeidsavklaringspenger-og-yrkesskade/sykepenger",
        "https://www.nav.no/person/kontakt-oss/nb/",
        "https://www.nav.no/person/personopplysninger/nb/",
        "https://arbeidsgiver.nav.no/min-side-arbeidsgiver/",
        "https://www.altinn.no/skjemaoversikt/arbeids--og-velferdsetaten-nav/",
        "https://lovdata.no/dokument/NL/lov/1997-02-28-19/KAPITTEL_8",
        "https://www.regjeringen.no/no/dokumenter/meld.-st.-33-20152016/id2499124/",
        "Søk på https://www.nav.no/sok?ord=sykepenger&page=2",
        "https://www.nav.no/no/bedrift/oppfolging/sykmeldt-arbeidstaker#kapittel-3",
        "Vi la ut annonsen på arbeidsplassen.no.",
        "https://www.dropbox.com/s/abc og www.helsenorge.no",
        "Vi fikk beskjed om å gå til Nav.no, ikke ring.",
        "NAV.NO er ubrukelig",
        "bruk https://www.skatteetaten.no/bedrift-og-organisasjon/arbeidsgiver/a-meldingen/",
        "statistikk på www.ssb.no/statbank/table/12345",
        "https://github.com/features",
        "https://github.com/navikt/sykepenger og https://navikt.github.io/sykepenger/",  # an organisation's
        "https://web.archive.org/web/20240312123456/https://www.nav.no/",  # a timestamp, not an id
        "https://www.nav.no/arbeidsgiver/nyheter/20240312-nye-regler",  # a date
        "solberg.no og haugen-bygg.no er våre kunder",  # surname-only and company domains
    ],
)
def test_organisational_links_stay(text):
    out, counts = redact(text)
    assert out == text and counts["lenke"] == 0, out


def test_email_is_still_email_not_a_link():
    out, counts = redact("Send til kari.nordmann@nav.no eller ola@karinordmann.no")
    assert counts["epost"] == 2 and counts["lenke"] == 0, out


def test_social_media_profiles_stay_names():
    out, counts = redact("se https://www.facebook.com/kari.nordmann og www.linkedin.com/in/kari-nordmann-123")
    assert out == "se [NAVN] og [NAVN]" and counts["lenke"] == 0
