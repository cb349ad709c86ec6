"""API key administration (admin role)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import store
from service.auth import Principal, create_key, expired, get_session, key_state, require_admin
from service.db.models import ApiKey
from service.schemas import IdPath, Limit, Offset, KeyCreated, KeyIn, KeyOut, Page

router = APIRouter(tags=["keys"])


def key_out(k: ApiKey) -> KeyOut:
    return KeyOut(id=k.id, prefix=k.prefix, role=k.role, name=k.name, revoked=k.revoked, created_at=k.created_at,
                  expires_at=k.expires_at, expired=expired(k.expires_at), state=key_state(k),
                  last_used_at=k.last_used_at)


@router.post("/keys", response_model=KeyCreated, status_code=201)
def new_key(body: KeyIn, session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_admin)):
    """Create a key; the full key is returned once and only its salted hash is stored. A name holding personal
    data is refused (422 ``personal_data_in_name``, the value never quoted). ``expires_in_days``: the key is refused
    from then on, like a revoked one (default: never)."""
    if body.name is not None:
        store.refuse_personal_data(body.name, "key name")
    row, key = create_key(session, body.role, body.name, body.expires_in_days)
    return KeyCreated(**key_out(row).model_dump(), key=key)


@router.get("/keys", response_model=Page[KeyOut])
def list_keys(limit: Limit = 50, offset: Offset = 0,
              session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_admin)):
    rows, total = store.page(session, select(ApiKey).order_by(ApiKey.id), limit, offset)
    return Page[KeyOut](items=[key_out(k) for k in rows], total=total, limit=limit, offset=offset)


@router.delete("/keys/{key_id}", response_model=KeyOut)
def revoke_key(key_id: IdPath, request: Request, session: Session = Depends(get_session, scope="function"),
               _: Principal = Depends(require_admin)):
    """Revoke a key (takes effect immediately in this server)."""
    row = store.get_or_404(session, ApiKey, key_id, "key")
    row.revoked = True
    session.commit()
    request.app.state.key_cache.clear()
    return key_out(row)
