"""/docs and /redoc work without internet: their scripts, styles and favicon come from the service itself
(fastapi-offline's files at /docs-static), never from a CDN or Google Fonts, and a Content-Security-Policy lets
the pages load code only from the service (the one inline Swagger UI script by its hash)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")
ASSET = re.compile(r"""(?:src|href)="([^"]+)\"""")
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
CONTENT_TYPES = {".js": ("text/javascript", "application/javascript"), ".css": ("text/css",), ".png": ("image/png",)}


def _csp(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: [sources]}."""
    header = response.headers.get("content-security-policy")
    assert header, f"{response.url} has no Content-Security-Policy header: {dict(response.headers)}"
    parts = [p.split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_other_hosts(client, page):
    r = client.get(page)  # public, as before: no key
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), (page, r.status_code)
    html = r.text
    assert URL.findall(html) == [], f"{page} names other hosts: {URL.findall(html)}"
    assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html, page
    assets = ASSET.findall(html)
    assert any(a.endswith(".js") for a in assets), f"{page} loads no script: {assets}"
    for asset in assets:
        assert asset.startswith("/docs-static/"), f"{page}: asset {asset!r} is not served by the service"
        got = client.get(asset)
        suffix = asset[asset.rindex("."):]
        kind = got.headers.get("content-type", "").split(";")[0]
        assert got.status_code == 200, f"{page}: {asset} answered {got.status_code}"
        assert kind in CONTENT_TYPES[suffix], f"{page}: {asset} is {kind!r}, expected one of {CONTENT_TYPES[suffix]}"
        assert len(got.content) > 1000, f"{page}: {asset} is only {len(got.content)} bytes"
        assert got.headers.get("x-content-type-options") == "nosniff", asset


def test_docs_assets_are_the_bundled_swagger_and_redoc(client):
    """The files really are Swagger UI and ReDoc (so the pages work offline), not an error page."""
    assert b"SwaggerUIBundle" in client.get("/docs-static/swagger-ui-bundle.js").content
    assert b"Redoc" in client.get("/docs-static/redoc.standalone.js").content
    assert client.get("/docs-static/../app.py").status_code == 404


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_have_a_self_only_csp(client, page):
    r = client.get(page)
    csp = _csp(r)
    assert csp.get("default-src") == ["'self'"], csp
    scripts = csp.get("script-src", [])
    assert "'self'" in scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, scripts
    assert all(s in ("'self'",) or s.startswith("'sha256-") for s in scripts), f"script-src allows more: {scripts}"
    for directive, sources in csp.items():
        hosts = [s for s in sources if "." in s and not s.startswith("'")]
        assert hosts == [], f"{page}: {directive} allows other hosts {hosts}"
    assert csp.get("frame-ancestors") == ["'none'"] and csp.get("object-src") == ["'none'"], csp
    for inline in INLINE_SCRIPT.findall(r.text):  # Swagger UI's start script: allowed by its hash, nothing else
        digest = base64.b64encode(hashlib.sha256(inline.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in scripts, f"{page}: inline script not allowed by hash; script-src {scripts}"


def test_swagger_ui_does_not_call_the_online_validator(client):
    """Swagger UI's default validator badge would send the spec's URL to validator.swagger.io."""
    html = client.get("/docs").text
    assert re.search(r'"validatorUrl":\s*null', html), html
    assert client.get("/openapi.json").status_code == 200
