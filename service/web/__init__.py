"""Browser UI (server-rendered Jinja2 + small vanilla JS) and the HTML report endpoint.

``mount(app)`` adds the pages (``/ui/…``), the static files (``/ui/static``), the cookie-authenticated API
proxy (``/ui/api/…``) and ``GET /waves/{id}/report``. The app factory calls it when this package exists.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from .pages import router as pages_router
from .proxy import router as proxy_router
from .session import LoginRequired

STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter()
router.include_router(pages_router)
router.include_router(proxy_router)


def mount(app: FastAPI) -> None:
    """Attach the UI to ``app``."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=str(STATIC_DIR)), name="ui-static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        from urllib.parse import quote

        return RedirectResponse(f"/ui/login?next={quote(exc.next_url)}", status_code=303)


__all__ = ["mount", "router"]
