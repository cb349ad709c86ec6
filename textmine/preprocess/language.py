"""Language per comment: nb / nn / en / other / unknown.

Marker words decide most comments; lingua (restricted to nb, nn, en, sv, da, built once per
detector) is asked only about the undecided ones, in one parallel batch. Swedish/Danish guesses on
text that is mostly known Norwegian words fall back to bokmål (very short answers drift there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .wordlists import read_table

LANGUAGES = ("nb", "nn", "en", "other", "unknown")
NN_MARGIN = 0.25  # lingua must prefer nynorsk over bokmål by this much when no marker word decides
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SCANDI_EN = frozenset({"BOKMAL", "NYNORSK", "ENGLISH", "SWEDISH", "DANISH"})
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")


@dataclass
class LanguageDetector:
    markers: dict[str, tuple[str, int]]
    known_words: frozenset[str] | dict = frozenset()
    use_lingua: bool = True
    _lingua: object = field(default=None, repr=False)
    _lingua_wide: object = field(default=None, repr=False)

    @classmethod
    def from_wordlists(cls, directory: Path | None = None, known_words=None, use_lingua: bool = True):
        markers = {}
        for row in read_table("lang_markers.tsv", directory):
            if len(row) >= 3 and int(row[2]) > 0:
                markers[row[0].lower()] = (row[1], int(row[2]))
        return cls(markers=markers, known_words=known_words if known_words is not None else frozenset(),
                   use_lingua=use_lingua)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_lingua"] = None  # rebuilt lazily where it is needed
        state["_lingua_wide"] = None
        return state

    @property
    def lingua(self):
        if self._lingua is None:
            from lingua import Language, LanguageDetectorBuilder

            self._lingua = LanguageDetectorBuilder.from_languages(
                Language.BOKMAL, Language.NYNORSK, Language.ENGLISH, Language.SWEDISH, Language.DANISH
            ).build()
        return self._lingua

    def by_markers(self, text: str) -> str | None:
        """Decide from marker words alone; None when undecided."""
        if not text or not _LATIN.search(text):
            if text and any(c.isalpha() for c in text):
                return "other"  # non-Latin script
            return "unknown"
        words = [w.lower() for w in _WORD.findall(text)]
        if not words:
            return "unknown"
        score = {"nb": 0, "nn": 0, "en": 0}
        for w in words:
            hit = self.markers.get(w)
            if hit:
                score[hit[0]] += hit[1]
            elif w.startswith("sjuk"):
                score["nn"] += 2  # sjukmelding, sjukepengar, sjukefråvær ...
            elif len(w) >= 6 and w.endswith("ane") and w not in self.known_words:
                score["nn"] += 1  # nynorsk definite plural (legane, sakane)
        nb, nn, en = score["nb"], score["nn"], score["en"]
        if en >= 3 and en > 2 * (nb + nn):
            return "en"
        if nn >= 2 and nn > nb:
            return "nn"
        if nb >= 2 and nb > nn and nb > en:
            return "nb"
        if nn == 0 and en == 0 and len(words) >= 4 and self._coverage_words(words) >= 0.85:
            return "nb"  # no nynorsk/English marker and (almost) every word is in the bokmål lexicon
        return None

    @property
    def lingua_wide(self):
        """Second opinion for texts with few Norwegian words: is it another (Latin-script) language?"""
        if self._lingua_wide is None:
            from lingua import Language as L
            from lingua import LanguageDetectorBuilder

            self._lingua_wide = LanguageDetectorBuilder.from_languages(
                L.BOKMAL, L.NYNORSK, L.ENGLISH, L.SWEDISH, L.DANISH, L.GERMAN, L.FRENCH, L.SPANISH, L.POLISH,
                L.LITHUANIAN, L.SOMALI, L.TURKISH, L.ITALIAN, L.PORTUGUESE, L.DUTCH, L.FINNISH, L.ESTONIAN,
                L.LATVIAN, L.ROMANIAN, L.TAGALOG, L.VIETNAMESE,
            ).build()
        return self._lingua_wide

    def _is_foreign(self, text: str) -> bool:
        conf = self.lingua_wide.compute_language_confidence_values(text)
        if not conf:
            return False
        top = conf[0]
        return top.language.name not in _SCANDI_EN and top.value >= 0.5

    @staticmethod
    def _decide(confidences):
        """Top language, but nynorsk only with a clear margin over bokmål (bokmål is the prior)."""
        if not confidences:
            return None
        values = {c.language.name: c.value for c in confidences}
        top = confidences[0].language
        if top.name == "NYNORSK" and values.get("NYNORSK", 0) < values.get("BOKMAL", 0) + NN_MARGIN:
            return next(c.language for c in confidences if c.language.name == "BOKMAL")
        return top

    def _map(self, lang, text: str) -> str:
        if lang is None:
            return "nb" if self._coverage(text) >= 0.6 else "unknown"
        name = lang.name
        if name == "ENGLISH":
            return "en"
        coverage = self._coverage(text)
        if coverage < 0.5 and len(_WORD.findall(text)) >= 3 and self.use_lingua and self._is_foreign(text):
            return "other"
        if name in ("BOKMAL", "NYNORSK"):
            return "nb" if name == "BOKMAL" else "nn"
        # Swedish / Danish: short or misspelt Norwegian drifts there; real Swedish/Danish is called out with
        # high confidence by the wider detector and has few Norwegian words
        if coverage < 0.4 and len(_WORD.findall(text)) >= 3 and self.use_lingua:
            conf = self.lingua_wide.compute_language_confidence_values(text)
            if conf and conf[0].language.name in ("SWEDISH", "DANISH") and conf[0].value >= 0.6:
                return "other"
        return "nb"

    def _coverage(self, text: str) -> float:
        return self._coverage_words([w.lower() for w in _WORD.findall(text)])

    def _coverage_words(self, words: list[str]) -> float:
        if not words or not self.known_words:
            return 0.0
        return sum(1 for w in words if w in self.known_words or w in self.markers) / len(words)

    def detect_many(self, texts: list[str], markers: list[str | None] | None = None) -> list[str]:
        """Language per text; ``markers``: :meth:`by_markers` of each text when the caller has them already."""
        out: list[str | None] = list(markers) if markers is not None else [self.by_markers(t) for t in texts]
        todo = [i for i, v in enumerate(out) if v is None]
        if todo:
            if self.use_lingua:
                confs = self.lingua.compute_language_confidence_values_in_parallel([texts[i] for i in todo])
                guesses = [self._decide(c) for c in confs]
            else:
                guesses = [None] * len(todo)
            for i, g in zip(todo, guesses):
                out[i] = self._map(g, texts[i])
        return [v or "unknown" for v in out]

    def detect(self, text: str) -> str:
        return self.detect_many([text])[0]
