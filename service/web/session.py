"""Browser login: the API key lives in an HttpOnly, SameSite=Strict cookie (never in URLs or JS)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse

from service.auth import Principal, verify_key

COOKIE = "textmine_key"
CSRF_HEADER = "x-textmine-ui"  # custom header required on state-changing proxy calls (no cross-site forms)


class LoginRequired(Exception):
    """Raised by page dependencies; turned into a redirect to the login page."""

    def __init__(self, next_url: str = "/ui/"):
        self.next_url = next_url


def key_from_request(request: Request) -> str | None:
    """API key from the X-API-Key header, a Bearer token, or the UI cookie (in that order)."""
    key = request.headers.get("x-api-key")
    if not key:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            key = auth[7:].strip()
    return key or request.cookies.get(COOKIE)


def principal_for(request: Request, key: str | None) -> Principal | None:
    if not key or len(key) > 300:
        return None
    with request.app.state.db.session() as session:
        return verify_key(session, key)


def page_principal(request: Request) -> Principal:
    """Dependency for UI pages: the logged-in principal, else redirect to the login page."""
    who = principal_for(request, request.cookies.get(COOKIE))
    if who is None:
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise LoginRequired(path if path.startswith("/ui") else "/ui/")
    return who


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


def set_login_cookie(response: RedirectResponse, key: str, secure: bool) -> None:
    response.set_cookie(COOKIE, key, httponly=True, samesite="strict", secure=secure, path="/", max_age=8 * 3600)


def clear_login_cookie(response: RedirectResponse) -> None:
    response.delete_cookie(COOKIE, path="/")
