"""Signed-in sessions of the staff page: an HttpOnly cookie, kept in Redis, with a CSRF token.

After ``POST /api/admin/login`` the browser holds ``gxx_staff`` (HttpOnly, SameSite=Strict, path
``/api/admin``, eight hours). Redis keeps only the SHA-256 of the cookie value, with the username
and the session's CSRF token; signing out or the expiry removes it. A state-changing request
signed in by cookie must carry the CSRF token in the ``X-CSRF-Token`` header (the page reads it
from the login answer or ``GET /api/admin/me``); bearer tokens need none, since a browser never
sends them by itself.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Optional, Tuple

from redis.asyncio import Redis

SESSION_COOKIE = "gxx_staff"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_PATH = "/api/admin"
SESSION_SECONDS = 8 * 3600
KEY_PREFIX = "gxx:staff-session:"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class StaffSession:
    """A signed-in staff member's session."""

    username: str
    csrf: str
    expires_at: float


def _key(cookie_value: str) -> str:
    return KEY_PREFIX + hashlib.sha256(cookie_value.encode("utf-8")).hexdigest()


class StaffSessions:
    """Creates, finds and ends staff sessions in Redis."""

    def __init__(self, redis: Redis, seconds: int = SESSION_SECONDS) -> None:
        self.redis = redis
        self.seconds = seconds

    async def create(self, username: str) -> Tuple[str, StaffSession]:
        """Start a session; return the cookie value (shown only to the browser) and the session."""
        cookie_value = secrets.token_urlsafe(32)
        session = StaffSession(
            username=username, csrf=secrets.token_urlsafe(24), expires_at=time.time() + self.seconds
        )
        body = json.dumps({"u": session.username, "c": session.csrf, "e": session.expires_at})
        await self.redis.set(_key(cookie_value), body, ex=self.seconds)
        return cookie_value, session

    async def get(self, cookie_value: str) -> Optional[StaffSession]:
        """Return the live session of a cookie value, or ``None``."""
        if not cookie_value or len(cookie_value) > 200:
            return None
        raw = await self.redis.get(_key(cookie_value))
        if not raw:
            return None
        data = json.loads(raw)
        if float(data["e"]) <= time.time():
            return None
        return StaffSession(username=data["u"], csrf=data["c"], expires_at=float(data["e"]))

    async def end(self, cookie_value: str) -> None:
        """End a session (sign out)."""
        if cookie_value:
            await self.redis.delete(_key(cookie_value))
