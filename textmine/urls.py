"""Addresses as messages and logs may show them: a password in a database or scheduler URL masked."""

from __future__ import annotations

#: libpq connection parameters that are secrets when given in a URL's query string (``?password=…``)
SECRET_QUERY_KEYS = ("password", "sslpassword")

__all__ = ["SECRET_QUERY_KEYS", "shown_url"]


def shown_url(url: str) -> str:
    """``url`` as messages and logs may show it: the password masked as ``***`` both in the user part and in the
    query string (``postgresql+psycopg:///db?host=h&password=…``, a libpq form); "<invalid url>" when it cannot be
    read (it is then never echoed: it may hold a password)."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
        secret = {k: "***" for k in u.query if k.lower() in SECRET_QUERY_KEYS}
        if secret:
            u = u.update_query_dict(secret)
        return u.render_as_string(hide_password=True).replace("=%2A%2A%2A", "=***")  # (the query is escaped)
    except Exception:  # noqa: BLE001 - any unreadable URL is shown as such
        return "<invalid url>"
