"""Flag comments that mention health or diagnoses (special-category personal data)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .wordlists import read_list, read_table

_TOKEN = re.compile(r"[^\W\d_][\w-]*")


@dataclass
class HealthFlagger:
    """``flag(text) -> bool``. Terms from ``health_terms.tsv``; exclusions from ``health_exclusions.txt``."""

    contains: tuple[str, ...]
    prefixes: tuple[str, ...]
    exact: frozenset[str]
    exact_upper: frozenset[str]
    phrases: re.Pattern | None
    exclusions: frozenset[str]

    @classmethod
    def from_wordlists(cls, directory: Path | None = None) -> "HealthFlagger":
        contains, prefixes, exact, upper, phrases = [], [], set(), set(), []
        for row in read_table("health_terms.tsv", directory):
            if len(row) < 2:
                continue
            term, mode = row[0], row[1]
            if mode == "contains":
                contains.append(term.lower())
            elif mode == "prefix":
                prefixes.append(term.lower())
            elif mode == "exact":
                exact.add(term.lower())
            elif mode == "exact_upper":
                upper.add(term.upper())
            elif mode == "phrase":
                phrases.append(re.escape(term.lower()).replace(r"\ ", r"\s+"))
        return cls(
            contains=tuple(contains),
            prefixes=tuple(prefixes),
            exact=frozenset(exact),
            exact_upper=frozenset(upper),
            phrases=re.compile(r"\b(?:" + "|".join(phrases) + r")") if phrases else None,
            exclusions=frozenset(w.lower() for w in read_list("health_exclusions.txt", directory)),
        )

    def __post_init__(self) -> None:
        self._contains_re = re.compile("|".join(re.escape(c) for c in self.contains)) if self.contains else None

    def flag(self, text: str) -> bool:
        if not text:
            return False
        low = text.lower()
        if self.phrases is not None and self.phrases.search(low):
            return True
        for m in _TOKEN.finditer(text):
            tok = m.group(0)
            if tok in self.exact_upper:
                return True
            t = tok.lower()
            if t in self.exclusions:
                continue
            if t in self.exact or t.startswith(self.prefixes or ("\0",)):
                return True
            if self._contains_re is not None and self._contains_re.search(t):
                return True
        return False
