"""Nynorsk evidence added on top of the marker table: the feminine article «ei» as weak evidence (like the definite
-a: radical bokmål has both, so it counts only without bokmål markers), and nynorsk-only endings on words the
bokmål lexicon lacks (viktigaste/viktigste), not -ast/-es or -de/-te, which English, Swedish and Danish words swap
too (least, endast, finde); «trengde» and «sendast» are marker words instead."""

from __future__ import annotations

import pytest

from textmine.preprocess.language import LanguageDetector


@pytest.mark.parametrize("text", [
    # labelled nynorsk (data/train) that every word-in-the-bokmål-lexicon rule used to call bokmål
    "Takk for ei fin undersøking",
    "Takk for ei god undersøking. Lykke til!",
    "Send brev på nynorsk når vi ber om det. Vi er ei nynorskkommune.",
    "Alle må møte på dialogmøte, også legen. Det er det viktigaste møtet og legen er nesten aldri der",
    "Godt samarbeid mellom NAV og kommunen om ei tilsett som trengde tilrettelegging. Alle drog i lag.",
    "Vi trengde hjelp",
])
def test_labelled_nynorsk_with_ei_or_a_nynorsk_ending_is_nynorsk(resources, text):
    assert resources.language.detect(text) == "nn", text


def test_ei_alone_no_longer_decides_bokmal_by_coverage(resources):
    assert resources.language.by_markers("Takk for ei fin undersøking") is None  # was "nb": every word is known


@pytest.mark.parametrize("text", ["Vi trengde hjelp", "Det viktigaste er svar",
                                  "Søknaden må sendast inn før fristen"])
def test_new_nynorsk_endings_decide_by_markers(resources, text):
    assert resources.language.by_markers(text) == "nn", text


@pytest.mark.parametrize("text", [
    # labelled bokmål (data/train) with «ei»
    "Vi fikk ei dame fra Eritrea på arbeidspraksis gjennom NAV og ansatte henne etterpå. "
    "Hun er en av de beste vi har.",
    "ei uke med purring på telefon for å få et svar som tok to minutter å gi. "
    "hvorfor kunne det ikke komme med en gang",
    "Legen skriver 100 % sykmelding på ei som fint kunne stått i kassa et par timer om dagen. Ingen spurte oss.",
    "Jeg fikk ei dame på telefonen",
])
def test_bokmal_with_ei_stays_bokmal(resources, text):
    assert resources.language.detect(text) == "nb", text


def _toy(known: set[str], **markers) -> LanguageDetector:
    return LanguageDetector(markers=dict(markers), known_words=frozenset(known), use_lingua=False)


@pytest.mark.parametrize("word, nynorsk", [
    ("viktigaste", True), ("sendast", False), ("trengde", False),
    ("viktigste", False), ("sendes", False), ("trengte", False), ("kast", False),
])
def test_new_endings_need_a_known_bokmal_counterpart(word, nynorsk):
    det = _toy({"viktigste", "sendes", "trengte"})
    assert det._nynorsk_ending(word) is nynorsk


def test_ending_rule_skips_words_the_bokmal_lexicon_lists():
    known = {"viktigste", "det", "er", "svar"}
    assert _toy(known | {"viktigaste"}).by_markers("Det viktigaste er svar") != "nn"  # a word it lists
    assert _toy(known).by_markers("Det viktigaste er svar") == "nn"


@pytest.mark.parametrize("text, lang", [
    # review finding: -ast/-es and -de/-te endings read these as nynorsk
    ("Please answer faster, at least by email", "en"), ("It was ok at least", "en"), ("The roast was fine", "en"),
    ("Handläggaren svarade endast på mejl", "sv"), ("Min handläggare talade snabbast", "sv"),
])
def test_foreign_words_with_a_swappable_ending_are_not_nynorsk(resources, text, lang):
    assert resources.language.detect(text) == lang, text


def test_ei_counts_once():
    known = {"vi", "har", "jente", "og", "dame", "der"}
    assert _toy(known).by_markers("Vi har ei jente og ei dame der") is None  # one weak sign however often


def test_ei_adds_to_the_definite_a_but_yields_to_bokmal_markers():
    known = {"nettside", "nettsiden", "nettsida", "er", "tom", "ikke"}
    assert _toy(known).by_markers("Nettsida er tom") is None  # one weak sign: undecided
    assert _toy(known).by_markers("Ei nettsida er tom") == "nn"  # two weak signs
    assert _toy(known, ikke=("nb", 2)).by_markers("Ei nettsida er ikke tom") == "nb"
