"""Versioned codebooks."""

from __future__ import annotations

import json
from typing import Any, Callable

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import library, store
from service.auth import Principal, get_session, require_analyst, require_reader
from service.db.models import Codebook
from service.errors import ApiError, id_details, id_text
from service.schemas import IdPath, Limit, Offset, CodebookOut, CodebookVersions, Page, as_utc


class CodebookRoute(APIRoute):
    """A route that reads a codebook sent as YAML (a Content-Type of :data:`library.YAML_MEDIA`, as a codebook file
    is written) as the library reads a codebook file (:func:`library.codebook_content_from_yaml`: a broken file is
    a 422 ``invalid_codebook`` naming the line, in the library's words) and then as the same body sent as JSON:
    every check of a JSON body follows. Any other body goes to the route as it came."""

    #: media types a 415 names besides JSON (:func:`service.errors.wrong_media_type`)
    other_media = ("application/yaml",)

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if request.method == "POST" and sent in library.YAML_MEDIA:
                body = _json_body(library.codebook_content_from_yaml(await request.body()))
                scope = {**request.scope, "headers": [(k, v) for k, v in request.scope["headers"]
                                                      if k.lower() not in (b"content-type", b"content-length")]
                         + [(b"content-type", b"application/json")]}
                request = Request(scope, request.receive)
                request._body = body
            return await handler(request)

        return route


#: values a codebook read from YAML may hold (aliases, ``*name``, count each time they are used): a few hundred
#: themes with their keywords and examples are far below; a file whose aliases expand past it is refused
MAX_YAML_VALUES = 200_000


def _json_body(content: dict[str, Any]) -> bytes:
    """A codebook read from YAML as the JSON body the route reads (a date or other YAML-only value as text); a
    422 ``invalid_codebook`` where its aliases expand past :data:`MAX_YAML_VALUES` values or it cannot be JSON
    (a key that is a date, an alias inside itself)."""
    seen, stack = 0, [content]
    while stack:
        value = stack.pop()
        seen += 1
        if seen > MAX_YAML_VALUES:
            raise ApiError(422, "invalid_codebook", f"codebook YAML holds more than {MAX_YAML_VALUES} values once its "
                           "aliases (*name) are expanded; write the values out")
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    try:
        return json.dumps(content, default=str).encode("utf-8")  # \uXXXX: a lone surrogate reaches the check
    except (TypeError, ValueError):
        raise ApiError(422, "invalid_codebook", "codebook YAML holds a key or value a codebook cannot hold (a "
                       "mapping key that is not text, or an alias inside itself)") from None


router = APIRouter(tags=["codebooks"], route_class=CodebookRoute)

EXAMPLE = {"name": "demo", "version": "1.0", "language": "nb", "types": ["klage", "ønske", "ros"],
           "themes": [{"id": "telefon", "label": "Telefon", "description": "Telefon og ventetid.",
                       "keywords": ["telefon"]},
                      {"id": "annet", "label": "Annet", "description": "Annet.", "keywords": [], "exclusive": True}]}


def _check_unicode(value: Any, where: str) -> None:
    """422 naming the place of a string that is not valid Unicode (a lone surrogate cannot be stored) or holds a
    C0 control character other than tab, newline and CR (NUL cannot be stored in PostgreSQL; XML, so the Excel
    report, forbids them all). The text itself is never quoted."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(422, "invalid_unicode", f"{where}: text contains a lone surrogate (invalid Unicode)",
                           {"loc": where}) from None
        bad = _control_character(value)
        if bad is not None:
            raise ApiError(422, "control_character", f"{where}: text contains the control character U+{ord(bad):04X}; "
                           "use printable text", {"loc": where})
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_unicode(k, where)
            _check_unicode(v, f"{where}.{k}" if isinstance(k, str) and _valid(k) else where)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_unicode(v, f"{where}.{i}")


#: the control characters a codebook text may hold: tab, newline and CR (a description may have lines)
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _control_character(text: str) -> str | None:
    """The first C0 control character (U+0000–U+001F) of ``text`` other than tab, newline and CR, or None."""
    return next((ch for ch in text if ch < " " and ch not in _ALLOWED_CONTROLS), None)


def _valid(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return _control_character(text) is None


def codebook_out(row: Codebook) -> CodebookOut:
    return CodebookOut(id=row.id, name=row.name, version=row.version, hash=library.content_hash(row.content),
                       n_themes=len(row.content.get("themes", [])), content=row.content, created_at=row.created_at)


@router.post("/codebooks", response_model=CodebookOut, status_code=201,
             responses={200: {"model": CodebookOut, "description": "identical version already stored"}},
             openapi_extra={"requestBody": {"content": {"application/yaml": {"schema": {
                 "type": "string", "description": "the codebook as its YAML file is written"}}}}})
def create_codebook(content: dict[str, Any] = Body(..., examples=[EXAMPLE]), session: Session = Depends(get_session, scope="function"),
                    _: Principal = Depends(require_analyst)):
    """Store a codebook version (the library validates it), sent as JSON or as its YAML file (Content-Type
    ``application/yaml``; broken YAML is a 422 ``invalid_codebook`` naming the line, «line 48: the YAML structure is
    broken here (check the indentation of this line and the one before)», never quoting the file). Same
    name+version+content → the existing row (200).
    Personal data in the name, description, version, language or types, or a theme's id (also read as words:
    ``kari_nordmann_01019012480``), label, description, keywords or examples is refused (422
    ``personal_data_in_name``, naming the theme and field, never the value): readers and reports show them."""
    _check_unicode(content, "body")
    row, created = store.add_codebook(session, content)
    out = codebook_out(row)
    return out if created else JSONResponse(out.model_dump(mode="json"), status_code=200)


@router.get("/codebooks", response_model=Page[CodebookOut])
def list_codebooks(limit: Limit = 50, offset: Offset = 0,
                   session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    rows, total = store.page(session, select(Codebook).order_by(Codebook.id), limit, offset)
    return Page[CodebookOut](items=[codebook_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/codebooks/{codebook_id}", response_model=CodebookVersions)
def get_codebook(codebook_id: IdPath, session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    """A codebook version and the list of all stored versions with the same name, each with its content hash."""
    row = session.get(Codebook, codebook_id)
    if row is None:
        raise ApiError(404, "unknown_codebook", f"codebook{id_text(codebook_id)} does not exist",
                       id_details("codebook_id", codebook_id))
    versions = session.scalars(select(Codebook).where(Codebook.name == row.name).order_by(Codebook.id)).all()
    return CodebookVersions(id=row.id, name=row.name, version=row.version, hash=library.content_hash(row.content),
                            content=row.content,
                            versions=[{"id": v.id, "version": v.version, "hash": library.content_hash(v.content),
                                       "created_at": as_utc(v.created_at).isoformat().replace("+00:00", "Z")}
                                      for v in versions])
