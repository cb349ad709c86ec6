"""Lemma and keyword gaps of the 5 December review: nynorsk "brukar" and other -ar agent nouns whose bokmål lemma
was missed, a place name read as a nynorsk verb ("Førde" → "føre"), and a keyword verb / -ing noun pair that
did not match ("mobbing" vs "mobbet")."""

from __future__ import annotations

import pytest

from textmine.classify.lexical import KeywordMatcher
from textmine.codebook import Codebook
from textmine.preprocess import analyze, normalize


def _themes(text: str, language: str, keywords: dict[str, list[str]]) -> set[str]:
    cb = Codebook.from_dict({
        "name": "gaps", "version": "1.0", "language": "nb", "types": ["klage", "ønske", "ros"],
        "themes": [{"id": k, "label": k, "description": f"Tema {k}.", "keywords": v} for k, v in keywords.items()],
    })
    lemmas = " ".join(analyze(normalize(text), language=language))
    hits = KeywordMatcher(cb, verb_noun_pairs=True).predict([normalize(text)], [lemmas])[0]
    return {t.id for t, h in zip(cb.themes, hits) if h}


# -- 1. brukar and other nynorsk -ar agent nouns --------------------------------------------------------------
@pytest.mark.parametrize("language", ["nn", "nb"])
@pytest.mark.parametrize("word", ["brukaren", "brukarar", "brukarane"])
def test_noun_forms_of_brukar_get_bruker(word, language):
    assert analyze(word, language=language)[0] == "bruker", f"{word} ({language}): expected the lemma 'bruker'"


@pytest.mark.parametrize("language", ["nn", "nb"])
def test_bare_brukar_is_the_verb_as_bokmal_bruker_is(language):
    """Every "brukar" of the survey corpus is the present tense ("Eg brukar lang tid"); bokmål "bruker" → bruke."""
    assert analyze("Eg brukar lang tid på skjemaet", language=language)[0] == "bruke"
    assert analyze("Jeg bruker lang tid på skjemaet", language="nb")[0] == "bruke"


@pytest.mark.parametrize("word, lemma", [
    ("gardbrukar", "gardbruker"), ("deltakar", "deltaker"), ("mottakar", "mottaker"), ("forbrukar", "forbruker"),
    ("søkjarar", "søker"), ("arbeidssøkjar", "arbeidssøker"), ("rådgjevaren", "rådgiver"),
    ("IA-rådgjevar", "ia-rådgiver"), ("innbyggjar", "innbygger"), ("huseigaren", "huseier"),
    ("reinhaldarane", "renholder"), ("rekneskapsføraren", "regnskapsfører"), ("arbeidsgjevarar", "arbeidsgiver"),
    ("saksbehandlar", "saksbehandler"), ("sakshandsamar", "saksbehandler"), ("sakshandsamarane", "saksbehandler"),
])
def test_nynorsk_agent_nouns_get_the_bokmal_lemma(word, lemma):
    got = analyze(word, language="nn")
    assert got[0] == lemma, f"{word}: expected {lemma!r} first, got {got}"


def test_sakshandsamaren_matches_the_keyword_saksbehandler():
    assert "kontakt" in _themes("Sakshandsamaren var grei", "nn", {"kontakt": ["saksbehandler"]})


@pytest.mark.parametrize("language, lemma", [("nn", "stilling"), ("nb", "stillingar")])
def test_a_nynorsk_plural_in_ar_is_no_agent_noun(language, lemma):
    """"stillingar" is the plural of "stilling", not "stillinger" (no Ordbank lemma): left to the other rules."""
    got = analyze("stillingar", language=language)
    assert got[0] == lemma and "stillinger" not in got, got


# -- 2. place names inside a sentence ------------------------------------------------------------------------
@pytest.mark.parametrize("text, places", [
    ("Det er umogleg å nå nokon på nav Førde.", ["førde"]),
    ("Kontoret i Førde, Florø og Stord svarar ikkje", ["førde", "florø", "stord"]),
    ("Eg ringde i går. Vi bur i Førde", ["førde"]),
])
def test_a_place_inside_a_sentence_keeps_its_form(text, places):
    got = analyze(text, language="nn")
    assert all(p in got for p in places) and "føre" not in got, f"{text!r}: expected {places}, got {got}"


@pytest.mark.parametrize("text", ["Førde oss rett til rett kontor", "Han kom. Førde oss vidare",
                                  "- Førde oss vidare", "Han førde oss vidare"])
def test_sentence_initial_or_lower_case_words_are_read_as_words(text):
    """A capital at the start of a sentence (or a line) says nothing: the ordinary nynorsk reading stays."""
    got = analyze(text, language="nn")
    assert "føre" in got and "førde" not in got, f"{text!r}: got {got}"


def test_a_capitalised_ordinary_word_inside_a_sentence_is_still_lemmatised():
    assert "saksbehandler" in analyze("Eg ringde og Saksbehandlaren svarte", language="nn")


def test_bokmal_place_names_unchanged():
    assert analyze("Kontoret i Førde svarer ikke", language="nb")[:2] == ["kontor", "førde"]


# -- 3. keyword verb / -ing noun pairs ----------------------------------------------------------------------
@pytest.mark.parametrize("text, language", [("Han ble mobbet på jobb", "nb"), ("Ho vart mobba på jobb", "nn"),
                                            ("Vi må ikke mobbe hverandre", "nb")])
def test_keyword_mobbing_matches_the_verb(text, language):
    assert _themes(text, language, {"mobbing": ["mobbing"]}) == {"mobbing"}, text


def test_keyword_mobbe_matches_the_noun():
    assert _themes("Mobbingen på arbeidsplassen er et problem", "nb", {"mobbing": ["mobbe"]}) == {"mobbing"}


@pytest.mark.parametrize("keyword, text", [
    ("løsning", "Skruen løsnet"),  # løsning is no act of "løsne"
    ("lege", "Såret trenger tid til leging"),  # the keyword "lege" is the doctor, not the verb
    ("IA", "Vi jobber med inkludering av nyansatte"),  # an abbreviation's expansion is no keyword of its own
])
def test_pairs_that_must_not_match(keyword, text):
    assert _themes(text, "nb", {"t": [keyword]}) == set(), f"{keyword!r} must not match {text!r}"


def test_verb_noun_pairs_only_where_asked_zero_shot_on_trained_and_baseline_off():
    """The keyword baseline and a trained coder's keyword features keep exact keyword matching (the shipped
    model's features are unchanged); the zero-shot coder, for codebooks it has never seen, matches the pairs."""
    from textmine.classify.zeroshot import ZeroShotCoder

    cb = Codebook.from_dict({
        "name": "gaps", "version": "1.0", "language": "nb", "types": ["klage", "ønske", "ros"],
        "themes": [{"id": "mobbing", "label": "Mobbing", "description": "Mobbing på jobben.", "keywords": ["mobbing"]},
                   {"id": "annet", "label": "Annet", "description": "Annet.", "keywords": ["annet"]}],
    })
    text = "Han ble mobbet på jobb"
    lemmas = " ".join(analyze(normalize(text), language="nb"))
    assert KeywordMatcher(cb).predict([normalize(text)], [lemmas])[0].tolist() == [0, 0]
    assert KeywordMatcher(cb, verb_noun_pairs=True).predict([normalize(text)], [lemmas])[0].tolist() == [1, 0]
    assert ZeroShotCoder(cb).matcher.verb_noun_pairs
