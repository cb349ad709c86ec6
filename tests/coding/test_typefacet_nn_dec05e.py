"""Zero-shot comment type of nynorsk and dialect answers (nynorsk review, finding 9): nynorsk wish / praise /
complaint cue words count as their bokmål twins do, not after a negation; a trained type model's cue features
stay as they were."""

from __future__ import annotations

import pytest

from textmine.classify.typefacet import TypeRules, cue_features


@pytest.mark.parametrize("text, expected", [
    ("Eg skulle ønskje at eg hadde ein fast kontaktperson i staden for ein ny kvar gong.", "ønske"),
    ("Eg skulle ynskje at dei svarte raskare.", "ønske"),
    ("Det hadde hjelpt mykje med ein fast person i NAV som følgde saka.", "ønske"),
    ("Meir hjelp til IA-arbeid for små verksemder. Vi har ikkje HR-avdeling.", "ønske"),
    ("Skriv enklare. Bruk klarspråk. Det er ikkje så vanskeleg.", "ønske"),
    ("Eg e nøgd, fekk hjelp med ein gong.", "ros"),
    ("Kjempenøgd med oppfølginga.", "ros"),
    ("Dei tilsette var strålande og imøtekomande.", "ros"),
])
def test_nynorsk_cues_give_their_type(text, expected):
    assert TypeRules().predict([text]) == [expected], text


def test_nynorsk_wish_and_its_bokmal_twin_get_the_same_type():
    nn = "Eg skulle ønskje at eg hadde ein fast kontaktperson i staden for ein ny kvar gong."
    nb = "Jeg skulle ønske at jeg hadde en fast kontaktperson i stedet for en ny hver gang."
    assert TypeRules().predict([nn, nb]) == ["ønske", "ønske"]


@pytest.mark.parametrize("text", [
    "Eg er ikkje nøgd med svaret.",
    "Eg er ikkje heilt nøgd, det tok lang tid.",
    "Eg skulle ikkje ønskje den ventetida på nokon.",
    "Umogleg å kome gjennom på telefonen, heilt håplaust.",
])
def test_negated_nynorsk_cues_and_complaints_stay_complaints(text):
    assert TypeRules().predict([text]) == ["klage"], text


def test_trained_model_cue_features_do_not_change():
    # the zero-shot-only cues are no features of a trained type model (its inputs must stay as trained)
    assert cue_features(["Eg e nøgd", "Eg skulle ønskje det", "Meir hjelp"]).sum() == 0
