"""Zero-shot comment type rules: sarcasm opening a clause mid-text and sarcasm by an answer or a service that fails
(failed before: typed ros); sincere praise of a spared burden or a protection, and praise inside a wish's brackets or
dashes, keep their type."""

import pytest

from textmine.classify.typefacet import TypeRules


@pytest.mark.parametrize("text", [
    "Ringte tre ganger. Kjempefint at ingen tok telefonen",  # intensified praise word after a sentence
    "Ringte tre ganger, supert at ingen svarer",  # after a comma
    "Ringte tre ganger og flott at ingen svarte",  # after "og"
    "Og supert at ingen svarer på e-post",  # "og" opening the text
    "Kjempebra at ingen svarer",  # a trained praise cue opening the irony is taken off
])
def test_sarcasm_mid_text_or_after_a_comma_or_og_is_klage(text):
    assert TypeRules().predict([text]) == ["klage"], text


@pytest.mark.parametrize("sarcastic, sincere", [
    ("Supert å ikke få svar", "Flott å ikke måtte vente"),
    ("Flott at dere ikke svarer på e-post", "Fint at vi slipper å måtte sende papir"),
    ("Topp at det ikke fungerer på mobil", "Takk for hjelpen, fint at dere ringer tilbake"),
    ("Fint at saksbehandler aldri ringer tilbake", "Bra at det ikke er kø lenger"),
])
def test_a_failing_answer_or_service_is_sarcasm_a_spared_burden_is_not(sarcastic, sincere):
    assert TypeRules().predict([sarcastic, sincere]) == ["klage", "ros"]


@pytest.mark.parametrize("text", [
    "Bra at man bare må logge inn én gang", "Fint at man bare må fylle ut ett skjema",
    "Bra at ein berre må logge inn ein gong", "Bra at uvedkommende ikke kan se sykmeldingen",
    "Fint at man ikke kan sende inn skjemaet før alt er fylt ut", "Bra at det ikke kan misforstås",
])
def test_an_obligation_or_a_protection_after_praise_stays_praise(text):
    # review finding: "må" and "ikke kan" in the at-clause were read as sarcasm
    assert TypeRules().predict([text]) == ["ros"], text


@pytest.mark.parametrize("text", [
    "Nettsidene bør (helst) være oversiktlige og ryddige", "Ønsker oversiktlige sider (og ryddige menyer)",
    "Sidene bør – om mulig – være ryddige og oversiktlige", "Ønskjer at sidene vert ryddige - og oversiktlege",
])
def test_praise_words_in_brackets_or_dashes_of_a_wish_stay_a_wish(text):
    assert TypeRules().predict([text]) == ["ønske"], text


def test_each_ironic_clause_in_a_sentence_is_judged_on_its_own():
    # the second opening ends the first clause: "dere har telefon" is sincere, "ingen svarer" is not
    from textmine.classify.typefacet import _IRONY, _irony_complaint

    low = "supert at dere har telefon, og flott at ingen svarer"
    assert [(m.group(1), _irony_complaint(m.group(2))) for m in _IRONY.finditer(low)] == [
        ("supert", False), ("flott", True)]
