"""``/ui/api/*``: the browser's path to the public JSON API. Resolves the UI session named by the HttpOnly cookie,
adds its key (kept sealed in the session store, never in the cookie) as ``X-API-Key`` and forwards in-process (ASGI),
so the UI uses exactly the API that clients use and the API's own key and role checks decide."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from .session import CSRF_HEADER, current_login

router = APIRouter()

ALLOWED = ("surveys", "waves", "codebooks", "jobs", "review-queue", "responses", "classify", "models", "training-jobs")


@router.api_route("/ui/api/{path:path}", methods=["GET", "POST"], include_in_schema=False)
async def proxy(request: Request, path: str):
    parts = path.split("/")
    # "surveys/..%2Fkeys" arrives decoded as "surveys/../keys", which httpx would resolve to /keys
    if parts[0] not in ALLOWED or any(unquote(p) in (".", "..") for p in parts):
        return JSONResponse({"error": {"code": "not_found", "message": "unknown API path"}}, status_code=404)
    if request.method != "GET" and request.headers.get(CSRF_HEADER) != "1":
        return JSONResponse({"error": {"code": "csrf", "message": f"missing {CSRF_HEADER} header"}}, status_code=403)
    login = await run_in_threadpool(current_login, request)  # checks the key in the database
    if login is None:
        return JSONResponse({"error": {"code": "unauthenticated", "message": "log in first"}}, status_code=401)
    request.state.principal = login.principal  # for this request's audit line (service/audit.py)
    headers = {"X-API-Key": login.api_key()}
    if request.headers.get("content-type"):
        headers["Content-Type"] = request.headers["content-type"]
    body = await request.body()
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://textmine.internal") as client:
        r = await client.request(request.method, "/" + path, params=request.query_params, content=body,
                                 headers=headers, timeout=120)
    return Response(r.content, status_code=r.status_code, media_type=r.headers.get("content-type"),
                    headers={"Cache-Control": "no-store"})
