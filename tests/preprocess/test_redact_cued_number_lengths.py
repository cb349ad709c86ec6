"""A personal number after a personal-number cue, written with one digit too few (10) or too many (12).

The cue ("fnr", "fødselsnummer", "personnummer", "f.nr.", "d-nr", or such a cue a few words earlier in the
same phrase) says what the digits are; the whole run is masked, in any grouping. Without the cue, or when
the words right before the number are another kind's cue (a phone, a case number), 10 and 12 digits keep
their earlier handling: phone numbers with a country code, order and customer numbers.
"""

import pytest

FNR = "28077940091"  # a valid fødselsnummer (both check digits)
DNR = "49088140043"  # a valid D-nummer


@pytest.mark.parametrize(
    "text, kind",
    [
        # ten digits: one missing
        ("fødselsnummer 123456 7890", "fodselsnummer"),
        ("Fnr: 2807794009, gjelder refusjon", "fodselsnummer"),
        ("f.nr. 280779 4009 mangler i søknaden", "fodselsnummer"),
        ("personnummer 28 07 79 40 09", "fodselsnummer"),
        ("pnr 2807-794009", "fodselsnummer"),
        ("Fødselsnummer til den ansatte er 280779 4009.", "fodselsnummer"),  # the cue a few words earlier
        ("fnr2807794009 mangler", "fodselsnummer"),  # glued to the cue
        ("d-nr 4908814004", "dnummer"),
        ("D-nummer: 490881 4004", "dnummer"),
        # twelve digits: one extra
        ("Fnr: 12345678901 2", "fodselsnummer"),
        (f"fnr {FNR}5 gjelder sykepenger", "fodselsnummer"),
        (f"Fødselsnummeret mitt er 3{FNR}, beklager tastefeilen", "fodselsnummer"),
        (f"personnummer {FNR[:6]} {FNR[6:]}4", "fodselsnummer"),
        (f"fødselsnummer {FNR[:6]} {FNR[6:]} 7", "fodselsnummer"),  # the whole run, not 11 digits + " 7"
        ("Fødselsnummer til den ansatte er 24 04 92 48 34 78", "fodselsnummer"),
        (f"fnr/{FNR}9", "fodselsnummer"),
        (f"d-nr: 7{DNR}", "dnummer"),
    ],
)
def test_cued_10_or_12_digits_are_masked_whole(redactor, text, kind):
    out, counts = redactor.redact(text)
    assert not any(ch.isdigit() for ch in out), out
    assert counts[kind] == 1 and sum(counts.values()) == 1, counts


def test_other_pii_in_the_same_text_keeps_its_type(redactor):
    out, counts = redactor.redact("fnr 2807794009 og tlf 91234567, konto 1234.56.78903")
    assert out == "fnr [FØDSELSNUMMER] og tlf [TELEFON], konto [KONTONUMMER]"
    assert counts["fodselsnummer"] == counts["telefon"] == counts["kontonummer"] == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ordrenummer 2309554006 ble aldri levert.", None),
        ("Kundenummeret vårt er 280779400912, det står på fakturaen.", None),
        ("Vi hadde 2807794009 kr i omsetning", None),
        ("Referanse 1234 5678 9012 i brevet", None),
        ("Saken 280779 4009 er lukket", None),
        ("Fnr ligger i saksnr 2404921234 hos dere.", None),  # the number right after a case-number cue
        (f"fnr {FNR} 2024", "fnr [FØDSELSNUMMER] 2024"),  # 11 digits and a year: not one 15-digit run
    ],
)
def test_uncued_10_and_12_digits_are_unchanged(redactor, text, expected):
    out, _ = redactor.redact(text)
    assert out == (expected or text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Fødselsnummer og tlf 4791234567 ble sendt", "Fødselsnummer og tlf [TELEFON] ble sendt"),
        ("Ring meg på 4791234567", "Ring meg på [TELEFON]"),
        ("+47 91 23 45 67", "[TELEFON]"),
        ("fnr og kontonummer 1234 56 78903", "fnr og kontonummer [KONTONUMMER]"),  # 11 digits: an account
        ("fnr, org.nr 974760673", "fnr, org.nr [ORGNUMMER]"),  # 9 digits: an org number
    ],
)
def test_phone_account_and_org_numbers_keep_their_type_near_a_cue(redactor, text, expected):
    out, _ = redactor.redact(text)
    assert out == expected


def test_cleaner_text_clean_masks_cued_typo_numbers(cleaner):
    texts = ["Fnr: 2807794009, gjelder refusjon", f"fødselsnummer: {FNR}5, hun venter"]
    out = cleaner.transform(texts)
    assert not any(any(ch.isdigit() for ch in t) for t in out["text_clean"]), out["text_clean"].tolist()
    assert out["pii_fodselsnummer"].tolist() == [1, 1]
