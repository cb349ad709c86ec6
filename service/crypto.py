"""Raw-text storage policy: nothing (default), plain UTF-8, or Fernet-encrypted."""

from __future__ import annotations

from service.errors import ApiError


class RawTextCodec:
    """Encodes raw text for the ``responses.text_raw`` column according to ``store_raw_text``."""

    def __init__(self, policy: str = "none", key: str | None = None):
        if policy not in ("none", "plain", "encrypted"):
            raise ValueError(f"store_raw_text must be none|plain|encrypted, got {policy!r}")
        self.policy = policy
        self._fernet = None
        if policy == "encrypted":
            if not key:
                raise ValueError("store_raw_text=encrypted needs a Fernet key in TEXTMINE_FERNET_KEY")
            from cryptography.fernet import Fernet

            self._fernet = Fernet(key.encode("ascii") if isinstance(key, str) else key)

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
