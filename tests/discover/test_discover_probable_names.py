"""A surname the redaction's lists do not know ("Kvernmo på NAV-kontoret ringte aldri") must not become a topic word,
an id or an example of a draft codebook (privacy audit, 5 December): a word the answers write with a capital inside
a sentence that is no known word, organisation, service or place is taken for a name."""

from __future__ import annotations

import numpy as np

from textmine.discover.core import _describe, pick_examples
from textmine.discover.labels import allowed_terms, probable_names

TEXTS = ["Kvernmo på NAV-kontoret ringte aldri tilbake.", "Vi snakket med Kvernmo og det hjalp ikke.",
         "Dette gjelder saken der Kvernmo lovet svar.", "Vi bruker Altinn hver dag, men Altinn er tregt.",
         "Vi sendte det i Altinn.", "Kontoret i Bergen er bra, og Bergen har mange bedrifter.",
         "Han sa at Telefonen var stengt og Telefonen ringte ikke.", "Vi ringte NAV og BHT flere ganger.",
         "Vi ringte NAV-kontoret, men NAV-kontoret svarte ikke.", "Vi har IA-avtalen og Nav-kontoret hjelper."]


def test_an_unknown_capitalised_word_is_a_probable_name_and_services_places_and_words_are_not():
    assert probable_names(TEXTS) == frozenset({"kvernmo"})
    assert probable_names(TEXTS[:1]) == frozenset()  # once is not enough to tell
    assert probable_names(["Kvernmo ringte.", "Kvernmo svarte."]) == frozenset()  # only at a sentence start


def test_a_probable_name_is_never_a_topic_word_or_in_an_example():
    assert allowed_terms(["kvernmo", "kontakt kvernmo", "telefonkø"], {"kvernmo"}).tolist() == [False, False, True]
    texts = ["Kvernmo på NAV-kontoret ringte aldri tilbake om telefonkøen.", "Vi ringte Kvernmo om telefonkøen.",
             "Kontakten med Kvernmo om telefonkøen var dårlig.", "Telefonkøen er altfor lang hver dag.",
             "Lang telefonkø hos NAV hver dag."]
    lemmas = ["kvernmo nav-kontor ringe telefonkø", "ringe kvernmo telefonkø", "kontakt kvernmo telefonkø dårlig",
              "telefonkø lang dag", "lang telefonkø nav dag"]
    emb = np.eye(5, dtype=np.float32) + 0.5
    topic = _describe(np.arange(5), np.zeros(5, dtype=np.int64), emb, texts, lemmas, n_examples=5, n_keywords=10,
                      total=5)[0]
    assert "telefonkø" in {w for k in topic.keywords for w in k.split()}
    assert not any("kvernmo" in k for k in topic.keywords) and "kvernmo" not in topic.label.lower()
    assert topic.examples and not any("Kvernmo" in e for e in topic.examples)
    assert pick_examples(texts, 5, avoid={"kvernmo"}) == texts[3:]
