"""Rasa's Redis lock store with every change to a conversation's lock made atomically.

Rasa serialises the turns of one conversation with a ticket lock kept in Redis
(``rasa.core.lock_store``). Rasa 3.6's ``RedisLockStore`` changes that lock by reading it, changing
it in Python and writing it back. Inside one Rasa process that is safe (the calls do not yield to
the event loop), but two Rasa replicas on one Redis can interleave: both read the lock, both issue
the same ticket number and run the same conversation's turns at once, or one deletes the lock
just after the other joined the queue. With two replicas, six concurrent turns of one conversation
lost one turn's events that way (``tests/integration/test_replicas.py``).

Here each read-change-write is atomic, so ticket numbers are unique across replicas and a lock is
deleted only when no ticket is left in it. The two changes every turn makes — issuing its ticket
and, at its end, removing it (deleting the lock when no other ticket waits) — run as Lua scripts
inside Redis (``EVALSHA``: one round trip each, where a transaction took three). Rasa's turns await
them (``lock``, on ``bot.redis_async``'s client) instead of blocking its event loop, and the issuing
script says whether the new ticket is served at once, so a turn no other turn of its conversation
holds up reads nothing more. A turn that waits reads the lock again every ``wait_time_in_seconds``
and prunes its expired tickets with the removing script. Rasa's blocking methods stay for other
callers: ``issue_ticket`` and ``cleanup`` run the same scripts, and the rarer changes
(``update_lock``, ``finish_serving``) run in a Redis transaction watching the lock's key (``WATCH``
/ ``MULTI`` / ``EXEC``, retried when another replica changed the key meanwhile). The scripts keep
Rasa's format (``TicketLock.dumps``: the tickets as JSON strings inside the lock's JSON, read back
by ``TicketLock.from_dict``) and its rules: a ticket has expired when the time is past its
``expires``; a new ticket's number follows the last live one, 0 when none is left. The time is the
Rasa process's, as in Rasa's own store. Everything else (keys, lifetimes, waiting) is Rasa's own.
Configured in ``endpoints.yml`` as ``type: bot.lock_store.AtomicRedisLockStore``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, List, Optional, Set, Tuple, TypeVar

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.commands.core import AsyncScript

from bot.redis_async import LoopClients

logger = logging.getLogger(__name__)

T = TypeVar("T")
#: A change to one lock: given the stored lock (or None), the lock to store (None: delete) and a result.
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]


# KEYS[1]: the lock's key; ARGV: the time (s), the new ticket's lifetime (s), the conversation id.
# Returns the new ticket's number and how many live tickets are before it (0: the turn may run).
_ISSUE = """
local now = tonumber(ARGV[1])
local raw = redis.call('GET', KEYS[1])
local conversation = ARGV[3]
local live = {}
if raw then
  local lock = cjson.decode(raw)
  if type(lock.conversation_id) == 'string' then conversation = lock.conversation_id end
  for _, text in ipairs(lock.tickets or {}) do
    local ticket = cjson.decode(text)
    if ticket.expires >= now then table.insert(live, {text, ticket.number}) end
  end
end
local number = 0
if #live > 0 then number = live[#live][2] + 1 end
local tickets = {}
for i, pair in ipairs(live) do tickets[i] = pair[1] end
table.insert(tickets, cjson.encode({number = number, expires = now + tonumber(ARGV[2])}))
redis.call('SET', KEYS[1], cjson.encode({conversation_id = conversation, tickets = tickets}))
return {number, #live}
"""
# KEYS[1]: the lock's key; ARGV: the time (s), the number of the ticket to remove (-1: none, only
# the expired ones).
_CLEANUP = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local now, number = tonumber(ARGV[1]), tonumber(ARGV[2])
local lock = cjson.decode(raw)
local kept = {}
for _, text in ipairs(lock.tickets or {}) do
  local ticket = cjson.decode(text)
  if ticket.expires >= now and ticket.number ~= number then table.insert(kept, text) end
end
if #kept == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], cjson.encode({conversation_id = lock.conversation_id, tickets = kept}))
end
return #kept
"""


def _issue_args(conversation_id: str, lock_lifetime: float) -> List[str]:
    """``_ISSUE``'s arguments: the time now, the new ticket's lifetime, the conversation id."""
    return [repr(time.time()), repr(float(lock_lifetime)), conversation_id]


def _cleanup_args(ticket_number: int) -> List[Any]:
    """``_CLEANUP``'s arguments: the time now and the ticket to remove (-1: only the expired ones)."""
    return [repr(time.time()), int(ticket_number)]


class AtomicRedisLockStore(RedisLockStore):
    """A ``RedisLockStore`` safe for several Rasa replicas on one Redis.

    Args:
        endpoint_config: the ``lock_store`` section of ``endpoints.yml`` (``url`` is the Redis
            host; ``port``, ``db``, ``password``, ``key_prefix`` and the other keyword arguments of
            ``RedisLockStore`` as in Rasa's ``type: redis``).
        **kwargs: ``RedisLockStore``'s arguments, when built without an endpoint configuration.

    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self._issue = self.red.register_script(_ISSUE)
        self._cleanup = self.red.register_script(_CLEANUP)
        self.clients = LoopClients(self.red)
        self._removing: Set[asyncio.Future[Any]] = set()  # ticket removals under way
        self._issue_awaited = AsyncScript(None, _ISSUE.encode())  # type: ignore[arg-type]
        self._cleanup_awaited = AsyncScript(None, _CLEANUP.encode())  # type: ignore[arg-type]

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ``LockStore.lock`` (the same tickets, waiting and ``LockError``), awaiting Redis.

        A turn takes two round trips when no other turn of the conversation holds the lock: the
        ticket is issued, and removed at the end; neither blocks the Rasa server's event loop
        (``bot.redis_async``). While others hold it, the lock is read every
        ``wait_time_in_seconds`` with its expired tickets pruned, as Rasa's ``_acquire_lock`` does.

        A turn cancelled meanwhile (Sanic cancels the handler of a request its client gave up on)
        still removes its ticket: issuing and removing run shielded, and a ticket issued for a
        cancelled turn is removed once it is known, so the conversation's next turn does not wait
        out ``lock_lifetime`` behind it.

        Raises:
            LockError: the ticket could not be issued (Redis unreachable), or it expired while
                waiting; a Redis error while waiting or removing is raised as it is, as in Rasa.

        """
        client = self.clients.current()
        key = self.key_prefix + conversation_id
        args = _issue_args(conversation_id, lock_lifetime)
        issuing = asyncio.ensure_future(self._issue_awaited(keys=[key], args=args, client=client))
        try:
            ticket, before = await asyncio.shield(issuing)
        except asyncio.CancelledError:
            issuing.add_done_callback(lambda done: self._remove_issued(done, client, key))
            raise
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        try:
            if before:
                yield await self._wait_for(client, conversation_id, int(ticket), wait_time_in_seconds)
            else:
                yield TicketLock(conversation_id, deque([Ticket(int(ticket), time.time() + lock_lifetime)]))
        finally:
            await asyncio.shield(self._remove(client, key, int(ticket)))

    def _remove(self, client: Any, key: str, ticket: int) -> asyncio.Future[Any]:
        """Remove ``ticket`` from the lock at ``key`` (a task kept until it is done)."""
        task = asyncio.ensure_future(
            self._cleanup_awaited(keys=[key], args=_cleanup_args(ticket), client=client)
        )
        self._removing.add(task)
        task.add_done_callback(self._removing.discard)
        return task

    def _remove_issued(self, issuing: asyncio.Future[Any], client: Any, key: str) -> None:
        """Remove the ticket a cancelled turn was issued, once the issuing script has answered."""
        if not issuing.cancelled() and issuing.exception() is None:
            self._remove(client, key, int(issuing.result()[0]))

    async def _wait_for(
        self, client: Any, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        """The lock once ``ticket`` is the one served (Rasa's ``_acquire_lock``, awaiting Redis)."""
        key = self.key_prefix + conversation_id
        while True:
            raw = await client.get(key)
            if not raw:
                break
            lock = TicketLock.from_dict(json.loads(raw))
            if not lock.is_locked(ticket):
                return lock
            logger.debug(
                "Waiting for %d turn(s) of conversation %s.",
                ticket - (lock.now_serving or 0),
                conversation_id,
            )
            await asyncio.sleep(wait_time_in_seconds)
            await self._cleanup_awaited(keys=[key], args=_cleanup_args(-1), client=client)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    def _atomically(self, conversation_id: str, change: Change[T]) -> T:
        """Apply ``change`` to the stored lock in one Redis transaction; return its result."""
        key = self.key_prefix + conversation_id

        def work(pipe: Any) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            keep, result = change(lock)
            pipe.multi()
            if keep is None:
                pipe.delete(key)
            else:
                pipe.set(key, keep.dumps())
            return result

        return self.red.transaction(work, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue a new ticket valid for ``lock_lifetime`` seconds; its number is unique.

        Raises:
            LockError: Redis could not be reached.

        """
        try:
            key = self.key_prefix + conversation_id
            return int(self._issue(keys=[key], args=_issue_args(conversation_id, lock_lifetime))[0])
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Remove the expired tickets of the conversation's lock."""

        def prune(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, prune)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove ticket ``ticket_number`` from the conversation's lock."""

        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._atomically(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket, and the lock with it when no other ticket is waiting, in one step."""
        self._cleanup(keys=[self.key_prefix + conversation_id], args=_cleanup_args(ticket_number))
