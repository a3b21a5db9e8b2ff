"""Chat sessions issued by the api, per-session rate limits, transcripts and idempotency keys, in Redis.

Keys (all under ``gxx:api``):

- ``session:<id>``: the session exists; its value is ``1`` or the signed-in host user's id (``u:<id>``);
- ``transcript:<id>``: the conversation as the page shows it, personal data masked, for a reload;
- ``turn:<id>:<message id>``: one message's idempotency key: ``pending`` while Rasa answers, then the
  replies, so a message re-sent after a lost response is answered once and never twice;
- ``asks-name:<id>``: the last reply asked for a name, so the next message is stored masked.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from redis.asyncio import Redis

SESSION_TTL_SECONDS = 7 * 24 * 3600
TURN_TTL_SECONDS = 15 * 60
MAX_TRANSCRIPT_ENTRIES = 400
KEY_PREFIX = "gxx:api"
PENDING = "pending"
USER_PREFIX = "u:"


@dataclass(frozen=True)
class TurnAdmission:
    """What Redis said about a new message, in one round trip."""

    known: bool
    within_limit: bool
    claimed: bool
    """This request holds the message's idempotency key (always True without a message id)."""
    previous: Optional[List[Dict[str, Any]]]
    """The replies already given to this message id, when it was answered before."""
    asks_name: bool
    user: Optional[str] = None
    """The verified host user bound to the session, if any."""


class SessionStore:
    """Issues unguessable session ids and recognises only the ones it issued."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def _session(self, sender: str) -> str:
        return f"{KEY_PREFIX}:session:{sender}"

    def _transcript(self, sender: str) -> str:
        return f"{KEY_PREFIX}:transcript:{sender}"

    def _turn(self, sender: str, message_id: str) -> str:
        return f"{KEY_PREFIX}:turn:{sender}:{message_id}"

    async def issue(self, user: Optional[str] = None) -> str:
        """Create a new session id (192 random bits, URL-safe), bound to a verified host ``user`` if given."""
        sender = secrets.token_urlsafe(24)
        value = f"{USER_PREFIX}{user}" if user else "1"
        await self.redis.set(self._session(sender), value, ex=SESSION_TTL_SECONDS)
        return sender

    async def user_of(self, sender: str) -> tuple[bool, Optional[str]]:
        """Return whether ``sender`` is a live session, and the host user bound to it (if any)."""
        if not sender or len(sender) > 64:
            return False, None
        value = await self.redis.get(self._session(sender))
        if value is None:
            return False, None
        return True, value[len(USER_PREFIX) :] if value.startswith(USER_PREFIX) else None

    async def admit(self, sender: str, limit: int, window_seconds: int = 60) -> tuple[bool, bool]:
        """Check a session and its rate limit in one round trip.

        Returns whether ``sender`` is a session this api issued (its lifetime is extended) and
        whether this message is within ``limit`` per window.
        """
        admission = await self.begin_turn(sender, limit, None, window_seconds)
        return admission.known, admission.within_limit

    async def begin_turn(
        self, sender: str, limit: int, message_id: Optional[str], window_seconds: int = 60
    ) -> TurnAdmission:
        """Check the session, its rate limit and the message's idempotency key in one round trip.

        Args:
            sender: the session id.
            limit: messages allowed per window.
            message_id: the client's id of this message (the same on every retry), or None.
            window_seconds: the rate-limit window.

        Returns:
            The admission; a caller that got ``claimed`` must call :meth:`finish_turn` or
            :meth:`abandon_turn`.

        """
        if not sender or len(sender) > 64:
            return TurnAdmission(False, False, False, None, False)
        rate = f"{KEY_PREFIX}:rate:chat:{sender}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.expire(self._session(sender), SESSION_TTL_SECONDS)
            pipe.get(self._session(sender))
            pipe.expire(self._transcript(sender), SESSION_TTL_SECONDS)
            pipe.set(rate, 0, ex=window_seconds, nx=True)
            pipe.incr(rate)
            pipe.get(f"{KEY_PREFIX}:asks-name:{sender}")
            if message_id:
                pipe.set(self._turn(sender, message_id), PENDING, ex=TURN_TTL_SECONDS, nx=True)
                pipe.get(self._turn(sender, message_id))
            results = await pipe.execute()
        known, value, count, asks_name = bool(results[0]), results[1], int(results[4]), bool(results[5])
        user = value[len(USER_PREFIX) :] if isinstance(value, str) and value.startswith(USER_PREFIX) else None
        claimed, previous = True, None
        if message_id:
            claimed = bool(results[6])
            if not claimed and results[7] and results[7] != PENDING:
                try:
                    previous = json.loads(results[7])
                except ValueError:
                    previous = None
        if claimed and message_id and (not known or count > limit):
            await self.redis.delete(self._turn(sender, message_id))
        return TurnAdmission(known, count <= limit, claimed, previous, asks_name, user)

    async def finish_turn(
        self,
        sender: str,
        message_id: Optional[str],
        replies: Sequence[Dict[str, Any]],
        entries: Sequence[Dict[str, Any]],
        asks_name: bool,
    ) -> None:
        """Remember the replies under the message id and append the masked ``entries`` to the transcript."""
        async with self.redis.pipeline(transaction=True) as pipe:
            if message_id:
                pipe.set(
                    self._turn(sender, message_id),
                    json.dumps(list(replies), ensure_ascii=False),
                    ex=TURN_TTL_SECONDS,
                )
            self._append(pipe, sender, entries)
            name_key = f"{KEY_PREFIX}:asks-name:{sender}"
            if asks_name:
                pipe.set(name_key, "1", ex=3600)
            else:
                pipe.delete(name_key)
            await pipe.execute()

    async def abandon_turn(self, sender: str, message_id: Optional[str]) -> None:
        """Release a message's idempotency key after a failure, so a retry is answered."""
        if message_id:
            await self.redis.delete(self._turn(sender, message_id))

    def _append(self, pipe: Any, sender: str, entries: Sequence[Dict[str, Any]]) -> None:
        if not entries:
            return
        key = self._transcript(sender)
        now = int(time.time())
        pipe.rpush(key, *(json.dumps({"ts": now, **e}, ensure_ascii=False) for e in entries))
        pipe.ltrim(key, -MAX_TRANSCRIPT_ENTRIES, -1)
        pipe.expire(key, SESSION_TTL_SECONDS)

    async def append(self, sender: str, entries: Sequence[Dict[str, Any]]) -> None:
        """Append masked ``entries`` (e.g. a staff member's answer) to a session's transcript."""
        async with self.redis.pipeline(transaction=True) as pipe:
            self._append(pipe, sender, entries)
            await pipe.execute()

    async def transcript(self, sender: str, after: int = 0) -> tuple[List[Dict[str, Any]], int]:
        """Return the transcript entries from index ``after`` on, and the index of the next entry."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.lrange(self._transcript(sender), max(0, after), -1)
            pipe.llen(self._transcript(sender))
            raw, total = await pipe.execute()
        entries: List[Dict[str, Any]] = []
        for item in raw:
            try:
                entries.append(json.loads(item))
            except ValueError:
                continue
        return entries, int(total)

    async def claim_once(self, key: str, ttl_seconds: int = SESSION_TTL_SECONDS) -> bool:
        """Return True the first time ``key`` is claimed (e.g. one rating per finished matter)."""
        return bool(await self.redis.set(f"{KEY_PREFIX}:once:{key}", "1", ex=ttl_seconds, nx=True))

    async def allow(self, bucket: str, limit: int, window_seconds: int = 60) -> bool:
        """A fixed-window rate limit: at most ``limit`` hits per window for ``bucket``."""
        key = f"{KEY_PREFIX}:rate:{bucket}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=window_seconds, nx=True)
            pipe.incr(key)
            _, count = await pipe.execute()
        return int(count) <= limit

    async def retry_after(self, bucket: str) -> int:
        """Seconds until ``bucket``'s current rate-limit window ends (1–60, for ``Retry-After``)."""
        milliseconds = int(await self.redis.pttl(f"{KEY_PREFIX}:rate:{bucket}"))
        return max(-(-milliseconds // 1000), 1)  # rounded up: a client that waits this long is let in
