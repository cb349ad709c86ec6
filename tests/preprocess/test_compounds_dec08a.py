"""Compound splitting of derived whole words (8 December): a word Ordbank knows that is a verb or noun + "-ing"
("markering": markere + ing, "teksting": tekst + ing) is no compound whose head cuts its base ("mark" + "ring",
"tek" + "ting"); a genuine compound keeps its parts, also where its head is itself such a derivation
("saks|behandling", "syk|melding"). «hoppet» in a sentence is the verb «hoppe», not the noun «hopp»."""

from __future__ import annotations

import pytest

from textmine.preprocess import analyze, default_resources, normalize
from textmine.preprocess.compounds import CompoundSplitter


@pytest.fixture(scope="module")
def splitter() -> CompoundSplitter:
    return default_resources().analyzer.splitter


@pytest.mark.parametrize("word", ["markering", "teksting", "endring", "rekruttering", "kvittering", "betaling",
                                  "rapportering", "venting"])
def test_a_derived_whole_word_is_not_split_through_its_base(splitter, word):
    assert splitter.split(word) == []


@pytest.mark.parametrize("word, parts", [
    ("sykmeldingsperiode", ["sykmelding", "periode", "syk", "melding"]),
    ("arbeidsgiverperiode", ["arbeidsgiver", "periode", "arbeid", "giver"]),
    ("lønnstilskudd", ["lønn", "tilskudd"]),
    ("saksbehandlingstid", ["saksbehandling", "tid", "sak", "behandling"]),
    ("saksbehandling", ["sak", "behandling"]),
    ("sykmelding", ["syk", "melding"]),
    ("telefonkø", ["telefon", "kø"]),
    ("avfallssortering", ["avfall", "sortering"]),  # a compound on a derived head
    ("skreddersying", ["skredder", "sying"]),  # a head derived from a two-letter verb ("sy")
])
def test_genuine_compounds_keep_their_parts(splitter, word, parts):
    assert splitter.split(word) == parts


def test_a_compound_on_a_derived_modifier_loses_only_the_false_sub_split(splitter):
    parts = splitter.split("rekrutteringsdag")
    assert parts[:2] == ["rekruttering", "dag"] and "ring" not in parts


@pytest.mark.parametrize("text, absent", [("Markeringen av feltet var uklar", {"mark", "ring"}),
                                          ("Tekstingen av videoen manglet", {"tek", "ting"}),
                                          ("Det kom en endring i regelverket", {"end", "ring"})])
def test_analysis_tokens_carry_no_false_parts(text, absent):
    assert not absent & set(analyze(normalize(text))), analyze(normalize(text))


def test_analysis_still_appends_parts_of_inflected_compounds():
    out = analyze(normalize("Sykmeldingsperioden og arbeidsgiverperioden var lange"))
    assert {"sykmeldingsperiode", "sykmelding", "periode", "arbeidsgiverperiode", "arbeidsgiver"} <= set(out), out


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("text", ["Saken hoppet fram og tilbake", "Siden hoppet til toppen igjen"])
def test_hoppet_is_the_verb_hoppe(text, language):
    out = analyze(normalize(text), language=language)
    assert "hoppe" in out and "hopp" not in out, out


def test_hoppet_meets_hopper():
    assert analyze(normalize("Skjemaet hoppet"))[-1] == analyze(normalize("Skjemaet hopper"))[-1]
