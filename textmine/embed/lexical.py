"""Fast lexical embeddings: TF-IDF over lemmas + character n-grams, reduced with TruncatedSVD."""

from __future__ import annotations

import hashlib
import re
from typing import Callable, Sequence

import numpy as np
from scipy import sparse

from .base import as_text_list, empty_matrix, l2_normalize

_WORD = re.compile(r"\w+", re.UNICODE)


def _fallback_analyze(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if not w.isdigit()]


def default_analyzer() -> Callable[[str], list[str]]:
    """``textmine.preprocess.analyze`` (lemmas) when available, else lower-cased word tokens."""
    try:
        from textmine.preprocess import analyze  # type: ignore

        analyze("test")
        return analyze
    except Exception:
        return _fallback_analyze


def lemma_strings(texts: Sequence[str], analyzer: Callable[[str], list[str]] | None = None) -> list[str]:
    """Space-joined analysis tokens per text (the vectorizer input)."""
    fn = analyzer or default_analyzer()
    return [" ".join(fn(t)) if t else "" for t in texts]


class LexicalEmbedder:
    """sklearn-style: ``fit(texts)`` then ``encode``/``transform``. Deterministic for a fixed ``seed``."""

    name = "lexical"

    def __init__(self, n_components: int = 256, *, char_ngrams: tuple[int, int] = (3, 5), min_df: int = 2,
                 seed: int = 42, analyzer: Callable[[str], list[str]] | None = None):
        self.n_components = n_components
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.seed = seed
        self.analyzer = analyzer
        self.dimension = n_components
        self._fitted = False
        self._fingerprint = "unfitted"

    @property
    def version(self) -> str:
        return f"lexical-v1-{self._fingerprint}"

    def _features(self, texts: list[str], lem: list[str] | None = None):
        lem = lemma_strings(texts, self.analyzer) if lem is None else lem
        a = self.word_vec_.transform(lem)
        b = self.char_vec_.transform([t.lower() for t in texts])
        return sparse.hstack([a, b]).tocsr()

    def fit(self, texts: Sequence[str], y=None, *, lemmas: Sequence[str] | None = None) -> "LexicalEmbedder":
        """Fit on ``texts``; ``lemmas`` (space-joined analysis tokens per text) skips re-analysing them."""
        self._fit_matrix(texts, lemmas)
        return self

    def fit_encode_prepared(self, texts: Sequence[str], lemmas: Sequence[str] | None) -> np.ndarray:
        """``fit`` + ``encode_prepared`` on the same texts, building their sparse features once
        (``lemmas=None`` analyses the texts)."""
        x = self._fit_matrix(texts, lemmas)
        return l2_normalize(self.svd_.transform(x))

    def _fit_matrix(self, texts: Sequence[str], lemmas: Sequence[str] | None):
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        items = as_text_list(texts)
        if len(items) < 2:
            raise ValueError(f"LexicalEmbedder.fit needs at least 2 texts, got {len(items)}")
        min_df = self.min_df if len(items) >= 20 else 1
        self.word_vec_ = TfidfVectorizer(analyzer=str.split, min_df=min_df, sublinear_tf=True)
        self.char_vec_ = TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngrams, min_df=min_df,
                                         sublinear_tf=True, max_features=100_000)
        lem = lemma_strings(items, self.analyzer) if lemmas is None else [str(x or "") for x in lemmas]
        if not any(lem):
            lem = [t.lower() or "_" for t in items]
        a = self.word_vec_.fit_transform(lem)
        b = self.char_vec_.fit_transform([t.lower() for t in items])
        x = sparse.hstack([a, b]).tocsr()
        k = max(1, min(self.n_components, x.shape[1] - 1, x.shape[0] - 1))
        self.svd_ = TruncatedSVD(n_components=k, random_state=self.seed, algorithm="randomized", n_iter=5)
        self.svd_.fit(x)
        self.dimension = k
        h = hashlib.sha1()
        for t in items:
            h.update(t.encode("utf-8") + b"\x00")
        h.update(repr((self.n_components, self.char_ngrams, self.min_df, self.seed)).encode())
        self._fingerprint = h.hexdigest()[:12]
        self._fitted = True
        return x

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        if not self._fitted:
            raise RuntimeError("LexicalEmbedder is not fitted: call fit(texts) first")
        items = as_text_list(texts)
        if not items:
            return empty_matrix(self.dimension)
        return l2_normalize(self.svd_.transform(self._features(items)))

    transform = encode

    def encode_prepared(self, texts: Sequence[str], lemmas: Sequence[str]) -> np.ndarray:
        """``encode`` with precomputed lemma strings (as produced by ``textmine.preprocess``)."""
        if not self._fitted:
            raise RuntimeError("LexicalEmbedder is not fitted: call fit(texts) first")
        items = as_text_list(texts)
        if not items:
            return empty_matrix(self.dimension)
        return l2_normalize(self.svd_.transform(self._features(items, [str(x or "") for x in lemmas])))

    def fit_transform(self, texts: Sequence[str], y=None) -> np.ndarray:
        return self.fit_encode_prepared(texts, None)
