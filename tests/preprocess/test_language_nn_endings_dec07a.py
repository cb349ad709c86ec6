"""Nynorsk evidence beyond the marker table (reviewer's nynorsk comments read as bokmål): nynorsk-only endings on
words the bokmål lexicon lacks (flinkare, fredagar), the definite -a of feminines as weak evidence (nettsida,
mobbesaka: radical bokmål too), new marker words (elles, finn, bos) and English function words (often)."""

from __future__ import annotations

import csv

import pytest

from textmine.paths import TRAIN_DIR
from textmine.preprocess.language import _WORD, LanguageDetector


@pytest.mark.parametrize("text", [
    "Kommunen må bli flinkare til å svare på e-post.",
    "Det er stengt i barnehagen på fredagar.",
    "Elles er alt bra.",
    "Nettsida er rotete, og søkefunksjonen finn ingenting.",
    "Tømmeplanen for bos er uklar",
])
def test_reviewer_nynorsk_comments_are_nynorsk(resources, text):
    assert resources.language.by_markers(text) == "nn", text
    assert resources.language.detect(text) == "nn", text


def test_feminine_a_alone_is_no_longer_bokmal_by_coverage(resources):
    # «mobbesaka» is nynorsk, but also radical bokmål (saka): weak evidence that leaves the call to lingua
    assert resources.language.by_markers("Rektor tok tak i mobbesaka") is None


@pytest.mark.parametrize("text", [
    "Kommunen må bli flinkere til å svare på e-post.",
    "Jobbmessa var full av utstillere og nesten tom for arbeidssøkere.",
    "Godt jobba i år!",
])
def test_bokmal_controls_stay_bokmal(resources, text):
    assert resources.language.by_markers(text) != "nn", text
    assert resources.language.detect(text) == "nb", text


def test_bokmal_definite_en_stays_bokmal(resources):
    assert resources.language.by_markers("Kommunen må bli flinkere til å svare på e-post.") == "nb"
    assert resources.language.detect("Nettsiden er rotete.") == "nb"


def test_english_function_words(resources):
    assert resources.language.by_markers("Waste collection is often late.") == "en"


def _toy(known: set[str]) -> LanguageDetector:
    return LanguageDetector(markers={}, known_words=frozenset(known), use_lingua=False)


@pytest.mark.parametrize("word, nynorsk", [
    ("flinkare", True), ("flinkaste", True), ("fredagar", True), ("legane", True),
    ("flinkere", False), ("fredager", False), ("gunnar", False), ("bar", False),
])
def test_nynorsk_ending_needs_a_known_bokmal_counterpart(word, nynorsk):
    det = _toy({"flinkere", "flinkeste", "fredager", "legene", "flink"})
    assert det._nynorsk_ending(word) is nynorsk


def test_ending_rule_ignores_words_the_bokmal_lexicon_knows():
    det = _toy({"flinkere", "flinkare", "kommunen", "må", "bli", "til", "å", "svare"})
    assert det.by_markers("Kommunen må bli flinkare til å svare") == "nb"  # flinkare listed: no evidence
    det = _toy({"flinkere", "kommunen", "må", "bli", "til", "å", "svare"})
    assert det.by_markers("Kommunen må bli flinkare til å svare") == "nn"


def test_feminine_a_is_weak_and_yields_to_bokmal_markers():
    det = _toy({"side", "siden", "sida", "nettside", "nettsiden", "nettsida", "er", "dårlig", "ikke"})
    det.markers["ikke"] = ("nb", 2)
    assert det._feminine_a("nettsida") and det._feminine_a("hjemmesida")  # known word; tail of a compound
    assert not det._feminine_a("nettsiden")
    assert det.by_markers("Nettsida er ikke dårlig") == "nb"


def test_no_labelled_bokmal_comment_has_a_nynorsk_ending(resources):
    det = resources.language
    bad = []
    for path in sorted(TRAIN_DIR.glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["language"] == "nb":
                    bad += [w for w in (w.lower() for w in _WORD.findall(row["text"]))
                            if w not in det.known_words and w not in det.markers and det._nynorsk_ending(w)]
    assert bad == []
