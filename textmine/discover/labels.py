"""Topic words and labels: a Norwegian vectorizer over lemma strings and class-based TF-IDF."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from scipy import sparse

_TOKEN = r"(?u)\b[^\W\d_][\w\-]+\b"
_EXTRA_STOP = {
    "nav", "ikke", "veldig", "mye", "få", "gi", "god", "bra", "kunne", "måtte", "skulle", "ville", "bli", "gjøre",
    "vite", "synes", "ha", "være", "mer", "mange", "nok", "litt", "ofte", "alltid", "aldri", "gang", "bare", "også",
    "helt", "the", "and", "to", "of", "is", "it", "we", "nei", "ja", "takk", "ingen", "ting", "kommentar", "eg",
    "ikkje", "ein", "eit", "frå", "berre", "meir", "vere", "vert", "korleis", "kva", "dei", "oss", "vi", "meg",
}


@lru_cache(maxsize=1)
def norwegian_stop_words() -> frozenset[str]:
    """Bokmål + nynorsk stop words from the ``stop-words`` package plus survey filler words."""
    words: set[str] = set(_EXTRA_STOP)
    try:
        from stop_words import get_stop_words

        words.update(get_stop_words("norwegian"))
    except Exception:  # pragma: no cover - package missing
        pass
    return frozenset(w.lower() for w in words)


def without_compound_parts(lemmas: str) -> str:
    """A lemma string without the compound parts the analysis appends after a compound ("veileder vei leder" →
    "veileder", "meldekort melde kort" → "meldekort"): topic words and n-grams name what people wrote, not the
    parts ("leder", "kort") that only help matching. A part is a shorter word inside the compound before it."""
    out: list[str] = []
    head = ""
    for tok in lemmas.split():
        if head and len(tok) < len(head) and tok in head:
            continue
        out.append(tok)
        head = tok
    return " ".join(out)


def make_vectorizer(n_docs: int, *, ngram_range=(1, 3), min_df: int | None = None):
    """CountVectorizer over lemma strings (stop words removed, n-grams 1-3, ``min_df`` scaled to corpus)."""
    from sklearn.feature_extraction.text import CountVectorizer

    if min_df is None:
        min_df = 1 if n_docs < 200 else 2 if n_docs < 2000 else 3
    return CountVectorizer(token_pattern=_TOKEN, stop_words=sorted(norwegian_stop_words()), ngram_range=ngram_range,
                           min_df=min_df, lowercase=True)


def class_tfidf(lemma_docs: list[str], labels: np.ndarray, topic_ids: list[int], *, vectorizer=None):
    """c-TF-IDF (as BERTopic's ClassTfidfTransformer, frequent words damped) -> (matrix [topics, terms], terms).

    ``min_df`` applies to documents; documents whose label is not in ``topic_ids`` are ignored.
    """
    labels = np.asarray(labels)
    vectorizer = vectorizer or make_vectorizer(len(lemma_docs))
    try:
        doc_counts = vectorizer.fit_transform(lemma_docs)
    except ValueError:  # empty vocabulary (e.g. only stop words)
        return sparse.csr_matrix((len(topic_ids), 0)), np.array([], dtype=object)
    row_of = {int(t): i for i, t in enumerate(topic_ids)}
    keep = np.array([int(t) in row_of for t in labels], dtype=bool)
    rows = np.array([row_of[int(t)] for t in labels[keep]], dtype=np.int64)
    ind = sparse.csr_matrix((np.ones(len(rows)), (rows, np.flatnonzero(keep))), shape=(len(topic_ids), len(lemma_docs)))
    counts = sparse.csr_matrix(ind @ doc_counts)
    terms = vectorizer.get_feature_names_out()
    used = np.flatnonzero(np.asarray(counts.sum(axis=0)).ravel() > 0)  # terms seen only in outliers: df = 0
    counts, terms = counts[:, used], terms[used]
    if counts.shape[1] == 0:
        return sparse.csr_matrix((len(topic_ids), 0)), np.array([], dtype=object)
    return ctfidf_weights(counts), terms


def ctfidf_weights(counts) -> sparse.csr_matrix:
    """BERTopic's ``ClassTfidfTransformer(reduce_frequent_words=True)`` on a [topics, terms] count matrix, same
    arithmetic: idf = log(avg words per topic / term frequency + 1); tf = sqrt(L1-normalised counts); tf * idf.
    Implemented here so describing topics does not import BERTopic (and with it torch: ~5 s per process)."""
    from sklearn.preprocessing import normalize

    x = sparse.csr_matrix(counts, dtype=np.float64)
    df = np.squeeze(np.asarray(x.sum(axis=0)))
    avg_nr_samples = int(x.sum(axis=1).mean())
    idf = np.log((avg_nr_samples / df) + 1)
    x = normalize(x, axis=1, norm="l1", copy=False)
    x.data = np.sqrt(x.data)
    return sparse.csr_matrix(x @ sparse.diags(idf, offsets=0, shape=(len(idf), len(idf)), format="csr"))


def top_keywords(row, terms: np.ndarray, k: int = 10) -> list[str]:
    row = row.toarray().ravel() if sparse.issparse(row) else np.asarray(row).ravel()
    if row.size == 0:
        return []
    order = np.lexsort((terms, -row))  # by weight, ties alphabetical (deterministic)
    return [str(terms[i]) for i in order[:k] if row[i] > 0]


def make_label(keywords: list[str], n: int = 3) -> str:
    """``"telefon · kø · ventetid"``: top keywords, skipping ones whose words are already shown."""
    chosen: list[str] = []
    seen: set[str] = set()
    for kw in keywords:
        words = kw.split()
        if all(w in seen for w in words):
            continue
        if any(_contains(c, kw) or _contains(kw, c) for c in chosen):
            continue
        chosen.append(kw)
        seen.update(words)
        if len(chosen) == n:
            break
    return " · ".join(chosen) if chosen else "(uten nøkkelord)"


def _contains(a: str, b: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(b)}(?!\w)", a))
