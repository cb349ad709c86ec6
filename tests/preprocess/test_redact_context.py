"""Redaction gaps left from the last stop: shared surnames, organisations' and rules' dates after "født",
digits inside organisational links, numeric document ids, sentence-initial ambiguous surnames that act."""

import pytest

from textmine.preprocess import redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("kari og ola nordmann", "[NAVN] og [NAVN]"),
        ("Kari og Ola Nordmann", "[NAVN] og [NAVN]"),
        ("Vi fikk hjelp av kari og ola nordmann i går.", "Vi fikk hjelp av [NAVN] og [NAVN] i går."),
        ("kari eller ola hansen tar telefonen", "[NAVN] eller [NAVN] tar telefonen"),
        ("ask kari and ola nordmann", "ask [NAVN] and [NAVN]"),
    ],
)
def test_two_first_names_share_a_surname(text, expected):
    out, counts = redact(text)
    assert out == expected
    assert counts["navn"] == 2


@pytest.mark.parametrize(
    "text",
    [
        "Bedriften ble født 12.03.1998 i en garasje.",
        "firmaet vårt er født 12.03.1998",
        "Selskapet ble offisielt født 1. mars 2001.",
        "Vi er et AS født 01.02.2005 og har 12 ansatte.",
        "Avdelingen ble født 3.9.2019 da to kontorer ble slått sammen.",
        "Familiebedriften er født 17.05.1950.",
    ],
)
def test_an_organisations_founding_date_stays(text):
    out, counts = redact(text)
    assert out == text and counts["fodselsdato"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "Kontorsjefen er født 1.1.1970 og har vært sykmeldt.",  # a person whose title starts like "kontor"
        "Jeg jobber i bedriften og er født 12.03.1985.",
        "Bedriftslegen er født 12.03.1985.",
    ],
)
def test_a_person_near_an_organisation_word_keeps_the_mask(text):
    out, counts = redact(text)
    assert counts["fodselsdato"] == 1 and "[FØDSELSDATO]" in out


@pytest.mark.parametrize(
    "text",
    [
        "Arbeidstakere født 1.1.1963 får ikke AFP.",
        "Ordningen gjelder alle født 01.01.1963 eller seinere.",
        "Gjelder ansatte født 1.1.1963 og yngre.",
        "alle født 1.1.1963 eller tidlegare",
        "de som er født 01.01.1954 til 31.12.1962 får tillegg",
        "personer født 1.1.1950 - 31.12.1962",
        "Alle som er født 1.1.1963 eller eldre har rett.",
    ],
)
def test_a_rules_threshold_date_stays(text):
    out, counts = redact(text)
    assert counts["fodselsdato"] == 0, out
    assert out == text


@pytest.mark.parametrize(
    "text",
    [
        "jeg er født 1.1.1963",
        "Jeg er født 1.1.1963 og yngre kolleger får mer.",
        "Den ansatte er født 15.03.1985.",
        "Den ansatte som er født 15.03.1985 har fått avslag.",
        "Barnet er født 12.03.2024.",
        "Tre barn, alle født 12.03.2015, er syke samtidig.",  # a group's real birthday, not a rule's cut-off
        "De ansatte født 15.06.1970 fikk brev.",
    ],
)
def test_a_persons_birth_date_is_still_masked(text):
    out, counts = redact(text)
    assert counts["fodselsdato"] == 1, out


def test_digits_inside_an_organisational_link_are_not_a_phone():
    url = "https://www.regjeringen.no/no/dokumenter/prop.-1-s-20232024/id2997290/"
    out, counts = redact(f"Se {url} for detaljer.")
    assert out == f"Se {url} for detaljer."
    assert counts["telefon"] == 0 and counts["lenke"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/kontakt/ring-91234567",
        "https://trademarks.example.com/877/25/onnx-87725026.html",
        "https://www.regjeringen.no/no/kontakt/ring-91234567/",  # a mobile number, even on an organisation's host
    ],
)
def test_a_phone_number_inside_a_link_masks_the_whole_link(url):
    out, counts = redact(f"Se {url} i dag")
    assert out == "Se [LENKE] i dag" and counts["lenke"] == 1 and counts["telefon"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://www.nav.no/no/nav-og-samfunn/kunnskap/analyser-fra-nav/arbeid-og-velferd/arbeid-og-velferd/1234567",
        "https://lovdata.no/dokument/SF/forskrift/2017-06-21-844/1234567",
        "https://www.altinn.no/skjemaoversikt/arbeids--og-velferdsetaten-nav/1234567/",
        "https://www.ssb.no/arbeid-og-lonn/artikler/2845211",
        "https://www.oslo.kommune.no/politikk/saker/2023123456/",
        "https://www.helsenorge.no/om-oss/nyheter/9876543",
        "https://github.com/orgs/navikt/projects/1234567",
        "https://www.regjeringen.no/contentassets/1234567/rapport.pdf",
        "https://devtalk.example.com/default/topic/1049071/jetson-nano/",
        "https://zenodo.org/badge/latestdoi/155220641",
    ],
)
def test_an_organisational_link_with_a_document_id_stays(url):
    out, counts = redact(f"Se {url} i dag")
    assert out == f"Se {url} i dag" and counts["lenke"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://www.nav.no/saksoversikt/sak/123456789/dokument",  # a person's case
        "https://person.nav.no/mine-saker/1234567",
        "https://www.nav.no/no/dokumenter/01019010046",  # a fødselsnummer
        "https://www.altinn.no/ui/messagebox?fnr=01019010046",
        "https://www.nav.no/kontakt/kari.nordmann@example.no",
        "https://www.ssb.no/ansatte/kari-nordmann",
        "https://github.com/kari-nordmann/1234567",
        "https://forum.example.com/users/1049071",
    ],
)
def test_personal_links_on_organisational_hosts_stay_masked(url):
    out, counts = redact(f"Se {url} i dag")
    assert out == "Se [LENKE] i dag" and counts["lenke"] == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Lie ringte meg i går.", "[NAVN] ringte meg i går."),
        ("Strand fra NAV sa at vi måtte vente.", "[NAVN] fra NAV sa at vi måtte vente."),
        ("Berg sa at søknaden var mottatt.", "[NAVN] sa at søknaden var mottatt."),
        ("Takk for svaret. Moe skrev at det ordner seg.", "Takk for svaret. [NAVN] skrev at det ordner seg."),
    ],
)
def test_a_sentence_initial_ambiguous_surname_that_acts_is_a_name(text, expected):
    out, counts = redact(text)
    assert out == expected and counts["navn"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "Berg og dal hele veien.",
        "Strand og sjø er fint.",
        "Lie med utsikt.",
        "Haug av papirer på pulten.",
        "Bakke opp og ned.",
        "Dahl er et fint navn på en hund.",
        "Strand kommune sa ja.",  # a place
    ],
)
def test_sentence_initial_ordinary_words_that_are_surnames_stay(text):
    out, counts = redact(text)
    assert out == text and counts["navn"] == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("skriv til kari.nordmann (at) firma123.no", "skriv til [EPOST]"),  # a kept host with a digit
        ("kari.nordmann at firma123.no", "[EPOST]"),
        ("Gjelder Kari (født 12.03.1985 - 100% sykmeldt)", "Gjelder [NAVN] (født [FØDSELSDATO] - 100% sykmeldt)"),
        ("f. 12.03.1985 - 40 % stilling", "f. [FØDSELSDATO] - 40 % stilling"),
        ("Se brreg.no/enhet/974760673 for firmaet", "Se [LENKE] for firmaet"),  # a valid org number
    ],
)
def test_guards_around_the_new_exceptions(text, expected):
    assert redact(text)[0] == expected
