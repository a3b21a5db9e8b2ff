"""Rasa's Redis stores await Redis on the event loop, with the blocking client's settings."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis
import redis.asyncio

from bot.redis_async import LoopClients, connection_settings, transaction
from tests.conftest import redis_server_binary
from tests.utils.stack import free_port


def test_settings_carry_over_to_asyncio_connections() -> None:
    blocking = redis.Redis(
        host="10.1.2.3", port=6390, db=2, password="s3", socket_timeout=7, decode_responses=True
    )
    settings = connection_settings(blocking)
    assert settings["connection_class"] is redis.asyncio.Connection
    assert (settings["host"], settings["port"], settings["db"]) == ("10.1.2.3", 6390, 2)
    assert settings["password"] == "s3" and settings["socket_timeout"] == 7 and settings["decode_responses"]
    redis.asyncio.ConnectionPool(**settings)  # every setting is one asyncio connections take


def test_tls_stays_tls() -> None:
    blocking = redis.Redis(host="redis.example", port=6380, ssl=True, ssl_ca_certs="/etc/ca.pem")
    settings = connection_settings(blocking)
    assert settings["connection_class"] is redis.asyncio.SSLConnection
    assert settings["ssl_ca_certs"] == "/etc/ca.pem"
    pool = redis.asyncio.ConnectionPool(**settings)
    assert isinstance(pool.make_connection(), redis.asyncio.SSLConnection)


def test_one_client_per_event_loop(redis_url: str) -> None:
    parsed = urlparse(redis_url)
    clients = LoopClients(redis.Redis(host=parsed.hostname, port=parsed.port, decode_responses=True))

    async def use() -> redis.asyncio.Redis:
        client = clients.current()
        assert client is clients.current(), "the same loop gets the same client"
        await client.set("gxx:test:loop", "是")
        assert await client.get("gxx:test:loop") == "是"
        return client

    first, second = asyncio.run(use()), asyncio.run(use())
    assert first is not second, "a connection belongs to the loop that opened it"
    with pytest.raises(RuntimeError):
        clients.current()


def test_a_redis_restart_costs_no_command(tmp_path: Path) -> None:
    """The pooled connection Redis closed is replaced; the command or transaction on it is sent again."""
    port = free_port()

    def start() -> subprocess.Popen:
        command = [redis_server_binary(), "--port", str(port), "--save", "", "--dir", str(tmp_path)]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                redis.Redis(port=port).ping()
                return server
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    clients = LoopClients(redis.Redis(host="127.0.0.1", port=port, decode_responses=True))
    server = start()

    async def across_a_restart() -> None:
        nonlocal server
        client = clients.current()
        assert await client.set("gxx:test:restart", "1")
        for _ in range(2):  # a command, then a transaction, each first on a connection Redis closed
            server.kill()
            server.wait()
            server = start()
            assert await client.get("gxx:test:restart") is None, "a new, empty Redis answered"
            await client.set("gxx:test:restart", "1")
        server.kill()
        server.wait()
        server = start()
        results = await transaction(
            client, lambda pipe: pipe.set("gxx:test:after", "是").get("gxx:test:after")
        )
        assert results == [True, "是"]

    try:
        asyncio.run(across_a_restart())
    finally:
        server.kill()
        server.wait()
