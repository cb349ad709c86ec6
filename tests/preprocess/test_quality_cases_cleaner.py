"""Hand-made quality cases for the cleaner: Excel/mojibake debris, reference non-answers, nynorsk variants."""

import pytest

from textmine.preprocess import analyze, normalize


@pytest.mark.parametrize("cell", ["#I/T", "#VERDI!", "#NAVN?", "#TALL!", "#DIV/0!", "#NUM!", "#NULL!", " #SPILL! "])
def test_excel_error_values_are_empty_cells(cell, resources):
    # Norwegian Excel localises #N/A -> #I/T, #VALUE! -> #VERDI!; they are debris, not answers
    assert normalize(cell) == ""
    assert resources.nonanswer.detect(normalize(cell))


@pytest.mark.parametrize("raw, clean", [
    ("fÃ¸rst", "først"),
    ("Ã…pningstid pÃ¥ NAV-kontoret er for kort", "Åpningstid på NAV-kontoret er for kort"),
    ("Ã˜konomi og sykmeldingsÂ\u00a0periode", "Økonomi og sykmeldings periode"),
    ("Bra\u2060kontor", "Brakontor"),  # word joiner (zero-width)
])
def test_mojibake_and_word_joiner_are_repaired(raw, clean):
    assert normalize(raw) == clean


@pytest.mark.parametrize("text", ["først og Ã¥", "SÃO PAULO", "Lang ventetid på NAV"])
def test_text_that_is_not_whole_mojibake_is_left_alone(text):
    assert normalize(text) == text


@pytest.mark.parametrize("text", [
    "Se over", "se over.", "Se svar over", "Som nevnt", "Som nevnt over.", "Samme som over",
    "Sjå over", "som nemnt", "Kan ikke svare på det", "kan ikkje svare",
])
def test_references_to_other_answers_are_non_answers(text, resources):
    assert resources.nonanswer.detect(normalize(text))


@pytest.mark.parametrize("text", [
    "Som nevnt over er ventetiden for lang", "Se over, NAV svarer aldri", "Nei, NAV svarer aldri",
    "ingen svar fra NAV", "vet ikke hvem jeg skal ringe", "Nei til mer byråkrati", "Ikkje bra",
])
def test_real_short_answers_stay_answers(text, resources):
    assert not resources.nonanswer.detect(normalize(text))


@pytest.mark.parametrize("variant, standard", [
    ("sjukmeld", "sykmeldt"), ("Ho er sjukmeld", "sykmeldt"),
    ("arbeidsgjevar", "arbeidsgiver"), ("arbeidsgjevaren", "arbeidsgiver"), ("arbeidsgjevarane", "arbeidsgiver"),
])
def test_nynorsk_variants_fold_to_bokmal_lemma(variant, standard):
    assert standard in analyze(variant)
