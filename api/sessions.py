"""Chat sessions issued by the api, and per-session rate limits, kept in Redis."""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

SESSION_TTL_SECONDS = 7 * 24 * 3600
KEY_PREFIX = "gxx:api"


class SessionStore:
    """Issues unguessable session ids and recognises only the ones it issued."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def issue(self) -> str:
        """Create a new session id (192 random bits, URL-safe)."""
        sender = secrets.token_urlsafe(24)
        await self.redis.set(f"{KEY_PREFIX}:session:{sender}", "1", ex=SESSION_TTL_SECONDS)
        return sender

    async def admit(self, sender: str, limit: int, window_seconds: int = 60) -> tuple[bool, bool]:
        """Check a session and its rate limit in one round trip (this runs on every turn).

        Returns whether ``sender`` is a session this api issued (its lifetime is extended) and
        whether this message is within ``limit`` per window.
        """
        if not sender or len(sender) > 64:
            return False, False
        rate = f"{KEY_PREFIX}:rate:chat:{sender}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.expire(f"{KEY_PREFIX}:session:{sender}", SESSION_TTL_SECONDS)
            pipe.set(rate, 0, ex=window_seconds, nx=True)
            pipe.incr(rate)
            known, _, count = await pipe.execute()
        return bool(known), int(count) <= limit

    async def allow(self, bucket: str, limit: int, window_seconds: int = 60) -> bool:
        """A fixed-window rate limit: at most ``limit`` hits per window for ``bucket``."""
        key = f"{KEY_PREFIX}:rate:{bucket}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=window_seconds, nx=True)
            pipe.incr(key)
            _, count = await pipe.execute()
        return int(count) <= limit
