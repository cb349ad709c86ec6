"""Reviewed lemma gaps: nynorsk "alt" read as "ala", adjective forms kept as a rare noun ("lange"), nynorsk
spellings of shared lemmas (a-infinitives "mobba"/"ringja", agent nouns "skjermlesar"/"saksbehandlar") that
missed the bokmål codebook keywords."""

from __future__ import annotations

import pytest

from textmine.classify.lexical import KeywordMatcher
from textmine.codebook import Codebook
from textmine.preprocess import analyze, normalize

CODEBOOK = {
    "name": "gaps", "version": "1.0", "language": "nb", "types": ["klage", "ønske", "ros"],
    "themes": [
        {"id": "uu", "label": "Universell utforming", "description": "Skjermleser og tilgjengelighet.",
         "keywords": ["skjermleser"]},
        {"id": "mobbing", "label": "Mobbing", "description": "Mobbing og trakassering på arbeidsplassen.",
         "keywords": ["mobbing", "mobbe"]},
        {"id": "telefon", "label": "Telefon", "description": "Å ringe NAV.", "keywords": ["ringe"]},
        {"id": "kontakt", "label": "Kontaktperson", "description": "Fast saksbehandler eller veileder.",
         "keywords": ["saksbehandler", "veileder"]},
        {"id": "ventetid", "label": "Ventetid", "description": "Lang ventetid.", "keywords": ["lang ventetid"]},
    ],
}


def _themes(text: str, language: str) -> set[str]:
    cb = Codebook.from_dict(CODEBOOK)
    lemmas = " ".join(analyze(normalize(text), language=language))
    hits = KeywordMatcher(cb).predict([normalize(text)], [lemmas])[0]
    return {t.id for t, h in zip(cb.themes, hits) if h}


# -- 1. nynorsk "alt" ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["Alt tok altfor lang tid", "Eg har forklart alt på nytt"])
def test_nynorsk_alt_is_alt_as_in_bokmal(text):
    nn = analyze(text, language="nn")
    assert "ala" not in nn and "alt" in nn
    assert "alt" in analyze(text, language="nb")


# -- 2. adjective forms Ordbank also lists as a rare noun ----------------------------------------------------
@pytest.mark.parametrize("text, lemma", [("lange ventetider", "lang"), ("Gode rutiner", "god"),
                                         ("faste kontaktpersoner", "fast"), ("halve dagen", "halv"),
                                         ("tunge løft", "tung"), ("unge saksbehandlere", "ung"),
                                         ("folk blir syke", "syk")])
def test_adjective_forms_get_the_adjective_lemma(text, lemma):
    assert lemma in analyze(text, language="nb")


def test_lange_ventetider_matches_the_phrase_lang_ventetid():
    assert "ventetid" in _themes("Det er lange ventetider hos NAV", "nb")


# -- 3. nynorsk spellings of shared lemmas ---------------------------------------------------------------------
@pytest.mark.parametrize("language", ["nn", "nb"])
@pytest.mark.parametrize("text", ["Skjermlesaren les ikkje opp knappane", "skjermlesaren virker ikke"])
def test_skjermlesaren_reaches_skjermleser(text, language):
    assert "skjermleser" in analyze(text, language=language)
    assert "uu" in _themes(text, language)


@pytest.mark.parametrize("text", ["Dei held fram med å mobbe han", "Ho vart mobba på jobb", "Han vart mobbast"])
def test_nynorsk_mobbe_forms_reach_mobbe(text):
    toks = analyze(text, language="nn")
    assert "mobbe" in toks and "mobba" not in toks
    assert "mobbing" in _themes(text, "nn")


@pytest.mark.parametrize("text", ["Eg ringde tre gonger", "Det er umogleg å ringje dykk", "Vi ringjer kvar dag"])
def test_nynorsk_ringje_forms_reach_the_keyword_ringe(text):
    assert "ringe" in analyze(text, language="nn")
    assert "telefon" in _themes(text, "nn")


@pytest.mark.parametrize("word, lemma", [("saksbehandlaren", "saksbehandler"), ("lesaren", "leser"),
                                         ("deltakaren", "deltaker"), ("dagpengane", "dagpenger"),
                                         ("ønskjer", "ønske"), ("planleggje", "planlegge")])
def test_nynorsk_regular_spellings_get_the_bokmal_lemma(word, lemma):
    assert analyze(word, language="nn")[0] == lemma


@pytest.mark.parametrize("word, lemma", [("leiaren", "leder"), ("avdelingsleiarane", "avdelingsleder"),
                                         ("rettleiaren", "veileder"), ("NAV-rettleiaren", "nav-veileder"),
                                         ("sjukepleiarar", "sjukepleier")])
def test_irregular_nynorsk_heads_from_the_variant_table(word, lemma):
    """leiar is leder (not leier, the tenant); "sjukepleiar" ends in pleiar, not leiar."""
    assert analyze(word, language="nn")[0] == lemma


def test_saksbehandlaren_and_rettleiaren_match_the_bokmal_keywords():
    assert "kontakt" in _themes("Saksbehandlaren var grei", "nn")
    assert "kontakt" in _themes("Rettleiaren vår svarar alltid", "nn")


# -- safety: what the rules must leave alone -------------------------------------------------------------------
@pytest.mark.parametrize("text, unwanted", [("det meste", "myke"), ("Eg ringde", "ringja")])
def test_function_words_are_not_read_as_infinitives(text, unwanted):
    assert unwanted not in analyze(text, language="nn")


@pytest.mark.parametrize("word, bokmal", [("alt", "alt"), ("lege", "lege"), ("telefonkø", "telefonkø"),
                                          ("mal", "mal"), ("løft", "løft"), ("parter", "parter"), ("bygd", "bygd"),
                                          ("frem", "frem"), ("greitt", "greit")])
def test_nynorsk_overrides_are_the_bokmal_lemma(word, bokmal):
    """The nynorsk rows of lemma_overrides.tsv give the lemma Ordbank gives the (bokmål) spelling: bokmål unchanged,
    nynorsk consistent with it."""
    from textmine.preprocess import default_resources

    res = default_resources()
    assert res.analyzer.overrides[word] == res.lexicon.lemma(bokmal)
    assert analyze(word, language="nn") == analyze(bokmal, language="nb")


def test_passer_is_the_verb():
    assert analyze("Tida passer ikke for oss", language="nb")[1] == "passe"
    assert "passe" in analyze("Opningstida passer ikkje", language="nn")
