"""Adjective neuter -t forms that the Ordbank merge (noun > verb > adj) gave another word's lemma: "fint" was read as
"finte" (a feint), "klart" as the verb "klare", "åpenbart" as "åpenbare", "likt" as "like", "fritt" as "fritte",
"bredt" as "bre" (rows of ``lemma_overrides.tsv``, reviewed on the survey corpus)."""

from __future__ import annotations

import pytest

from textmine.preprocess import analyze, normalize


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("word, lemma", [
    ("fint", "fin"), ("klart", "klar"), ("åpenbart", "åpenbar"), ("likt", "lik"), ("fritt", "fri"), ("bredt", "bred"),
])
def test_adjective_neuter_forms_get_the_adjective_lemma(word, lemma, language):
    got = analyze(word, language=language)
    assert got == [lemma], f"{word!r} ({language}): expected the adjective lemma [{lemma!r}], got {got}"


@pytest.mark.parametrize("text, lemma, wrong", [
    ("Hadde vært fint om dere ringte tilbake.", "fin", "finte"),
    ("Fint at sykmeldingene kommer digitalt nå.", "fin", "finte"),
    ("Forklar i klart språk hvorfor beløpet avviker.", "klar", "klare"),
    ("Det er åpenbart at dere ikke har lest søknaden.", "åpenbar", "åpenbare"),
    ("Ingen på NAV kunne svare likt to ganger.", "lik", "like"),
])
def test_in_survey_answers_the_adjective_is_read(text, lemma, wrong):
    got = analyze(normalize(text), language="nb")
    assert lemma in got and wrong not in got, f"{text!r}: expected {lemma!r} and no {wrong!r} in {got}"


def test_the_noun_finte_keeps_its_own_lemma():
    """Only the bare neuter form is overridden: the noun's other forms still lemmatise to «finte»."""
    assert analyze("finten", language="nb") == ["finte"]
    assert analyze("fintene", language="nb") == ["finte"]


@pytest.mark.parametrize("word, lemma", [
    ("godt", "godt"), ("helt", "helt"), ("enkelt", "enkelt"), ("raskt", "rask"), ("greit", "grei"),
    ("flott", "flott"), ("bra", "bra"), ("dårlig", "dårlig"), ("vanskelig", "vanskelig"), ("tungvint", "tungvint"),
])
def test_other_frequent_adjective_and_adverb_forms_are_unchanged(word, lemma):
    """These already had the adjective's lemma or their own (adverb use); the exception rows leave them as they were."""
    assert analyze(word, language="nb") == [lemma], f"{word!r}: expected [{lemma!r}]"
