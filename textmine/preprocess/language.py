"""Language per comment: nb / nn / en / sv / da / other / unknown.

Marker words decide most comments; lingua (restricted to nb, nn, en, sv, da, built once per
detector) is asked only about the undecided ones, in one parallel batch. Swedish/Danish guesses on
text that is mostly known Norwegian words fall back to bokmål (very short answers drift there).
Swedish and Danish answers are recognised by their own marker words (``lang_neighbours.tsv``) on top
of that, and only with a word that is no Norwegian word: clear evidence decides alone, weaker evidence when
lingua agrees, every word is one of that language, the nb / nn markers decided nothing and two words are no
Norwegian words or few are (one «gick» or Swedish-keyboard «mött» among Norwegian words is no evidence).
:meth:`LanguageDetector.by_markers` (the lemma language) never returns sv / da.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .wordlists import read_table

LANGUAGES = ("nb", "nn", "en", "sv", "da", "other", "unknown")
NEIGHBOURS = ("sv", "da")
NEIGHBOUR_MIN = 3  # Swedish/Danish marker weight (from two words at least) needed to call a text sv / da
NEIGHBOUR_LEAN = 2  # less (one strong word: «Sagsbehandleren var uvenlig») calls sv / da only when lingua agrees
_LINGUA_NAMES = {"sv": "SWEDISH", "da": "DANISH"}
NYNORSK_MIN = 4  # shortest simplemma nynorsk form taken as a Norwegian word
NEIGHBOUR_SHARE = 0.4  # lingua's sv / da stands only below this share of Norwegian words ...
NEIGHBOUR_WORDS = 3  # ... and from this many words (short or misspelt Norwegian drifts to sv / da)
# Norwegian words simplemma's Swedish / Danish dictionaries list too: never words of that language in _reads_as
_NORWEGIAN_FORMS = frozenset({"å", "slutt", "tok", "hjelp", "ble", "meg", "deg", "seg", "noe", "mye", "fikk", "gikk",
                              "etter", "uke"})
_NOT_NEIGHBOUR = {"sv": _NORWEGIAN_FORMS | {"til"}, "da": _NORWEGIAN_FORMS}  # «til» is Danish too
SWEDISH_PAST = "ade"  # svarade, fungerade (bokmål -et/-te, nynorsk -a); weak, never for a Norwegian word (kneskade)
NN_MARGIN = 0.25  # lingua must prefer nynorsk over bokmål by this much when no marker word decides
NN_SHORT_WORDS = 12  # up to this many words, one nynorsk-only marker word without bokmål markers decides nn
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SCANDI_EN = frozenset({"BOKMAL", "NYNORSK", "ENGLISH", "SWEDISH", "DANISH"})
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
# bokmål forms nynorsk does not have: they overrule lingua's nynorsk guess on misspelt bokmål
_NB_ONLY = frozenset({"jeg", "ikke", "hva", "hvordan", "hvorfor", "hvem", "hvis", "noe", "noen", "mye", "bare",
                      "selv", "være", "bedre", "et", "hun", "fikk", "gikk", "ble", "dere", "arbeidsgiver",
                      "arbeidsgiveren"})
# sjuk- is bokmål too (radical: sjukmeldt, sjukemelding); these parts make a sjuk- word nynorsk-only
_NN_ONLY_PARTS = ("fråvær", "pengar", "pengane")
# nynorsk inflection endings and the bokmål ones they replace (comparative, superlative, plural/present -ar,
# definite plural): a word the bokmål lexicon lacks whose bokmål form it lists (flinkare/flinkere,
# viktigaste/viktigste, fredagar/fredager, legane/legene) is nynorsk-only evidence; none of the labelled bokmål
# comments has one. Not -ast/-es nor -de/-te: English, Swedish and Danish words swap too (least, endast, finde)
_NN_ENDINGS = (("aste", "este"), ("aste", "ste"), ("are", "ere"), ("ane", "ene"), ("ar", "er"))
FEMININE_A_TAIL = 4  # shortest known last part of a compound read as a definite -a feminine (mobbe|saka)
FEMININE_ARTICLE = "ei"  # nynorsk, and radical bokmål («ei dame»): weak evidence like the definite -a


@dataclass(frozen=True)
class NeighbourMarkers:
    """Swedish / Danish marker words: exact words, ``prefix*`` and ``*suffix`` entries, weight per language.

    Weight 0 marks a Norwegian marker word that is also a word of that language (not evidence against it).
    """

    words: dict = field(default_factory=dict)
    prefixes: tuple = ()
    suffixes: tuple = ()
    _keys: tuple = field(default=((), ()), init=False, repr=False, compare=False)

    def __post_init__(self):
        keys = (tuple(p for p, _ in self.prefixes), tuple(x for x, _ in self.suffixes))
        object.__setattr__(self, "_keys", keys)  # fast reject of the (many) words that match no entry

    @classmethod
    def from_rows(cls, rows: list[list[str]], name: str = "lang_neighbours.tsv") -> "NeighbourMarkers":
        words: dict[str, dict[str, int]] = {}
        prefixes: dict[str, dict[str, int]] = {}
        suffixes: dict[str, dict[str, int]] = {}
        for row in rows:
            word, lang, weight = cls._parse(row, name)
            table = prefixes if word.endswith("*") else suffixes if word.startswith("*") else words
            table.setdefault(word.strip("*"), {})[lang] = weight
        return cls(words=words, prefixes=tuple(prefixes.items()), suffixes=tuple(suffixes.items()))

    @staticmethod
    def _parse(row: list[str], name: str) -> tuple[str, str, int]:
        word = row[0].lower()
        if len(row) < 3 or not word.strip("*"):
            raise ValueError(f"{name}: {word!r}: expected word, language and weight separated by tabs")
        if row[1] not in NEIGHBOURS:
            raise ValueError(f"{name}: {word!r}: language must be one of {', '.join(NEIGHBOURS)}, not {row[1]!r}")
        if not row[2].isdigit():
            raise ValueError(f"{name}: {word!r}: weight must be a whole number >= 0, not {row[2]!r}")
        return word, row[1], int(row[2])

    def weights(self, word: str, name: bool = False) -> dict[str, int]:
        """Weight per language for one lower-case word (empty when it is no marker); ``name``: written with a
        capital inside the text (Björn)."""
        return self.listed(word) or self.letters(word, name)

    def listed(self, word: str) -> dict[str, int]:
        """Weights of the entry (word, ``prefix*`` or ``*suffix``) that ``word`` matches; empty when none does."""
        hit = self.words.get(word)
        if hit is not None:
            return hit
        out: dict[str, int] = {}
        if word.startswith(self._keys[0]):
            for prefix, w in self.prefixes:
                if word.startswith(prefix) and len(word) > len(prefix):
                    out = {**w, **out}
        if word.endswith(self._keys[1]):
            for suffix, w in self.suffixes:
                if word.endswith(suffix) and len(word) > len(suffix) + 2:
                    out = {**w, **out}
        return out

    @staticmethod
    def letters(word: str, name: bool = False) -> dict[str, int]:
        """ä / ö, letters Norwegian does not use: strong evidence, except in a capitalised word (a name: Björn;
        the first word too: «Göran ringte», and a Swedish keyboard's «Fornöyd»)."""
        return {"sv": 2} if not name and ("ä" in word or "ö" in word) else {}


@dataclass
class LanguageDetector:
    markers: dict[str, tuple[str, int]]
    known_words: frozenset[str] | dict = frozenset()
    # marker words correct in both written standards ("both" in lang_markers.tsv): evidence for their
    # language only when no marker word of the other standard is in the text
    shared: frozenset[str] = frozenset()
    use_lingua: bool = True
    neighbours: NeighbourMarkers = field(default_factory=NeighbourMarkers)
    _lingua: object = field(default=None, repr=False)
    _lingua_wide: object = field(default=None, repr=False)

    @classmethod
    def from_wordlists(cls, directory: Path | None = None, known_words=None, use_lingua: bool = True):
        markers, shared = {}, set()
        for row in read_table("lang_markers.tsv", directory):
            if len(row) >= 3 and int(row[2]) > 0:
                markers[row[0].lower()] = (row[1], int(row[2]))
                if len(row) >= 4 and row[3] == "both":
                    if row[1] not in ("nb", "nn"):
                        raise ValueError(f"lang_markers.tsv: {row[0]!r}: only nb/nn marker words can be 'both'")
                    shared.add(row[0].lower())
        neighbours = NeighbourMarkers.from_rows(read_table("lang_neighbours.tsv", directory))
        return cls(markers=markers, known_words=known_words if known_words is not None else frozenset(),
                   shared=frozenset(shared), use_lingua=use_lingua, neighbours=neighbours)

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
        both = {"nb": 0, "nn": 0}  # words correct in both standards: count only without the other's markers
        nn_words = 0  # nynorsk-only marker words ("dei", "ho", "ringde"; not "both", not the -ane guess)
        article = False  # «ei» counts once («ei jente og ei dame» is radical bokmål too)
        for w in words:
            hit = self.markers.get(w)
            if hit:
                (both if w in self.shared else score)[hit[0]] += hit[1]
                nn_words += hit[0] == "nn" and w not in self.shared
            elif w.startswith("sjuk"):
                # sjukmelding, sjukemeldt (bokmål too) ... sjukepengar, sjukefråvær (nynorsk only)
                (score if any(p in w for p in _NN_ONLY_PARTS) else both)["nn"] += 2
            elif w not in self.known_words and self._nynorsk_ending(w):
                score["nn"] += 2  # flinkare, fredagar, kandidatane: bokmål would write flinkere, fredager, …ene
                nn_words += 1
            elif len(w) >= 6 and w.endswith("ane") and w not in self.known_words:
                score["nn"] += 1  # nynorsk definite plural (legane, sakane)
            elif w == FEMININE_ARTICLE:
                both["nn"] += not article
                article = True
            elif self._feminine_a(w):
                both["nn"] += 1  # ei, nettsida, mobbesaka: nynorsk, and radical bokmål (only without bokmål markers)
        nb, nn, en = score["nb"], score["nn"], score["en"]
        nb, nn = nb + (both["nb"] if nn == 0 else 0), nn + (both["nn"] if nb == 0 else 0)
        if en >= 3 and en > 2 * (nb + nn):
            return "en"
        if nn >= 2 and nn > nb:
            return "nn"
        if nn_words and score["nb"] == 0 and en == 0 and len(words) <= NN_SHORT_WORDS:
            return "nn"  # «Dei forklarte ingenting.»: a short answer with one nynorsk-only word, no bokmål one
        if nb >= 2 and nb > nn and nb > en:
            return "nb"
        if nn == 0 and en == 0 and len(words) >= 4 and self._coverage_words(words) >= 0.85:
            return "nb"  # no nynorsk/English marker and (almost) every word is in the bokmål lexicon
        return None

    def _nynorsk_ending(self, w: str) -> bool:
        """A nynorsk ending whose bokmål counterpart makes a known bokmål word (flinkare → flinkere)."""
        return len(w) >= 5 and any(w.endswith(nn) and w[: -len(nn)] + nb in self.known_words
                                   for nn, nb in _NN_ENDINGS)

    def _feminine_a(self, w: str) -> bool:
        """Definite -a of a feminine noun (sida, saka; the last part of an unknown compound: mobbesaka); a known
        word with an -et form is a past tense (jobba, jobbet)."""
        if len(w) < 5 or not w.endswith("a"):
            return False
        if w in self.known_words:
            return w[:-1] + "et" not in self.known_words and self._definite_a(w)
        return any(self._definite_a(w[i:]) for i in range(1, len(w) - FEMININE_A_TAIL + 1))

    def _definite_a(self, t: str) -> bool:
        """The bokmål lexicon lists ``t``, its -en definite and its indefinite (sida: siden, side)."""
        known = self.known_words
        return t in known and t[:-1] + "en" in known and (t[:-1] in known or t[:-1] + "e" in known)

    def by_neighbours(self, text: str) -> str | None:
        """sv / da when that language's marker words clearly outweigh the Norwegian-only ones, else None."""
        lang, strong = self._neighbour_vote(text)
        return lang if strong else None

    def _neighbour_vote(self, text: str) -> tuple[str | None, bool]:
        """(sv / da / None, whether the evidence decides alone). Evidence: the language's marker weight is the
        larger, more than twice the Norwegian-only one, and comes in part from a word that is no Norwegian word
        (a marker that is also one, «jag», «sig», never counts alone). It decides alone from weight
        NEIGHBOUR_MIN in two words, one of them listed; else, from NEIGHBOUR_LEAN, it is a lean that lingua
        must confirm, only when every word is a word of that language and two hits are no Norwegian words or few
        words are Norwegian («Handläggaren var otrevlig»; not «Det gick fint», «Mötet var bra»)."""
        tokens = _WORD.findall(text)
        words = [t.lower() for t in tokens]
        score = dict.fromkeys(NEIGHBOURS, 0)
        hits: dict[str, set] = {lang: set() for lang in NEIGHBOURS}
        listed = dict.fromkeys(NEIGHBOURS, False)
        foreign: dict[str, set] = {lang: set() for lang in NEIGHBOURS}  # the hits that are no Norwegian words
        for t, w in zip(tokens, words):
            weights, is_listed, is_foreign = self._neighbour_hit(w, t[0].isupper())
            for lang, weight in weights.items():
                if weight:
                    score[lang] += weight
                    hits[lang].add(w)
                    listed[lang] |= is_listed
                    if is_foreign:
                        foreign[lang].add(w)
        lang = max(NEIGHBOURS, key=score.get)
        if (score[lang] < NEIGHBOUR_LEAN or not foreign[lang]
                or 2 * score[lang] <= sum(score.values()) or score[lang] <= 2 * self._norwegian_only(words, lang)):
            return None, False
        if score[lang] >= NEIGHBOUR_MIN and len(hits[lang]) >= 2 and listed[lang]:
            return lang, True
        lean = len(foreign[lang]) >= 2 or self._few_norwegian(words)
        return (lang, False) if lean and self._reads_as(words, lang) else (None, False)

    def _reads_as(self, words: list[str], lang: str) -> bool:
        """Every word is a form in simplemma's ``lang`` dictionary or a marker word of ``lang``, and none is a
        Norwegian word that dictionary lists too (``_NOT_NEIGHBOUR``: «å», «til» …)."""
        from ._simplemma import knows

        return all(w not in _NOT_NEIGHBOUR[lang] and (knows(w, (lang,)) or lang in self._neighbour_hit(w, False)[0])
                   for w in words)

    def _neighbour_hit(self, w: str, name: bool) -> tuple[dict[str, int], bool, bool]:
        """(weights, listed, foreign) of one lower-case word: its sv / da weights, whether a listed entry gave
        them, whether it is no Norwegian word (:meth:`_norwegian`). Prefix, suffix, letter and -ade guesses are
        made only for such words."""
        hit = self.neighbours.words.get(w)
        if hit is not None:
            return hit, True, not self._norwegian(w)
        listed = self.neighbours.listed(w)
        guess = listed or self.neighbours.letters(w, name) or self._swedish_past(w)
        if not guess or self._norwegian(w):
            return {}, False, False
        return guess, bool(listed), True

    def _swedish_past(self, w: str) -> dict[str, int]:
        """{"sv": 1} for an -ade word whose last part is no Norwegian -ade word (svarade; not kneskade)."""
        if len(w) < 6 or not w.endswith(SWEDISH_PAST):
            return {}
        tails = (w[i:] for i in range(1, len(w) - 4))
        return {} if any(self._norwegian(t) for t in tails) else {"sv": 1}

    def _norwegian(self, w: str) -> bool:
        """In the bokmål lexicon, a nb / nn marker, or a nynorsk form (simplemma's dictionary; from NYNORSK_MIN
        letters, as shorter entries there are mostly abbreviations and noise)."""
        if w in self.known_words or w in self.markers:
            return True
        from ._simplemma import knows

        return len(w) >= NYNORSK_MIN and knows(w, ("nn",))

    def _norwegian_only(self, words: list[str], lang: str) -> int:
        """Weight of the nb/nn marker words among ``words`` that are not also words of ``lang``."""
        return sum(self.markers[w][1] for w in words
                   if w in self.markers and lang not in self.neighbours.weights(w))

    def _leans_bokmal(self, text: str) -> bool:
        """Bokmål-only words (jeg, ikke, hv-words) outweigh the nynorsk marker words: misspelt bokmål."""
        nb = nn = 0
        for w in (w.lower() for w in _WORD.findall(text)):
            hit = self.markers.get(w)
            if w in _NB_ONLY and hit:
                nb += hit[1]
            elif hit and hit[0] == "nn" and w not in self.shared:  # a word bokmål has too is no evidence
                nn += hit[1]
        return nb > nn

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
            return "nb" if name == "BOKMAL" or self._leans_bokmal(text) else "nn"
        # Swedish / Danish: short or misspelt Norwegian drifts there; real Swedish/Danish is called out with
        # high confidence by the wider detector and has few Norwegian words
        if self.use_lingua and self._few_norwegian([w.lower() for w in _WORD.findall(text)]):
            conf = self.lingua_wide.compute_language_confidence_values(text)
            if conf and conf[0].language.name in ("SWEDISH", "DANISH") and conf[0].value >= 0.6:
                return "sv" if conf[0].language.name == "SWEDISH" else "da"
        return "nb"

    def _few_norwegian(self, words: list[str]) -> bool:
        """At least NEIGHBOUR_WORDS words, under NEIGHBOUR_SHARE of them Norwegian: lingua's sv / da may stand."""
        return len(words) >= NEIGHBOUR_WORDS and self._coverage_words(words) < NEIGHBOUR_SHARE

    def _coverage(self, text: str) -> float:
        return self._coverage_words([w.lower() for w in _WORD.findall(text)])

    def _coverage_words(self, words: list[str]) -> float:
        if not words or not self.known_words:
            return 0.0
        return sum(1 for w in words if w in self.known_words or w in self.markers) / len(words)

    def detect_many(self, texts: list[str], markers: list[str | None] | None = None) -> list[str]:
        """Language per text; ``markers``: :meth:`by_markers` of each text when the caller has them already."""
        out: list[str | None] = list(markers) if markers is not None else [self.by_markers(t) for t in texts]
        lean: dict[int, str] = {}  # sv / da when lingua agrees, else the marker language (or lingua's)
        for i, v in enumerate(out):
            if v in (None, "nb", "nn"):
                lang, strong = self._neighbour_vote(texts[i])
                if strong:
                    out[i] = lang
                elif lang and v is None and self.use_lingua:
                    lean[i] = lang  # never over the nb / nn markers' verdict
        todo = [i for i, v in enumerate(out) if v is None or i in lean]
        if todo:
            if self.use_lingua:
                confs = self.lingua.compute_language_confidence_values_in_parallel([texts[i] for i in todo])
            else:
                confs = [[]] * len(todo)
            for i, c in zip(todo, confs):
                if i in lean and c and c[0].language.name == _LINGUA_NAMES[lean[i]]:
                    out[i] = lean[i]
                elif out[i] is None:
                    out[i] = self._map(self._decide(c), texts[i])
        return [v or "unknown" for v in out]

    def detect(self, text: str) -> str:
        return self.detect_many([text])[0]
