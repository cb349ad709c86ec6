"""Rules for what readers may see, shared by the library (survey checks, CLI reports) and the service so that both
apply one rule: an id or code read as words for the redaction (:func:`identifier_words`) and the neutral labels that
small levels of free-valued segments are shown under (:func:`neutral_level_names`). No imports from the rest of
the package: the service's store and the survey module use it without pulling in the report package."""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable, Iterable
from typing import Any

#: the label a small (hidden) level of a segment without declared levels is shown under (numbered when several)
SMALL_GROUP = "liten gruppe"

_NEUTRAL_LABEL = re.compile(rf"(\()?{SMALL_GROUP} ([1-9]\d*)(?(1)\))")  # already a numbered neutral label
_ID_SEPARATORS = re.compile(r"[_\-.]+")
_CAMEL = re.compile(r"(?<=[a-zæøå])(?=[A-ZÆØÅ])|(?<=[^\W\d_])(?=\d{6})|(?<=\d)(?=[^\W\d_])")


def identifier_words(text: str) -> str:
    """An id or code as words for the redaction: "_", "-" and "." become spaces, runs of whitespace one space
    ("kari_nordmann_01019012480" → "kari nordmann 01019012480"; inside a word a fødselsnummer or a name is not
    found). camelCase is split before a capital that follows a small letter, a run of six or more digits from the
    letters before it, and letters from the digits before them ("kariNordmann01019012480" → "kari Nordmann
    01019012480": otherwise a name or number inside such an id is not found); "spm3" stays whole."""
    return " ".join(_CAMEL.sub(" ", _ID_SEPARATORS.sub(" ", text)).split())


def free_segments(survey: Any) -> list[str]:
    """The columns of the segments without declared levels (free-valued, e.g. «kontor»)."""
    return [s.column for s in getattr(survey, "segments", ()) if not s.levels]


def neutral_level_names(levels: Iterable[tuple[str, Hashable]], fmt: str = "{}") -> dict[tuple[str, Hashable], str]:
    """``{(segment column, level): neutral label}`` for the ``(column, level)`` pairs of ``levels`` (small or hidden
    levels of free-valued segments, in order of first appearance; repeats count once): «liten gruppe», numbered per
    segment («liten gruppe 1», «liten gruppe 2» …) when a segment has several, so that their rows stay apart.
    ``fmt`` wraps the label ("({})": "(liten gruppe 1)"). A level that already is a numbered neutral label («(liten
    gruppe 3)»: the service renames small levels before the summary, and its pages run the report's naming on that
    summary) keeps its number, and the others take the free numbers in order, so one level has one name in both."""
    by_segment: dict[str, list[Hashable]] = {}
    for column, level in levels:
        seen = by_segment.setdefault(column, [])
        if level not in seen:
            seen.append(level)
    out: dict[tuple[str, Hashable], str] = {}
    for column, seen in by_segment.items():
        fixed = _carried_numbers(seen)
        free = (i for i in itertools.count(1) if i not in fixed.values())
        for level in seen:
            label = SMALL_GROUP if len(seen) == 1 and not fixed else f"{SMALL_GROUP} {fixed.get(level) or next(free)}"
            out[(column, level)] = fmt.format(label)
    return out


def _carried_numbers(levels: list[Hashable]) -> dict[Hashable, int]:
    """The levels that already are a numbered neutral label («liten gruppe 3», «(liten gruppe 3)») → their number
    (a number claimed twice: the first keeps it)."""
    fixed: dict[Hashable, int] = {}
    for level in levels:
        m = _NEUTRAL_LABEL.fullmatch(level) if isinstance(level, str) else None
        if m and int(m.group(2)) not in fixed.values():
            fixed[level] = int(m.group(2))
    return fixed
