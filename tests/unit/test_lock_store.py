"""The atomic Redis lock store on a real Redis: two "replicas" never share a ticket or a turn."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import List
from urllib.parse import urlparse

import pytest
import redis
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.lock_store import AtomicRedisLockStore
from bot.settings import PROJECT_ROOT
from tests.utils.stack import free_port


def replica(redis_url: str) -> AtomicRedisLockStore:
    """A lock store as a Rasa replica builds it from ``endpoints.yml``'s section."""
    parsed = urlparse(redis_url)
    config = EndpointConfig(
        url=parsed.hostname,
        type="bot.lock_store.AtomicRedisLockStore",
        port=parsed.port,
        db=0,
        key_prefix="t",
    )
    return AtomicRedisLockStore(endpoint_config=config)


def test_endpoints_file_names_this_store(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "0"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REDIS_PASSWORD", "")
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "lock_store")
    assert config is not None and config.type == "bot.lock_store.AtomicRedisLockStore"
    store = AtomicRedisLockStore(endpoint_config=config)
    assert isinstance(store, RedisLockStore) and store.key_prefix == "gxx:lock:"


def test_tickets_issued_at_once_by_two_replicas_are_unique(redis_url: str) -> None:
    stores = [replica(redis_url), replica(redis_url)]
    conversation = uuid.uuid4().hex
    with ThreadPoolExecutor(16) as pool:
        tickets = list(pool.map(lambda n: stores[n % 2].issue_ticket(conversation, 60), range(200)))
    assert sorted(tickets) == list(range(min(tickets), min(tickets) + 200)), "no number issued twice"
    lock = stores[0].get_lock(conversation)
    assert lock is not None and len(lock.tickets) == 200


def test_lock_is_kept_while_another_replica_waits(redis_url: str) -> None:
    first, second = replica(redis_url), replica(redis_url)
    conversation = uuid.uuid4().hex
    mine = first.issue_ticket(conversation, 60)
    theirs = second.issue_ticket(conversation, 60)
    first.cleanup(conversation, mine)
    lock = second.get_lock(conversation)
    assert lock is not None and lock.now_serving == theirs and not lock.is_locked(theirs)
    second.cleanup(conversation, theirs)
    assert second.get_lock(conversation) is None, "the last one out deletes the lock"


def test_expired_tickets_are_pruned(redis_url: str) -> None:
    store = replica(redis_url)
    conversation = uuid.uuid4().hex
    store.issue_ticket(conversation, -1)  # already expired
    live = store.issue_ticket(conversation, 60)
    store.update_lock(conversation)
    lock = store.get_lock(conversation)
    assert lock is not None and [t.number for t in lock.tickets] == [live]


def test_turns_of_one_conversation_on_two_replicas_never_overlap(redis_url: str) -> None:
    conversation = uuid.uuid4().hex
    inside: List[int] = []
    most = [0]
    guard = threading.Lock()

    async def turns(store: AtomicRedisLockStore, count: int) -> None:
        for _ in range(count):
            async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.01):
                with guard:
                    inside.append(1)
                    most[0] = max(most[0], len(inside))
                await asyncio.sleep(0.005)
                with guard:
                    inside.pop()

    def replica_loop() -> None:  # each replica has its own process and event loop; here a thread each
        store = replica(redis_url)

        async def main() -> None:
            await asyncio.gather(*(turns(store, 5) for _ in range(4)))

        asyncio.run(main())

    threads = [threading.Thread(target=replica_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert most[0] == 1, "two turns of one conversation ran at once"
    assert replica(redis_url).get_lock(conversation) is None


def test_locks_written_by_rasas_own_store_and_by_the_scripts_read_each_other(redis_url: str) -> None:
    """A replica still on Rasa's ``RedisLockStore`` and one on the scripts share the lock's format."""
    ours = replica(redis_url)
    parsed = urlparse(redis_url)
    rasas = RedisLockStore(host=parsed.hostname, port=parsed.port, db=0, key_prefix="t")
    conversation = uuid.uuid4().hex
    first = rasas.issue_ticket(conversation, 60)
    second = ours.issue_ticket(conversation, 60)
    third = rasas.issue_ticket(conversation, 60)
    assert (first, second, third) == (0, 1, 2)
    lock = rasas.get_lock(conversation)
    assert lock is not None and lock.conversation_id == conversation
    assert [t.number for t in lock.tickets] == [0, 1, 2] and lock.now_serving == 0
    ours.cleanup(conversation, first)
    lock = rasas.get_lock(conversation)
    assert lock is not None and lock.now_serving == 1 and not lock.is_locked(second)
    assert abs(lock.tickets[0].expires - lock.tickets[1].expires) < 5, "the lifetimes are seconds alike"


def test_issuing_prunes_expired_tickets_and_numbers_after_the_last_live_one(redis_url: str) -> None:
    store = replica(redis_url)
    conversation = uuid.uuid4().hex
    live = store.issue_ticket(conversation, 60)
    store.issue_ticket(conversation, -1)  # expired at once: its number is not counted on
    assert store.issue_ticket(conversation, 60) == live + 1
    lock = store.get_lock(conversation)
    assert lock is not None and [t.number for t in lock.tickets] == [live, live + 1]


def test_removing_a_ticket_no_lock_holds_changes_nothing(redis_url: str) -> None:
    store = replica(redis_url)
    conversation = uuid.uuid4().hex
    store.cleanup(conversation, 3)
    assert store.get_lock(conversation) is None
    mine = store.issue_ticket(conversation, 60)
    store.cleanup(conversation, mine + 7)
    lock = store.get_lock(conversation)
    assert lock is not None and [t.number for t in lock.tickets] == [mine]


def test_a_turn_alone_takes_two_round_trips_and_never_the_blocking_client(redis_url: str) -> None:
    """Issue and remove its ticket, one script each, awaited; a second turn waits for the first."""
    store = replica(redis_url)
    store.red = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2)
    counter = redis.Redis.from_url(redis_url)
    conversation = uuid.uuid4().hex
    order: List[str] = []

    async def turn(name: str, pause: float) -> None:
        async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.01):
            order.append(f"{name} in")
            await asyncio.sleep(pause)
            order.append(f"{name} out")

    async def alone() -> None:
        await turn("warm", 0)  # the scripts loaded into Redis
        counter.config_resetstat()
        await turn("alone", 0)
        stats = counter.info("commandstats")
        assert stats["cmdstat_evalsha"]["calls"] == 2
        assert stats["cmdstat_get"]["calls"] == 2, "only the scripts' own reads of the lock"

    async def two() -> None:
        first = asyncio.ensure_future(turn("first", 0.1))
        while "first in" not in order:
            await asyncio.sleep(0.001)
        await asyncio.gather(first, turn("second", 0))

    asyncio.run(alone())
    asyncio.run(two())
    assert order[4:] == ["first in", "first out", "second in", "second out"]
    assert counter.get(store.key_prefix + conversation) is None, "the last one out deletes the lock"


@pytest.mark.parametrize("steps", range(8))
def test_a_turn_cancelled_anywhere_leaves_no_ticket_behind(redis_url: str, steps: int) -> None:
    """Sanic cancels the handler of a request its client gave up on; the next turn must not wait."""
    store = replica(redis_url)
    counter = redis.Redis.from_url(redis_url)
    conversation = uuid.uuid4().hex

    async def turn() -> None:
        async with store.lock(conversation, lock_lifetime=60, wait_time_in_seconds=0.01):
            await asyncio.sleep(1)

    async def main() -> float:
        task = asyncio.ensure_future(turn())
        for _ in range(steps):  # cancelled while issuing, inside, or while removing
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(100):
            if counter.get(store.key_prefix + conversation) is None:
                break
            await asyncio.sleep(0.01)
        started = time.monotonic()
        async with store.lock(conversation, lock_lifetime=60, wait_time_in_seconds=0.5):
            return time.monotonic() - started

    # a ticket left behind holds the next turn for its whole lifetime (60 s); one removed a moment
    # late, on a busy machine, costs a poll or two (0.5 s each)
    assert asyncio.run(main()) < 5, "the next turn waited for a ticket left behind"
    assert counter.get(store.key_prefix + conversation) is None
