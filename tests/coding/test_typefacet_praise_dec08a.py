"""Zero-shot comment type of plain praise (accessibility survey): «supert», «Fine løsninger», «god kontrast og
store knapper» were typed klage because the praise adjectives and their inflected / nynorsk forms were no cues. Negated
praise ("ikke bra", "langt fra bra", "alt annet enn enkelt") and ironic praise stay complaints; a trained type
model's cue features are unchanged."""

from __future__ import annotations

import pytest

from textmine.classify.typefacet import TypeRules, cue_features


@pytest.mark.parametrize("text", [
    "supert", "Supert!", "Fine løsninger", "god kontrast og store knapper",
    "Veldig fint at dere har lest opp-funksjon", "Fargene er fine og det er god kontrast.",
    "Det er supert at jeg kan gjøre alt på mobilen nå.",
])
def test_plain_praise_is_ros(text):
    assert TypeRules().predict([text]) == ["ros"], text


@pytest.mark.parametrize("text", [
    "fin", "fint", "fine", "god", "gode", "godt", "flott", "flotte", "bra", "supert", "kjempefint",
    "Det var enkelt", "Skjemaet er veldig enkelt", "Sida er oversiktlig", "Sida er oversiktleg",
    "Oversiktlege sider", "Løysinga er oversiktleg og enkel", "Ei av dei enklaste etatane",
])
def test_inflected_and_nynorsk_forms_are_ros(text):
    assert TypeRules().predict([text]) == ["ros"], text


@pytest.mark.parametrize("text", [
    "ikke bra", "ikkje godt", "langt fra bra", "langt ifrå godt", "alt annet enn enkelt",
    "Tjenesten er alt annet enn enkel å bruke", "Ikke fint", "Ikkje flott", "på ingen måte god",
    "Supert at ingen svarer",
])
def test_negated_or_ironic_praise_is_klage(text):
    assert TypeRules().predict([text]) == ["klage"], text


@pytest.mark.parametrize("text", [
    "Lag en enkel oversikt over fristene.",  # "enkel" wished for, not praised
    "Det tok tre uker å få svar på et enkelt spørsmål.",
    "Fint om dere ringer tilbake.",
    "Det bør komme et varsel i god tid før maksdato.",
    "Skriv kort og enkelt.",
])
def test_adjectives_outside_praise_do_not_make_ros(text):
    assert TypeRules().predict([text]) != ["ros"], text


def test_trained_model_cue_features_do_not_change():
    # the praise adjectives and the new negations are zero-shot only: a trained type model's inputs stay as trained
    texts = ["supert", "Fine løsninger", "god kontrast", "langt fra bra", "alt annet enn enkelt"]
    assert cue_features(texts).tolist() == [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]


@pytest.mark.parametrize("text, expected", [
    ("Ønsker oversiktlige sider", "ønske"), ("Saksbehandlingen bør bli effektiv", "ønske"),
    ("Kjempefint om dere kunne svare", "ønske"), ("Superfint om dere ringer tilbake", "ønske"),
    ("Det enkleste hadde vært å ringe", "ønske"), ("Ønsker god oversikt", "ønske"),
    ("Skjemaet må være enkelt og forståelig", "ønske"),
    ("God dag. Jeg venter fortsatt på svar", "klage"), ("Jeg er god og lei av ventetiden", "klage"),
    ("Det er enkelt å se at dere ikke bryr dere", "klage"),
])
def test_adjective_in_a_wish_greeting_or_idiom_is_no_praise(text, expected):
    assert TypeRules().predict([text]) == [expected], text


@pytest.mark.parametrize("text", [
    "Flott at dere ikke krever papirskjema lenger", "Flott å ikke måtte vente",
    "Fint at dere ringer tilbake, slipper lang ventetid", "Herlig at dere ikke tar betalt, takk for hjelpen",
])
def test_praise_of_a_negated_clause_is_no_sarcasm(text):
    assert TypeRules().predict([text]) == ["ros"], text


@pytest.mark.parametrize("text", ["Ja, supert at ingen svarer", "- Supert at ingen svarer",
                                  "Supert, at ingen svarer", "Bra at ingen svarer"])
def test_sarcasm_after_an_interjection_dash_or_comma_is_klage(text):
    assert TypeRules().predict([text]) == ["klage"], text


@pytest.mark.parametrize("text", ["fine " * 20000, "ikke " * 20000 + "flott",
                                  "Supert og flott, fine folk. Langt fra bra. Det var enkelt. " * 1700])
def test_long_text_is_typed_in_linear_time(text):
    import time

    start = time.perf_counter()
    TypeRules().predict([text[:100000]])
    assert time.perf_counter() - start < 2.0
