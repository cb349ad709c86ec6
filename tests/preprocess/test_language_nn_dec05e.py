"""Nynorsk answers with few marker words (nynorsk review, finding 7): one nynorsk-only marker word decides a
short answer without bokmål markers; nynorsk forms the table lacked (heiter, ringde, dokker ...) are markers;
clearly bokmål answers stay bokmål."""

from __future__ import annotations

import pytest

from textmine.preprocess.language import NN_SHORT_WORDS
from textmine.preprocess.wordlists import read_table


@pytest.mark.parametrize("text", [
    "Dei ringde aldri tilbake.",
    "Dei forklarte ingenting.",
    "Brevet var uforståeleg.",
    "Ho som heiter Marit var flink.",
    "Dokker må bli flinkare.",
    "Ingen svarar på telefonen",
    "Appen er grei, men den loggar meg ut kvart femte minutt.",
    "Saksbehandlinga var rask denne gongen, takk for det.",
])
def test_short_nynorsk_answer_is_nynorsk(resources, text):
    assert resources.language.detect(text) == "nn", text


@pytest.mark.parametrize("text", [
    "Dei forklarte ingenting.",
    "Ingen ringde meg tilbake.",
])
def test_one_nynorsk_only_marker_decides_short_answer_by_markers(resources, text):
    assert resources.language.by_markers(text) == "nn", text


@pytest.mark.parametrize("text", [
    "Dei har ikke ringt tilbake.",  # a bokmål-only marker word outweighs the one nynorsk word
    "NAV og bedriftshelsetjenesten jobber i kvar sin retning.",  # "kvar" is written in bokmål answers too
    "Hjelp til å lage gode rutiner for å følge opp fravær før det blir langvarig. "
    "Direktenummer til sakshandsamar, takk.",
    "Jeg har ringt dem mange ganger uten svar.",
])
def test_bokmal_answer_stays_bokmal(resources, text):
    assert resources.language.detect(text) == "nb", text


def test_one_weak_nynorsk_word_does_not_decide_a_long_answer(resources):
    text = ("Vi har hatt god kontakt med kontoret i år og det har gått greit stort sett, "
            "men dei kunne svart raskere på e-post")
    assert len(text.split()) > NN_SHORT_WORDS
    assert resources.language.by_markers(text) is None


@pytest.mark.parametrize("word", [
    "heiter", "ringje", "ventar", "snakkar", "følgde", "høyrde", "synest", "ønskje", "fleire", "mogleg",
    "umogleg", "uforståeleg", "ringde", "svarar", "loggar", "utan", "sakshandsamar", "tenesta",
])
def test_new_nynorsk_marker_is_no_bokmal_form(resources, word):
    rows = {r[0]: r for r in read_table("lang_markers.tsv") if r}
    assert word in rows and rows[word][1] == "nn", f"lang_markers.tsv: expected {word!r} as an nn marker"
    assert word not in resources.lexicon.forms, f"{word!r} is a bokmål lexicon form: it cannot decide nynorsk"
