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
from typing import Any, Dict

import redis
import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

#: connection settings of redis-py 4.6's blocking TLS connections that its asyncio ones do not take
_BLOCKING_ONLY = frozenset(
    {
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
    settings.pop("redis_connect_func", None)
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
        client: the store's blocking ``redis.Redis`` (Rasa's ``self.red``), kept for what runs
            outside an event loop.

    """

    def __init__(self, client: redis.Redis) -> None:
        self._settings = connection_settings(client)
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis] = (
            weakref.WeakKeyDictionary()
        )

    def current(self) -> redis.asyncio.Redis:
        """The running event loop's client (made at its first use).

        Raises:
            RuntimeError: called outside a running event loop.

        """
        loop = asyncio.get_running_loop()
        found = self._clients.get(loop)
        if found is None:
            pool = redis.asyncio.ConnectionPool(**self._settings)
            found = self._clients[loop] = redis.asyncio.Redis(connection_pool=pool)
        return found
