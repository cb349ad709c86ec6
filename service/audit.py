"""Audit trail: one JSON line per data request, on the ``textmine.audit`` logger and, with
``TEXTMINE_AUDIT_LOG=/path``, appended to that file (created 0600).

A line says who (the API key's row id and role, never the key), what (method, the route TEMPLATE such as
``/waves/{wave_id}/summary``, the store ids among its path parameters, the names of the query parameters the route
declares, a download's ``format``), the answer's status and how long it took. Never the filled path (it may hold a
respondent id), query values, bodies or any text. Probes, metrics, API docs and static files are not audited.

Erasures made from the CLI (``textmine store delete-* / purge``) get a line of their own (:func:`cli_record`):
source ``cli``, the OS user, the command, store ids, counts, dry run or not.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

# _METHODS: the methods named as they are (any other is "other"); request_route: the route /metrics names too
from service.middleware import _METHODS, StatusCapture, request_route, route_path

AUDIT_LOGGER = "textmine.audit"
AUDIT_FILE_ENV = "TEXTMINE_AUDIT_LOG"
#: not data requests: probes, metrics scrapes, the API docs
SKIPPED_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json", "/favicon.ico"})
SKIPPED_PREFIXES = ("/ui/static/", "/docs-static/")
#: path parameters quoted with their value: store ids only (never a respondent id, a theme or a free path)
ID_PARAMS = frozenset({"wave_id", "survey_id", "job_id", "model_id", "codebook_id", "response_id", "key_id"})
_FORMAT = re.compile(r"[a-z0-9]{1,10}")
_ID = re.compile(r"[0-9]{1,10}")

log = logging.getLogger(AUDIT_LOGGER)


class AuditFile:
    """Appends lines to ``path`` (created with mode 0600; an existing file is set to 0600). Opened per line, so a
    rotated file is picked up; a failing write is logged (type only) and never fails the request."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()
        if not self.path.parent.is_dir():
            raise ValueError(f"{AUDIT_FILE_ENV}: the folder {self.path.parent} does not exist")
        self._lock = threading.Lock()
        self.write("")  # create it (0600) now: a bad path fails at startup, not on the first request

    def write(self, line: str) -> None:
        data = (line + "\n").encode("utf-8") if line else b""
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if os.fstat(fd).st_mode & 0o077:
                    os.fchmod(fd, 0o600)
                if data:
                    os.write(fd, data)
            finally:
                os.close(fd)


def audit_file_from_env(environ: dict[str, str] | None = None) -> AuditFile | None:
    """The audit file named by ``TEXTMINE_AUDIT_LOG``, or None when it is not set."""
    value = (os.environ if environ is None else environ).get(AUDIT_FILE_ENV, "").strip()
    return AuditFile(value) if value else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def emit(record: dict[str, Any], file: AuditFile | None) -> bool:
    """Write one audit line: on the ``textmine.audit`` logger (the JSON line as the message, the fields as
    ``extra={"audit": …}``) and appended to ``file`` when there is one. False when the file write failed (logged,
    type only; never raised)."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    log.info(line, extra={"audit": record})
    if file is None:
        return True
    try:
        file.write(line)  # one short append
    except OSError as exc:
        log.error("audit: could not write %s (%s)", AUDIT_FILE_ENV, type(exc).__name__)
        return False
    return True


def os_user() -> str:
    """The operating-system user running this process: its effective uid's name (not ``$USER``, which the caller
    sets), ``uid:N`` when the uid has no name."""
    if not hasattr(os, "geteuid"):  # Windows
        import getpass

        return getpass.getuser()
    import pwd

    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid:{uid}"


def cli_record(command: str, ids: dict[str, Any], counts: dict[str, int], *, dry_run: bool,
               error: str | None = None, **extra: Any) -> dict[str, Any]:
    """The audit line of an erasure made from the CLI (``textmine store delete-* / purge``): UTC time, source
    ``cli``, the OS user, the command (its name, never its arguments: one may be a respondent id), the store ids
    it named, the counts, dry run or not, and ``outcome`` (``done``, or ``refused`` with the ``error`` code)."""
    record: dict[str, Any] = {"time": _now(), "source": "cli", "user": os_user(), "command": command, "ids": ids,
                              **extra, "counts": dict(counts), "dry_run": bool(dry_run),
                              "outcome": "refused" if error else "done"}
    if error:
        record["error"] = error
    return record


def audited(path: str) -> bool:
    """Whether a request to ``path`` gets an audit line."""
    return path not in SKIPPED_PATHS and not path.startswith(SKIPPED_PREFIXES)


def _principal(scope) -> Any:
    """The caller recorded on ``request.state`` by the auth dependency (``principal``) or a UI page
    (``ui_login``), else None."""
    state = scope.get("state") or {}
    who = state.get("principal")
    if who is None and state.get("ui_login") is not None:
        who = getattr(state["ui_login"], "principal", None)
    return who


def _header_key(scope) -> str | None:
    headers = dict(scope.get("headers") or [])
    key = headers.get(b"x-api-key", b"").decode("latin-1").strip()
    if not key:
        auth = headers.get(b"authorization", b"").decode("latin-1")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    return key if 0 < len(key) <= 300 else None


def _lookup(app, key: str) -> Any:
    """The principal of a header key no dependency recorded (e.g. ``GET /waves/{id}/report``): from the key
    cache, else checked in the database; None when unknown or revoked."""
    cache = getattr(app.state, "key_cache", None)
    who = cache.get(key) if cache is not None else None
    if who is not None:
        return who
    from service.auth import verify_key

    with app.state.db.session() as session:
        return verify_key(session, key)


def _query_names(scope, route) -> tuple[list[str], int]:
    """(names the route declares among the query's parameters, how many other names): a name the client made up
    may be anything, so it is only counted."""
    from urllib.parse import parse_qsl

    sent = dict.fromkeys(k for k, _ in parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                                 keep_blank_values=True))
    if not sent:
        return [], 0
    declared = _declared_query(route)
    known = sorted(k for k in sent if k in declared)
    return known, len(sent) - len(known)


def _declared_query(route) -> set[str]:
    """The query parameter names ``route`` and its dependencies declare."""
    names: set[str] = set()
    todo = [getattr(route, "dependant", None)]
    while todo:
        dependant = todo.pop()
        if dependant is not None:
            names.update(p.alias for p in dependant.query_params)
            todo.extend(dependant.dependencies)
    return names


def _path_params(scope, route) -> dict[str, Any]:
    """The path parameters ``route`` reads from ``scope``'s path: for an answer sent before routing (the 413 of
    :class:`service.middleware.BodySizeLimit`), whose scope has none of its own; {} when there are none."""
    if route is None:
        return {}
    try:
        _, child = route.matches(dict(scope))  # on a copy, as the route lookup does
    except Exception:  # the audit line is never worth failing the request's bookkeeping for
        return {}
    return dict((child or {}).get("path_params") or {})


def audit_record(scope, status: int, seconds: float, who: Any) -> dict[str, Any]:
    """The audit line's fields for one finished request (see the module docstring)."""
    route = request_route(scope)  # also a 413 refused before routing: the route it was for, as /metrics names it
    params = scope.get("path_params") or _path_params(scope, route)
    ids = {k: int(v) for k, v in sorted(params.items()) if k in ID_PARAMS and _ID.fullmatch(str(v))}
    query, other = _query_names(scope, route)
    method = scope.get("method", "GET")
    record: dict[str, Any] = {
        "time": _now(), "key_id": getattr(who, "key_id", None), "role": getattr(who, "role", None),
        "method": method if method in _METHODS else "other",
        "route": route_path(route), "ids": ids, "query": query,
        "status": int(status), "ms": round(seconds * 1000, 1)}
    if other:
        record["other_query_params"] = other
    fmt = _format(scope, query)
    if fmt:
        record["format"] = fmt
    return record


def _format(scope, query: list[str]) -> str | None:
    """A download's ``format`` (html, xlsx …), when the route declares it and the value is a plain word."""
    if "format" not in query:
        return None
    from urllib.parse import parse_qs

    value = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("format") or [""])[-1]
    return value if _FORMAT.fullmatch(value) else "other"


class AuditMiddleware:
    """Writes :func:`audit_record` for every audited HTTP request (an exception counts as status 500)."""

    def __init__(self, app, file: AuditFile | None = None):
        self.app = app
        self.file = file

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not audited(scope.get("path", "")):
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = StatusCapture(send)
        try:
            await self.app(scope, receive, status)
        finally:
            try:
                await self._write(scope, status.code, time.perf_counter() - start)
            except Exception as exc:  # an audit failure never fails the request: it is logged (type only)
                log.error("audit: no line written (%s)", type(exc).__name__)

    async def _write(self, scope, status: int, seconds: float) -> None:
        who = _principal(scope)
        key = _header_key(scope) if who is None and (status < 400 or status == 403) else None
        if key is not None and scope.get("app") is not None:
            try:
                who = await run_in_threadpool(_lookup, scope["app"], key)
            except Exception as exc:  # the store is down: the line goes out without the key
                log.warning("audit: key not resolved (%s)", type(exc).__name__)
        emit(audit_record(scope, status, seconds, who), self.file)  # a failed file write is logged, not raised
