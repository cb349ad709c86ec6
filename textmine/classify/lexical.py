"""Lexical evidence: codebook keyword matching on lemmas/compound parts and hashed lemma features."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from ..codebook import Codebook

__all__ = ["KeywordMatcher", "LemmaHasher", "CharHasher", "analyze_keyword"]


def analyze_keyword(keyword: str) -> list[str]:
    """Lemma tokens of a keyword, through the same analysis as comments (first token = main lemma)."""
    from ..preprocess import analyze, normalize

    return analyze(normalize(keyword))


class KeywordMatcher:
    """Counts, per theme, how many of its keywords occur in a comment.

    A one-word keyword matches when its lemma is among the comment's lemmas (which carry compound parts, so
    ``telefon`` matches ``telefonkøen``) or when a word of the text starts with it; a phrase matches when it
    occurs in the lower-cased text or all its content lemmas occur in the comment.
    """

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        # per theme: list of (literal, regex on lower-cased text, lemma set or None); the literal is a cheap
        # substring pre-check (the regex can only match where the literal occurs)
        self._rules: list[list[tuple[str, re.Pattern, frozenset[str] | None]]] = []
        for theme in codebook.themes:
            rules = []
            for kw in theme.keywords:
                low = " ".join(kw.lower().split())
                if not low:
                    continue
                pat = re.compile(r"(?<!\w)" + re.escape(low))
                toks = analyze_keyword(kw)
                if " " in low:
                    lem = frozenset(toks) if len(toks) >= 2 else None  # phrase: all content lemmas present
                else:
                    lem = frozenset(toks[:1]) if toks else None  # main lemma (comment lemmas carry compound parts)
                rules.append((low, pat, lem))
            self._rules.append(rules)

    def counts(self, texts_clean: Sequence[str], lemmas: Sequence[str]) -> np.ndarray:
        """(n, n_themes) float32 matrix: number of distinct keywords of each theme found in each comment."""
        n, k = len(texts_clean), len(self.codebook)
        out = np.zeros((n, k), dtype=np.float32)
        for i, (text, lem) in enumerate(zip(texts_clean, lemmas, strict=True)):
            low = " ".join(str(text or "").lower().split())
            lemset = set(str(lem or "").split())
            if not low and not lemset:
                continue
            for j, rules in enumerate(self._rules):
                c = 0
                for lit, pat, ls in rules:
                    if (ls is not None and ls <= lemset) or (lit in low and pat.search(low)):
                        c += 1
                out[i, j] = c
        return out

    def predict(self, texts_clean: Sequence[str], lemmas: Sequence[str]) -> np.ndarray:
        """Keyword baseline: a theme is present when any of its keywords matches."""
        return (self.counts(texts_clean, lemmas) > 0).astype(np.int8)


class LemmaHasher:
    """Stateless bag of lemma uni/bigrams hashed into a fixed width (nothing to store in an artefact)."""

    def __init__(self, n_features: int = 2**13):
        self.n_features = n_features
        self._vec = HashingVectorizer(n_features=n_features, analyzer="word", token_pattern=r"\S+", lowercase=False,
                                      ngram_range=(1, 2), alternate_sign=False, binary=True, norm="l2")

    def transform(self, lemmas: Sequence[str]) -> sp.csr_matrix:
        return self._vec.transform([lem or "" for lem in lemmas]).astype(np.float32)


class CharHasher:
    """Stateless bag of character 3–5-grams within word boundaries (robust to typos, dialect and nynorsk
    spellings), hashed into a fixed width and L2-normalised."""

    def __init__(self, n_features: int = 2**14):
        self.n_features = n_features
        self._vec = HashingVectorizer(n_features=n_features, analyzer="char_wb", ngram_range=(3, 5), lowercase=True,
                                      alternate_sign=False, binary=True, norm="l2")

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._vec.transform([t or "" for t in texts]).astype(np.float32)
