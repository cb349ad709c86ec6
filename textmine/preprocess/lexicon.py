"""Norsk Ordbank lemma table from spacy-lookups-data, merged and lower-cased, cached on disk.

``nb_lemma_exc`` holds one form→lemma table per part of speech (keys are spaCy string hashes of
"noun", "verb", "adj", "adv"). They are merged into one lower-cased ``form -> lemma`` dict:
a form that is itself a lemma keeps itself; otherwise noun > verb > adj > adv. ``nb_lemma_lookup``
(hash-keyed, abbreviations) is kept as a fallback looked up by hash.

Memory: every lemma value (and every member of the per-part-of-speech lemma sets) is the very same
``str`` object as that lemma's own key in ``forms`` (pickle keeps the sharing), and the set of forms Ordbank
writes in lower case is not stored as a second 577k-entry set: ``common`` is a :class:`WordSet` view
(``forms`` minus the ~8k ``uncommon`` ones). One lexicon is loaded per process and shared.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path

from textmine.paths import cache_dir

_POS_ORDER = ("noun", "verb", "adj", "adv")
_CACHE_VERSION = 4


class WordSet:
    """Read-only set view without copying: ``w`` is a member when ``w in base and w not in exclude``, or
    ``w in extra``. Supports ``in``, iteration, ``len`` and truth value (like the frozensets it replaces)."""

    __slots__ = ("base", "exclude", "extra", "_len")

    def __init__(self, base, exclude: Iterable[str] = frozenset(), extra: Iterable[str] = frozenset()):
        self.base = base
        self.exclude = exclude if isinstance(exclude, frozenset) else frozenset(exclude)
        self.extra = extra if isinstance(extra, frozenset) else frozenset(extra)
        self._len: int | None = None

    def __contains__(self, word) -> bool:
        return (word in self.base and word not in self.exclude) or word in self.extra

    def __iter__(self) -> Iterator[str]:
        exclude = self.exclude
        for w in self.base:
            if w not in exclude:
                yield w
        for w in self.extra:
            if not (w in self.base and w not in exclude):
                yield w

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(1 for _ in self)
        return self._len

    def __bool__(self) -> bool:
        return bool(self.extra) or any(w not in self.exclude for w in self.base)

    def __getstate__(self):
        return (self.base, self.exclude, self.extra)

    def __setstate__(self, state) -> None:
        self.base, self.exclude, self.extra = state
        self._len = None

    def __repr__(self) -> str:
        return f"WordSet(base={len(self.base)}, exclude={len(self.exclude)}, extra={len(self.extra)})"


@dataclass
class Lexicon:
    """Lower-cased Ordbank forms → lemma, plus the lemma sets per part of speech."""

    forms: dict[str, str]
    lemmas_by_pos: dict[str, frozenset[str]]
    hashed_lookup: dict[int, str] = field(default_factory=dict)
    uncommon: frozenset[str] = frozenset()  # forms Ordbank writes only with capitals (proper nouns)

    def __contains__(self, form: str) -> bool:
        return form in self.forms

    @cached_property
    def common(self) -> WordSet:
        """Forms Ordbank writes in lower case (not proper nouns): a view, not a copy."""
        return WordSet(self.forms, exclude=self.uncommon)

    def lemma(self, form: str) -> str | None:
        """Lemma of a lower-cased form, or None when Ordbank does not know it."""
        hit = self.forms.get(form)
        if hit is not None:
            return hit
        if self.hashed_lookup:
            from ._spacy import hash_string

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
    from ._spacy import hash_string, import_spacy

    import_spacy()
    from spacy.lookups import load_lookups

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
    # share string objects: a lemma value is its own key's object wherever the lemma is itself a form
    canon = {k: k for k in forms}
    forms = {k: canon.get(v, v) for k, v in forms.items()}
    lemma_sets = {pos: frozenset(canon.get(w, w) for w in s) for pos, s in lemma_sets.items()}
    uncommon = frozenset(k for k in forms if k not in common)
    hashed = {int(k): str(v) for k, v in lookups.get_table("lemma_lookup").items()}
    return Lexicon(forms=forms, lemmas_by_pos=lemma_sets, hashed_lookup=hashed, uncommon=uncommon)


def _lexicon_key() -> str:
    """What the lexicon's content depends on: the cache format and the spacy-lookups-data version."""
    try:
        version = metadata.version("spacy-lookups-data")
    except metadata.PackageNotFoundError:  # pragma: no cover
        version = "unknown"
    return f"v{_CACHE_VERSION}_{version}"


def _cache_path(key: str) -> Path:
    return cache_dir() / f"nb_lexicon_{key}.pkl"


# one read-only lexicon per process, keyed by content and not by the cache folder it was read from: a process
# that loads it while TEXTMINE_CACHE_DIR points elsewhere (a CLI run, a test) must not get a second copy later
_LOADED: dict[str, Lexicon] = {}
_LOAD_LOCK = threading.Lock()


def load_lexicon(*, use_cache: bool = True) -> Lexicon:
    """Load the merged lexicon, from the user cache when present (else build and store it).

    With ``use_cache`` the lexicon is loaded once per process and shared (it is read-only), whatever the
    cache folder at later calls; ``use_cache=False`` always builds a fresh one."""
    if not use_cache:
        return build_lexicon()
    key = _lexicon_key()
    with _LOAD_LOCK:
        lex = _LOADED.get(key)
        if lex is None:
            lex = _load_or_build(_cache_path(key))
            _LOADED[key] = lex
    return lex


def _load_or_build(path: Path) -> Lexicon:
    return load_or_build_pickle(path, Lexicon, build_lexicon)


def load_or_build_pickle(path: Path, kind: type, build):
    """An object of type ``kind`` from the pickle cache at ``path``; built with ``build()`` and stored (atomically,
    best effort) when the file is missing or unreadable."""
    if path.exists():
        try:
            with path.open("rb") as fh:
                obj = pickle.load(fh)
            if isinstance(obj, kind):
                return obj
        except Exception:  # corrupt cache: rebuild
            pass
    obj = build()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:  # read-only cache dir: fine, just slower next time
        pass
    return obj
