"""Recent /classify results, so that a comment the server has coded before is not coded again.

The default coder is deterministic (same text ⇒ same record), so a repeated comment ("Nei", "Ingen
kommentar", or one re-sent by a client) can be answered from memory. Keys are SHA-256 digests of the text:
the cache holds no raw text, only the redacted records it would have returned anyway. Entries are kept per
coder object; a different coder (a reloaded model) starts an empty cache. Bounded LRU, thread-safe.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Callable, Sequence


class ResultCache:
    """``get_many``/``put_many`` by text, or ``records(coder, texts, compute)``: one record per text, where
    ``compute(coder, misses)`` codes only the distinct texts not cached (a list of records in their order).
    ``max_entries = 0`` turns caching off."""

    def __init__(self, max_entries: int = 20_000):
        self.max_entries = max(0, int(max_entries))
        self._items: OrderedDict[bytes, tuple] = OrderedDict()
        self._columns: tuple[str, ...] | None = None
        self._owner: int | None = None  # id() of the coder the entries belong to
        self._owner_ref: Any = None  # keeps that coder alive so that its id() is not reused
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        """Forget every entry (after an erasure: a deleted comment is not answered from memory); the hit and miss
        counters stay."""
        with self._lock:
            self._items.clear()
            self._columns, self._owner, self._owner_ref = None, None, None

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def _claim(self, coder: Any) -> None:
        """(lock held) Entries belong to one coder; another one starts an empty cache."""
        if self._owner != id(coder):
            self._items.clear()
            self._columns, self._owner, self._owner_ref = None, id(coder), coder

    def get_many(self, coder: Any, texts: Sequence[str]) -> list[dict[str, Any] | None]:
        """The cached record (a fresh dict) of each text, or None; counts hits."""
        if self.max_entries == 0:
            return [None] * len(texts)
        keys = [self._key(t) for t in texts]
        out: list[dict[str, Any] | None] = []
        with self._lock:
            self._claim(coder)
            for k in keys:
                values = self._items.get(k)
                if values is None:
                    out.append(None)
                else:
                    self._items.move_to_end(k)
                    out.append(dict(zip(self._columns, values)))
            self.hits += sum(r is not None for r in out)
        return out

    def put_many(self, coder: Any, texts: Sequence[str], records: Sequence[dict[str, Any]]) -> None:
        if self.max_entries == 0:
            return
        with self._lock:
            self._claim(coder)
            for t, rec in zip(texts, records, strict=True):
                cols = tuple(rec)
                if self._columns is None:
                    self._columns = cols
                if cols != self._columns:
                    continue  # a record of another shape is served, not stored
                k = self._key(t)
                self._items[k] = tuple(rec.values())
                self._items.move_to_end(k)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def records(self, coder: Any, texts: Sequence[str],
                compute: Callable[[Any, list[str]], Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
        """One record per text: cached ones from memory, the distinct others from ``compute`` (then stored)."""
        texts = list(texts)
        found = self.get_many(coder, texts)
        todo = list(dict.fromkeys(t for t, r in zip(texts, found) if r is None))
        if todo:
            fresh = list(compute(coder, todo))
            if len(fresh) != len(todo):
                raise RuntimeError(f"compute returned {len(fresh)} records for {len(todo)} texts")
            self.put_many(coder, todo, fresh)
            with self._lock:
                self.misses += len(todo)
            by_text = dict(zip(todo, fresh))
            found = [r if r is not None else by_text[t] for t, r in zip(texts, found)]
        return found
