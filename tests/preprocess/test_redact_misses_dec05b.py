"""Privacy re-audit H4 (5 December): redaction misses and over-masking.

Sentence-initial "Per" as a name, long name lists, phones in odd groupings or spelled in words, a letter O typed for
a zero, gårds-/bruksnummer ([EIENDOM]), a sole proprietor's organisation number, Vietnamese three-part names and
lower-case particles, bracketed foreign country codes, letter-prefixed passport numbers; "vitamin D. Berg" and public
agencies' social-media pages stay.
"""

from __future__ import annotations

import pytest

from textmine.preprocess import OUTPUT_COLUMNS, PII_TYPES, PLACEHOLDERS

from .conftest import assert_redacts, redacts_to, stays_as_is


test_sentence_initial_per_acting_is_a_name = redacts_to(
    [
        ("Per ringte meg i går og sa at saken var avsluttet.",
         "[NAVN] ringte meg i går og sa at saken var avsluttet."),
        ("Per sa at vi måtte vente.", "[NAVN] sa at vi måtte vente."),
        ("Per fra NAV lovet å ringe.", "[NAVN] fra NAV lovet å ringe."),
    ],
    "navn",
)


test_preposition_per_stays = stays_as_is(
    [
        "Per i dag har vi ikke fått svar.",
        "Per 1. januar endres reglene.",
        "Vi fikk beskjed per telefon.",
        "Det koster 300 kr per måned.",
        "Per ansatt koster det 500 kr.",
        "Per nå er det ingen som svarer.",
    ],
)


test_every_name_in_a_list_is_masked = redacts_to(
    [
        ("Per, Kari, Ola og Lise i HR-avdelingen har hjulpet oss.",
         "[NAVN], [NAVN], [NAVN] og [NAVN] i HR-avdelingen har hjulpet oss."),
        ("Kari, Ola, Per og Lise i HR-avdelingen har hjulpet oss.",
         "[NAVN], [NAVN], [NAVN] og [NAVN] i HR-avdelingen har hjulpet oss."),
        ("Takk til kari, ola, per og lise.", "Takk til [NAVN], [NAVN], [NAVN] og [NAVN]."),
        ("KARI, OLA, PER OG LISE i HR", "[NAVN], [NAVN], [NAVN] OG [NAVN] i HR"),
        ("Vi snakket med Kari, Ola, Tone og Per.", "Vi snakket med [NAVN], [NAVN], [NAVN] og [NAVN]."),
    ],
    "navn",
)


test_lists_of_ordinary_words_stay = stays_as_is(
    [
        "Bergen, Oslo, Trondheim og Stavanger har egne kontor.",
        "Mai, juni og juli er travle måneder.",
        "Liv, helse og trivsel er viktig for oss.",
        "Vi har to, tre eller fire ansatte på jobb.",
    ],
)


@pytest.mark.parametrize(
    "text, expected, kind",
    [
        ("Ring meg på ni to tre fire fem seks sju åtte.", "Ring meg på [TELEFON].", "telefon"),
        ("Tlf: nittito trettifire femtiseks syttiåtte", "Tlf: [TELEFON]", "telefon"),
        ("Nummeret mitt er 92 345 678.", "Nummeret mitt er [TELEFON].", "telefon"),
        ("Mobilnummeret hennes er 412 34 567 om dere trenger det.",
         "Mobilnummeret hennes er [TELEFON] om dere trenger det.", "telefon"),
        ("tlf 92-345-678", "tlf [TELEFON]", "telefon"),
        ("tlf 9234 5678", "tlf [TELEFON]", "telefon"),
        ("tlf 923 45 678", "tlf [TELEFON]", "telefon"),
        ("Fødselsnummeret er 0101901248O.", "Fødselsnummeret er [FØDSELSNUMMER].", "fodselsnummer"),
        ("Han har fnr 0101901248o", "Han har fnr [FØDSELSNUMMER]", "fodselsnummer"),
        ("Ring meg på (+46) 70 123 45 67.", "Ring meg på [TELEFON].", "telefon"),
        ("Tlf (0044) 7700 900123", "Tlf [TELEFON]", "telefon"),
    ],
)
def test_phones_and_personal_numbers_in_odd_forms(text, expected, kind):
    assert_redacts(text, expected, kind)


test_number_words_amounts_and_versions_stay = stays_as_is(
    [
        "Ring meg hvis dere har to tre fire spørsmål.",
        "Vi ringte tjue ganger, tretti ganger, førti ganger.",
        "Versjon 2O24 av skjemaet.",
        "Rapport nr 10O000 er sendt.",
        "Omsetningen var 92 345 678 kroner i fjor.",
        "Beløpet (+12) 345 678 kr er feil.",
    ],
)


def test_property_is_a_new_type_with_its_own_column():
    assert "eiendom" in PII_TYPES and PLACEHOLDERS["eiendom"] == "[EIENDOM]"
    assert "pii_eiendom" in OUTPUT_COLUMNS


test_gards_and_bruksnummer_masked = redacts_to(
    [
        ("Eiendommen gnr. 12 bnr. 34 i Lier kommune.", "Eiendommen [EIENDOM] i Lier kommune."),
        ("Det gjelder gnr/bnr 12/34.", "Det gjelder [EIENDOM]."),
        ("Gårdsnummer 12, bruksnummer 34 er feil.", "[EIENDOM] er feil."),
        ("Saken gjelder g.nr. 45 b.nr. 6 i Asker.", "Saken gjelder [EIENDOM] i Asker."),
        ("Jeg eier gnr. 8 bnr. 12 fnr. 3 sammen med broren min.", "Jeg eier [EIENDOM] sammen med broren min."),
        ("gnr/bnr: 33/4/2 står i skjøtet.", "[EIENDOM] står i skjøtet."),
    ],
    "eiendom",
)


test_property_words_without_numbers_stay = stays_as_is(
    ["Gnr og bnr står i skjøtet.", "Vedtaket etter sak 12/34 kom i går.", "Vi har 12 gårder og 34 bruk."],
)


test_sole_proprietor_org_number_masked = redacts_to(
    [
        ("Ola Hansen ENK, org.nr 912-345-602, har ikke fått refusjon.",
         "[NAVN] ENK, org.nr [ORGNUMMER], har ikke fått refusjon."),
        ("Jeg driver enkeltpersonforetak med orgnr 912 34 56 10.",
         "Jeg driver enkeltpersonforetak med orgnr [ORGNUMMER]."),
        # a mistyped check digit: the owner's number all the same
        ("Enkeltpersonforetaket mitt (org.nr 912 345 611) fikk avslag.",
         "Enkeltpersonforetaket mitt (org.nr [ORGNUMMER]) fikk avslag."),
        ("Kari Nordmann, org.nr. 998-765-404, leverer tjenesten.", "[NAVN], org.nr. [ORGNUMMER], leverer tjenesten."),
    ],
    "orgnummer",
)


test_company_org_numbers_keep_their_rule = redacts_to(
    [
        # a company's number keeps the checksum rule: a valid one is masked as before, an invalid one stays
        ("Equinor ASA org.nr 912 345 603 ble nevnt.", "Equinor ASA org.nr 912 345 603 ble nevnt."),
        ("Equinor ASA org.nr 923609016 er en stor bedrift.", "Equinor ASA org.nr [ORGNUMMER] er en stor bedrift."),
        ("Kari Nordmann AS org.nr 912 345 603 er vår regnskapsfører.",
         "[NAVN] AS org.nr 912 345 603 er vår regnskapsfører."),
        ("Enkeltpersonforetak med omsetning 912 345 678 kr i fjor.",
         "Enkeltpersonforetak med omsetning 912 345 678 kr i fjor."),
    ],
)


test_three_part_names_and_lower_case_particles = redacts_to(
    [
        ("Saksbehandler Tran Thi Mai var flink.", "Saksbehandler [NAVN] var flink."),
        ("Tran Thi Mai ringte meg i går.", "[NAVN] ringte meg i går."),
        ("Saksbehandler van der Berg var flink.", "Saksbehandler [NAVN] var flink."),
        ("Jeg snakket med de la Cruz på telefon.", "Jeg snakket med [NAVN] på telefon."),
        ("Hilsen Maria de la Cruz", "Hilsen [NAVN]"),
    ],
    "navn",
)


test_particle_look_alikes = redacts_to(
    [
        ("Det var bare de la oss vente.", "Det var bare de la oss vente."),
        ("Vi har en Thi Mai-restaurant i byen.", "Vi har en Thi Mai-restaurant i byen."),
        ("Takk til Kari da Ola kom.", "Takk til [NAVN] da [NAVN] kom."),  # a first name alone is no surname
    ],
)


test_letter_prefixed_passport_numbers = redacts_to(
    [
        ("Pass nr. FN1234567 ble stjålet.", "Pass nr. [IDNUMMER] ble stjålet."),
        ("passnummer: FN1234567", "passnummer: [IDNUMMER]"),
        ("Førerkortnr AB 1234567 står på kortet.", "Førerkortnr [IDNUMMER] står på kortet."),
    ],
    "idnummer",
)


test_letter_prefixed_numbers_without_a_passport_cue_stay = stays_as_is(
    ["Flyet SK1234567 ble kansellert.", "Passnummeret mitt er utløpt, ordre AB1234567 er sendt."],
)


test_letter_label_is_not_an_initial = redacts_to(
    [
        ("Vi bør ta vitamin D. Berg og dal er fint.", "Vi bør ta vitamin D. Berg og dal er fint."),
        ("Bruk plan B. Strand er stengt.", "Bruk plan B. Strand er stengt."),
        ("Jeg snakket med K. Berg i går.", "Jeg snakket med [NAVN] i går."),  # an initial after "med" still is one
        ("Hilsen K. Nordmann", "Hilsen [NAVN]"),
    ],
)


test_public_agency_pages_stay = redacts_to(
    [
        ("Følg oss på facebook.com/navno for nyheter.", "Følg oss på facebook.com/navno for nyheter."),
        ("Se https://www.facebook.com/oslokommune", "Se https://www.facebook.com/oslokommune"),
        ("Skriv til @skatteetaten på Instagram", "Skriv til @skatteetaten på Instagram"),
        ("Se facebook.com/kari.nordmann.77", "Se [NAVN]"),
    ],
)
