"""Logging for ``textmine serve``: the ``textmine.*`` loggers (``textmine.service``, ``textmine.audit`` …) and
uvicorn's (``uvicorn``, ``uvicorn.error``) to stderr with time (UTC), level and logger name, as plain text or JSON lines
(``--log-format json`` or ``TEXTMINE_LOG_FORMAT=json``), at the chosen ``--log-level``. The items of a record's
``extra={"fields": {…}}`` become fields of its JSON line (the message stays).

An error logged while an exception is being handled (the 500 handler's "unhandled …" line) gets that exception's
traceback. Tracebacks hold code lines, not values; exception MESSAGES may hold data (SQL parameters, cell text, a
file name), so :func:`exception_text` keeps the type and withholds the message of types known to carry data, and
redacts the others.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from datetime import datetime, timezone
from typing import Any

FORMATS = ("plain", "json")
FORMAT_ENV = "TEXTMINE_LOG_FORMAT"
LOGGER = "textmine"
AUDIT_LOGGER = "textmine.audit"
#: uvicorn's loggers (``uvicorn.error``, ``uvicorn.access`` … propagate to ``uvicorn``): serve runs uvicorn with
#: ``log_config=None``, so that they keep this handler
UVICORN_LOGGER = "uvicorn"
#: the keys of a JSON line that a record's ``fields`` cannot replace
_RESERVED = frozenset({"time", "level", "logger", "message", "exc_type", "traceback"})
WITHHELD = "(message withheld: it may contain data)"
#: exception types whose messages quote data: SQL and its parameters, a value that did not parse, a missing key,
#: bytes that did not decode, a file name, pydantic's input
DATA_BEARING = (ValueError, LookupError, UnicodeError, OSError)
DATA_BEARING_MODULES = ("sqlalchemy", "sqlite3", "psycopg", "psycopg2", "pydantic", "pandas", "openpyxl",
                        "numpy", "yaml")
_HANDLER_NAME = "textmine-serve"


def log_format(option: str | None = None, environ: dict[str, str] | None = None) -> str:
    """``option`` (``--log-format``), else ``TEXTMINE_LOG_FORMAT``, else plain; ValueError for anything else."""
    value = (option or (os.environ if environ is None else environ).get(FORMAT_ENV, "") or "plain").strip().lower()
    if value not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {value[:20]!r}")
    return value


def data_bearing(exc: BaseException) -> bool:
    """Whether ``exc``'s message may quote data (see DATA_BEARING and DATA_BEARING_MODULES)."""
    module = type(exc).__module__.split(".")[0]
    return isinstance(exc, DATA_BEARING) or module in DATA_BEARING_MODULES


def exception_message(exc: BaseException) -> str:
    """``exc``'s message as it may be logged: withheld for data-bearing types, otherwise redacted and short."""
    if data_bearing(exc):
        return WITHHELD
    try:
        text = str(exc)
    except Exception:
        return WITHHELD
    if not text:
        return ""
    try:
        from service.library import redact_name

        text = redact_name(text)
    except Exception:  # no redactor: nothing unchecked goes out
        return WITHHELD
    return text[:300]


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it came from (cause or context), oldest first, as Python prints them."""
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ if exc.__cause__ is not None else (None if exc.__suppress_context__ else exc.__context__)
    return list(reversed(seen))


def exception_text(exc: BaseException) -> str:
    """A traceback as Python prints it (chained exceptions included), each exception's line as
    ``module.Type: message`` with :func:`exception_message`."""
    parts: list[str] = []
    for i, item in enumerate(_chain(exc)):
        if i:
            parts.append("\nThe above exception led to the next one:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(item.__traceback__))
        kind = type(item)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        message = exception_message(item)
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
    return "".join(parts).rstrip("\n")


def _utc(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PlainFormatter(logging.Formatter):
    """``2026-12-05T18:00:00.123Z INFO textmine.service: message`` and a scrubbed traceback below."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{_utc(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + exception_text(record.exc_info[1])
        return text

    def formatException(self, ei) -> str:
        return exception_text(ei[1]) if ei and ei[1] is not None else ""


class JsonFormatter(PlainFormatter):
    """One JSON object per line: time, level, logger, message (an audit line's fields instead of its message;
    a record's ``fields`` beside it), exception type and scrubbed traceback."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"time": _utc(record), "level": record.levelname, "logger": record.name}
        audit = getattr(record, "audit", None)
        if isinstance(audit, dict):
            out.update({k: v for k, v in audit.items() if k not in ("level", "logger")})
            out["time"] = _utc(record)
        else:
            out["message"] = record.getMessage()
            fields = getattr(record, "fields", None)
            if isinstance(fields, dict):
                out.update({str(k): v for k, v in fields.items() if k not in _RESERVED})
        if record.exc_info and record.exc_info[1] is not None:
            out["exc_type"] = type(record.exc_info[1]).__name__
            out["traceback"] = exception_text(record.exc_info[1])
        return json.dumps(out, ensure_ascii=False, default=str)


class AttachTraceback(logging.Filter):
    """A ``textmine.*`` ERROR record logged while an exception is being handled, without ``exc_info`` of its own,
    gets that exception (the 500 handler logs only the type: the formatter adds the scrubbed traceback). Not
    uvicorn's: ``service.errors.UnhandledErrorFilter`` removed its traceback on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        textmine = record.name == LOGGER or record.name.startswith(LOGGER + ".")
        if textmine and record.levelno >= logging.ERROR and not record.exc_info:
            exc = sys.exc_info()[1]
            if exc is not None:
                record.exc_info = (type(exc), exc, exc.__traceback__)
        return True


class _Stderr(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is when a record comes (as logging's last-resort handler does)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def make_handler(fmt: str = "plain", stream=None) -> logging.Handler:
    """A stderr (or ``stream``) handler with the formatter of ``fmt`` and :class:`AttachTraceback`."""
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    handler.addFilter(AttachTraceback())
    return handler


def configure(level: str = "info", fmt: str | None = None, stream=None) -> logging.Handler:
    """Send the ``textmine`` and ``uvicorn`` loggers to one handler (replacing one an earlier call installed) at
    ``level``; the audit logger stays at INFO or lower, so that its lines are not lost to ``--log-level warning``.
    Returns the handler."""
    handler = make_handler(log_format(fmt), stream)
    number = logging.DEBUG if level.lower() == "trace" else logging.getLevelName(level.upper())
    for name in (LOGGER, UVICORN_LOGGER):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(number)
    logging.getLogger(AUDIT_LOGGER).setLevel(min(number, logging.INFO))
    return handler
