"""Review w3, findings 3 and 4: personal numbers with wrong check digits after a cue, and non-answers with fillers."""

import pytest

from textmine.preprocess import is_non_answer
from textmine.preprocess.redact import personal_number_type

BAD = "24049212345"  # a plausible birth date (24.04.92), wrong check digits
BAD_D = "41049212345"  # the same as a D-nummer (day + 40), wrong check digits


def test_the_test_numbers_fail_the_checksum():
    assert personal_number_type(BAD) is None and personal_number_type(BAD_D) is None


@pytest.mark.parametrize(
    "text, kind",
    [
        (f"fnr {BAD} gjelder refusjon", "fodselsnummer"),
        (f"Fødselsnummer: {BAD[:6]} {BAD[6:]}, hun venter på sykepenger", "fodselsnummer"),
        (f"personnummer {BAD} til den ansatte", "fodselsnummer"),
        (f"Fnr. er {BAD[:6]}.{BAD[6:]}", "fodselsnummer"),
        (f"pnr {BAD[:6]}-{BAD[6:]}", "fodselsnummer"),
        (f"f.nr {BAD}", "fodselsnummer"),
        (f"personlig id: {BAD}", "fodselsnummer"),
        (f"fnr{BAD} mangler", "fodselsnummer"),  # glued to the cue
        (f"fnr/{BAD}", "fodselsnummer"),
        (f"fnr:{BAD}", "fodselsnummer"),
        (f"d-nr {BAD_D}", "dnummer"),
        (f"D-nummer: {BAD[:6]} {BAD[6:]}", "dnummer"),  # the cue names a D-nummer
        (f"fødselsnummer {BAD_D}", "dnummer"),  # day + 40
        ("fnr 12345678903", "fodselsnummer"),  # passes the account checksum, but the cue says what it is
        ("fnr 01 01 90 10047", "fodselsnummer"),  # date-grouped, fails the checksum: the cue decides
        (f"fnr {BAD[:2]} {BAD[2:4]} {BAD[4:6]} {BAD[6:]}", "fodselsnummer"),
    ],
)
def test_cued_11_digits_are_masked_without_valid_check_digits(redactor, text, kind):
    out, counts = redactor.redact(text)
    assert not any(ch.isdigit() for ch in out), out
    assert counts[kind] == 1 and sum(counts.values()) == 1, counts


@pytest.mark.parametrize(
    "text",
    [
        f"Vi hadde {BAD} saker",  # no cue: the checksum rule stays
        f"ID{BAD} mangler",
        f"saksnr {BAD} gjelder oss",
        f"Saken {BAD[:6]} {BAD[6:]} er lukket",
        # (a cued number of ten or twelve digits is a mistyped personal number and is masked:
        # tests/preprocess/test_redact_cued_number_lengths.py)
    ],
)
def test_uncued_or_other_shapes_keep_the_checksum_rule(redactor, text):
    out, counts = redactor.redact(text)
    assert out == text and sum(counts.values()) == 0


def test_cleaner_text_clean_holds_no_cued_personal_number(cleaner):
    texts = [f"fnr {BAD} gjelder refusjon", f"fødselsnummer: {BAD[:6]} {BAD[6:]}, hun venter"]
    out = cleaner.transform(texts)
    assert list(out["pii_count"]) == [1, 1]
    assert not any(BAD[:6] in t for t in out["text_clean"]), list(out["text_clean"])


@pytest.mark.parametrize(
    "text",
    ["nei altså", "vet ikke altså", "ingen kommentar hehe", "nei :)", "nei :D", "Ingen kommentar xD",
     "vet ikke, sorry", "nope hehe", "nei takk", "nei takk altså", "Nei 😊", "hehe nei", "haha vet ikke",
     "Beklager, vet ikke", "Nei dessverre", "ingen kommentar utover det hehe", "Takk altså!", "ikkje noko å seie asså",
     "Nei, ingen kommentar. Hmm"],
)
def test_non_answer_with_fillers_is_a_non_answer(text):
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    ["nei, men saksbehandlingstiden er for lang", "nei altså, det er for dårlig", "Ingen svar hehe", "haha bra",
     "Tusen takk for hjelpen", "altså", "sorry", "Vet ikke hvem jeg skal ringe altså", "nei til flere skjema hehe"],
)
def test_content_around_fillers_stays_an_answer(text):
    assert not is_non_answer(text)


def test_default_coder_gives_no_theme_to_filler_non_answers():
    from textmine.classify import default_coder

    texts = ["vet ikke altså", "nei altså", "ingen kommentar hehe"]
    pred = default_coder().predict(texts)
    assert all(not t for t in pred["themes"]), list(pred["themes"])


@pytest.mark.parametrize(
    "text, masked",
    [
        ("Fødselsnummer til den ansatte er 01017012345", True),  # the cue a few words earlier
        ("personnummeret hennes var 01017012345", True),
        ("Fødselsnummeret står ikke på skjemaet. Saken 01017012345 er lukket", False),  # another sentence
        ("Personnummer mangler, vi hadde 01017012345 saker", False),  # a comma ends the phrase
    ],
)
def test_a_personal_number_cue_a_few_words_earlier(redactor, text, masked):
    out, _ = redactor.redact(text)
    assert ("01017012345" not in out) is masked, out
