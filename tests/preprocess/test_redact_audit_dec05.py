"""Privacy audit 5 December: names in capitals, licence plates, social handles, "bursdag", "+47 (0)…", "snabel-a"
and cued identifiers (patient, journal, HPR and employee numbers)."""

import csv
from pathlib import Path

import pytest

from textmine.preprocess import OUTPUT_COLUMNS, PII_TYPES, PLACEHOLDERS, Cleaner, redact
from textmine.preprocess.normalize import normalize

DATA = Path(__file__).resolve().parents[2] / "data"


def _check(text: str, expected: str, kind: str, n: int = 1) -> None:
    out, counts = redact(text)
    assert out == expected, f"{text!r}: expected {expected!r}, got {out!r}"
    assert counts[kind] == n, f"{text!r}: expected {n} × {kind}, got {counts}"


# -- 1. names in capitals -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KARI NORDMANN lovet det.", "[NAVN] lovet det."),  # surname only in name_last_no.txt
        ("OLA HANSEN lovet det.", "[NAVN] lovet det."),
        ("KARI NORDMANN RINGTE", "[NAVN] RINGTE"),  # shouted sentence: the whole name, not the verb
        ("legen min, dr. JOHANSEN", "legen min, dr. [NAVN]"),  # a cue before a name in capitals
        ("Hilsen KARI", "Hilsen [NAVN]"),
        ("Kontakt: Nguyen Van Anh", "Kontakt: [NAVN]"),  # a name particle inside the name
        ("Kontakt: Nguyen Van Anh, daglig leder.", "Kontakt: [NAVN], daglig leder."),
    ],
)
def test_names_in_capitals_and_particles_masked_whole(text, expected):
    _check(text, expected, "navn")


@pytest.mark.parametrize(
    "text",
    [
        "UMULIG Å KOMME GJENNOM", "NAV", "AAP", "IA", "NKS", "BHT", "NAV, AAP, IA, NKS og BHT er bare forkortelser",
        "Å KONTAKTE PER TELEFON ER UMULIG",  # an ambiguous first name in shouting, even after a cue word
        "KONTAKTPERSON PER TELEFON ER UMULIG",
        "SAKSBEHANDLER SVARTE ALDRI",
        "Vi kjøpte en Van til firmaet",  # a particle needs a name before it
    ],
)
def test_shouting_and_acronyms_stay(text):
    _check(text, text, "navn", 0)


# -- 2. licence plates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EL 12345 er firmabilen", "[KJENNEMERKE] er firmabilen"),  # a known prefix (electric series), uncued
        ("regnr EL12345", "regnr [KJENNEMERKE]"),
        ("regnr el12345", "regnr [KJENNEMERKE]"),  # glued lower case after a cue
        ("bil: DN 54321", "bil: [KJENNEMERKE]"),
        ("skilt AB 12345", "skilt [KJENNEMERKE]"),
        ("Kjennemerke KH 20481 tilhører den ansatte", "Kjennemerke [KJENNEMERKE] tilhører den ansatte"),
        ("Tjenestebilen ZT 4471 ble levert", "Tjenestebilen [KJENNEMERKE] ble levert"),  # 4 digits after a cue
        ("Firmabilen hans, EB12876, ble brukt", "Firmabilen hans, [KJENNEMERKE], ble brukt"),
    ],
)
def test_licence_plates_masked(text, expected):
    _check(text, expected, "kjennemerke")


@pytest.mark.parametrize(
    "text",
    [
        "IA 2024", "EU 2019", "kl 1430", "nr 12345", "AS 12345", "Fjordbuss AS 12500 for kurset",
        "Rapporten EL 2023 var nyttig",  # known prefix, but 4 digits (a year) without a cue
        "Leasingbilen er 12000 kr i måneden",  # a cue, but "er" is a word and the number an amount
        "bilen AB 2019",  # after a cue a 4-digit year stays
        "EL 12345 kr",  # an amount
        "mobil: AB 12345",  # "mobil" is no car
    ],
)
def test_plate_lookalikes_stay(text):
    _check(text, text, "kjennemerke", 0)


# -- 2. social handles ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@kari_nordmann92", "[NAVN]"),
        ("kontakt meg på snapchat @kari_nordmann92 i kveld", "kontakt meg på snapchat [NAVN] i kveld"),
        ("snap: karinordmann", "snap: [NAVN]"),  # a first name + surname run together
        ("insta: kari.nordmann", "insta: [NAVN]"),
        ("instagram: @ola_h", "instagram: [NAVN]"),
    ],
)
def test_social_handles_masked(text, expected):
    _check(text, expected, "navn")


@pytest.mark.parametrize(
    "text", ["Facebook: ingen svar der heller", "Vi møtes @14:00", "Skriv til @NAV på Facebook", "snap: svarer aldri"]
)
def test_handle_lookalikes_stay(text):
    _check(text, text, "navn", 0)


# -- 2. birth date after "bursdag", phone with "(0)", "snabel-a" ---------------------------------------------------
def test_bursdag_is_a_birth_cue():
    _check("bursdag 24/12-1960", "bursdag [FØDSELSDATO]", "fodselsdato")
    _check("Hun har bursdagen sin 3. mars 1977", "Hun har bursdagen sin 3. mars 1977", "fodselsdato", 0)
    _check("Bursdagsfeiring 12.03 ble avlyst", "Bursdagsfeiring 12.03 ble avlyst", "fodselsdato", 0)


@pytest.mark.parametrize(
    "text", ["tlf: +47 (0)91234567", "tlf: +47 (0) 912 34 567", "tlf: +47(0)91234567", "tlf: 0047 (0)91234567"]
)
def test_phone_with_bracketed_trunk_zero_masked_whole(text):
    _check(text, "tlf: [TELEFON]", "telefon")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kari snabel-a nav punktum no", "[EPOST]"),
        ("send til kari snabela nav.no", "send til [EPOST]"),
        ("kari.nordmann (snabel-a) gmail (dot) com", "[EPOST]"),
    ],
)
def test_snabel_a_email_masked(text, expected):
    _check(text, expected, "epost")


# -- 2. cued identifiers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected", "n"),
    [
        ("Pasient-ID 123456, journalnr 98765", "Pasient-ID [IDNUMMER], journalnr [IDNUMMER]", 2),
        ("HPR-nummer 1234567", "HPR-nummer [IDNUMMER]", 1),
        ("HPR 9144032 står på erklæringen", "HPR [IDNUMMER] står på erklæringen", 1),
        ("ansattnr 4711", "ansattnr [IDNUMMER]", 1),
        ("ansatt nr. 3318 fikk avslag", "ansatt nr. [IDNUMMER] fikk avslag", 1),
        ("Ansatt-ID: 88213", "Ansatt-ID: [IDNUMMER]", 1),
        ("ansattnummeret hennes er 4711", "ansattnummeret hennes er [IDNUMMER]", 1),
        ("journalnummeret er 2211456", "journalnummeret er [IDNUMMER]", 1),
        ("Personalnummer 00412", "Personalnummer [IDNUMMER]", 1),
        ("HPR-nummer 91234567", "HPR-nummer [IDNUMMER]", 1),  # not a phone number after "nummer"
    ],
)
def test_cued_personal_identifiers_masked(text, expected, n):
    _check(text, expected, "idnummer", n)


@pytest.mark.parametrize(
    "text",
    [
        "kundenr 2023/12345",  # a customer number: the organisation's reference (a cued NAV case number is masked)
        "kundenr 123456", "Journalposten har nummer 88123", "journalpost 12345", "Vi har 4711 ansatte",
        "Ansatt nr 2 ble sykmeldt først", "Ordrenr 556677",
    ],
)
def test_organisational_references_stay(text):
    _check(text, text, "idnummer", 0)


def test_personal_number_after_id_cue_keeps_its_type():
    _check("pasientnr 01019012480", "pasientnr [FØDSELSNUMMER]", "fodselsnummer")


# -- the new types everywhere a type is listed --------------------------------------------------------------------
def test_new_types_have_placeholders_the_features_drop():
    from textmine.classify.lexical import feature_text

    for kind, placeholder in (("kjennemerke", "[KJENNEMERKE]"), ("idnummer", "[IDNUMMER]")):
        assert kind in PII_TYPES and PLACEHOLDERS[kind] == placeholder, kind
        assert feature_text(f"bilen {placeholder} står") == "bilen står", placeholder


def test_cleaner_counts_new_types_in_columns():
    out = Cleaner(detect_language=False, lemmatize=False).transform(["regnr EL12345 og ansattnr 4711"])
    assert {"pii_kjennemerke", "pii_idnummer"} <= set(OUTPUT_COLUMNS)
    row = out.iloc[0]
    assert (row["pii_kjennemerke"], row["pii_idnummer"], row["pii_count"]) == (1, 1, 2), row.to_dict()


def _corpus_texts() -> set[str]:
    files = sorted(DATA.glob("train/*.csv")) + [DATA / "eval" / "eval_set.csv"] + sorted(DATA.glob("sample/*.csv"))
    texts = set()
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for col in ("text", "fritekst_sykefravaer", "fritekst_generell"):
                    if row.get(col):
                        texts.add(normalize(row[col]))
    return texts


def test_survey_corpus_has_no_plate_id_or_handle_masks(redactor):
    """The corpus (train, eval set, sample) holds no plates, identifiers or handles: none may be masked (a NAV case
    number after its cue, «saksnummer 22/55936», is masked as an identifier on purpose)."""
    from textmine.preprocess.redact import CASE_NUMBER_CUED

    wrong = []
    for text in _corpus_texts():
        out, counts = redactor.redact(CASE_NUMBER_CUED.sub(" ", text))
        handles = dict.fromkeys(counts, 0)
        redactor._redact_handles(text, handles)
        if counts["kjennemerke"] or counts["idnummer"] or handles["navn"]:
            wrong.append((text, out))
    assert not wrong, wrong[:5]
