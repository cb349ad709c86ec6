"""Zero-shot coding quality (7 December, b): a keyword inside an idiom where its word means something else is no
match («setter pris på», to appreciate, is no price), and a codebook that names its comment types otherwise
(«forslag», «skryt») gets plain praise typed as its praise type, not as its first type («klage»)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.classify import ZeroShotCoder
from textmine.classify.base import Prepared
from textmine.classify.lexical import KEYWORD_IDIOMS, KeywordMatcher
from textmine.classify.typefacet import codebook_type_names
from textmine.codebook import Codebook

CB = {
    "name": "idioms",
    "themes": [
        {"id": "pris", "label": "Pris", "keywords": ["pris", "priser"]},
        {"id": "regelverk", "label": "Regelverk", "keywords": ["regler"]},
        {"id": "helhet", "label": "Helhet", "keywords": ["helhet"]},
        {"id": "ros", "label": "Ros", "keywords": ["topp", "setter pris på"]},
    ],
}


def _kw(texts: list[str], cb: dict = CB) -> np.ndarray:
    zs = ZeroShotCoder(Codebook.from_dict(cb), embedder=object())
    return zs.prepare(zs.clean(texts), embed=False).kw


@pytest.mark.parametrize("text", ["Vi setter pris på god hjelp", "Eg set stor pris på hjelpa",
                                  "Det satte vi veldig stor pris på", "Det ble satt pris på",
                                  "Vi priser oss lykkelige", "En prisverdig innsats"])
def test_price_keyword_inside_an_idiom_is_no_match(text):
    assert _kw([text])[0, 0] == 0


@pytest.mark.parametrize("text", ["Prisen er for høy", "Vi setter pris på hjelpen, men prisen er for høy",
                                  "Strømprisen er for høy, men vi setter pris på hjelpen",
                                  "Pris på tjenesten er for høy"])
def test_price_keyword_outside_the_idiom_still_matches(text):
    assert _kw([text])[0, 0] >= 1


def test_the_idiom_list_blocks_other_words_too_and_phrases_stay():
    texts = ["Som regel svarer de raskt", "Reglene er vanskelige", "Som regel er reglene vanskelige",
             "Saken ble lest i sin helhet", "Det mangler helhet", "På toppen av det hele la de på", "Helt topp!",
             "Vi setter pris på hjelpen"]
    kw = _kw(texts)
    assert kw[:3, 1].tolist() == [0, 1, 1]  # "regler": "som regel" (usually) is no rule
    assert kw[3:5, 2].tolist() == [0, 1]  # "helhet": "i sin helhet" (in its entirety)
    assert kw[5:7, 3].tolist() == [0, 1]  # "topp": "på toppen av det hele" (on top of it all)
    assert kw[7, 3] == 1  # the phrase keyword "setter pris på" is the idiom itself: it matches
    assert {word for word, _ in KEYWORD_IDIOMS} >= {"pris", "regel", "helhet", "topp"}


def test_a_trained_coders_matcher_blocks_idioms_as_well():
    zs = ZeroShotCoder(Codebook.from_dict(CB), embedder=object())
    clean = zs.clean(["Vi setter pris på god hjelp", "Prisen er for høy"])
    counts = KeywordMatcher(zs.codebook).counts(clean["text_clean"].tolist(), clean["lemmas"].tolist())
    assert (counts[:, 0] > 0).tolist() == [False, True]


PRAISE = ["Veldig fornøyd med oppfølgingen, takk!", "Kjempebra hjelp fra NAV i år"]


@pytest.mark.parametrize("types, expected", [
    (["klage", "forslag", "skryt"], ["skryt", "skryt", "forslag", "klage"]),
    (["Klage", "Ynskje", "Ros"], ["Ros", "Ros", "Ynskje", "Klage"]),
    (["negativ", "forbedringsforslag", "positiv"], ["positiv", "positiv", "forbedringsforslag", "negativ"]),
    (["klage", "ønske", "ros"], ["ros", "ros", "ønske", "klage"]),
])
def test_praise_is_typed_with_the_codebooks_own_praise_type(types, expected):
    """Praise got the first type ("klage") where the codebook named its types otherwise."""
    cb = Codebook.from_dict({**CB, "types": types})
    zs = ZeroShotCoder(cb, embedder=object())
    texts = [*PRAISE, "Dere burde ha åpent lenger", "Elendig service"]
    prep = Prepared(texts, [""] * 4, np.ones(4, bool), np.zeros((4, 4), np.float32),
                    np.zeros((4, len(cb)), np.float32), pd.RangeIndex(4))
    assert zs._types(prep) == expected


def test_type_names_each_codebook_type_stands_for_one_rule_type():
    assert codebook_type_names(["Ros og skryt", "Klage/kritikk", "Ønske/forslag"]) == {
        "klage": "Klage/kritikk", "ønske": "Ønske/forslag", "ros": "Ros og skryt"}
    assert codebook_type_names(["spørsmål", "informasjon"]) == {}  # no names: the first type, as before
    assert codebook_type_names(["ros", "ros og ris"]) == {"ros": "ros"}
