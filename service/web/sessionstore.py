"""Server-side UI sessions, kept in process memory.

The browser's cookie holds only a random session id. The store is indexed by a hash of that id and keeps the
key's database id (to resolve the principal) and the API key encrypted with a key derived from the session id (for
the ``/ui/api`` proxy, which calls the API as the user): the store alone reveals neither the id nor the key, and
deleting an entry (logout, expiry, revocation) leaves nothing a copied cookie could use.

Sessions are lost on restart (users log in again). A deployment with several worker processes would need a shared
store: a session made by one process is unknown to the others.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from cryptography.fernet import Fernet

MAX_SID_CHARS = 100  # token_urlsafe(32) is 43 characters; anything much longer is not ours


@dataclass
class Entry:
    """One login: the key's database id, its sealed API key, and clock times of login and last request."""

    key_id: int
    sealed_key: bytes = field(repr=False)
    created: float
    last_seen: float


def _digest(label: bytes, sid: str) -> bytes:
    return hashlib.sha256(label + b"\0" + sid.encode("utf-8")).digest()


def _index(sid: str) -> str:
    """The store's index for a session id (the id itself is never stored)."""
    return _digest(b"textmine-ui-session-index", sid).hex()


def _fernet(sid: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_digest(b"textmine-ui-session-seal", sid)))


def seal(sid: str, api_key: str) -> bytes:
    return _fernet(sid).encrypt(api_key.encode("utf-8"))


def unseal(sid: str, sealed: bytes) -> str:
    return _fernet(sid).decrypt(sealed).decode("utf-8")


class SessionStore:
    """Live UI sessions. A session ends ``idle`` seconds after its last request or ``lifetime`` seconds after
    login. At most ``max_sessions`` are kept: expired ones are purged first, then the least recently used go."""

    def __init__(self, lifetime: float, idle: float, max_sessions: int,
                 clock: Callable[[], float] = time.monotonic):
        self.lifetime = lifetime
        self.idle = idle
        self.max_sessions = max_sessions
        self.clock = clock
        self._items: OrderedDict[str, Entry] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "SessionStore":
        return cls(settings.ui_session_lifetime_seconds, settings.ui_session_idle_seconds, settings.ui_sessions_max)

    def __len__(self) -> int:
        return len(self._items)

    def create(self, key_id: int, api_key: str) -> str:
        """Start a session for a verified key; returns the new session id (for the cookie only)."""
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._make_room(now)
            self._items[_index(sid)] = Entry(key_id, seal(sid, api_key), now, now)
        return sid

    def get(self, sid: str | None) -> Entry | None:
        """The live session for ``sid`` (its idle timer restarted), else None; an expired one is removed."""
        if not sid or len(sid) > MAX_SID_CHARS:
            return None
        idx = _index(sid)
        now = self.clock()
        with self._lock:
            entry = self._items.get(idx)
            if entry is None:
                return None
            if self._expired(entry, now):
                del self._items[idx]
                return None
            entry.last_seen = now
            self._items.move_to_end(idx)
            return entry

    def delete(self, sid: str | None) -> None:
        if sid and len(sid) <= MAX_SID_CHARS:
            with self._lock:
                self._items.pop(_index(sid), None)

    def end_key(self, key_id: int) -> None:
        """End every session of a key (it was revoked or deleted)."""
        with self._lock:
            for idx in [i for i, e in self._items.items() if e.key_id == key_id]:
                del self._items[idx]

    def _expired(self, entry: Entry, now: float) -> bool:
        return now - entry.last_seen > self.idle or now - entry.created >= self.lifetime

    def _make_room(self, now: float) -> None:
        """Purge idle sessions (the oldest first); when still full, all expired ones, then the least recently used."""
        while self._items:
            idx, entry = next(iter(self._items.items()))
            if now - entry.last_seen <= self.idle:
                break
            del self._items[idx]
        if len(self._items) >= self.max_sessions:
            for idx in [i for i, e in self._items.items() if self._expired(e, now)]:
                del self._items[idx]
        while len(self._items) >= self.max_sessions:
            self._items.popitem(last=False)
