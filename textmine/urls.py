"""Addresses as messages and logs may show them: a password in a database or scheduler URL masked."""

from __future__ import annotations

import re
from urllib.parse import unquote

#: libpq connection parameters that are secrets when given in a URL's query string (``?password=…``)
SECRET_QUERY_KEYS = ("password", "sslpassword")

__all__ = ["SECRET_QUERY_KEYS", "is_secret_key", "secret_values", "shown_url"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_ONE_HOST = r"(?:\[[0-9A-Fa-f:.]+(?:%25[\w.~\-]+)?\]|[\w.~%!$'()*+;=\-]*)(?::\d*)?"  # name, IPv4 or [IPv6]; :port
_HOST = re.compile(rf"{_ONE_HOST}(?:,{_ONE_HOST})*")  # (libpq takes several, comma-separated)
_SECRET_WORDS = ("token", "secret", "password", "passwd")


def is_secret_key(name: str) -> bool:
    """Whether a query parameter ``name`` holds a secret: ``password``/``secret``/any ``*token*`` name, ``key``
    and names ending in it (``api_key``), in any case."""
    name = unquote(name).lower()
    return name in SECRET_QUERY_KEYS or any(w in name for w in _SECRET_WORDS) or name.endswith("key")


def _masked_pairs(text: str) -> str:
    """``a=1&token=x`` with the secret parameters' values masked as ``***``; the rest as it was."""
    pairs = []
    for pair in text.split("&"):
        name, eq, _ = pair.partition("=")
        pairs.append(f"{name}=***" if eq and is_secret_key(name) else pair)
    return "&".join(pairs)


def _parts(url: str) -> tuple[str, str, str, str, str, str] | None:
    """``url`` as (scheme with "://" or "", user info with its "@", host and port, path from its "/", "?" and
    query, "#" and fragment); ``None`` when it cannot be read."""
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        return None
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    elif not _SCHEME.fullmatch(scheme):
        return None
    rest, hashmark, fragment = rest.partition("#")
    rest, question, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    after = url[len(scheme + sep + authority):]
    if not _HOST.fullmatch(hostport) or (not sep and not hostport.strip(":")) or "@" in after:
        return None  # (an "@" after the host: a password holding "/", "?" or "#" unescaped, perhaps)
    return scheme + sep, userinfo + at, hostport, slash + path, question + query, hashmark + fragment


def secret_values(url: str) -> list[str]:
    """The secrets ``url`` holds as written in it (the password, the secret query parameters' values), longest
    first, so that another message quoting a piece of the address can be masked too (:func:`shown_url` masks them);
    none when it cannot be read."""
    parts = _parts(url)
    if parts is None:
        return []
    _, userinfo, _, _, query, fragment = parts
    found = [userinfo.removesuffix("@").partition(":")[2]]
    for pair in (*query[1:].split("&"), *fragment[1:].split("&")):
        name, eq, value = pair.partition("=")
        if eq and is_secret_key(name):
            found.append(value)
    return sorted({v for v in found if v}, key=len, reverse=True)


def shown_url(url: str) -> str:
    """``url`` as messages and logs may show it: the password masked as ``***`` in the user part and the secret
    query parameters' values (:func:`is_secret_key`: ``password=…``, ``token=…``, ``api_key=…``) in the query string
    and fragment; anything else as given. Reads database URLs (``postgresql+psycopg:///db?password=…``, a libpq
    form) and Dask addresses with or without a scheme (``user:pw@host:8786``, ``[::1]:8786``). "<invalid url>" when
    it cannot be read (it is then never echoed: it may hold a password)."""
    parts = _parts(url)
    if parts is None:
        return "<invalid url>"
    scheme, userinfo, hostport, path, query, fragment = parts
    user, colon, _ = userinfo.removesuffix("@").partition(":")
    shown = f"{scheme}{user}{':***' if colon else ''}{'@' if userinfo else ''}{hostport}{path}"
    return f"{shown}{query[:1]}{_masked_pairs(query[1:])}{fragment[:1]}{_masked_pairs(fragment[1:])}"
