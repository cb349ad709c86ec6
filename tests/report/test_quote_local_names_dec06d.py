"""Quotes never name the respondent's firm, branch or small place (in an employer survey the respondent is the
firm): «hos Mowi avdeling Frøya» and «Vi på Hydro Sunndalsøra» were published as written (review dec06d). Public
agencies and services, counties and large towns, acronyms and ordinary words stay."""

import pandas as pd
import pytest

from textmine.quotes import mask_local_names, select_quotes


@pytest.mark.parametrize("text,want", [
    ("Vi hos Mowi avdeling Frøya får aldri svar.", "Vi hos [NAVN] avdeling [NAVN] får aldri svar."),
    ("Vi på Hydro Sunndalsøra venter på refusjonen.", "Vi på [NAVN] venter på refusjonen."),
    ("Vi er et familieeid firma i Trms.", "Vi er et familieeid firma i [NAVN]."),
    ("Det gjelder Bakeri Olsen AS og oss.", "Det gjelder [NAVN] AS og oss."),
    # code review dec06d: nynorsk cues, lists, a number inside a name
    ("Vi hjå Mowi Frøya er nøgde.", "Vi hjå [NAVN] er nøgde."),
    ("Vi fekk hjelp frå Lerøy Midt.", "Vi fekk hjelp frå [NAVN]."),
    ("Vi har avdelinger på Frøya og Hitra.", "Vi har avdelinger på [NAVN]."),
    ("Det gjelder oss på Rema 1000 Storgata.", "Det gjelder oss på [NAVN]."),
])
def test_local_names_are_masked(text, want):
    assert mask_local_names(text) == want


@pytest.mark.parametrize("text", [
    "Kontakten med Nav-kontoret i Bergen er god.",
    "Saksbehandler på NAV i Vestland var flink.",
    "Vi bruker Altinn og Teams hver dag, og ringer til Helfo.",
    "I Oslo er det lang ventetid.",
    "Tilbakemelding fra HR-avdelingen: svar raskere.",
    "Hjelpen fra Arbeidslivssenteret var god.",
    "VI HOLDER PÅ MED DIALOGMØTE 1 NÅ.",
    # text in capitals: «DA», «SA» are words there, not firm suffixes (review dec06d: «[NAVN] DA»)
    "DET TAR ALTFOR LANG TID, VI MÅ RINGE FLERE GANGER DA",
    "HAN SA AT SAKEN VAR BEHANDLET",
    "Vi har to ansatte fra Ukraina og en fra Polen.",
])
def test_public_names_places_and_words_stay(text):
    assert mask_local_names(text) == text


def test_selected_quotes_carry_the_mask():
    texts = ["Vi hos Mowi avdeling Frøya venter alltid lenge på svar fra dere om sykepenger.",
             "Saksbehandlingstiden er altfor lang, vi venter i mange uker på svar om refusjon.",
             "Det tar for lang tid å få svar på søknader, og ingen sier hvor lenge det tar."]
    coded = pd.DataFrame({"respondent_id": ["a", "b", "c"], "text_clean": texts, "is_non_answer": 0,
                          "health_flag": 0, "theme_vente": 1})
    quotes = select_quotes(coded, theme="theme_vente", k=3, embedder="fallback")
    shown = {q.respondent_id: q.text for q in quotes}
    assert "Mowi" not in shown["a"] and "Frøya" not in shown["a"] and "[NAVN]" in shown["a"]
    assert shown["b"] == texts[1]

