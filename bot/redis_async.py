"""Rasa's Redis stores on asyncio: the same server and settings, without blocking the event loop.

Rasa 3.6's Redis tracker and lock stores talk to Redis with redis-py's blocking client, from
``async`` methods that run on the Rasa server's event loop. Each round trip then holds the whole
process: no other conversation's turn is parsed or predicted while Redis answers, and under load
(two cores shared with the action server, the api and Redis itself) a round trip waits for Redis to
be scheduled. Rasa's busiest process spent about a sixth of its samples in those waits at 20
citizens (py-spy, ``tests/bench/profile.py --citizens 20``; docs/benchmarks.md).

``LoopClients`` gives the stores an ``redis.asyncio`` client with the blocking client's connection
settings (host, port, db, credentials, TLS, timeouts, ``decode_responses``), one per event loop: an
asyncio connection belongs to the loop that opened it, and the tests run several loops in turn.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Callable, Dict, List

import redis
import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

#: connection settings of redis-py 4.6's blocking connections that its asyncio ones do not take
_BLOCKING_ONLY = frozenset(
    {
        "redis_connect_func",
        "ssl_validate_ocsp",
        "ssl_validate_ocsp_stapled",
        "ssl_ocsp_context",
        "ssl_ocsp_expected_cert",
        "ssl_password",
        "ssl_ca_path",
    }
)


def connection_settings(client: redis.Redis) -> Dict[str, Any]:
    """The blocking ``client``'s connection settings in the form ``redis.asyncio.Redis`` takes."""
    pool = client.connection_pool
    settings = {k: v for k, v in pool.connection_kwargs.items() if k not in _BLOCKING_ONLY}
    # A connection Redis closed (a restart) is found only when a command fails on it, where the
    # blocking client's pool checks each connection before handing it out: such a command is sent
    # again once, on a new connection. Not after a timeout, when Redis may have run it.
    settings["retry"] = Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,))
    settings["retry_on_error"] = [redis.ConnectionError]
    connection_class: type = redis.asyncio.Connection
    if issubclass(pool.connection_class, redis.SSLConnection):
        connection_class = redis.asyncio.SSLConnection
    elif issubclass(pool.connection_class, redis.UnixDomainSocketConnection):
        connection_class = redis.asyncio.UnixDomainSocketConnection
    settings["connection_class"] = connection_class
    return settings


class LoopClients:
    """One ``redis.asyncio.Redis`` per running event loop, set up like a blocking client.

    Args:
        client: a blocking ``redis.Redis`` (Rasa's ``self.red``) whose connection settings are
            copied; it is not used again.

    """

    def __init__(self, client: redis.Redis) -> None:
        self._settings = connection_settings(client)
        self._clients: Dict[asyncio.AbstractEventLoop, redis.asyncio.Redis] = {}
        _ALL.add(self)

    def current(self) -> redis.asyncio.Redis:
        """The running event loop's client (made at its first use).

        Raises:
            RuntimeError: called outside a running event loop.

        """
        loop = asyncio.get_running_loop()
        found = self._clients.get(loop)
        if found is None:
            for ended in [other for other in self._clients if other.is_closed()]:
                del self._clients[ended]  # a loop that ended without closing its clients (a test's)
            pool = redis.asyncio.ConnectionPool(**self._settings)
            found = self._clients[loop] = redis.asyncio.Redis(connection_pool=pool)
        return found

    async def close(self) -> None:
        """Close the running event loop's client and its connections."""
        found = self._clients.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found.close(close_connection_pool=True)


async def transaction(client: redis.asyncio.Redis, queue: Callable[[Any], None]) -> List[Any]:
    """Run the commands ``queue`` adds to a pipeline, as one ``MULTI``/``EXEC`` transaction.

    Returns the commands' results. A transaction on a connection Redis closed (a restart) is sent
    again once on a new one: redis-py's asyncio pipelines do not retry connection errors. Redis
    applies a transaction whole or not at all.

    Raises:
        redis.ConnectionError: Redis could not be reached twice over.

    """
    try:
        return await _execute(client, queue)
    except redis.ConnectionError:
        return await _execute(client, queue)  # once more, on a new connection


async def _execute(client: redis.asyncio.Redis, queue: Callable[[Any], None]) -> List[Any]:
    pipeline = client.pipeline(transaction=True)
    queue(pipeline)
    return list(await pipeline.execute())


#: every LoopClients of the process, to close the running loop's connections when Rasa stops
_ALL: weakref.WeakSet[LoopClients] = weakref.WeakSet()


async def close_loop_clients() -> None:
    """Close the running event loop's clients of every store (when the server stops)."""
    for clients in list(_ALL):
        await clients.close()
