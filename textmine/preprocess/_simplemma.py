"""simplemma with its shipped dictionaries packed into a few thousand byte strings (same data, same lemmas).

simplemma's default backend expands each language's dictionary into a ``dict[bytes, bytes]``: ~99 MB
resident for nb + nn + en (960k entries). Its ``low_memory=True`` backend needs only ~12 MB but decodes
up to 32 front-coded records per lookup (~10x slower on unknown words: 250 µs instead of 26 µs per
``lemmatize`` call). Here every language's entries are spread over hash buckets (crc32 of the key, ~32
entries per bucket), each bucket one ``bytes`` object ``b"\\nkey\\tvalue\\nkey\\tvalue\\n"``; a lookup is one
``bytes.find`` in one short bucket. ~21 MB for the three languages, lookups close to dict speed.

The packed buckets are built once from simplemma's own dictionaries and cached under
``textmine.paths.cache_dir()`` (keyed by the simplemma version). :func:`lemmatize` is
``simplemma.lemmatize(token, lang)`` (same default strategy, fallback and cache size) on this backend.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path

_PER_BUCKET = 32  # entries per bucket on average
_crc32 = zlib.crc32
_FORMAT = 1


class PackedDictionary(Mapping):
    """Read-only ``str -> str`` mapping over hash-bucketed ``b"\\nkey\\tvalue"`` lines (keys never contain
    a tab or a newline, values never a newline; both are checked when packing)."""

    __slots__ = ("_buckets", "_n", "_len")

    def __init__(self, buckets: list[bytes], length: int):
        self._buckets = buckets
        self._n = len(buckets)
        self._len = length

    @classmethod
    def pack(cls, items) -> "PackedDictionary":
        """From ``(key, value)`` byte pairs."""
        items = list(items)
        n = max(1, len(items) // _PER_BUCKET)
        lines: list[list[bytes]] = [[] for _ in range(n)]
        for k, v in items:
            if not k or b"\t" in k or b"\n" in k or b"\n" in v:
                raise ValueError(f"cannot pack dictionary entry {k!r}")
            lines[zlib.crc32(k) % n].append(k + b"\t" + v)
        return cls([b"\n" + b"\n".join(part) + b"\n" if part else b"\n" for part in lines], len(items))

    def get(self, key, default=None):
        k = key.encode()
        blob = self._buckets[_crc32(k) % self._n]
        i = blob.find(b"\n" + k + b"\t")
        if i < 0 or b"\t" in k or b"\n" in k:  # a key with a tab or newline is never stored
            return default
        j = i + len(k) + 2
        return blob[j : blob.index(b"\n", j)].decode()

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        for blob in self._buckets:
            for line in blob.split(b"\n"):
                if line:
                    yield line.split(b"\t", 1)[0].decode()

    def __len__(self) -> int:
        return self._len

    def __reduce__(self):
        return (PackedDictionary, (self._buckets, self._len))


def _cache_file(lang: str) -> Path:
    import simplemma

    from textmine.paths import cache_dir

    return cache_dir() / f"simplemma_packed_v{_FORMAT}_{simplemma.__version__}_{lang}.pkl"


def _pack_language(lang: str) -> PackedDictionary:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    source = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(lang)  # raises ValueError if unsupported
    return PackedDictionary.pack((k.encode(), source[k].encode()) for k in source)


def load_packed(lang: str) -> PackedDictionary:
    """The packed dictionary for ``lang``, from the on-disk cache (built and stored on first use)."""
    from .lexicon import load_or_build_pickle

    return load_or_build_pickle(_cache_file(lang), PackedDictionary, lambda: _pack_language(lang))


class PackedDictionaryFactory:
    """simplemma ``DictionaryFactory`` serving :class:`PackedDictionary` objects (one per language, kept)."""

    def __init__(self):
        self._dicts: dict[str, PackedDictionary] = {}
        self._lock = threading.Lock()

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        d = self._dicts.get(lang)
        if d is None:
            with self._lock:
                d = self._dicts.get(lang)
                if d is None:
                    d = load_packed(lang)
                    self._dicts[lang] = d
        return d


_LEMMATIZER = None
_LEMMATIZER_LOCK = threading.Lock()
_FACTORY = PackedDictionaryFactory()  # one packed dictionary per language per process, shared with the lemmatizer


def knows(word: str, langs: tuple[str, ...] = ("nn", "nb")) -> bool:
    """Whether ``word`` is a form in simplemma's dictionary of any of ``langs`` (a dictionary entry, as opposed
    to a lemma simplemma guesses or the word returned unchanged)."""
    return any(_FACTORY.get_dictionary(lang).get(word) is not None for lang in langs)


def _lemmatizer():
    global _LEMMATIZER
    if _LEMMATIZER is None:
        with _LEMMATIZER_LOCK:
            if _LEMMATIZER is None:
                from simplemma import Lemmatizer
                from simplemma.strategies import DefaultStrategy

                # what simplemma.lemmatize() uses (DefaultStrategy(greedy=False), default cache and fallback),
                # on the packed dictionaries
                _LEMMATIZER = Lemmatizer(
                    lemmatization_strategy=DefaultStrategy(greedy=False, dictionary_factory=_FACTORY))
    return _LEMMATIZER


def lemmatize(token: str, lang: str | tuple[str, ...]) -> str:
    """``simplemma.lemmatize(token, lang=lang)`` on the packed dictionaries."""
    return _lemmatizer().lemmatize(token, lang)
