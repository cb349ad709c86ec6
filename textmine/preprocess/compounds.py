"""Frequency-based Norwegian compound splitter (Koehn & Knight style).

Part frequencies come from ``data/wordlists/compound_freq.tsv``: for every Ordbank noun/verb/
adjective lemma, how many *other* Ordbank lemmas use it as a head or modifier (a productivity
count; rebuild with ``python -m textmine.preprocess.compounds``). ``split("telefonkø")`` →
``["telefon", "kø"]``; a word with no confident split returns ``[]``.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from textmine.paths import WORDLIST_DIR

from .wordlists import read_list, read_table

FREQ_FILE = "compound_freq.tsv"
_LINKERS = ("", "s", "e")
_MIN_PART = 3
_MIN_HEAD = 4
_MIN_FREQ = 3
_MIN_WORD = 7
# the inflections of the adjective suffix (nynorsk -leg, bokmål -lig): never a compound head, so "vanskelegt" is
# no "vanske" + "legt" and "vanskelege" no "vanske" + "lege" (the doctor) where "-lig" makes an adjective of the
# rest (see CompoundSplitter._adjective_head)
_ADJ_SUFFIXES = frozenset({"leg", "lege", "legt", "leget", "legare", "legast", "legaste",
                           "lig", "lige", "ligt", "ligere", "ligst", "ligste"})
# derivational suffixes that make a noun of a verb or noun ("marker(e)" + "ing", "tekst" + "ing"): a known word so
# derived is split only where its head is the same derivation of a word ("saks|behandl-ing", "syk|meld-ing"),
# never where the head cuts the base ("mark|ring", "tek|ting"; see CompoundSplitter._derivation)
_DERIVATION_SUFFIXES = ("ing", "else")
_MIN_BASE = 3
_VOWELS = frozenset("aeiouyæøå")


class CompoundSplitter:
    """Split compounds into known parts; results cached per word in ``self.cache``."""

    def __init__(
        self,
        freqs: dict[str, int],
        short_parts: frozenset[str] = frozenset(),
        vocab: frozenset[str] = frozenset(),
        blocked: frozenset[str] = frozenset(),
    ):
        self.freqs = freqs
        self.short_parts = short_parts
        self.vocab = vocab  # any known lemma (frequency 1) when not productive enough
        self.blocked = blocked
        self.cache: dict[str, list[str]] = {}
        self.cache_limit = 500_000  # entries before the cache is cleared

    @classmethod
    def from_wordlists(
        cls, directory: Path | None = None, vocab: frozenset[str] = frozenset()
    ) -> "CompoundSplitter":
        rows = read_table(FREQ_FILE, directory)
        freqs = {r[0]: int(r[1]) for r in rows if len(r) >= 2}
        short = frozenset(read_list("compound_short_heads.txt", directory))
        for w in short:
            freqs.setdefault(w, 50)
        for w in read_list("compound_domain_parts.txt", directory):
            freqs[w] = max(freqs.get(w, 0), 100)
        blocked = frozenset(read_list("compound_blocked_parts.txt", directory))
        for w in blocked:
            freqs.pop(w, None)
        return cls(freqs, short, frozenset(vocab), blocked)

    def _known(self, part: str, *, head: bool) -> int:
        if len(part) < (_MIN_HEAD if head else _MIN_PART) and part not in self.short_parts:
            return 0
        f = self.freqs.get(part, 0)
        if f >= _MIN_FREQ or part in self.short_parts:
            return f
        if len(part) >= 5 and part in self.vocab and part not in self.blocked:
            return 1
        return 0

    def _adjective_head(self, word: str, i: int) -> bool:
        """Whether ``word[i:]`` is the adjective suffix rather than a head: any -leg/-lig inflection but "lege",
        and "lege" too where ``word[:i]`` + "lig" is a known adjective ("vanske|lege", "tid|lege") and ``word`` is
        no known lemma itself ("huslege", the doctor, against "huslig")."""
        right = word[i:]
        if right not in _ADJ_SUFFIXES:
            return False
        return right != "lege" or (word[:i] + "lig" in self.vocab and word not in self.vocab)

    def _derived(self, word: str, suffix: str) -> bool:
        """Whether ``word`` is a word (or a verb's stem) + ``suffix``: "markering" ("markere"), "teksting"
        ("tekst"), "behandling" ("behandle"), "sying" ("sy"); not "ring", "ting" or "eling" (a base of one letter, or
        of two not ending in a vowel as the short verbs do)."""
        if not word.endswith(suffix):
            return False
        base = word[: len(word) - len(suffix)]
        if len(base) < _MIN_BASE:
            return len(base) == 2 and base[-1] in _VOWELS and base in self.vocab  # "sy|ing", not "el|ing"
        return base in self.vocab or base + "e" in self.vocab or self.freqs.get(base, 0) >= _MIN_FREQ

    def _derivation(self, word: str) -> str | None:
        """The derivational suffix of a known whole word derived from another ("markering" → "ing"), else None."""
        if word not in self.vocab:
            return None
        for suffix in _DERIVATION_SUFFIXES:
            if self._derived(word, suffix):
                return suffix
        return None

    def _best_split(self, word: str) -> tuple[str, str] | None:
        best, best_score = None, 0.0
        n = len(word)
        suffix = self._derivation(word)
        for i in range(2, n - 1):
            right = word[i:]
            fr = self._known(right, head=True)
            if not fr or self._adjective_head(word, i):
                continue
            if suffix is not None and not self._derived(right, suffix) and not (
                    len(right) >= len(suffix) + 4 and right in self.vocab):  # "krigs|utflytting"
                continue  # the head cuts the derived word's base: "mark|ring" (markering), "tek|ting" (teksting)
            left_raw = word[:i]
            for link in _LINKERS:
                if link and not left_raw.endswith(link):
                    continue
                left = left_raw[: len(left_raw) - len(link)] if link else left_raw
                fl = self._known(left, head=False)
                if not fl:
                    continue
                score = math.sqrt(fl * fr) * (1.0 if not link else 0.9)
                if score > best_score:
                    best, best_score = (left, right), score
        return best

    def split(self, word: str) -> list[str]:
        """Parts of ``word`` (lower-case lemma), outermost split first, then sub-parts; [] if none."""
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        parts: list[str] = []
        if len(word) >= _MIN_WORD and word.isalpha():
            pair = self._best_split(word)
            if pair is not None:
                parts = list(pair)
                for p in pair:
                    if len(p) >= 8:
                        for sub in self._best_split(p) or ():
                            if sub not in parts:
                                parts.append(sub)
        if len(self.cache) >= self.cache_limit:
            self.cache.clear()
        self.cache[word] = parts
        return parts


def build_frequencies(lemmas: frozenset[str] | set[str], *, min_count: int = 2) -> Counter:
    """Productivity counts: how often each lemma is a head or modifier of another lemma."""
    vocab = {w for w in lemmas if w.isalpha() and len(w) >= 2}
    counts: Counter = Counter()
    for word in vocab:
        n = len(word)
        if n < 6:
            continue
        for i in range(3, n - 1):
            right = word[i:]
            if len(right) >= 2 and right in vocab:
                left = word[:i]
                for link in _LINKERS:
                    if link and not left.endswith(link):
                        continue
                    base = left[: len(left) - len(link)] if link else left
                    if len(base) >= 3 and base in vocab:
                        counts[right] += 1
                        counts[base] += 1
                        break
    return Counter({w: c for w, c in counts.items() if c >= min_count})


def write_frequencies(path: Path | None = None) -> Path:
    """Rebuild ``compound_freq.tsv`` from the Ordbank lemma list."""
    from .lexicon import load_lexicon

    lex = load_lexicon()
    counts = build_frequencies(lex.content_lemmas, min_count=2)
    path = path or (WORDLIST_DIR / FREQ_FILE)
    lines = ["# Compound-part productivity counts from Norsk Ordbank lemmas (spacy-lookups-data).",
             "# Built by: python -m textmine.preprocess.compounds", "# part\tcount"]
    lines += [f"{w}\t{c}" for w, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(write_frequencies())
