"""One error shape for every failure: ``{"error": {"code", "message", "details"}}`` (never echoes raw input)."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from enum import StrEnum
from typing import Any

from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.db.session import is_connection_error
from textmine.disclosure import identifier_words

log = logging.getLogger("textmine.service")

_STATUS_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
                 422: "validation_error", 429: "too_many_requests", 503: "unavailable"}


class ErrorCode(StrEnum):
    """Every ``error.code`` the service answers (the error body's schema lists them in OpenAPI). A new code goes
    here too: tests/service/test_error_codes_dec06h.py reads the source and fails on a code missing here."""

    bad_request = "bad_request"
    busy = "busy"
    client_disconnected = "client_disconnected"
    codebook_mismatch = "codebook_mismatch"
    codebook_version_exists = "codebook_version_exists"
    comment_too_long = "comment_too_long"
    compare_job_without_wave = "compare_job_without_wave"
    conflict = "conflict"
    control_character = "control_character"
    correction_conflict = "correction_conflict"
    csrf = "csrf"
    database_unavailable = "database_unavailable"
    duplicate_ids = "duplicate_ids"
    duplicate_wave = "duplicate_wave"
    empty_file = "empty_file"
    exclusive_theme = "exclusive_theme"
    forbidden = "forbidden"
    header_missing = "header_missing"
    health_data_in_example = "health_data_in_example"
    http_error = "http_error"
    internal_error = "internal_error"
    invalid_api_key = "invalid_api_key"
    invalid_codebook = "invalid_codebook"
    invalid_days = "invalid_days"
    invalid_description = "invalid_description"
    invalid_expiry = "invalid_expiry"
    invalid_ids = "invalid_ids"
    invalid_label = "invalid_label"
    invalid_name = "invalid_name"
    invalid_respondent_id = "invalid_respondent_id"
    invalid_role = "invalid_role"
    invalid_survey_definition = "invalid_survey_definition"
    invalid_table = "invalid_table"
    invalid_unicode = "invalid_unicode"
    job_not_done = "job_not_done"
    job_running = "job_running"
    job_superseded = "job_superseded"
    later_wave = "later_wave"
    method_not_allowed = "method_not_allowed"
    missing_columns = "missing_columns"
    missing_ids = "missing_ids"
    missing_survey_definition = "missing_survey_definition"
    model_codebook_mismatch = "model_codebook_mismatch"
    model_folder_refused = "model_folder_refused"
    model_in_use = "model_in_use"
    model_mismatch = "model_mismatch"
    model_unavailable = "model_unavailable"
    near_duplicate_wave = "near_duplicate_wave"
    no_correction = "no_correction"
    no_key = "no_key"
    not_coded = "not_coded"
    not_enough_corrections = "not_enough_corrections"
    not_found = "not_found"
    other_survey = "other_survey"
    payload_too_large = "payload_too_large"
    personal_data_in_ids = "personal_data_in_ids"
    personal_data_in_label = "personal_data_in_label"
    personal_data_in_name = "personal_data_in_name"
    same_wave = "same_wave"
    same_wave_label = "same_wave_label"
    several_codebooks = "several_codebooks"
    several_waves = "several_waves"
    summary_failed = "summary_failed"
    survey_exists = "survey_exists"
    too_few_theme_examples = "too_few_theme_examples"
    too_many_characters = "too_many_characters"
    too_many_requests = "too_many_requests"
    too_many_texts = "too_many_texts"
    training_running = "training_running"
    ui_sessions_full = "ui_sessions_full"
    unauthenticated = "unauthenticated"
    unavailable = "unavailable"
    undeclared_level = "undeclared_level"
    unknown_codebook = "unknown_codebook"
    unknown_model = "unknown_model"
    unknown_question = "unknown_question"
    unknown_respondent = "unknown_respondent"
    unknown_theme = "unknown_theme"
    unknown_type = "unknown_type"
    unreadable_table = "unreadable_table"
    unsupported_file_type = "unsupported_file_type"
    unsupported_media_type = "unsupported_media_type"
    validation_error = "validation_error"
    wave_exists = "wave_exists"
    wrong_encoding = "wrong_encoding"


class ApiError(Exception):
    """Raise anywhere in the service to answer with a clean 4xx/5xx error body."""

    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details if details is not None else {}


#: ids the caller sent are echoed in messages only below this: 8 digits and more may be a phone number, a
#: fødselsnummer (``/waves/01019012480/summary`` reaches the service as 1019012480) or an organisation number
ECHOED_ID_LIMIT = 10_000_000


def id_text(value: Any) -> str:
    """`` 42`` for a message ("wave 42 does not exist"), or "" for an id the caller sent that is not a small
    number (it may be personal data)."""
    return f" {value}" if isinstance(value, int) and 0 <= value < ECHOED_ID_LIMIT else ""


def id_details(key: str, value: Any) -> dict[str, Any]:
    """``{key: value}`` for an error's details, or {} where :func:`id_text` would not echo the id."""
    return {key: value} if id_text(value) else {}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details if details is not None else {}}}


def _loc_part(part: str, redact_name) -> str:
    """A location part to quote: redacted, and a key that holds personal data only when read as words
    ("kari_nordmann_…": a name inside an identifier) is replaced as a whole."""
    words = identifier_words(part)
    if words != part and redact_name(words) != words:
        return "[REDIGERT]"
    return redact_name(part)


def sanitize_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep only location, message and type: pydantic's ``input``/``ctx`` may echo raw (personal) text."""
    from service.library import redact_name  # lazy: library imports this module

    clean = []
    for err in errors:
        # string parts are field names, but an extra (forbidden) key or a dict key is the caller's input
        loc = [part if isinstance(part, int) else _loc_part(str(part), redact_name) for part in err.get("loc", ())]
        msg = str(err.get("msg", "invalid value"))
        # a few pydantic messages quote the value ("Input should be 'a' or 'b'" is fine; values are not quoted)
        clean.append({"loc": loc, "msg": msg[:300], "type": str(err.get("type", "value_error"))})
    return clean


def install_error_handlers(app: FastAPI) -> None:
    """The error handlers of every failure; an unhandled error is logged as one line (type, route, request id),
    with its traceback only when the app's settings ask for debug logging (:func:`debug_logging`)."""
    debug = debug_logging(getattr(app.state, "settings", None))

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = sanitize_validation_errors(list(exc.errors()))
        refused = wrong_media_type(request, errors, getattr(exc, "body", None))
        if refused is not None:
            return refused
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return JSONResponse(
            error_body("validation_error", f"invalid request: {where}: {first['msg']}", {"errors": errors}),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        if not is_connection_error(exc):  # a failing statement is a bug: answered as any unhandled error
            return await _unhandled(request, exc)
        return database_unavailable(request, exc)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        # type, route template and a request id only: the message (SQL parameters, cell values) and the decoded
        # path (/ui/waves/<anything>…) may contain personal data
        request_id = uuid.uuid4().hex[:16]
        request.scope["textmine.request_id"] = request_id
        log.error("unhandled %s on %s %s (request %s)", type(exc).__name__, request.method,
                  route_template(request.scope), request_id, exc_info=exc if debug else None)
        return JSONResponse(error_body("internal_error", "internal server error", {"request_id": request_id}),
                            status_code=500, headers={"X-Request-ID": request_id})

    install_log_filter()
    if not debug:
        install_unraisable_hook()


#: FastAPI reads a request body as JSON only with this Content-Type (``+json`` suffixes too); a body without one
#: only on a route that is not ``strict_content_type`` (the default is strict: the body stays bytes)
_JSON_MEDIA = "application/json"
#: the bodies a form route (a file upload) reads; FastAPI reads any other as an empty form
_FORM_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")
#: a media type quoted back in a 415 message: type/subtype tokens only, never free text from the header
_MEDIA_TOKEN = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,40}/[a-z0-9][a-z0-9!#$&^_.+-]{0,60}")


def wrong_media_type(request: Request, errors: list[dict[str, Any]], body: Any = None) -> JSONResponse | None:
    """415 ``unsupported_media_type`` for a body that failed validation because it was sent as another media
    type than the route reads (JSON to a file upload, ``text/plain``, a form or a body without Content-Type to a
    JSON route: FastAPI then finds "Field required" or "Input should be a valid dictionary"), naming the
    Content-Type to send; None when no body error is involved or the media type is the right one (the 422 then
    stands). ``body`` is the body FastAPI validated (the error's ``body``): bytes where it did not read it as JSON."""
    if not any(err["loc"][:1] == ["body"] for err in errors):
        return None
    field = getattr(request.scope.get("route"), "body_field", None)
    if field is None:
        return None
    sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if isinstance(field.field_info, params.Form):
        if sent in _FORM_MEDIA:
            return None
        expected = "multipart/form-data"
    else:
        if not sent and not (isinstance(body, (bytes, bytearray)) and body):
            return None  # no body at all ("Field required"), or one read as JSON (a route not strict_content_type)
        if sent == _JSON_MEDIA or (sent.startswith("application/") and sent.endswith("+json")):
            return None
        expected = _JSON_MEDIA
    shown = sent if _MEDIA_TOKEN.fullmatch(sent) else None
    others = tuple(getattr(request.scope.get("route"), "other_media", ()))
    accepted = " or ".join((expected, *others))
    message = (f"the request body must be sent as {accepted} (Content-Type: {accepted}); this request's "
               f"Content-Type is {shown if shown else 'missing or unreadable'}")
    return JSONResponse(error_body("unsupported_media_type", message, {"expected": expected, "content_type": shown}),
                        status_code=415)


#: seconds a client is asked to wait (``Retry-After``) when the database is unavailable
DATABASE_RETRY_AFTER = 5


def database_unavailable(request: Request, exc: BaseException) -> JSONResponse:
    """503 ``database_unavailable`` with ``Retry-After`` for a database that is down, restarting or unreachable
    (:func:`service.db.session.is_connection_error`): the client may retry, nothing is wrong with its request.
    Logged as one line (type and route template only: the driver's message may quote SQL parameters)."""
    log.warning("database unavailable (%s) on %s %s", type(exc).__name__, request.method,
                route_template(request.scope))
    return JSONResponse(error_body("database_unavailable", "the database is unavailable at the moment; try again "
                                   f"in {DATABASE_RETRY_AFTER} seconds", {"retry_after": DATABASE_RETRY_AFTER}),
                        status_code=503, headers={"Retry-After": str(DATABASE_RETRY_AFTER)})


def debug_logging(settings: Any) -> bool:
    """Whether the service may log tracebacks and exception messages: only with ``log_level`` debug (they can hold
    data values: SQL parameters, cell text)."""
    return str(getattr(settings, "log_level", "") or "").lower() == "debug"


def log_unraisable(unraisable: Any) -> None:
    """``sys.unraisablehook`` for the server: an exception Python cannot raise (a generator or ``__del__`` failing
    during clean-up, e.g. openpyxl's write-only sheets after a failed workbook) as one log line with its type and
    where it happened (the function's qualified name) — no message, no traceback. Python's own hook prints both."""
    exc_type = getattr(unraisable, "exc_type", None)
    obj = getattr(unraisable, "object", None)
    where = getattr(obj, "__qualname__", None) or (type(obj).__name__ if obj is not None else "unknown")
    log.error("unraisable %s in %s (details withheld; log_level debug shows them)",
              getattr(exc_type, "__name__", "exception"), where)


def install_unraisable_hook() -> None:
    """Use :func:`log_unraisable` instead of Python's default hook, which writes a traceback to stderr. A hook
    someone else installed (pytest, a debugger, an error tracker) is left in place."""
    if sys.unraisablehook is sys.__unraisablehook__:
        sys.unraisablehook = log_unraisable


def route_template(scope) -> str:
    """The matched route's path template (``/waves/{wave_id}/summary``), never the request's own path."""
    route = scope.get("route")
    return str(getattr(route, "path", None) or "unmatched")


class UnhandledErrorFilter(logging.Filter):
    """On uvicorn's error logger: a record about an exception (uvicorn logs the one Starlette re-raises after
    the 500 went out, with its traceback) keeps only the exception type — no message, no traceback (SQL
    parameters, data values), no path. The service's own log line carries route template and request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            exc = record.exc_info[1]
            name = type(exc).__name__ if exc is not None else "exception"
            record.msg = "unhandled %s in ASGI application (details withheld; see the textmine.service log)"
            record.args = (name,)
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


_FILTER = UnhandledErrorFilter()


def install_log_filter() -> None:
    """Put the filter on uvicorn's error loggers (idempotent; logging.dictConfig keeps logger filters)."""
    for name in ("uvicorn.error", "uvicorn", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
