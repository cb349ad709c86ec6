"""API keys: generation, salted hashing, lookup and role checks (FastAPI dependencies)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.db.models import ApiKey
from service.db.session import is_connection_error
from service.errors import ApiError

ROLES = ("reader", "analyst", "admin")
MAX_EXPIRY_DAYS = 3650  # = service.schemas.KeyIn.expires_in_days' bound (ten years)
_RANK = {role: i for i, role in enumerate(ROLES)}
KEY_PREFIX = "tm"
LAST_USE_SECONDS = 60.0  # api_keys.last_used_at is written at most this often per key
LAST_USE_LOCK_WAIT_MS = 250  # how long recording a use waits for another writer's lock (then it is skipped)

log = logging.getLogger("textmine.service")


@dataclass(frozen=True)
class Principal:
    """The authenticated caller (never carries the secret)."""

    key_id: int
    role: str
    name: str | None = None

    def can(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]


def hash_secret(secret: str, salt: str) -> str:
    return hashlib.sha256((salt + ":" + secret).encode("utf-8")).hexdigest()


def expired(expires_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether a key with this expiry is past it (NULL: never). SQLite hands timestamps back without a zone: they
    were stored in UTC."""
    if expires_at is None:
        return False
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=timezone.utc)
    return expires_at <= (now or datetime.now(timezone.utc))


def key_state(row: ApiKey, now: datetime | None = None) -> str:
    """``revoked``, ``expired`` or ``active`` (what ``keys list`` and ``GET /keys`` show)."""
    if row.revoked:
        return "revoked"
    return "expired" if expired(row.expires_at, now) else "active"


def create_key(session: Session, role: str, name: str | None = None,
               expires_in_days: int | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the full key string (shown once, never stored). A name with a control
    character (NUL, ESC, a line break …) is refused (422 ``invalid_name``, as survey names): PostgreSQL cannot store
    NUL, and ``textmine keys list`` prints names one per line. ``expires_in_days`` (1 to 3650): the key is refused
    from then on; None: it never expires."""
    if expires_in_days is not None and not (isinstance(expires_in_days, int) and
                                            0 < expires_in_days <= MAX_EXPIRY_DAYS):
        raise ApiError(422, "invalid_expiry", f"expires_in_days must be a whole number from 1 to {MAX_EXPIRY_DAYS}",
                       {"field": "expires_in_days"})
    if role not in ROLES:
        raise ApiError(422, "invalid_role", f"role must be one of {', '.join(ROLES)}", {"role": role})
    if name is not None and any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ApiError(422, "invalid_name", "the key name contains a control character; use printable text",
                       {"field": "name"})
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    expires_at = (datetime.now(timezone.utc) + timedelta(days=expires_in_days)) if expires_in_days else None
    row = ApiKey(prefix=prefix, salt=salt, secret_hash=hash_secret(secret, salt), role=role, name=name,
                 expires_at=expires_at)
    session.add(row)
    session.flush()
    return row, f"{KEY_PREFIX}_{prefix}_{secret}"


def verify_key(session: Session, key: str) -> Principal | None:
    """The principal for a full key string, or None when unknown, malformed, revoked or expired."""
    row = _verified_row(session, key)
    return None if row is None else Principal(key_id=row.id, role=row.role, name=row.name)


def _verified_row(session: Session, key: str) -> ApiKey | None:
    """The row of a full key string whose secret matches, or None when unknown, malformed, revoked or expired."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    row = session.scalars(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if row is None or row.revoked or expired(row.expires_at):
        return None
    if not hmac.compare_digest(row.secret_hash, hash_secret(parts[2], row.salt)):
        return None
    return row


class KeyCache:
    """Verified keys for ``ttl`` seconds (keyed by a hash of the key), so hot endpoints skip the hash check.
    It never decides alone whether a key still works: :func:`get_principal` re-reads the key's row on every
    request, so a key revoked from another process (``textmine keys revoke``) stops working at once."""

    def __init__(self, ttl: float = 30.0, max_size: int = 1024):
        self.ttl = ttl
        self.max_size = max_size
        self._items: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _k(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def get(self, key: str) -> Principal | None:
        with self._lock:
            item = self._items.get(self._k(key))
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def put(self, key: str, principal: Principal) -> None:
        with self._lock:
            if len(self._items) >= self.max_size:
                self._items.clear()
            self._items[self._k(key)] = (time.monotonic() + self.ttl, principal)

    def drop(self, key: str) -> None:
        with self._lock:
            self._items.pop(self._k(key), None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone: they were stored in UTC."""
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


class KeyUse:
    """Records when keys authenticate (``api_keys.last_used_at``), at most once per ``every`` seconds per key: the
    stored time (read with the key's row anyway) and this app's memory of its own last write, per key id, both
    have to be that old; so the common case writes nothing and asks nothing more. One per app
    (``app.state.key_use``, see :func:`key_use`)."""

    def __init__(self, clock: Callable[[], datetime] = _utcnow, every: float = LAST_USE_SECONDS):
        self.clock = clock
        self.every = timedelta(seconds=every)
        self._written: dict[int, datetime] = {}  # key id -> when this app last wrote (or tried to write) its use
        self._lock = threading.Lock()

    def due(self, key_id: int, stored: datetime | None) -> datetime | None:
        """The time to record for ``key_id`` now (claimed: a concurrent request gets None), or None when its use
        was recorded less than ``every`` ago (``stored``: the row's ``last_used_at``)."""
        now = self.clock()
        cutoff = now - self.every
        stored = _as_utc(stored)
        if stored is not None and stored > cutoff:
            return None
        with self._lock:
            last = self._written.get(key_id)
            if last is not None and last > cutoff:
                return None
            self._written[key_id] = now  # a failed write is not retried before the interval either
        return now

    def record(self, db, key_id: int, stored: datetime | None) -> None:
        """Record a use of ``key_id`` when due: one small UPDATE in its own short transaction. Never raises: a
        failure is logged at debug level (the key id, never the key) and the request goes on."""
        now = self.due(key_id, stored)
        if now is None:
            return
        try:
            _write_last_used(db, key_id, now, now - self.every)
        except Exception:
            log.debug("could not record the last use of API key id %s", key_id, exc_info=True)


_KEY_USE_LOCK = threading.Lock()


def key_use(app) -> KeyUse:
    """The app's :class:`KeyUse` (``app.state.key_use``), made on first use."""
    use = getattr(app.state, "key_use", None)
    if use is None:
        with _KEY_USE_LOCK:
            use = getattr(app.state, "key_use", None)
            if use is None:
                use = app.state.key_use = KeyUse()
    return use


_WHEN = ApiKey.last_used_at.type
#: only when the stored time is NULL or old enough: two servers recording the same key write it once
_LAST_USED = (update(ApiKey)
              .where(ApiKey.id == bindparam("key_id"),
                     or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= bindparam("cutoff", type_=_WHEN)))
              .values(last_used_at=bindparam("now", type_=_WHEN)))


def _write_last_used(db, key_id: int, now: datetime, cutoff: datetime) -> None:
    """Set the key's ``last_used_at`` to ``now`` unless it is later than ``cutoff``, in its own transaction, waiting
    at most :data:`LAST_USE_LOCK_WAIT_MS` for a lock another writer holds (SQLite's busy timeout, PostgreSQL's
    lock timeout), so a busy store delays the request a little, never by the store's 30 s."""
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            busy = int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar())
            conn.exec_driver_sql(f"PRAGMA busy_timeout={LAST_USE_LOCK_WAIT_MS}")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {LAST_USE_LOCK_WAIT_MS}")
        try:
            conn.execute(_LAST_USED, {"key_id": key_id, "cutoff": cutoff, "now": now})
            conn.commit()
        finally:
            if sqlite:
                _restore_busy_timeout(conn, busy)


def _restore_busy_timeout(conn, busy: int) -> None:
    """Give a pooled SQLite connection its busy timeout back (or drop it from the pool when that fails)."""
    try:
        conn.rollback()
        conn.exec_driver_sql(f"PRAGMA busy_timeout={busy}")
    except Exception:
        conn.invalidate()
        raise


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key (or use Bearer)")
_bearer = HTTPBearer(auto_error=False, description="API key as a Bearer token")


def get_session(request: Request):
    """FastAPI dependency: a DB session in a transaction (commit on success, rollback on error)."""
    with request.app.state.db.session() as session:
        yield session


async def get_principal(
    request: Request,
    api_key: str | None = Depends(_api_key_header),
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Principal:
    """The caller's key, checked on a worker thread: a key in the key cache skips the hash check but its row is
    read again (one select by primary key: revoked? role?), so a revocation from any process acts on the next
    request; an unknown one is looked up by prefix and its secret hashed. A key that passes has its use recorded
    (:class:`KeyUse`: at most once a minute)."""
    key = api_key or (bearer.credentials if bearer is not None else None)
    if not key:
        raise ApiError(401, "unauthenticated", "an API key is required (X-API-Key header or Authorization: Bearer)")
    cache: KeyCache | None = getattr(request.app.state, "key_cache", None)
    cached = cache.get(key) if cache is not None else None
    use = key_use(request.app)
    if cached is not None:
        principal = await run_in_threadpool(_current_principal, request.app.state.db, cached, use)
        if principal is None:
            cache.drop(key)
    else:
        principal = await run_in_threadpool(_lookup_key, request.app.state.db, key, use)
        if principal is not None and cache is not None:
            cache.put(key, principal)
    if principal is None:
        raise ApiError(401, "invalid_api_key", "the API key is unknown or revoked")  # expired: the same answer
    request.state.principal = principal  # for the audit line (service/audit.py)
    return principal


def _lookup_key(db, key: str, use: KeyUse | None = None) -> Principal | None:
    """The principal for ``key`` (checked by prefix and hash); its use recorded when ``use`` is given."""
    with db.session() as session:
        row = _verified_row(session, key)
        if row is None:
            return None
        principal, stored = Principal(key_id=row.id, role=row.role, name=row.name), row.last_used_at
    if use is not None:
        use.record(db, principal.key_id, stored)
    return principal


#: a cached key's current state (built once: building the statement costs more than running it on SQLite)
_KEY_STATE = (select(ApiKey.revoked, ApiKey.role, ApiKey.expires_at, ApiKey.last_used_at)
              .where(ApiKey.id == bindparam("key_id")))


def _current_principal(db, cached: Principal, use: KeyUse | None = None) -> Principal | None:
    """``cached`` as its row says now (role included), or None when the key was revoked, expired or deleted. A plain
    connection, not an ORM session: this runs on every request (≈ 0.1 ms less on SQLite). Its use is recorded when
    ``use`` is given (the stored time comes with the row: nothing more is asked within the minute)."""
    with db.engine.connect() as conn:
        row = conn.execute(_KEY_STATE, {"key_id": cached.key_id}).first()
    if row is None or row.revoked or expired(row.expires_at):
        return None
    if use is not None:
        use.record(db, cached.key_id, row.last_used_at)
    return cached if row.role == cached.role else Principal(key_id=cached.key_id, role=row.role, name=cached.name)


async def metrics_access(
    request: Request,
    api_key: str | None = Depends(_api_key_header),
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Principal | None:
    """``GET /metrics``: a valid key of any role (Prometheus sends ``Authorization: Bearer``), or nothing when the
    settings make metrics public (``TEXTMINE_METRICS_PUBLIC=true``, a scraper on a private network).

    While the database is unreachable a key this server already verified (in its key cache) still reads the
    metrics, so ``textmine_database_up`` can report the outage to a keyed scraper; an unknown key is answered 503
    as elsewhere. A key revoked or expired during the outage, or shortly before it while still in the key cache
    (30 s), reads metrics until the database is back: metrics hold no survey data."""
    if request.app.state.settings.metrics_public:
        return None
    try:
        return await get_principal(request, api_key, bearer)
    except SQLAlchemyError as exc:
        key = api_key or (bearer.credentials if bearer is not None else None)
        cache: KeyCache | None = getattr(request.app.state, "key_cache", None)
        cached = cache.get(key) if cache is not None and key and is_connection_error(exc) else None
        if cached is None:
            raise
        request.state.principal = cached
        return cached


def require(role: str) -> Callable[..., Principal]:
    """Dependency factory: the caller must hold ``role`` or a higher one (reader < analyst < admin)."""

    async def _dependency(principal: Principal = Depends(get_principal)) -> Principal:
        if not principal.can(role):
            raise ApiError(403, "forbidden", f"this operation needs the {role!r} role",
                           {"required_role": role, "your_role": principal.role})
        return principal

    _dependency.__name__ = f"require_{role}"
    return _dependency


require_reader = require("reader")
require_analyst = require("analyst")
require_admin = require("admin")
