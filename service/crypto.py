"""Raw-text storage policy: nothing (default), plain UTF-8, or Fernet-encrypted.

``TEXTMINE_FERNET_KEY`` holds one Fernet key or several, comma-separated: the first encrypts, every one decrypts
(``cryptography.fernet.MultiFernet``). To rotate: put a new key first, keep the old ones after it, run ``textmine
store rotate-raw-key`` (every stored token re-encrypted under the first key), then drop the old keys."""

from __future__ import annotations

import re

from service.errors import ApiError

KEY_ENV = "TEXTMINE_FERNET_KEY"
_FERNET_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}=")  # 32 bytes, url-safe base64: 43 characters and one «=»


def fernet_keys(value: str | bytes) -> list[bytes]:
    """The comma-separated keys of ``TEXTMINE_FERNET_KEY``, first (the encrypting one) first. An empty entry or a
    value that is not a Fernet key is refused naming its position (never the value)."""
    from cryptography.fernet import Fernet

    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    parts = [p.strip() for p in text.split(",")]
    keys = []
    for i, part in enumerate(parts, 1):
        where = f"key {i} of {len(parts)} in {KEY_ENV}" if len(parts) > 1 else KEY_ENV
        if not part:
            raise ValueError(f"{where} is empty (separate Fernet keys with single commas)")
        try:  # the exact shape first: base64 decoding stops at the padding, so "K1;K2" would pass as K1
            if not _FERNET_KEY_SHAPE.fullmatch(part):
                raise ValueError
            Fernet(part.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ValueError(f"{where} is not a Fernet key (32 url-safe base64-encoded bytes, as made by "
                             "Fernet.generate_key())") from None
        keys.append(part.encode("ascii"))
    return keys


class RawTextCodec:
    """Encodes raw text for the ``responses.text_raw`` column according to ``store_raw_text``."""

    def __init__(self, policy: str = "none", key: str | None = None):
        if policy not in ("none", "plain", "encrypted"):
            raise ValueError(f"store_raw_text must be none|plain|encrypted, got {policy!r}")
        self.policy = policy
        self._fernet = None
        if policy == "encrypted":
            if not key:
                raise ValueError(f"store_raw_text=encrypted needs a Fernet key in {KEY_ENV}")
            from cryptography.fernet import Fernet, MultiFernet

            self._fernet = MultiFernet([Fernet(k) for k in fernet_keys(key)])

    @property
    def encrypted(self) -> bool:
        return self._fernet is not None

    def encode(self, text: str | None) -> bytes | None:
        if text is None or self.policy == "none":
            return None
        data = text.encode("utf-8")
        return self._fernet.encrypt(data) if self._fernet is not None else data

    def decode(self, blob: bytes | None, encrypted: bool) -> str | None:
        """Raw text back (internal use only: never put it in a response, log or error)."""
        if blob is None:
            return None
        if encrypted:
            if self._fernet is None:
                raise ApiError(500, "no_key", "raw text is encrypted but no key is configured")
            return self._fernet.decrypt(blob).decode("utf-8")
        return bytes(blob).decode("utf-8")

    def rotate(self, token: bytes) -> bytes:
        """``token`` (made under any of the keys) re-encrypted under the first key, with its original timestamp;
        ``cryptography.fernet.InvalidToken`` when no key decrypts it."""
        if self._fernet is None:
            raise ValueError(f"rotating raw text needs store_raw_text=encrypted and {KEY_ENV}")
        return self._fernet.rotate(bytes(token))


# ---------------------------------------------------------------- stored raw text: rotation and clearing
ROTATE_BATCH = 500  # responses re-encrypted per transaction


class UndecryptableRawText(Exception):
    """A stored token that no key of ``TEXTMINE_FERNET_KEY`` decrypts: its response id and how many tokens were
    re-encrypted (and committed) before its batch. Never the text."""

    def __init__(self, response_id: int, rotated: int):
        super().__init__(f"response {response_id}: its raw text cannot be decrypted with any key in {KEY_ENV}")
        self.response_id, self.rotated = response_id, rotated


def rotate_stored(engine, codec: RawTextCodec, *, dry_run: bool = False,
                  batch_size: int = ROTATE_BATCH) -> dict[str, int]:
    """Re-encrypt every stored encrypted raw text (``raw_encrypted`` true) under the codec's first key, in batches
    of ``batch_size`` by id, one transaction per batch; ``dry_run``: decrypt-check them all, change nothing. Plain
    raw text is left alone and counted. Returns ``{"rotated": n, "plain": m}``; raises
    :class:`UndecryptableRawText` (that batch rolled back) when a token cannot be decrypted."""
    from cryptography.fernet import InvalidToken
    from sqlalchemy import bindparam, false, func, select, true, update

    from service.db.models import Response

    table = Response.__table__
    put = update(table).where(table.c.id == bindparam("rid")).values(text_raw=bindparam("token"))
    rotated, last = 0, 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(select(table.c.id, table.c.text_raw)
                                .where(table.c.raw_encrypted == true(), table.c.text_raw.is_not(None),
                                       table.c.id > last).order_by(table.c.id).limit(batch_size)).all()
            if not rows:
                break
            new = []
            for rid, token in rows:
                try:
                    new.append({"rid": rid, "token": codec.rotate(token)})
                except InvalidToken:
                    raise UndecryptableRawText(rid, rotated) from None
            if not dry_run:
                conn.execute(put, new)
        rotated += len(rows)
        last = rows[-1][0]
    with engine.connect() as conn:
        plain = conn.execute(select(func.count()).select_from(table)
                             .where(table.c.raw_encrypted == false(), table.c.text_raw.is_not(None))).scalar()
    return {"rotated": rotated, "plain": int(plain or 0)}


def clear_stored(session, survey_id: int | None = None, *, dry_run: bool = False) -> int:
    """Set ``text_raw`` NULL (and ``raw_encrypted`` false) for every response holding raw text, or only those of
    survey ``survey_id`` (404 ``not_found`` when there is none), in the session's transaction; ``dry_run``: count
    them only. Returns how many responses held raw text."""
    from sqlalchemy import func, select, update

    from service import store
    from service.db.models import Response, Survey, Wave

    held = [Response.text_raw.is_not(None)]
    if survey_id is not None:
        store.get_or_404(session, Survey, survey_id, "survey")
        held.append(Response.wave_id.in_(select(Wave.id).where(Wave.survey_id == survey_id)))
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(Response).where(*held)) or 0)
    result = session.execute(update(Response).where(*held).values(text_raw=None, raw_encrypted=False)
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
