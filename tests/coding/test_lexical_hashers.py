"""The char n-gram hasher's per-word memo gives exactly scikit-learn's HashingVectorizer matrix."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from textmine.classify.lexical import CharHasher

TEXTS = [
    "Umulig å komme gjennom på telefon",
    "umulig  å komme\tgjennom på TELEFON!",  # same words, other case and spacing
    "",
    "   ",
    "Betre koordinering mellom lege og arbeidsplass",
    "ab x",  # words shorter than the n-gram length
    "Ærlig talt\u2003ÅØ\u00a0sykmeldt/sykemeldt e-post",  # unicode whitespace, punctuation inside words
    "NAV må følge bedre opp i sykmeldingsperioden, NAV må følge opp",
    None,
]


def _reference(h: CharHasher, texts):
    """What the hasher replaced: scikit-learn's char_wb vectorizer with the same settings."""
    vec = HashingVectorizer(n_features=h.n_features, analyzer="char_wb", ngram_range=(3, 5), lowercase=True,
                            alternate_sign=False, binary=True, norm="l2")
    return vec.transform([t or "" for t in texts]).astype(np.float32)


@pytest.mark.parametrize("n_features", [2**14, 2**6])  # a narrow width forces hash collisions within a word
def test_char_hasher_matches_sklearn_cold_and_warm(n_features):
    h = CharHasher(n_features)
    ref = _reference(h, TEXTS)
    for _ in range(2):  # first call fills the memo, second reads it
        got = h.transform(TEXTS)
        assert got.shape == ref.shape and got.dtype == np.float32
        assert np.array_equal(got.indptr, ref.indptr)
        assert np.array_equal(got.indices, ref.indices)
        assert np.array_equal(got.data, ref.data)
    assert h._words  # the memo was used


def test_char_hasher_rows_do_not_depend_on_the_batch():
    h = CharHasher()
    alone = h.transform([TEXTS[4]]).toarray()
    batch = h.transform(TEXTS[:6]).toarray()
    assert np.array_equal(alone[0], batch[4])
    assert np.isclose(np.linalg.norm(batch[4]), 1.0)
    assert not batch[2].any() and not batch[3].any()


def test_char_hasher_memo_is_bounded(monkeypatch):
    h = CharHasher()
    monkeypatch.setattr(CharHasher, "MEMO_WORDS", 3)
    h.transform(["en to tre fire fem"])
    assert len(h._words) == 5
    got = h.transform(["seks sju"])  # over the bound: the memo starts afresh, output unchanged
    assert set(h._words) == {"seks", "sju"}
    assert np.array_equal(got.toarray(), _reference(h, ["seks sju"]).toarray())
