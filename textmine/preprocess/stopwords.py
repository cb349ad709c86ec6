"""Stop words: the ``stop-words`` package (norwegian) + a survey list, minus words we must keep."""

from __future__ import annotations

from pathlib import Path

from .wordlists import read_list


def load_stopwords(directory: Path | None = None) -> frozenset[str]:
    """Lower-cased stop words; negations, modals and degree words (``keep_words.txt``) never included."""
    from stop_words import get_stop_words

    words = {w.lower() for w in get_stop_words("norwegian")}
    words |= {w.lower() for w in read_list("survey_stopwords.txt", directory)}
    words -= load_keep_words(directory)
    return frozenset(words)


def load_keep_words(directory: Path | None = None) -> frozenset[str]:
    """Words that carry complaint/wish signal and are never removed."""
    return frozenset(w.lower() for w in read_list("keep_words.txt", directory))


_EN_KEEP = frozenset({"not", "no", "never", "too", "must", "should", "could", "would", "can", "cannot",
                      "more", "less", "very", "better", "worse", "nor", "against"})


def load_english_stopwords() -> frozenset[str]:
    """English stop words (``stop-words`` package) minus negations, modals and degree words."""
    from stop_words import get_stop_words

    return frozenset(w.lower() for w in get_stop_words("english")) - _EN_KEEP
