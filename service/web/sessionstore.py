"""Server-side UI sessions, kept in the database (table ``ui_sessions``, migration 0004).

The browser's cookie holds only a random session id. A row is indexed by a hash of that id and keeps the key's
database id (to resolve the principal), the API key encrypted with a key derived from the session id (for the
``/ui/api`` proxy, which calls the API as the user) and the login / last-request times: the table alone reveals
neither the id nor the key, and deleting a row (logout, expiry, revocation) leaves nothing a copied cookie could use.

Every server process (and the server after a restart) sees the same sessions; times come from ``clock`` (wall
time, seconds), so all processes must share a clock, as they share the database.
"""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable

from cryptography.fernet import Fernet
from sqlalchemy import delete, func, insert, or_, select, update

from service.db.models import UiSession
from service.errors import ApiError

MAX_SID_CHARS = 100  # token_urlsafe(32) is 43 characters; anything much longer is not ours


@dataclass
class Entry:
    """One login: the key's database id, its sealed API key, and clock times of login and last request."""

    key_id: int
    sealed_key: bytes = field(repr=False)
    created: float
    last_seen: float


class SessionsFull(ApiError):
    """The store holds ``max_sessions`` live sessions: a new login must wait ``details["retry_after"]`` seconds."""

    def __init__(self, max_sessions: int, retry_after: int):
        super().__init__(503, "ui_sessions_full", f"all {max_sessions} UI sessions are in use; try again later",
                         {"max_sessions": max_sessions, "retry_after": retry_after})


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
    """Live UI sessions in ``db``. A session ends ``idle`` seconds after its last request or ``lifetime`` seconds
    after login. At most ``max_sessions`` are kept: expired ones are purged at each login, and when all are still
    live the login is refused (:class:`SessionsFull`), never ended early for it: otherwise anyone with a key could
    log everyone else out by logging in again and again."""

    def __init__(self, db, lifetime: float, idle: float, max_sessions: int,
                 clock: Callable[[], float] = time.time):
        self.db = db
        self.lifetime = lifetime
        self.idle = idle
        self.max_sessions = max_sessions
        self.clock = clock

    @classmethod
    def from_settings(cls, db, settings) -> "SessionStore":
        return cls(db, settings.ui_session_lifetime_seconds, settings.ui_session_idle_seconds, settings.ui_sessions_max)

    def __len__(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(UiSession)) or 0)

    @property
    def _items(self) -> list[tuple]:
        """The stored rows (for inspection in tests)."""
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(select(UiSession.__table__))]

    def create(self, key_id: int, api_key: str) -> str:
        """Start a session for a verified key; returns the new session id (for the cookie only)."""
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.session() as s:
            self._make_room(s, now)
            s.execute(insert(UiSession).values(id_hash=_index(sid), key_id=key_id, sealed_key=seal(sid, api_key),
                                               created_at=now, last_seen_at=now))
        return sid

    def get(self, sid: str | None) -> Entry | None:
        """The live session for ``sid`` (its idle timer restarted), else None; an expired one is deleted."""
        if not sid or len(sid) > MAX_SID_CHARS:
            return None
        idx = _index(sid)
        now = self.clock()
        with self.db.session() as s:
            touched = s.execute(update(UiSession).where(UiSession.id_hash == idx, self._live(now))
                                .values(last_seen_at=now)).rowcount
            if not touched:
                s.execute(delete(UiSession).where(UiSession.id_hash == idx))
                return None
            row = s.get(UiSession, idx)
            return Entry(row.key_id, bytes(row.sealed_key), row.created_at, row.last_seen_at)

    def delete(self, sid: str | None) -> None:
        if sid and len(sid) <= MAX_SID_CHARS:
            with self.db.session() as s:
                s.execute(delete(UiSession).where(UiSession.id_hash == _index(sid)))

    def end_key(self, key_id: int) -> None:
        """End every session of a key (it was revoked or deleted)."""
        with self.db.session() as s:
            s.execute(delete(UiSession).where(UiSession.key_id == key_id))

    def purge(self) -> int:
        """Delete every expired session; returns how many."""
        with self.db.session() as s:
            return self._purge(s, self.clock())

    def _live(self, now: float):
        """SQL condition: not idle for longer than ``idle``, and younger than ``lifetime``."""
        return (UiSession.last_seen_at >= now - self.idle) & (UiSession.created_at > now - self.lifetime)

    def _purge(self, s, now: float) -> int:
        return s.execute(delete(UiSession).where(or_(UiSession.last_seen_at < now - self.idle,
                                                     UiSession.created_at <= now - self.lifetime))).rowcount

    def _make_room(self, s, now: float) -> None:
        """Purge expired sessions; when every place is still taken by a live one, refuse (:class:`SessionsFull`,
        with the seconds until the first of them ends unless it is used again)."""
        self._purge(s, now)
        if int(s.scalar(select(func.count()).select_from(UiSession)) or 0) < self.max_sessions:
            return
        idle_end = s.scalar(select(func.min(UiSession.last_seen_at))) + self.idle
        lifetime_end = s.scalar(select(func.min(UiSession.created_at))) + self.lifetime
        raise SessionsFull(self.max_sessions, max(1, math.ceil(min(idle_end, lifetime_end) - now)))
