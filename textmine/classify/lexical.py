"""Lexical evidence: codebook keyword matching on lemmas/compound parts and hashed lemma features."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from ..codebook import Codebook

__all__ = ["KEYWORD_IDIOMS", "KeywordMatcher", "LemmaHasher", "CharHasher", "analyze_keyword", "feature_text",
           "has_placeholder"]

# A redaction placeholder (``[TELEFON]``, ``[NAVN]``…, see ``preprocess.redact.PLACEHOLDERS``; the same pattern
# the lemma analysis drops). Placeholders stay in the redacted text users see but are no evidence for any theme
# or type ("[TELEFON]" is not the theme "telefon"), so every feature that reads text reads :func:`feature_text`.
_PLACEHOLDER = re.compile(r"\[[A-ZÆØÅ]+\]")
_PLACEHOLDER_SPAN = re.compile(r"\s*\[[A-ZÆØÅ]+\]\s*")
_SPACE_BEFORE_PUNCT = re.compile(r" (?=[.,;:!?)\]}])")


#: Idioms in which a word means something else: (the word, as it stands in the idiom; a regex over the lower-cased
#: text). A one-word keyword does not match inside an idiom ("setter pris på", to appreciate, is no price; "som
#: regel", usually, no rule), only where its word also stands outside one ("Vi setter pris på hjelpen, men prisen er
#: for høy"). A phrase keyword is not blocked: a phrase names its own context ("setter pris på" may be a keyword).
KEYWORD_IDIOMS: tuple[tuple[str, str], ...] = (
    # "setter (stor) pris på", "det satte vi veldig stor pris på", nynorsk "set/sette/setje pris på"
    # (not "sett", seen: "har aldri sett en pris på over 5000 kr"; between verb and "pris" only pronouns and degree
    # words, so "setter en pris på tjenesten" stays a price)
    ("pris", r"(?:setter|sette|satte|satt|set|setj[ae])\s+(?:(?:vi|jeg|eg|me|de|dei|dere|dykk|han|hun|ho|alle|"
             r"veldig|svært|særs|utrolig|utruleg|enormt|så|stor|kjempestor|mye|mykje|høy|høg|meget|virkelig|"
             r"verkeleg|helt|heilt|absolutt|ikke|ikkje|alltid|også|òg|nok|faktisk)\s+){0,4}?pris\s+på"),
    ("pris", r"pris(?:e|er|te|a|ar|et)?\s+(?:seg|oss|meg|deg|dykk|dere)\s+lykk\w*"),  # count oneself lucky
    ("pris", r"prisverdig\w*|prisverd(?:e|t)?"),  # praiseworthy (analysed as pris + verdig); not "prisverdien"
    ("regel", r"som\s+regel|i\s+regelen"),  # usually
    ("helhet", r"i\s+sin\s+helhet"),  # in its entirety
    ("topp", r"på\s+toppen\s+av\s+(?:det\s+hele|alt(?:\s+sammen)?)"),  # on top of it all
)
_IDIOMS = tuple(re.compile(r"(?<!\w)(?:" + rx + r")(?!\w)") for _, rx in KEYWORD_IDIOMS)
_IDIOM_WORDS = frozenset(word for word, _ in KEYWORD_IDIOMS)  # each idiom's text holds its word: a pre-check


def _idiom_spans(low: str) -> list[tuple[int, int]]:
    """The spans of :data:`KEYWORD_IDIOMS` in the lower-cased ``low``, in order."""
    if not any(w in low for w in _IDIOM_WORDS):
        return []
    return sorted(m.span() for pat in _IDIOMS for m in pat.finditer(low))


def _outside_idioms(low: str, tokens: list[str], spans: list[tuple[int, int]]) -> tuple[str, set[str]]:
    """``low`` with each idiom span blanked out, and the comment's lemmas (``tokens``: one per word and compound
    part) less those of the idioms' words (as often as the idioms hold them): what is said outside the idioms."""
    parts, last, held = [], 0, Counter()
    for a, b in spans:
        parts.append(low[last:a] + " ")
        last = max(last, b)
        held.update(_idiom_lemmas(low[a:b]))
    rest = Counter(tokens)
    rest.subtract(held)
    return "".join(parts) + low[last:], {t for t, c in rest.items() if c > 0}


@lru_cache(maxsize=256)
def _idiom_lemmas(idiom: str) -> tuple[str, ...]:
    """The lemmas an idiom's words add to a comment's (as :func:`analyze_keyword` has them)."""
    return tuple(analyze_keyword(idiom))


def has_placeholder(text: str) -> bool:
    return "[" in text and _PLACEHOLDER.search(text) is not None


def feature_text(text: str) -> str:
    """``text`` as the features read it: redaction placeholders removed. A text without placeholders is
    returned unchanged (the very same string); with them, each placeholder and the spaces around it become one
    space, the ends are stripped and a space left before punctuation is dropped, so "ring meg på [TELEFON]
    angående X" reads "ring meg på angående X", exactly as if the number had not been written."""
    text = str(text or "")
    if not has_placeholder(text):
        return text
    out = _PLACEHOLDER_SPAN.sub(" ", text).strip()
    return _SPACE_BEFORE_PUNCT.sub("", out)


def analyze_keyword(keyword: str) -> list[str]:
    """Lemma tokens of a keyword, through the same analysis as comments (first token = main lemma)."""
    from ..preprocess import analyze, normalize

    return analyze(normalize(keyword))


# -ing nouns whose verb means something else ("løsning" is no "løsne", "ordning" no "ordne"): no verb match
_ING_NOT_VERB = frozenset({"løsning", "ordning", "regning", "mening", "ledning", "tegning", "avdeling", "forening"})


def _verb_noun_pair(lemma: str) -> str | None:
    """The other half of a keyword's verb / -ing noun pair: "mobbing" → "mobbe", "forenkling" → "forenkle" and
    back, when the lexicon has the verb as a verb lemma (and not as a noun: "lege") and the noun as a noun lemma,
    and the two name the same act (not "løsning" / "løsne"); else None."""
    if not lemma.isalpha():
        return None
    if lemma.endswith("ing"):
        noun, verb = lemma, lemma[:-3] + "e"
    elif lemma.endswith("e"):
        noun, verb = lemma[:-1] + "ing", lemma
    else:
        return None
    if len(noun) < 6 or noun in _ING_NOT_VERB:
        return None
    from ..preprocess import default_resources

    lemmas = default_resources().lexicon.lemmas_by_pos
    if verb not in lemmas["verb"] or noun not in lemmas["noun"] or (lemma == verb and verb in lemmas["noun"]):
        return None  # a keyword that is a noun as well ("lege", the doctor) is no verb
    return verb if lemma == noun else noun


def _is_expansion(word: str, toks: list[str]) -> bool:
    """Whether the analysis of the one-word keyword ``word`` replaced it by other words (an abbreviation
    expanded: "nks" → nav, kontaktsenter, …) rather than giving its own lemma first (a compound's lemma
    starts as the word does: "skolebussen" → skolebuss, skole, buss)."""
    return len(toks) >= 2 and not toks[0][:2] == word[:2]


class KeywordMatcher:
    """Counts, per theme, how many of its keywords occur in a comment.

    A one-word keyword matches when its lemma is among the comment's lemmas (which carry compound parts, so
    ``telefon`` matches ``telefonkøen``) or when a word of the text starts with it. With ``verb_noun_pairs`` (the
    zero-shot coder) a keyword noun in -ing also matches its verb's lemma, and a keyword verb its -ing noun
    (``mobbing`` matches "mobbet", "mobba"; ``mobbe`` matches "mobbingen"; see :func:`_verb_noun_pair`). A phrase
    matches when it occurs in the lower-cased text or all its content lemmas occur in the comment.

    A part of the coders, not a coder: it takes cleaned texts and their lemmas, not raw answers or a table (for
    ``code_dataframe`` or ``predict``, use ``ZeroShotCoder(codebook)``, which codes by keywords and embeddings).
    """

    def __init__(self, codebook: Codebook, *, expansions_as_phrases: bool = False, verb_noun_pairs: bool = False):
        """``expansions_as_phrases``: a one-word keyword that the analysis expands into several words (an
        abbreviation: "NKS" → "nav kontaktsenter", "IA" → "inkluderende arbeidsliv") must find all of them,
        as a phrase does. Without it only the first word is required, so the keyword "NKS" matched every
        comment that mentions NAV. Off by default: a trained model's features were computed without it (the
        zero-shot coder turns it on). ``verb_noun_pairs``: a keyword noun in -ing also matches its verb and back
        (:func:`_verb_noun_pair`). Off by default: the zero-shot coder turns it on, for codebooks it has never
        seen; a trained coder's keyword features gained nothing from it on the eval set (macro-F1 0.864 with,
        0.868 without, 2026-12-05) and learn the verbs from examples instead."""
        self.codebook = codebook
        self.expansions_as_phrases = bool(expansions_as_phrases)
        self.verb_noun_pairs = bool(verb_noun_pairs)
        # per theme: list of (literal, regex on lower-cased text, lemma sets any of which matches); the literal is
        # a cheap substring pre-check (the regex can only match where the literal occurs)
        self._rules: list[list[tuple[str, re.Pattern, tuple[frozenset[str], ...]]]] = []
        # per theme: whether each rule is a one-word keyword (no match inside an idiom, see KEYWORD_IDIOMS)
        self._one_word: list[list[bool]] = []
        for theme in codebook.themes:
            rules, one_word = [], []
            for kw in theme.keywords:
                low = " ".join(kw.lower().split())
                if not low:
                    continue
                pat = re.compile(r"(?<!\w)" + re.escape(low))
                toks = analyze_keyword(kw)
                if " " in low:
                    lem = frozenset(toks) if len(toks) >= 2 else None  # phrase: all content lemmas present
                elif self.expansions_as_phrases and _is_expansion(low, toks):
                    lem = frozenset(toks)  # an abbreviation's expansion: all its words, as for a phrase
                else:
                    lem = frozenset(toks[:1]) if toks else None  # main lemma (comment lemmas carry compound parts)
                    # an abbreviation's first word ("IA" → inkluderende …) is no keyword of its own
                    pair = (_verb_noun_pair(toks[0]) if verb_noun_pairs and toks and not _is_expansion(low, toks)
                            else None)
                    if pair is not None:
                        rules.append((low, pat, (lem, frozenset([pair]))))
                        one_word.append(True)
                        continue
                rules.append((low, pat, (lem,) if lem is not None else ()))
                one_word.append(" " not in low)
            self._rules.append(rules)
            self._one_word.append(one_word)

    def counts(self, texts_clean: Sequence[str], lemmas: Sequence[str]) -> np.ndarray:
        """(n, n_themes) float32 matrix: number of distinct keywords of each theme found in each comment
        (redaction placeholders are not words of the comment: ``[TELEFON]`` does not match ``telefon``; a keyword
        inside one of its :data:`KEYWORD_IDIOMS` is no match)."""
        n, k = len(texts_clean), len(self.codebook)
        out = np.zeros((n, k), dtype=np.float32)
        for i, (text, lem) in enumerate(zip(texts_clean, lemmas, strict=True)):
            low = " ".join(feature_text(text).lower().split())
            tokens = str(lem or "").split()
            lemset = set(tokens)
            if not low and not lemset:
                continue
            spans = _idiom_spans(low)
            rest, rest_lemset = _outside_idioms(low, tokens, spans) if spans else (low, lemset)
            for j, rules in enumerate(self._rules):
                c = 0
                for (lit, pat, alts), one_word in zip(rules, self._one_word[j]):
                    said, lems = (rest, rest_lemset) if one_word else (low, lemset)
                    if any(ls <= lems for ls in alts) or (lit in said and pat.search(said)):
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
        if len(lemmas) == 0:  # scikit-learn's hasher raises StopIteration on an empty batch
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        return self._vec.transform([lem or "" for lem in lemmas]).astype(np.float32)


class CharHasher:
    """Stateless bag of character 3–5-grams within word boundaries (robust to typos, dialect and nynorsk
    spellings), hashed into a fixed width and L2-normalised.

    The same matrix as scikit-learn's ``HashingVectorizer(analyzer="char_wb", binary=True, norm="l2")``, built
    from a per-word memo: char_wb n-grams never cross a word boundary, so a text's features are the union of
    its words' features, and words repeat across comments (the n-gram loop is pure Python). The memo is a cache
    only (bounded, never saved): output depends on the text alone. Redaction placeholders are dropped first
    (:func:`feature_text`)."""

    MEMO_WORDS = 200_000  # words kept before the memo starts afresh

    def __init__(self, n_features: int = 2**14):
        self.n_features = n_features
        # one word per "document", already lower-cased: its n-gram indices, sorted and distinct
        self._word_vec = HashingVectorizer(n_features=n_features, analyzer="char_wb", ngram_range=(3, 5),
                                           lowercase=False, alternate_sign=False, binary=True, norm=None)
        self._words: dict[str, np.ndarray] = {}

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        docs = [feature_text(t).lower().split() for t in texts]
        memo = self._words
        if len(memo) > self.MEMO_WORDS:
            memo = self._words = {}
        missing = list(dict.fromkeys(w for d in docs for w in d if w not in memo))
        if missing:
            X = self._word_vec.transform(missing)
            X.sort_indices()
            for k, w in enumerate(missing):
                memo[w] = X.indices[X.indptr[k]:X.indptr[k + 1]].astype(np.int32)
        rows = []
        for d in docs:
            if not d:
                rows.append(np.empty(0, dtype=np.int32))
            elif len(d) == 1:
                rows.append(memo[d[0]])
            else:
                rows.append(np.unique(np.concatenate([memo[w] for w in d])))
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indptr = np.zeros(len(rows) + 1, dtype=np.int32)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.concatenate(rows) if rows else np.empty(0, dtype=np.int32)
        # L2 norm of a binary row: 1/sqrt(nnz), computed in float64 as scikit-learn's normalize does
        data = np.repeat(1.0 / np.sqrt(np.maximum(lengths, 1)), lengths).astype(np.float32)
        return sp.csr_matrix((data, indices, indptr), shape=(len(rows), self.n_features))
