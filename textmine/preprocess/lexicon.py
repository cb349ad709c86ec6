"""Norsk Ordbank lemma table from spacy-lookups-data, merged and lower-cased, cached on disk.

``nb_lemma_exc`` holds one form→lemma table per part of speech (keys are spaCy string hashes of
"noun", "verb", "adj", "adv"). They are merged into one lower-cased ``form -> lemma`` dict:
a form that is itself a lemma keeps itself; otherwise noun > verb > adj > adv. ``nb_lemma_lookup``
(hash-keyed, abbreviations) is kept as a fallback looked up by hash.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path

from textmine.paths import cache_dir

_POS_ORDER = ("noun", "verb", "adj", "adv")
_CACHE_VERSION = 3


@dataclass
class Lexicon:
    """Lower-cased Ordbank forms → lemma, plus the lemma sets per part of speech."""

    forms: dict[str, str]
    lemmas_by_pos: dict[str, frozenset[str]]
    hashed_lookup: dict[int, str] = field(default_factory=dict)
    common: frozenset[str] = frozenset()  # forms Ordbank writes in lower case (not proper nouns)

    def __contains__(self, form: str) -> bool:
        return form in self.forms

    def lemma(self, form: str) -> str | None:
        """Lemma of a lower-cased form, or None when Ordbank does not know it."""
        hit = self.forms.get(form)
        if hit is not None:
            return hit
        if self.hashed_lookup:
            from spacy.strings import hash_string

            hit = self.hashed_lookup.get(hash_string(form))
            if hit is not None:
                return hit.lower()
        return None

    @cached_property
    def content_lemmas(self) -> frozenset[str]:
        """Noun, verb and adjective lemmas (the compound-splitter vocabulary)."""
        return self.lemmas_by_pos["noun"] | self.lemmas_by_pos["verb"] | self.lemmas_by_pos["adj"]


def build_lexicon() -> Lexicon:
    """Read the spacy-lookups-data tables and merge them (a few seconds)."""
    from spacy.lookups import load_lookups
    from spacy.strings import hash_string

    lookups = load_lookups("nb", ["lemma_exc", "lemma_lookup"])
    exc = lookups.get_table("lemma_exc")
    per_pos: dict[str, dict[str, str]] = {}
    common: set[str] = set()
    for pos in _POS_ORDER:
        table = exc.get(hash_string(pos)) or {}
        merged: dict[str, str] = {}
        for form, lemmas in table.items():
            if not lemmas:
                continue
            key = form.lower()
            if key == form:
                common.add(key)
            if key not in merged:
                merged[key] = lemmas[0].lower()
        per_pos[pos] = merged
    lemma_sets = {pos: frozenset(per_pos[pos].values()) for pos in _POS_ORDER}
    all_lemmas = frozenset().union(*lemma_sets.values())
    forms: dict[str, str] = {}
    for pos in _POS_ORDER:
        for form, lemma in per_pos[pos].items():
            if form in forms:
                continue
            forms[form] = form if form in all_lemmas else lemma
    hashed = {int(k): str(v) for k, v in lookups.get_table("lemma_lookup").items()}
    return Lexicon(forms=forms, lemmas_by_pos=lemma_sets, hashed_lookup=hashed, common=frozenset(common))


def _cache_path() -> Path:
    try:
        version = metadata.version("spacy-lookups-data")
    except metadata.PackageNotFoundError:  # pragma: no cover
        version = "unknown"
    return cache_dir() / f"nb_lexicon_v{_CACHE_VERSION}_{version}.pkl"


def load_lexicon(*, use_cache: bool = True) -> Lexicon:
    """Load the merged lexicon, from the user cache when present (else build and store it)."""
    path = _cache_path()
    if use_cache and path.exists():
        try:
            with path.open("rb") as fh:
                obj = pickle.load(fh)
            if isinstance(obj, Lexicon):
                return obj
        except Exception:  # corrupt cache: rebuild
            pass
    lex = build_lexicon()
    if use_cache:
        tmp = path.with_suffix(".tmp")
        try:
            with tmp.open("wb") as fh:
                pickle.dump(lex, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError:  # read-only cache dir: fine, just slower next time
            pass
    return lex
