"""Cleaning what a citizen typed before it reaches Rasa."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import FrozenSet

# zero-width and bidirectional control characters that carry no meaning in a chat message
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_PAYLOAD = re.compile(r"^/([a-z_]+)(\{.*\})?$", re.DOTALL)
ALLOWED_PAYLOAD_ENTITIES: FrozenSet[str] = frozenset(
    {"service", "aspect", "situation", "date", "time", "slot", "appointment_code", "choice"}
)
#: What a citizen is told (with a 503) while Rasa, Redis or the database cannot be reached.
BACKEND_UNAVAILABLE = "高小新暂时无法回复，请稍后再试，或拨打12345热线咨询。"


def clean_text(text: str) -> str:
    """Normalise width (全角 digits and letters to half width), drop invisible and control characters."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return re.sub(r"\s+", " ", text).strip()


def guard_payload(text: str, intents: FrozenSet[str]) -> str:
    """Keep a button payload (``/intent{...}``) only when it names a known intent and allowed entities.

    Anything else that starts with ``/`` is passed on as plain text, so a typed slash can never
    inject an intent or set arbitrary slots.
    """
    if not text.startswith("/"):
        return text
    match = _PAYLOAD.match(text)
    if match and match.group(1) in intents:
        if not match.group(2):
            return text
        try:
            entities = json.loads(match.group(2))
        except ValueError:
            entities = None
        if (
            isinstance(entities, dict)
            and set(entities) <= ALLOWED_PAYLOAD_ENTITIES
            and all(isinstance(v, str) and len(v) <= 100 for v in entities.values())
        ):
            return text
    return text.lstrip("/").strip() or "你好"
