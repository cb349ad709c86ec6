"""ASGI middleware: request size limit, default security headers and Prometheus-style request metrics."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict

from starlette.routing import Match

from service.errors import ApiError, error_body

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PayloadTooLarge(ApiError):
    """Raised inside ``receive`` once a streamed body passes the limit (answered as 413 by BodySizeLimit)."""


class BodySizeLimit:
    """413 when Content-Length (or the streamed body) exceeds ``max_bytes``; nothing is read past the limit."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                return await self._reject(send, int(length))
        seen = 0
        max_bytes = self.max_bytes
        state = {"exceeded": False, "started": False}

        async def limited_receive():
            nonlocal seen
            if state["exceeded"]:
                raise PayloadTooLarge(413, "payload_too_large", self._message(None), {"max_bytes": max_bytes})
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    state["exceeded"] = True
                    raise PayloadTooLarge(413, "payload_too_large", self._message(None), {"max_bytes": max_bytes})
            return message

        async def guarded_send(message):
            # a streamed (chunked) body went over the limit: whatever the app answers (FastAPI turns any error
            # while reading the body into 400 "There was an error parsing the body") becomes the usual 413
            if state["exceeded"]:
                if message["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    await self._reject(send, None)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            return await self.app(scope, limited_receive, guarded_send)
        except PayloadTooLarge:
            if not state["started"]:
                state["started"] = True
                await self._reject(send, None)
                return None
            raise

    def _message(self, size: int | None) -> str:
        mb = self.max_bytes / (1024 * 1024)
        got = f" ({size / (1024 * 1024):.1f} MB)" if size else ""
        return f"request body too large{got}; the limit is {mb:.0f} MB"

    async def _reject(self, send, size: int | None) -> None:
        details = {"max_bytes": self.max_bytes} if size is None else {"max_bytes": self.max_bytes,
                                                                       "content_length": size}
        body = json.dumps(error_body("payload_too_large", self._message(size), details)).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


#: every API answer: never stored by a browser or proxy cache (personal data, per-key results), never sniffed
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
#: static files (scripts, styles) may be cached: they hold no data
CACHEABLE_PREFIXES = ("/ui/static/", "/docs-static/")


class DefaultHeaders:
    """Adds ``headers`` to every HTTP response that does not set them itself (a download keeps its own
    Content-Disposition and Cache-Control); paths under ``cacheable`` get no Cache-Control."""

    def __init__(self, app, headers: dict[str, str] | None = None, cacheable: tuple[str, ...] = CACHEABLE_PREFIXES):
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or API_HEADERS).items()]
        self.cacheable = cacheable

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        skip = {b"cache-control"} if scope.get("path", "").startswith(self.cacheable) else set()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                extra = [(k, v) for k, v in self.headers if k not in present and k not in skip]
                if extra:
                    message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        return await self.app(scope, receive, send_with_headers)


class Metrics:
    """Counters and latency histograms per (method, route, status); rendered in Prometheus text format."""

    def __init__(self):
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency_buckets: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.latency_sum: dict[tuple[str, str], float] = defaultdict(float)
        self.started = time.time()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            buckets = self.latency_buckets[(method, route)]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
            buckets[-1] += 1
            self.latency_sum[(method, route)] += seconds

    def render(self, gauges: dict[str, tuple[str, list[tuple[dict[str, str], float]]]],
               counters: dict[str, tuple[str, list[tuple[dict[str, str], float]]]] | None = None) -> str:
        """The exposition text: the request series, uptime, then ``gauges`` and ``counters`` (name: help text and
        (labels, value) samples; a counter's name ends in ``_total`` and its value only grows while the process
        runs)."""
        lines = ["# HELP textmine_http_requests_total HTTP requests by method, route and status.",
                 "# TYPE textmine_http_requests_total counter"]
        with self._lock:
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(f'textmine_http_requests_total{{method="{method}",route="{_esc(route)}",'
                             f'status="{status}"}} {n}')
            lines += ["# HELP textmine_http_request_duration_seconds Request latency.",
                      "# TYPE textmine_http_request_duration_seconds histogram"]
            for (method, route), buckets in sorted(self.latency_buckets.items()):
                labels = f'method="{method}",route="{_esc(route)}"'
                for bound, n in zip(BUCKETS, buckets):
                    lines.append(f'textmine_http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {n}')
                lines.append(f'textmine_http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {buckets[-1]}')
                lines.append(f"textmine_http_request_duration_seconds_sum{{{labels}}} "
                             f"{self.latency_sum[(method, route)]:.6f}")
                lines.append(f"textmine_http_request_duration_seconds_count{{{labels}}} {buckets[-1]}")
        lines += ["# HELP textmine_uptime_seconds Seconds since the service started.",
                  "# TYPE textmine_uptime_seconds gauge", f"textmine_uptime_seconds {time.time() - self.started:.1f}"]
        series = [(name, "gauge", spec) for name, spec in gauges.items()]
        series += [(name, "counter", spec) for name, spec in (counters or {}).items()]
        for name, kind, (help_text, samples) in series:
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
            for labels, value in samples:
                label_text = ",".join(f'{k}="{_esc(v)}"' for k, v in labels.items())
                lines.append(f"{name}{{{label_text}}} {value}" if label_text else f"{name} {value}")
        return "\n".join(lines) + "\n"


def _esc(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")



class StatusCapture:
    """An ASGI ``send`` that passes every message on and keeps the response status (500 until one is sent: an
    exception before the response counts as a server error)."""

    def __init__(self, send):
        self._send = send
        self.code = 500

    async def __call__(self, message):
        if message["type"] == "http.response.start":
            self.code = message["status"]
        await self._send(message)


def route_label(scope) -> str:
    """The metrics' ``route`` label: the template of the route that answered (``/waves/{wave_id}/summary``), or of
    the one the request was for when the answer went out before routing (:class:`BodySizeLimit`'s 413 on a
    Content-Length over the limit), so those count under the route as its other answers do. "unmatched" for a
    path no route serves: a path the client chose is never a label."""
    return route_path(request_route(scope))


def request_route(scope):
    """The route that answered ``scope``, else the one it was for (:func:`_route_for`: an answer sent before
    routing), else None; the metrics and the audit log (:func:`service.audit.audit_record`) name the same route."""
    return scope.get("route") or _route_for(scope)


def route_path(route) -> str:
    """A route's template as a label, "unmatched" for None (see :func:`route_label`)."""
    return str(getattr(route, "path", None) or "unmatched")


def _route_for(scope):
    """The route the app would hand ``scope`` to, or None: a full match, else the first partial one (a partial
    match answers 405), as Starlette's router picks."""
    try:
        routes = getattr(getattr(scope.get("app"), "router", None), "routes", ())
        return _match(dict(scope), routes)[1]  # on a copy: FastAPI's matching notes what it tries in the scope
    except Exception:  # a label is never worth failing the request's bookkeeping for
        return None


def _match(scope, routes) -> tuple[Match, object]:
    """(how well, which route) of ``routes`` for ``scope``; FastAPI keeps an included router as one entry
    (``original_router``): when it matches, its own routes are searched."""
    best: tuple[Match, object] = (Match.NONE, None)
    for route in routes:
        match, _ = route.matches(scope)
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        if match is not Match.NONE and inner is not None:
            match, route = _match(scope, inner)
        if match is Match.FULL:
            return match, route
        if match is Match.PARTIAL and best[0] is Match.NONE:
            best = (match, route)
    return best


class MetricsMiddleware:
    def __init__(self, app, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = StatusCapture(send)
        try:
            await self.app(scope, receive, status)
        finally:
            path = route_label(scope)
            method = scope.get("method", "GET")
            method = method if method in _METHODS else "other"  # a client-chosen string is no metrics label
            self.metrics.observe(method, path, status.code, time.perf_counter() - start)
