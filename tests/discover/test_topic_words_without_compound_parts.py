"""Topic words name what people wrote: the compound parts the analysis appends to a lemma string for matching
("veileder vei leder") do not become topic words or n-grams ("leder", "kort")."""

import numpy as np

from textmine.discover.labels import class_tfidf, make_vectorizer, top_keywords, without_compound_parts


def test_parts_after_a_compound_are_dropped_and_other_words_kept():
    assert without_compound_parts("veileder vei leder svare") == "veileder svare"
    assert without_compound_parts("meldekort melde kort sende") == "meldekort sende"
    assert without_compound_parts("lang ventetid vente tid telefon") == "lang ventetid telefon"
    assert without_compound_parts("kort svar") == "kort svar"  # a word on its own is kept
    assert without_compound_parts("") == ""


def test_topic_words_come_from_whole_words():
    docs = ["meldekort melde kort sende", "meldekort melde kort feil", "veileder vei leder hjelpe",
            "veileder vei leder svare"]
    labels = np.array([0, 0, 1, 1])
    stripped = [without_compound_parts(d) for d in docs]
    m, terms = class_tfidf(stripped, labels, [0, 1], vectorizer=make_vectorizer(len(docs)))
    words = {w for row in range(2) for w in top_keywords(m[row], terms, 5)}
    assert {"meldekort", "veileder"} <= words
    assert not words & {"kort", "leder", "melde", "vei"}
    m_raw, terms_raw = class_tfidf(docs, labels, [0, 1], vectorizer=make_vectorizer(len(docs)))
    raw = {w for row in range(2) for w in top_keywords(m_raw[row], terms_raw, 5)}
    assert raw & {"kort", "leder", "melde", "vei"}  # (what the labels were made of before)
