"""Zero-shot comment type rules: ironic praise opened by "super", "fantastisk", "strålende" (failed before: typed ros),
a spared errand ("ingen trenger å") that is neither a wish nor a complaint, and a praise adjective wished for with
words between ("må snart bli god"), which is a wish."""

import pytest

from textmine.classify.typefacet import TypeRules


@pytest.mark.parametrize("ironic, sincere", [
    ("Super at ingen svarer", "Flott at noen endelig svarer"),
    ("Fantastisk at ingen ringer tilbake", "Supert at det bare tar en uke"),
    ("Strålende at ingen tok telefonen", "Strålende at dere tok telefonen"),
])
def test_ironic_praise_is_klage_sincere_praise_ros(ironic, sincere):
    assert TypeRules().predict([ironic, sincere]) == ["klage", "ros"]


def test_only_the_new_openers_are_ironic_nobody_answering_alone_no_complaint():
    texts = ["Super at ingen svarer",
             "Godt at ingen følger opp meg lenger, jeg er frisk",  # "godt" opens no irony
             "Takk for god hjelp! Har aldri opplevd at ingen svarer",  # nobody answering, outside ironic praise
             "Veldig fornøyd. Ingen hørte på meg før, men nå gjør dere det"]
    assert TypeRules().predict(texts) == ["klage", "ros", "ros", "ros"]


def test_nobody_needing_to_is_a_benefit_nothing_changed_is_not():
    # "ingen trenger å" spares an errand (was read as a wish and a complaint); "Fint at ingen ting er endret" is
    # doubtful and stays klage: after praise it reads as the improvement that never came
    texts = ["Super at ingen trenger å møte opp", "Bra at man ikke trenger å møte opp",
             "Strålande at ingen lenger treng å ringe", "Fint at ingen ting er endret"]
    assert TypeRules().predict(texts) == ["ros", "ros", "ros", "klage"]


def test_a_spared_errand_leaves_the_other_complaints_counted():
    # "trenger ikke å" twice: neither a wish (was ønske) nor a complaint, while "treg", "lang" still complain
    texts = ["Treg saksbehandling. Man trenger ikke å møte opp, man trenger ikke å ringe",
             "Lang ventetid og treg saksbehandling. Bra at ingen trenger å ringe og ingen trenger å møte opp"]
    assert TypeRules().predict(texts) == ["klage", "klage"]


def test_a_praise_adjective_wished_for_with_words_between_is_a_wish():
    text = "Anten må telefonen fungere, eller så må dei digitale løysingane bli så gode at vi ikkje treng å ringe."
    texts = [text, "Nettsidene må bli oversiktlige", "Løsningene må etter hvert bli gode og enkle",
             "Løysingane må etter kvart bli gode og enkle", "Appen må snart bli god"]
    assert TypeRules().predict(texts) == ["ønske"] * 5
    # the wish counts once: "må snart bli" has no wish cue, "må bli" is one already
    assert TypeRules._counts("Appen må snart bli god") == (0, 1, 0)
    assert TypeRules._counts("Nettsidene må bli oversiktlige") == (0, 1, 0)
