"""Lemmas that depend on the neighbouring words: «klart» after a form of «ha» is the verb «klare» ("har klart
å", "managed to"), elsewhere the adjective «klar» («klart språk»); «søker» after a determiner or adjective, or as
the subject before a finite verb, is the noun, the applicant («søker», as the rekruttering keyword «søkere»),
elsewhere the verb «søke» («vi søker om refusjon»)."""

from __future__ import annotations

import pytest

from textmine.classify.lexical import KeywordMatcher
from textmine.codebook import load_codebook
from textmine.paths import DEFAULT_CODEBOOK
from textmine.preprocess import Cleaner, analyze, normalize


def _lemmas(text: str, language: str = "nb") -> list[str]:
    return analyze(normalize(text), language=language)


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("text", [
    "Ingen har klart å forklare det.", "Vi hadde klart det selv.", "Eg har ikkje klart å ringe dei.",
    "Uten NAV hadde vi ikke klart oss gjennom krisen.", "Har dere klart å finne en løsning?",
    "Vi har endelig klart det",
])
def test_klart_after_a_form_of_ha_is_the_verb_klare(text, language):
    got = _lemmas(text, language)
    assert "klare" in got and "klar" not in got, f"{text!r} ({language}): expected «klare», not «klar», in {got}"


@pytest.mark.parametrize("text", [
    "Det er klart at NAV må svare raskere.", "Forklar i klart språk hvorfor beløpet avviker.",
    "NAV har klart språk i brevene.", "Det har klart blitt bedre.", "klart",
])
def test_klart_elsewhere_is_the_adjective_klar(text):
    got = _lemmas(text)
    assert "klar" in got and "klare" not in got, f"{text!r}: expected «klar», not «klare», in {got}"


@pytest.mark.parametrize("text", [
    "Annonsen lå ute i to måneder uten en eneste søker.", "Vi fikk ikke én relevant søker fra NAV.",
    "Søker må vente i ukevis på svar.", "Søker får ikke svar.", "Som søker har jeg ventet lenge.",
])
def test_the_noun_soker_is_the_applicant(text):
    got = _lemmas(text)
    assert "søker" in got and "søke" not in got, f"{text!r}: expected the noun «søker», not «søke», in {got}"


@pytest.mark.parametrize("text", [
    "Vi søker om refusjon hver måned.", "Søker jeg på permittering får jeg alt annet.", "Ingen som søker der.",
    "De som søker har krav på svar.", "Når vi søker får vi avslag.", "søker",
])
def test_the_verb_soker_stays_soke(text):
    got = _lemmas(text)
    assert "søke" in got and "søker" not in got, f"{text!r}: expected the verb «søke», not «søker», in {got}"


def test_an_applicant_meets_the_rekruttering_keyword_and_the_verb_does_not():
    """The codebook keyword «søkere» has the lemma «søker»: the noun in «uten en eneste søker» now matches it;
    «vi søker om lønnstilskudd» (the verb) still does not."""
    codebook = load_codebook(DEFAULT_CODEBOOK)
    col = [t.id for t in codebook.themes].index("rekruttering")
    texts = ["Stillingen lå ute i tre måneder uten en eneste søker.", "Vi søker om lønnstilskudd for en ny ansatt."]
    cleaned = Cleaner(detect_language=False).fit().transform(texts)
    counts = KeywordMatcher(codebook).counts(cleaned["text_clean"].tolist(), cleaned["lemmas"].tolist())
    got = counts[:, col].tolist()
    assert got == [1, 0], f"rekruttering keyword hits {got}, expected [1, 0]"
