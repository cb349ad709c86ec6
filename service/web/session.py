"""Browser login: a server-side session (``sessionstore``) whose random id lives in an HttpOnly, SameSite=Strict
cookie (never in URLs or JS). The cookie never holds the API key; every request re-checks the key behind the
session, so logout, expiry and revocation end it at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from service.auth import Principal, verify_key
from service.db.models import ApiKey

from .sessionstore import SessionStore, unseal

COOKIE = "textmine_session"
LEGACY_COOKIE = "textmine_key"  # held the API key itself before server-side sessions; only ever deleted now
CSRF_HEADER = "x-textmine-ui"  # custom header required on state-changing proxy calls (no cross-site forms)


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
    """The principal for a full API key (login form, API key headers)."""
    if not key or len(key) > 300:
        return None
    with request.app.state.db.session() as session:
        return verify_key(session, key)


def _principal_by_id(request: Request, key_id: int) -> Principal | None:
    """The key's current principal, or None when it was deleted or revoked."""
    with request.app.state.db.session() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked:
            return None
        return Principal(key_id=row.id, role=row.role, name=row.name)


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
