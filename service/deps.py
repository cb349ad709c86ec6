"""FastAPI dependencies for routers (including ``service/web``): DB session, settings, roles.

Usage in a router::

    from service.deps import get_session, require_reader
    @router.get("/x")
    def x(session: Session = Depends(get_session, scope="function"), who: Principal = Depends(require_reader)): ...
"""

from __future__ import annotations

from fastapi import Request

from service.auth import (Principal, get_principal, get_session, metrics_access, require, require_admin,
                          require_analyst, require_reader)
from service.coders import CoderCache
from service.settings import Settings

__all__ = ["Principal", "get_principal", "get_session", "get_settings", "get_coders", "metrics_access", "require",
           "require_reader", "require_analyst", "require_admin"]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_coders(request: Request) -> CoderCache:
    return request.app.state.coders
