"""Lemmas that made theme-discovery labels odd (analyst review, 5 December): adjectives read as verb forms
("fornøyd" → "fornøye", "supert" → "supere"), present-tense verbs kept as nouns ("snakker", "stiller"),
nynorsk words kept apart from their bokmål lemma ("gong"/"gang", "saman"/"sammen", "tidleg"/"tidlig"), and
nynorsk "-lege" adjectives split into "lege", the doctor ("tidlege" → "tid" + "lege")."""

from __future__ import annotations

import pytest

from textmine.preprocess import analyze


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("word, lemma", [
    ("fornøyd", "fornøyd"), ("fornøyde", "fornøyd"), ("supert", "super"), ("snakker", "snakke"),
    ("stiller", "stille"), ("anten", "enten"),
    ("gong", "gang"), ("gonger", "gang"), ("saman", "sammen"), ("følgje", "følge"), ("kome", "komme"),
    ("annan", "annen"), ("ynskje", "ønske"), ("heilt", "helt"), ("eigen", "egen"), ("mykje", "mye"),
    ("mogleg", "mulig"), ("naudsynleg", "nødvendig"),
    ("tidleg", "tidlig"), ("tydeleg", "tydelig"), ("vanskeleg", "vanskelig"), ("endeleg", "endelig"),
])
def test_both_standards_share_the_bokmal_lemma(word, lemma, language):
    assert analyze(word, language=language)[0] == lemma, f"{word} ({language}): expected {lemma!r}"


@pytest.mark.parametrize("word, lemma", [("tidlege", "tidlig"), ("vanskelege", "vanskelig"),
                                         ("tydelege", "tydelig")])
def test_nynorsk_lege_adjectives_are_not_the_doctor(word, lemma):
    tokens = analyze(word, language="nn")
    assert tokens == [lemma], f"{word}: expected only {lemma!r}, got {tokens}"
    assert "lege" not in analyze(f"Vi treng {word} tiltak", language="nn")


@pytest.mark.parametrize("text", ["Vi har ein skolelege", "Fastlegen sjukmelde han", "Bedriftslegen var flink"])
def test_real_doctor_compounds_keep_lege(text):
    assert any("lege" in t for t in analyze(text, language="nn")), text


def test_bokmal_doctor_compounds_are_not_adjectives():
    """In bokmål text "-lege" is the doctor, even where "-lig" is an adjective ("skolelege", not "skolelig")."""
    assert "lege" in analyze("Vi har en skolelege", language="nb")
    assert analyze("tydeleg", language="nb") == ["tydelig"]  # "-leg" alone is never the doctor
