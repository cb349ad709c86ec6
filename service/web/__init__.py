"""Browser UI (server-rendered Jinja2 + small vanilla JS) and the HTML report endpoint.

``mount(app)`` adds the pages (``/ui/…``), the static files (``/ui/static``), the session-authenticated API
proxy (``/ui/api/…``), ``GET /waves/{id}/report`` and the login session store (``app.state.ui_sessions``, kept in
the app's database). The app factory calls it when this package exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import ApiError
from service.settings import Settings

from .pages import error_page
from .pages import router as pages_router
from .proxy import router as proxy_router
from .session import LEGACY_COOKIE, LoginRequired
from .sessionstore import SessionStore

STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter()
router.include_router(pages_router)
router.include_router(proxy_router)

# UI pages load only their own scripts and styles (charts are inline SVG with inline styles); nothing may frame them
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
}
_REPORT_PATH = re.compile(r"^/waves/[^/]+/report$")


def _ui_path(path: str) -> bool:
    return path == "/" or path.startswith("/ui") or bool(_REPORT_PATH.match(path))


class SecurityHeaders:
    """Adds SECURITY_HEADERS (unless already set) to every response under /ui and to the HTML/Excel report."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not _ui_path(scope.get("path", "")):
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        return await self.app(scope, receive, send_with_headers)


def _html_errors(app: FastAPI) -> None:
    """Errors on UI pages (not the JSON proxy) become an HTML page with the same status; the API keeps JSON."""

    def wrap(original):
        async def handler(request: Request, exc: Exception):
            resp = await original(request, exc)
            path = request.url.path
            if not path.startswith("/ui") or path.startswith(("/ui/api/", "/ui/static/")):
                return resp
            return error_page(request, resp.status_code)

        return handler

    for exc_class in (ApiError, RequestValidationError, StarletteHTTPException):
        original = app.exception_handlers.get(exc_class)
        if original is not None:
            app.add_exception_handler(exc_class, wrap(original))


def mount(app: FastAPI) -> None:
    """Attach the UI to ``app``."""
    app.state.ui_sessions = SessionStore.from_settings(app.state.db, getattr(app.state, "settings", None) or Settings())
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=str(STATIC_DIR)), name="ui-static")
    app.add_middleware(SecurityHeaders)
    _html_errors(app)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        from urllib.parse import quote

        resp = RedirectResponse(f"/ui/login?next={quote(exc.next_url)}", status_code=303)
        if LEGACY_COOKIE in request.cookies:  # a cookie from before server-side sessions holds the API key
            resp.delete_cookie(LEGACY_COOKIE, path="/")
        return resp


__all__ = ["mount", "router"]
