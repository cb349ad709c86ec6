"""Browser login: a server-side session (``sessionstore``) whose random id lives in an HttpOnly, SameSite=Strict
cookie (never in URLs or JS). The cookie never holds the API key; every request re-checks the key behind the
session, so logout, expiry and revocation end it at once."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import Response

from service.auth import Principal, expired, key_use, verify_key
from service.db.models import ApiKey

from .sessionstore import SessionsFull, SessionStore, unseal

COOKIE = "textmine_session"
LEGACY_COOKIE = "textmine_key"  # held the API key itself before server-side sessions; only ever deleted now
CSRF_HEADER = "x-textmine-ui"  # custom header required on state-changing proxy calls (no cross-site forms)
LOGIN_PATH = "/ui/login"
THROTTLED = ("For mange innlogginger", "Det er gjort for mange innloggingsforsøk fra denne adressen. Vent litt og "
                                       "prøv igjen.")
STORE_FULL = ("For mange innloggede", "For mange er logget inn akkurat nå. Prøv igjen senere, eller be en som er "
                                      "ferdig, om å logge ut.")


class LoginRequired(Exception):
    """Raised by page dependencies; turned into a redirect to the login page."""

    def __init__(self, next_url: str = "/ui/"):
        self.next_url = next_url


@dataclass(frozen=True)
class Login:
    """A live UI session: who is logged in, and (for the API proxy only) the sealed key it acts with."""

    principal: Principal
    sid: str = field(repr=False)
    sealed_key: bytes = field(repr=False)
    created: float = 0.0  # clock time of login (the session ends ``lifetime`` seconds after it)

    def api_key(self) -> str:
        return unseal(self.sid, self.sealed_key)


def sessions(request: Request) -> SessionStore:
    return request.app.state.ui_sessions


def header_key(request: Request) -> str | None:
    """API key from the X-API-Key header or a Bearer token (the UI cookie never holds one)."""
    key = request.headers.get("x-api-key")
    if not key:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            key = auth[7:].strip()
    return key or None


def principal_for(request: Request, key: str | None) -> Principal | None:
    """The principal for a full API key (login form, API key headers); its use recorded (``last_used_at``)."""
    if not key or len(key) > 300:
        return None
    with request.app.state.db.session() as session:
        who = verify_key(session, key)
        stored = session.get(ApiKey, who.key_id).last_used_at if who is not None else None
    if who is not None:
        key_use(request.app).record(request.app.state.db, who.key_id, stored)
    return who


def _principal_by_id(request: Request, key_id: int) -> Principal | None:
    """The key's current principal, or None when it was deleted, revoked or has expired; a page view through a
    signed-in session is a use of its key (``last_used_at``, at most once a minute)."""
    with request.app.state.db.session() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked or expired(row.expires_at):
            return None
        who, stored = Principal(key_id=row.id, role=row.role, name=row.name), row.last_used_at
    key_use(request.app).record(request.app.state.db, key_id, stored)
    return who


def current_login(request: Request) -> Login | None:
    """The session named by the cookie, if it is live and its key still valid (checked in the database on every
    request; a revoked key's sessions all end here)."""
    sid = request.cookies.get(COOKIE)
    entry = sessions(request).get(sid)
    if entry is None:
        return None
    who = _principal_by_id(request, entry.key_id)
    if who is None:
        sessions(request).end_key(entry.key_id)
        return None
    return Login(who, sid, entry.sealed_key, entry.created)


def session_left(request: Request, login: Login) -> dict[str, int]:
    """Seconds the session has left right after a request: ``idle`` until it ends unused (each request restarts
    it) and ``left`` until it ends anyway (``lifetime`` after login; no request extends that)."""
    store = sessions(request)
    left = max(0, int(login.created + store.lifetime - store.clock()))
    return {"idle": min(int(store.idle), left), "left": left}


def page_principal(request: Request) -> Principal:
    """Dependency for UI pages: the logged-in principal, else redirect to the login page."""
    login = current_login(request)
    if login is None:
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise LoginRequired(path if path.startswith("/ui") else "/ui/")
    request.state.ui_login = login  # the page tells the browser when the session ends (session.js)
    return login.principal


def start_session(request: Request, response: Response, who: Principal, key: str) -> None:
    """After the key was verified: end the browser's previous session, start a new one, set its cookie."""
    store = sessions(request)
    store.delete(request.cookies.get(COOKIE))
    sid = store.create(who.key_id, key)
    response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", secure=is_https(request), path="/",
                        max_age=int(store.lifetime))
    response.delete_cookie(LEGACY_COOKIE, path="/")


def end_session(request: Request, response: Response) -> None:
    """Logout: delete the session on the server and the cookie in the browser."""
    sessions(request).delete(request.cookies.get(COOKIE))
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(LEGACY_COOKIE, path="/")


def is_https(request: Request) -> bool:
    """The browser talks HTTPS: directly, or to a TLS-terminating proxy that says so (X-Forwarded-Proto).
    A forged header can only add the Secure flag, never remove it."""
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or proto == "https"


def cross_site(request: Request) -> bool:
    """A form post made by another site (login CSRF, forced logout): by the browser's Sec-Fetch-Site, else by an
    Origin that is not this host. Requests without either header (non-browser clients) pass."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


# ------------------------------------------------------------------------------------------ login limits
class LoginThrottle:
    """Login attempts per client address over the last ``window`` seconds: at most ``max_failed`` failed and
    ``max_total`` in all. Counted in this process (each server process keeps its own), for at most ``max_clients``
    addresses (the quietest are forgotten first)."""

    def __init__(self, max_failed: int = 10, max_total: int = 30, window: float = 60.0, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failed = max_failed
        self.max_total = max_total
        self.window = window
        self.max_clients = max_clients
        self.clock = clock
        self._tries: dict[str, deque[float]] = {}
        self._fails: dict[str, deque[float]] = {}

    def retry_after(self, client: str) -> int | None:
        """Whole seconds until ``client`` may log in again, or None when it may now."""
        now = self.clock()
        waits = [times[-limit] + self.window - now
                 for times, limit in ((self._recent(self._fails, client, now), self.max_failed),
                                      (self._recent(self._tries, client, now), self.max_total))
                 if len(times) >= limit]
        return max(1, math.ceil(max(waits))) if waits else None

    def attempt(self, client: str) -> None:
        self._add(self._tries, client)

    def failed(self, client: str) -> None:
        self._add(self._fails, client)

    def _recent(self, log: dict[str, deque[float]], client: str, now: float) -> deque[float]:
        times = log.get(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            log.pop(client, None)
        return times

    def _add(self, log: dict[str, deque[float]], client: str) -> None:
        now = self.clock()
        if client not in log and len(log) >= self.max_clients:
            for other in [c for c in list(log) if not self._recent(log, c, now)] or list(log)[: len(log) // 10 + 1]:
                log.pop(other, None)
        log.setdefault(client, deque()).append(now)


class LoginLimits:
    """ASGI middleware on ``POST /ui/login``: 429 with Retry-After while the client address is over
    ``app.state.login_throttle``; otherwise counts the attempt, and a 401 answer as a failed one."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") != LOGIN_PATH:
            return await self.app(scope, receive, send)
        throttle: LoginThrottle = scope["app"].state.login_throttle
        client = (scope.get("client") or ("unknown",))[0]
        wait = throttle.retry_after(client)
        if wait is not None:
            return await busy_page(Request(scope, receive), 429, wait, THROTTLED)(scope, receive, send)
        throttle.attempt(client)
        status = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status.get("code") == 401:
            throttle.failed(client)


def busy_page(request: Request, status: int, retry_after: int, text: tuple[str, str]) -> Response:
    """The login's HTML answer when it must wait (429 throttled, 503 store full), with Retry-After."""
    from .pages import render  # pages imports this module

    heading, message = text
    resp = render(request, "error.html", status=status, who=None, heading=heading, message=message)
    resp.headers["Retry-After"] = str(retry_after)
    return resp


def install_login_limits(app: FastAPI) -> None:
    """The login throttle (``app.state.login_throttle``, replaceable) and the answer to a full session store."""
    app.state.login_throttle = LoginThrottle()
    app.add_middleware(LoginLimits)

    async def _store_full(request: Request, exc: SessionsFull) -> Response:
        return busy_page(request, exc.status, exc.details["retry_after"], STORE_FULL)

    app.add_exception_handler(SessionsFull, _store_full)
