"""Confirmation codes: 8 random characters that cannot be confused when read aloud or typed."""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Optional

# No 0/O, 1/I/L: they look alike on a phone screen and on paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-_]+")


def generate_code() -> str:
    """Return a new random confirmation code (``secrets``-based) with at least one letter.

    The letter keeps a code distinguishable from a run of digits inside a phone or ID number.
    """
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if not code.isdigit():
            return code


def normalize_code(text: str) -> Optional[str]:
    """Return ``text`` as a stored code (upper case, no spaces or dashes), or ``None`` if it is not one."""
    code = _SEPARATORS.sub("", (text or "").strip()).upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


_CODE_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9](?:[\s\-]?[A-Za-z0-9]){7}(?![A-Za-z0-9])")


def find_code(text: str) -> Optional[str]:
    """Return the 预约号 said anywhere in ``text`` ("预约号是 k7m3-pq9a"), normalised, or None."""
    folded = unicodedata.normalize("NFKC", text or "")
    for match in _CODE_CANDIDATE.finditer(folded):
        code = normalize_code(match.group(0))
        if code is not None and not code.isdigit():
            return code
    return None
