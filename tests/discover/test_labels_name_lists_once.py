"""Discovery's name check (``probable_names``) takes the organisations/services and places from the cleaner's shared
resources, read once: no word list is read again per call, and the lists, names and topic labels are unchanged."""

from __future__ import annotations

import numpy as np

from textmine.discover.core import _describe
from textmine.discover.labels import _known_words_and_places, name_words, probable_names
from textmine.preprocess import wordlists
from textmine.preprocess.cleaner import default_resources
from textmine.preprocess.redact import NameLists

TEXTS = ["Kvernmo på NAV-kontoret ringte aldri tilbake om telefonkøen.", "Vi ringte Kvernmo om telefonkøen.",
         "Kontakten med Kvernmo om telefonkøen var dårlig.", "Vi bruker Altinn hver dag, men Altinn er tregt.",
         "Vi sendte søknaden i Altinn.", "Kontoret i Bergen er bra, og Bergen svarer raskt.",
         "Søknaden i Altinn tok lang tid."]
LEMMAS = ["kvernmo nav-kontor ringe telefonkø", "ringe kvernmo telefonkø", "kontakt kvernmo telefonkø dårlig",
          "altinn dag altinn treg", "sende søknad altinn", "kontor bergen bra bergen svare rask",
          "søknad altinn lang tid"]


def _topics():
    emb = np.eye(len(TEXTS), dtype=np.float32) + 0.5
    # distinct typicality in the second topic (4, 5, 6, then 3): no order left to float rounding, which differs
    # between BLAS builds when the similarities tie
    emb[[3, 4, 5, 6], [3, 4, 5, 6]] = [1.2, 1.55, 1.5, 1.45]
    return _describe(np.arange(len(TEXTS)), np.array([0, 0, 0, 1, 1, 1, 1]), emb, TEXTS, LEMMAS, n_examples=3,
                     n_keywords=6, total=len(TEXTS))


def test_probable_names_and_labels_read_no_word_list_again(monkeypatch):
    default_resources(), name_words(), probable_names(TEXTS)  # the shared, cached lists: built here once…
    _topics()  # …and the quotes' masking lists, read on their first use
    read, real = [], wordlists._lines
    monkeypatch.setattr(wordlists, "_lines", lambda name, directory=None: read.append(name) or real(name, directory))
    for _ in range(3):
        assert probable_names(TEXTS) == frozenset({"kvernmo"})  # Altinn (block list), Bergen (a place): kept
    _topics()
    assert read == [], f"word lists read again: {sorted(set(read))}"


def test_the_kept_words_are_the_block_list_and_the_places():
    known, kept = _known_words_and_places()
    assert known is default_resources().language.known_words
    assert kept == ({w.lower() for w in NameLists.from_wordlists().blocked}
                    | {w.lower() for w in wordlists.read_list_optional("place_names_no.txt")})
    assert {"altinn", "bergen"} <= kept


def test_topic_labels_are_unchanged_on_a_small_corpus():
    """Labels, keywords and examples as with the lists read per call (recorded then), less the words of one answer
    only, which are no keywords since dec05d («dårlig», «bergen», «kontakt» …)."""
    first, second = _topics()
    assert first.label == "telefonkø · ringe"
    assert first.keywords == ["telefonkø", "ringe"]
    assert second.label == "altinn · søknad"
    assert second.keywords == ["altinn", "søknad", "søknad altinn"]
    # examples carrying a label word first, none without one once one is chosen (dec06b): not the Bergen answer
    assert second.examples == [TEXTS[4], TEXTS[6], TEXTS[3]]
    assert not any("kvernmo" in k for t in (first, second) for k in t.keywords)
