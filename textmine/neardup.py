"""Lexical near-duplicates: when two comments read as the same text. One rule for the quotes (never two
near-duplicates quoted in one theme), the discovered topics' examples and the review queue (never two near-duplicates
on its diverse first page).

Texts are compared as their folded words (:func:`fold_words`: lower-cased runs of letters and digits, an inner
hyphen or apostrophe kept — «e-post», «NAV's» —, punctuation, spacing and redaction markers such as «[NAVN]»
dropped).
:func:`near_duplicate` holds when

1. both have the same words (in the same order): «Telefonkøen er håpløs!!!» and «telefonkøen er håpløs»;
2. with ``spelling`` (the review queue: :data:`SPELLING`), they have as many words, spelled nearly alike: character
   similarity (``difflib`` ratio of the folded texts) at least ``spelling`` — a typo or the nynorsk/bokmål spelling
   of the same comment; an added word («ikke», «helt håpløs») is never a spelling variant. Off by default: two long
   comments differing in a few short words are as alike by characters, and a quote or example of each may be wanted;

and, unless ``overlap=False`` (the review queue: a comment that says more needs its own label), when

3. one holds the other's whole text (three words or more): an answer that repeats another and adds a sentence;
4. they share a run of :data:`SHARED_RUN` words (a sentence or clause in common);
5. at least ``shared_words`` (:data:`SHARED_WORDS`) of their distinct words are common to both (Jaccard; both have
   four distinct words or more).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import cached_property

__all__ = ["fold_words", "Reading", "reading", "near_duplicate", "near_duplicate_of_any", "SPELLING", "SHARED_RUN",
           "SHARED_WORDS", "MIN_CONTAINED_WORDS"]

#: character similarity (difflib ratio) of two folded texts of as many words that makes them spelling variants
SPELLING = 0.9
#: a run of this many words shared by two texts makes them near-duplicates («forklar trekk i refusjonen, så …»)
SHARED_RUN = 6
#: the share of their distinct words in common (Jaccard) that makes two texts near-duplicates
SHARED_WORDS = 0.7
#: a text held whole by another is its near-duplicate from this many words on
MIN_CONTAINED_WORDS = 3
_MIN_SHARED_SET = 4  # rule 5 only for texts of at least this many distinct words (two short texts share little)

_MARKER = re.compile(r"\[[A-ZÆØÅ_]{3,}\]")  # a redaction marker ([NAVN], [TELEFON] …)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def fold_words(text: object) -> list[str]:
    """The folded words of ``text`` (see the module doc): 'Telefonkøen er HÅPLØS!!!' -> ['telefonkøen', 'er',
    'håpløs']; '[NAVN] svarte på e-post' -> ['svarte', 'på', 'e-post']."""
    text = str(text)
    return _WORD.findall((_MARKER.sub(" ", text) if "[" in text else text).lower())


class Reading:
    """What :func:`near_duplicate` compares of one text: its folded words, joined (``key``: equal keys are the same
    words), their number, set and runs of :data:`SHARED_RUN` (computed when first needed)."""

    __slots__ = ("words", "key", "n", "__dict__")

    def __init__(self, text: object):
        self.words: tuple[str, ...] = tuple(fold_words(text))
        self.key: str = " ".join(self.words)
        self.n: int = len(self.words)

    @cached_property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words)

    @cached_property
    def runs(self) -> frozenset[tuple[str, ...]]:
        w = self.words
        return frozenset(w[i:i + SHARED_RUN] for i in range(len(w) - SHARED_RUN + 1))

    def __repr__(self) -> str:  # the word count only: a reading may hold a respondent's words
        return f"Reading({self.n} words)"


def reading(text: object) -> Reading:
    """``text`` as :func:`near_duplicate` reads it (a :class:`Reading` is passed through)."""
    return text if isinstance(text, Reading) else Reading(text)


def _spelled_alike(a: str, b: str, ratio: float) -> bool:
    """Character similarity of ``a`` and ``b`` at least ``ratio`` (the cheap upper bounds first)."""
    m = SequenceMatcher(None, a, b, autojunk=False)
    return m.real_quick_ratio() >= ratio and m.quick_ratio() >= ratio and m.ratio() >= ratio


def near_duplicate(a: object, b: object, *, overlap: bool = True, shared_words: float = SHARED_WORDS,
                   spelling: float | None = None) -> bool:
    """Whether texts (or :class:`Reading` s) ``a`` and ``b`` read as the same: rules 1–5 of the module doc.
    ``spelling``: rule 2's character similarity (None: no rule 2); ``overlap=False``: no rules 3–5;
    ``shared_words``: rule 5's share of common words. A text without words is nobody's near-duplicate."""
    ra, rb = reading(a), reading(b)
    if not ra.n or not rb.n:
        return False
    if ra.key == rb.key:
        return True
    if spelling is not None and ra.n == rb.n and _spelled_alike(ra.key, rb.key, spelling):
        return True
    if not overlap:
        return False
    short, long_ = (ra, rb) if ra.n <= rb.n else (rb, ra)
    if short.n >= MIN_CONTAINED_WORDS and f" {short.key} " in f" {long_.key} ":
        return True
    if short.runs & long_.runs:
        return True
    sa, sb = ra.word_set, rb.word_set
    return min(len(sa), len(sb)) >= _MIN_SHARED_SET and len(sa & sb) / len(sa | sb) >= shared_words


def near_duplicate_of_any(a: object, others: Sequence[object], **rule: object) -> bool:
    """Whether ``a`` is a :func:`near_duplicate` (same keyword arguments) of any of ``others``."""
    ra = reading(a)
    return any(near_duplicate(ra, o, **rule) for o in others)  # type: ignore[arg-type]
