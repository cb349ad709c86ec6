"""Flag comments that mention health or diagnoses (special-category personal data).

A comment is flagged when it names a diagnosis, treatment or condition (``health_terms.tsv``), a statement about a
person's health (``health_terms_person.tsv``: "tok livet sitt", "er HIV-positiv", "bruker rullestol", "er ufør")
or a sick-leave/injury word tied to a body part ("sykmeldt pga. ryggen", "hun har vondt i kneet";
``health_body_parts.txt``). Sick leave alone ("Den ansatte er sykmeldt") is the survey's topic, not a health
detail, and is not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .wordlists import read_list, read_table

_TOKEN = re.compile(r"[^\W\d_][\w-]*")
# A sick-leave or injury word, up to five words of the same sentence, a link word, then a body part ("sykmeldt pga.
# ryggen", "sykmelding i 8 uker for vondt i ryggen", "brakk armen"); away from work "med" a body part ("borte med
# ryggen"); pain with a person as subject ("hun har vondt i kneet"). The body part alone ("har NAV i ryggen"), sick
# leave alone ("er sykmeldt") and pain in general ("folk får vondt i skuldrene", "vondt i ryggen = 100 %") are not.
_CAUSE = r"(?:sykmeld\w*|sjukmeld\w*|sykemeld\w*|skadet|skada|skadd|brukket|brakk|knekt|knakk)"
_AWAY = r"borte(?:\s+[^\s.!?;]+){0,4}?\s+med\s+"  # "borte et helt år med rygg" (not "borte fra jobben i hodet")
_PERSON_PAIN = r"(?:han|hun|ho|jeg|eg)\s+(?:har|hadde|fikk|fekk|har\s+fått|har\s+hatt)\s+(?:\w+\s+)?vondt\s+i"
_LINK = r"(?:(?:pga\.?|på\s+grunn\s+av|grunnet|grunna|i|med|for|etter|på)\s+)?"
_BODY_DET = r"(?:(?:min|mi|mitt|mine|sin|si|sitt|sine|hans|hennes|den|det|de|høyre|venstre|begge|ene)\s+)*"


def _cause_pattern(body_parts: list[str]) -> str | None:
    """The sick-leave/injury word (or a person's pain) + body part rule over the lower-cased text (``_CAUSE``)."""
    if not body_parts:
        return None
    body = "|".join(re.escape(b.lower()) for b in sorted(body_parts, key=len, reverse=True))
    return rf"\b(?:{_CAUSE}(?:\s+[^\s.!?;]+){{0,5}}?\s+{_LINK}|{_AWAY}|{_PERSON_PAIN}\s+){_BODY_DET}(?:{body})(?![\w-])"


def _optional_table(name: str, directory: Path | None) -> list[list[str]]:
    try:
        return read_table(name, directory)
    except FileNotFoundError:  # a custom word-list folder without the newer lists
        return []


def _optional_list(name: str, directory: Path | None) -> list[str]:
    try:
        return read_list(name, directory)
    except FileNotFoundError:
        return []


@dataclass
class HealthFlagger:
    """``flag(text) -> bool``. Terms from ``health_terms.tsv`` and ``health_terms_person.tsv`` (which adds mode
    ``regex``: a regular expression over the lower-cased text); body parts from ``health_body_parts.txt``;
    exclusions from ``health_exclusions.txt``."""

    contains: tuple[str, ...]
    prefixes: tuple[str, ...]
    exact: frozenset[str]
    exact_upper: frozenset[str]
    phrases: re.Pattern | None
    exclusions: frozenset[str]
    patterns: re.Pattern | None = None  # health_terms_person.tsv's regex rows and the body-part rule

    @classmethod
    def from_wordlists(cls, directory: Path | None = None) -> "HealthFlagger":
        contains, prefixes, exact, upper, phrases, regexes = [], [], set(), set(), [], []
        rows = read_table("health_terms.tsv", directory) + _optional_table("health_terms_person.tsv", directory)
        for row in rows:
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
            elif mode == "regex":
                regexes.append(term)
        cause = _cause_pattern(_optional_list("health_body_parts.txt", directory))
        if cause is not None:
            regexes.append(cause)
        return cls(
            contains=tuple(contains),
            prefixes=tuple(prefixes),
            exact=frozenset(exact),
            exact_upper=frozenset(upper),
            phrases=re.compile(r"\b(?:" + "|".join(phrases) + r")") if phrases else None,
            exclusions=frozenset(w.lower() for w in read_list("health_exclusions.txt", directory)),
            patterns=re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None,
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
        if self.patterns is not None and self.patterns.search(low):
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
