"""Nynorsk lemma errors (7 December): "bos" (rubbish) read as "bo"/"bose", "pårørande" as "pårøranda",
"kulturskulen" split as kultur|s|kule, the noun "brukar" ("ein brukar") read as the verb, and simplemma's nynorsk
guesses for words Ordbank knows ("pårørende" → "pårørenna", "sjukefråværet" → "sykefravære"). Nynorsk lemmas are
spelt as the bokmål one where the two standards differ (lemma_overrides.tsv, variants.tsv "head" rows), so a
nynorsk answer meets its bokmål twin and a bokmål codebook keyword."""

from __future__ import annotations

import pytest

from textmine.preprocess import analyze, normalize


def _lemmas(text: str, language: str) -> list[str]:
    return analyze(normalize(text), language=language)


@pytest.mark.parametrize("language", ["nn", "nb"])
@pytest.mark.parametrize("text", ["Det ligg bos overalt", "Bosset blir ikkje henta"])
def test_bos_is_rubbish_not_bo(text, language):
    out = _lemmas(text, language)
    assert "bos" in out and "bo" not in out and "bose" not in out, out


@pytest.mark.parametrize("language", ["nn", "nb"])
@pytest.mark.parametrize("text", ["Dei pårørande fekk ikkje svar", "Dei pårørende fekk ikkje svar"])
def test_parorande_meets_bokmal_parorende(text, language):
    assert _lemmas(text, language)[0] == "pårørende"


@pytest.mark.parametrize("language", ["nn", "nb"])
@pytest.mark.parametrize("word, lemma", [("kulturskulen", "kulturskole"), ("musikkskulen", "musikkskole")])
def test_skule_compounds_have_the_school_head_not_kule(word, lemma, language):
    out = _lemmas(f"Ho går på {word}", language)
    assert lemma in out and "skole" in out and "kule" not in out, out
    assert set(out) >= set(_lemmas(f"Hun går på {lemma}n", "nb")) - {"hun"}  # the bokmål twin's tokens


@pytest.mark.parametrize("text", ["Ein brukar må vente lenge på svar", "Det er ein brukar av tenesta som klagar",
                                  "Ny brukar fekk ikkje svar", "Som brukar har eg venta i fire veker",
                                  "Han er ein brukar."])
def test_noun_brukar_is_the_user(text):
    out = _lemmas(text, "nn")
    assert "bruker" in out and "bruke" not in out, out


@pytest.mark.parametrize("text", ["Eg brukar lang tid på skjemaet", "Ein brukar lang tid på skjemaet",
                                  "Kva brukar de tida på?", "Rekneskapsføraren min brukar meir tid på NAV-saker",
                                  "Dei brukar ikkje e-post"])
def test_verb_brukar_stays_the_verb(text):
    out = _lemmas(text, "nn")
    assert "bruke" in out and "bruker" not in out, out


@pytest.mark.parametrize("word, lemma", [("sjukefråværet", "sykefravær"), ("sesongarbeid", "sesongarbeid"),
                                         ("legevakta", "legevakt")])
def test_ordbank_word_beats_a_simplemma_nynorsk_guess(word, lemma):
    """simplemma's nn dictionary lacks these forms; its guess from the ending ("sykefravære", "sesongarbide",
    "legevakte") is no word, Ordbank's lemma is."""
    assert _lemmas(word, "nn")[0] == lemma


@pytest.mark.parametrize("word, lemma", [("sakene", "sak"), ("kjem", "komme"), ("tek", "ta")])
def test_simplemma_nynorsk_dictionary_still_wins_for_its_own_forms(word, lemma):
    """Forms of simplemma's nn dictionary keep its nynorsk reading where Ordbank reads them otherwise (Ordbank:
    "sakene" → "sake", "kjem" → "kjemme", "tek" → "tek")."""
    assert _lemmas(f"{word} tid", "nn")[0] == lemma


@pytest.mark.parametrize("text", ["jobbmessa var bortkasta", "innlogginga i altinn er et mareritt",
                                  "Hjelp oss med å rekruttere! Det er ingen som søker seg til bygda"])
def test_labelled_bokmal_with_radical_a_forms_stays_bokmal(resources, text):
    """Why «Rektor tok tak i mobbesaka» is left to lingua (and read as bokmål): these labelled bokmål comments
    (data/train) have the same evidence, definite -a forms only, and lingua leans nynorsk on them by as much
    (jobbmessa var bortkasta: 0.50 against 0.26; mobbesaka: 0.56 against 0.33)."""
    assert resources.language.detect(text) == "nb"
