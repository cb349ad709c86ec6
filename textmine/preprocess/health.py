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
        starts = [re.escape(p) for p in self.prefixes] + [re.escape(e) + r"(?![\w-])" for e in self.exact]
        self._start_re = re.compile(r"(?<![\w-])(?:" + "|".join(starts) + ")") if starts else None
        self._upper_re = (
            re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, self.exact_upper)) + r")(?![\w-])")
            if self.exact_upper else None
        )

    def flag(self, text: str) -> bool:
        if not text:
            return False
        low = text.lower()
        if self.phrases is not None and self.phrases.search(low):
            return True
        if self._upper_re is not None and self._upper_re.search(text):
            return True
        for pattern in (self._start_re, self._contains_re):
            if pattern is None:
                continue
            for m in pattern.finditer(low):
                if self._token_at(low, m.start()) not in self.exclusions:
                    return True
        return False

    @staticmethod
    def _token_at(low: str, pos: int) -> str:
        start = pos
        while start > 0 and (low[start - 1].isalnum() or low[start - 1] == "-"):
            start -= 1
        m = _TOKEN.match(low, start)
        return m.group(0) if m else ""
