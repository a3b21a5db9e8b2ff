"""Where personal data rests while a form collects it: never in the conversation tracker.

A booking needs the real 手机号 and 身份证号 across several turns (the form checks them, the summary
masks them, the booking stores their keyed hash), but Rasa keeps every slot event in its tracker
store for days. So the slots hold only a *sealed* value, the masked form and a random reference::

    137****5678#pii:qhzkwmbtrdxelvunajcfoyspgi

and the real value lives in Redis under ``gxx:pii:<reference>``, encrypted (Fernet: AES-128-CBC
with HMAC-SHA256) with a key derived from ``PII_KEY``, which only the action server holds. The
entry expires ``VAULT_TTL_SECONDS`` after its last use (the length of a conversation session), and
is deleted as soon as the slot is cleared: once the entry is gone, the reference in the tracker
leads nowhere. A Redis dump alone therefore holds neither the value nor the key to it.

This module owns the rule; ``actions/pii_slots.py`` seals and reveals at the action server's edge
and ``bot/tracker_store.py`` masks whatever reaches the tracker store unsealed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import string
import threading
import time
from typing import Any, Callable, Dict, Iterable, Optional, Protocol

from cryptography.fernet import Fernet, InvalidToken

from bot import pii

logger = logging.getLogger(__name__)

#: The slots that hold personal data, and how each is masked.
PERSONAL_SLOTS: Dict[str, Callable[[str], str]] = {
    "phone": pii.mask_mobile,
    "id_number": pii.mask_id_number,
    "person_name": pii.mask_name,
}
KEY_PREFIX = "gxx:pii:"
#: Matches Rasa's ``session_expiration_time`` (120 minutes): a form never outlives its session.
VAULT_TTL_SECONDS = 2 * 60 * 60
_REFERENCE_LENGTH = 26  # letters only (about 122 bits), so no digit run can look like a number
_SEALED = re.compile(rf"^(?P<masked>[^#]*)#pii:(?P<ref>[a-z]{{{_REFERENCE_LENGTH}}})$")


class VaultStorage(Protocol):
    """The few Redis commands the vault uses (``redis.Redis`` satisfies it)."""

    def set(self, name: str, value: str, ex: int) -> Any:  # noqa: D102
        ...

    def get(self, name: str) -> Any:  # noqa: D102
        ...

    def expire(self, name: str, time: int) -> Any:  # noqa: D102
        ...

    def delete(self, *names: str) -> Any:  # noqa: D102
        ...


class MemoryStorage:
    """A single-process stand-in for Redis with expiry, for tests and a machine without Redis."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: Dict[str, tuple[float, str]] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def set(self, name: str, value: str, ex: int) -> None:
        """Store ``value`` for ``ex`` seconds."""
        with self._lock:
            self._items[name] = (self._clock() + ex, value)

    def get(self, name: str) -> Optional[str]:
        """The value, or None when missing or expired."""
        with self._lock:
            item = self._items.get(name)
            if item is None or item[0] <= self._clock():
                self._items.pop(name, None)
                return None
            return item[1]

    def expire(self, name: str, time: int) -> None:
        """Keep the value ``time`` more seconds from now."""
        with self._lock:
            if name in self._items:
                self._items[name] = (self._clock() + time, self._items[name][1])

    def delete(self, *names: str) -> None:
        """Forget the values."""
        with self._lock:
            for name in names:
                self._items.pop(name, None)


def is_sealed(value: object) -> bool:
    """Whether ``value`` is a sealed slot value (masked form and reference)."""
    return isinstance(value, str) and _SEALED.match(value) is not None


def masked_part(value: str) -> str:
    """The masked form inside a sealed value (``137****5678``)."""
    match = _SEALED.match(value)
    return match.group("masked") if match else value


def reference_of(value: object) -> Optional[str]:
    """The vault reference inside a sealed value, else None."""
    match = _SEALED.match(value) if isinstance(value, str) else None
    return match.group("ref") if match else None


def mask_slot_value(slot: str, value: Any) -> Any:
    """The value of a personal slot as it may rest: sealed values as they are, others masked."""
    mask = PERSONAL_SLOTS.get(slot)
    if mask is None or value is None or is_sealed(value):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return mask(str(value))
    return pii.mask_text(json.dumps(value, ensure_ascii=False))


def vault_keys(values: Iterable[object]) -> list[str]:
    """The storage keys of the vault entries that the sealed ``values`` refer to (others skipped)."""
    return [KEY_PREFIX + ref for ref in (reference_of(v) for v in values) if ref]


def forget(storage: VaultStorage, values: Iterable[object]) -> int:
    """Delete the vault entries that the sealed ``values`` refer to; return how many references."""
    keys = vault_keys(values)
    if keys:
        storage.delete(*keys)
    return len(keys)


def _fernet_key(secret: str | bytes) -> bytes:
    secret_bytes = secret.encode("utf-8") if isinstance(secret, str) else secret
    derived = hmac.new(secret_bytes, b"gxx personal-data vault v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(derived)


class Vault:
    """Seals personal slot values into references and reveals them again, for one action server."""

    def __init__(
        self, storage: VaultStorage, secret: str | bytes, ttl_seconds: int = VAULT_TTL_SECONDS
    ) -> None:
        self.storage = storage
        self.ttl_seconds = ttl_seconds
        self._fernet = Fernet(_fernet_key(secret))

    def seal(self, slot: str, value: str) -> str:
        """Keep ``value`` in the vault and return what the slot may hold: masked form + reference."""
        if slot not in PERSONAL_SLOTS:
            raise ValueError(f"{slot!r} is not a personal slot")
        ref = "".join(secrets.choice(string.ascii_lowercase) for _ in range(_REFERENCE_LENGTH))
        token = self._fernet.encrypt(
            json.dumps({"slot": slot, "ref": ref, "value": value}, ensure_ascii=False).encode("utf-8")
        )
        self.storage.set(KEY_PREFIX + ref, token.decode("ascii"), ex=self.ttl_seconds)
        return f"{PERSONAL_SLOTS[slot](value)}#pii:{ref}"

    def reveal(self, slot: str, sealed: str) -> Optional[str]:
        """The real value behind a sealed slot value, or None once it has expired or been forgotten.

        Each use keeps the entry another ``ttl_seconds``. A value sealed for another slot is refused.
        """
        ref = reference_of(sealed)
        if ref is None:
            return None
        key = KEY_PREFIX + ref
        token = self.storage.get(key)
        if token is None:
            return None
        try:
            data = json.loads(self._fernet.decrypt(token if isinstance(token, bytes) else token.encode()))
        except (InvalidToken, ValueError):
            logger.warning("a vault entry could not be decrypted (was PII_KEY changed?)")
            return None
        if data.get("slot") != slot or data.get("ref") != ref:
            logger.warning("a vault entry was presented for the wrong slot")
            return None
        self.storage.expire(key, self.ttl_seconds)
        return str(data["value"])

    def forget(self, values: Iterable[object]) -> int:
        """Delete the entries behind the sealed ``values``."""
        return forget(self.storage, values)


def vault_from_settings() -> Vault:
    """The vault on the configured Redis (``REDIS_URL``) with the key derived from ``PII_KEY``."""
    import redis

    from bot.settings import get_settings

    settings = get_settings()
    storage = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    return Vault(storage, settings.pii_key)
