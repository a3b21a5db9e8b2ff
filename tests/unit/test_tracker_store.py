"""The tracker store writes personal data only masked or sealed, on a real Redis."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List
from urllib.parse import urlparse

import pytest
import redis
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot.pii import id_check_char
from bot.pii_vault import KEY_PREFIX, Vault, is_sealed, reference_of
from bot.settings import PROJECT_ROOT
from bot.tracker_store import (
    RedactingRedisTrackerStore,
    mask_deep,
    pending_question,
    redact_events,
    stored_session_events,
    window_of,
)
from tests.utils.stack import free_port

ID17 = "41010519900307452"
ID_NUMBER = ID17 + id_check_char(ID17)
PHONE = "13712345678"
PLAIN = (PHONE, ID_NUMBER, "王建国")


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    red = redis.Redis.from_url(redis_url, decode_responses=True)
    red.flushdb()
    yield red
    red.flushdb()


@pytest.fixture
def store(redis_url: str, domain: Domain, client: redis.Redis) -> RedactingRedisTrackerStore:
    parsed = urlparse(redis_url)
    return RedactingRedisTrackerStore(
        domain=domain, host=parsed.hostname, port=parsed.port, db=0, key_prefix="gxx", record_exp=600
    )


def everything_in(client: redis.Redis) -> str:
    """Every key and every value in Redis, as one string."""
    parts: List[str] = []
    for key in client.keys("*"):
        parts.append(key)
        kind = client.type(key)
        if kind == "string":
            parts.append(client.get(key) or "")
        elif kind == "hash":
            parts.extend(f"{k}={v}" for k, v in client.hgetall(key).items())
        elif kind == "list":
            parts.extend(client.lrange(key, 0, -1))
        elif kind in ("set", "zset"):
            parts.extend(client.zrange(key, 0, -1) if kind == "zset" else client.smembers(key))
    return "\n".join(parts)


def user(text: str, entities: List[Dict[str, Any]] | None = None) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": "inform", "confidence": 0.99},
        entities=entities or [],
        parse_data={"text": text, "intent": {"name": "inform"}, "entities": entities or []},
        message_id="0f13900000000abc",
    )


def booking_events(sealed_phone: str) -> List[Any]:
    return [
        ActionExecuted("action_listen"),
        user("退休那个事 帮我排个预约"),
        ActiveLoop("appointment_form"),
        SlotSet("requested_slot", "person_name"),
        ActionExecuted("action_listen"),
        user("王建国", [{"entity": "person_name", "value": "王建国", "start": 0, "end": 3}]),
        SlotSet("person_name", "王建国"),
        SlotSet("requested_slot", "phone"),
        ActionExecuted("action_listen"),
        user(f"手机 {PHONE}", [{"entity": "phone", "value": PHONE, "start": 3, "end": 14}]),
        SlotSet("phone", sealed_phone),
        SlotSet("requested_slot", "id_number"),
        ActionExecuted("action_listen"),
        user(ID_NUMBER, [{"entity": "id_number", "value": ID_NUMBER, "start": 0, "end": 18}]),
        SlotSet("id_number", ID_NUMBER),
        BotUttered(f"请核对：手机号 {PHONE}", data={"buttons": [{"title": ID_NUMBER, "payload": "/affirm"}]}),
    ]


def test_mask_deep_masks_strings_and_numbers_but_not_identifiers() -> None:
    value = {
        "text": f"电话{PHONE}",
        "n": int(PHONE),
        "message_id": "ab13712345678cd",
        "ok": True,
        "score": 0.5,
        "list": [ID_NUMBER],
    }
    masked = mask_deep(value)
    assert masked == {
        "text": "电话137****5678",
        "n": "137****5678",
        "message_id": "ab13712345678cd",
        "ok": True,
        "score": 0.5,
        "list": ["410105********4529"],
    }


def test_redact_events_masks_text_entities_slots_and_replies() -> None:
    sealed = "137****5678#pii:" + "q" * 26
    events = [e.as_dict() for e in booking_events(sealed)]
    redacted = json.dumps(redact_events(events), ensure_ascii=False)
    for plain in PLAIN:
        assert plain not in redacted
    assert sealed in redacted, "a sealed value rests as it is, so the action server can reveal it"
    assert "410105********4529" in redacted and "王**" in redacted
    assert "0f13900000000abc" in redacted, "message ids are never rewritten"
    assert events[5]["text"] == "王建国", "the input is not changed in place"


def test_saved_tracker_holds_no_plain_personal_data(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    vault = Vault(client, "test-key")
    sealed = vault.seal("phone", PHONE)
    tracker = DialogueStateTracker.from_events("citizen-1", booking_events(sealed), domain.slots)

    store.red.set("unrelated", "x")
    import asyncio

    asyncio.run(store.save(tracker))

    assert not any(plain in everything_in(client) for plain in PLAIN)
    loaded = asyncio.run(store.retrieve("citizen-1"))
    assert loaded is not None
    assert loaded.get_slot("phone") == sealed
    assert loaded.get_slot("id_number") == "410105********4529"
    assert loaded.active_loop_name == "appointment_form"
    assert vault.reveal("phone", loaded.get_slot("phone")) == PHONE


async def test_next_turn_appends_without_duplicating_events(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    tracker = DialogueStateTracker.from_events("citizen-2", booking_events("x"), domain.slots)
    await store.save(tracker)
    loaded = await store.retrieve("citizen-2")
    assert loaded is not None
    stored_count = len(loaded.events)
    loaded.update(ActionExecuted("action_listen"))
    loaded.update(user(f"改成 {PHONE}"))
    await store.save(loaded)
    again = await store.retrieve("citizen-2")
    assert again is not None and len(again.events) == stored_count + 2
    assert PHONE not in everything_in(client)


@pytest.mark.parametrize("split", range(1, 17))
async def test_a_turn_after_a_read_is_stored_as_a_full_save_would_store_it(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain, split: int
) -> None:
    """Only the events after those read are redacted again: the same bytes as a full save.

    Wherever the turn starts: before, inside or after the name question.
    """
    sender = f"citizen-split-{split}"
    events = [ActionExecuted("action_session_start"), *booking_events("137****5678#pii:" + "r" * 26)]
    await store.save(DialogueStateTracker.from_events(sender, events[:split], domain.slots))
    loaded = await store.retrieve(sender)
    assert loaded is not None and len(loaded.events) == split
    # what was read is kept for this turn's save, which then redacts only the new events
    assert store._read[sender].given == stored_events(client, store, sender)
    for event in events[split:]:
        loaded.update(event)
    full = store.serialise_tracker(loaded)
    await store.save(loaded)
    assert stored_events(client, store, sender) == json.loads(full)["events"]
    assert not any(plain in full for plain in PLAIN)
    assert sender not in store._read, "nothing of the turn is kept past its save"


def reads(client: redis.Redis) -> int:
    """Read commands the Redis server has run so far (its own ``INFO commandstats``)."""
    stats = client.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("get", "type", "lrange"))


async def test_a_new_conversation_is_read_once_in_its_first_turn(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    """Rasa saves a new tracker when it creates it and again after the turn; neither save reads it back."""
    sender = "citizen-new"
    before = reads(client)
    assert await store.retrieve(sender) is None
    read_by_retrieve = reads(client) - before
    tracker = await store.create_tracker(sender)  # Rasa's get_or_create_tracker: saved at once
    for event in [ActionExecuted("action_session_start"), *booking_events("137****5678#pii:" + "r" * 26)]:
        tracker.update(event)
    full = store.serialise_tracker(tracker)
    await store.save(tracker)
    assert reads(client) - before == read_by_retrieve, "the saves read nothing back"
    assert sender not in store._read, "nothing of the turn is kept past its last save"
    assert stored_events(client, store, sender) == json.loads(full)["events"]
    again = await store.retrieve(sender)
    assert again is not None and again.active_loop_name == "appointment_form"


async def test_personal_slots_are_cleared_when_no_form_is_active(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    vault = Vault(client, "test-key")
    sealed = vault.seal("phone", PHONE)
    events = [*booking_events(sealed), ActiveLoop(None), SlotSet("requested_slot", None)]
    tracker = DialogueStateTracker.from_events("citizen-3", events, domain.slots)
    await store.save(tracker)
    loaded = await store.retrieve("citizen-3")
    assert loaded is not None
    assert [loaded.get_slot(n) for n in ("phone", "id_number", "person_name")] == [None, None, None]
    assert client.get(KEY_PREFIX + str(reference_of(sealed))) is None, "the vault entry is deleted"
    assert vault.reveal("phone", sealed) is None


async def test_personal_slots_stay_while_the_form_is_active(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    vault = Vault(client, "test-key")
    sealed = vault.seal("phone", PHONE)
    tracker = DialogueStateTracker.from_events("citizen-4", booking_events(sealed), domain.slots)
    await store.save(tracker)
    loaded = await store.retrieve("citizen-4")
    assert loaded is not None and is_sealed(loaded.get_slot("phone"))
    assert vault.reveal("phone", sealed) == PHONE


def test_endpoints_yml_loads_this_store(
    redis_url: str, domain: Domain, monkeypatch: pytest.MonkeyPatch, client: redis.Redis
) -> None:
    parsed = urlparse(redis_url)
    for name, value in {
        "REDIS_HOST": parsed.hostname,
        "REDIS_PORT": str(parsed.port),
        "REDIS_DB": "0",
        "REDIS_PASSWORD": "",
        "ACTION_ENDPOINT_URL": "http://127.0.0.1:1/webhook",
    }.items():
        monkeypatch.setenv(name, str(value))
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "tracker_store")
    created = TrackerStore.create(config, domain)
    inner = getattr(created, "_tracker_store", created)
    assert isinstance(inner, RedactingRedisTrackerStore), "Rasa silently falls back to memory otherwise"
    assert inner.window_turns == 20
    assert os.environ["REDIS_HOST"] == parsed.hostname


def test_slots_do_not_carry_over_to_a_new_session(domain: Domain) -> None:
    assert domain.session_config.carry_over_slots is False


def test_logging_is_masked_on_loggers_with_their_own_handlers() -> None:
    import io
    import logging

    from bot.logs import configure_logging

    stream = io.StringIO()
    own = logging.getLogger("test.sanic.like")
    handler = logging.StreamHandler(stream)
    own.addHandler(handler)
    own.propagate = False
    try:
        configure_logging()
        own.warning("request from %s with %s", PHONE, ID_NUMBER)
    finally:
        own.removeHandler(handler)
    assert PHONE not in stream.getvalue() and ID_NUMBER not in stream.getvalue()
    assert "137****5678" in stream.getvalue()


class CollectingBroker:
    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


async def test_an_event_broker_gets_redacted_events(
    store: RedactingRedisTrackerStore, domain: Domain
) -> None:
    broker = CollectingBroker()
    store.event_broker = broker  # type: ignore[assignment]
    tracker = DialogueStateTracker.from_events("citizen-5", booking_events("x"), domain.slots)
    await store.save(tracker)
    published = json.dumps(broker.published, ensure_ascii=False)
    assert broker.published and all(e["sender_id"] == "citizen-5" for e in broker.published)
    assert not any(plain in published for plain in (PHONE, ID_NUMBER))


# -- the window Rasa is given of a long session ---------------------------------------------------


def long_session(turns: int) -> List[Any]:
    """A session of ``turns`` messages: an item set at the start, the booking form opened at the end."""
    events: List[Any] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("half_day", "上午"),
    ]
    for number in range(turns):
        events += [ActionExecuted("action_listen"), user(f"第{number}个问题")]
        if number == 1:
            events.append(SlotSet("service", "退休一件事"))
        if number == 2:
            events.append(SlotSet("appointment_operation", "cancel"))
        if number == 3:
            events.append(SlotSet("appointment_operation", None))
        if number == turns - 3:
            events += [ActiveLoop("appointment_form"), SlotSet("requested_slot", "appointment_date")]
        events += [ActionExecuted("utter_answer"), BotUttered(f"第{number}个回答")]
    return events


def serialised(events: List[Any]) -> List[Dict[str, Any]]:
    return [e.as_dict() for e in events]


def test_a_short_session_is_given_whole() -> None:
    events = serialised(long_session(20))
    assert window_of(events, 20) is events
    assert window_of(events, 0) is events


def test_a_long_session_is_given_as_its_state_and_last_messages() -> None:
    events = serialised(long_session(200))
    given = window_of(events, 20)
    assert given[0]["name"] == "action_session_start" and given[1]["event"] == "session_started"
    assert [e["text"] for e in given if e["event"] == "user"] == [f"第{n}个问题" for n in range(180, 200)]
    first = next(i for i, e in enumerate(given) if e["event"] == "user")
    # the last 20 messages as they are stored, after the action_listen before them
    assert given[first:] == events[len(events) - (len(given) - first) :]
    assert given[first - 1]["event"] == "action" and given[first - 1]["name"] == "action_listen"
    # between: every slot's latest value still set, nothing else
    state = given[2 : first - 1]
    assert {e["name"]: e["value"] for e in state} == {"half_day": "上午", "service": "退休一件事"}


def test_the_window_keeps_an_open_form_and_forgets_reset_slots() -> None:
    events = serialised(long_session(60))
    # the form opened at message 57, inside the window of 20; with a window of 2 it is before it
    given = window_of(events, 2)
    loops = [e for e in given if e["event"] == "active_loop"]
    assert loops and loops[-1]["name"] == "appointment_form"
    assert any(e["event"] == "slot" and e["name"] == "requested_slot" for e in given)
    reset = serialised([*long_session(30), AllSlotsReset(), *long_session(30)[3:]])
    slots = [e for e in window_of(reset, 5) if e["event"] == "slot"]
    assert all(e["name"] != "half_day" for e in slots)


async def saved_then_read(
    store: RedactingRedisTrackerStore, domain: Domain, sender: str, events: List[Any]
) -> DialogueStateTracker:
    """Store a session of ``events``, then read it back as Rasa's next turn would."""
    await store.save(DialogueStateTracker.from_events(sender, events, domain.slots))
    loaded = await store.retrieve(sender)
    assert loaded is not None
    return loaded


def stored_events(
    client: redis.Redis, store: RedactingRedisTrackerStore, sender: str
) -> List[Dict[str, Any]]:
    return stored_session_events(client, sender, store.key_prefix)


async def test_a_long_session_is_stored_whole_while_rasa_sees_the_window(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    sender = "citizen-long"
    events = long_session(200)
    loaded = await saved_then_read(store, domain, sender, events)
    assert len([e for e in loaded.events if isinstance(e, UserUttered)]) == 20
    assert loaded.get_slot("service") == "退休一件事"
    assert loaded.active_loop_name == "appointment_form"
    assert loaded.get_slot("requested_slot") == "appointment_date"
    # the turn's new events are appended to the whole stored session, as a full save stores them
    full = DialogueStateTracker.from_events(sender, events, domain.slots)
    for event in [
        ActionExecuted("action_listen"),
        user("后天上午"),
        SlotSet("appointment_date", "2026-12-03"),
    ]:
        loaded.update(event)
        full.update(event)
    await store.save(loaded)
    assert stored_events(client, store, sender) == json.loads(store.serialise_tracker(full))["events"]
    assert len(stored_events(client, store, sender)) == len(full.events)


async def test_a_save_without_the_turns_read_appends_too(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    """Another process's retrieve (or one no longer kept): the save reads the session again."""
    sender = "citizen-long-2"
    events = long_session(50)
    loaded = await saved_then_read(store, domain, sender, events)
    store._read.clear()
    loaded.update(ActionExecuted("action_listen"))
    loaded.update(user("还有个问题"))
    await store.save(loaded)
    stored = stored_events(client, store, sender)
    assert len(stored) == len(events) + 2
    assert [e.get("text") for e in stored if e["event"] == "user"][:2] == ["第0个问题", "第1个问题"]
    assert stored[-1]["text"] == "还有个问题"


async def one_turn(store: RedactingRedisTrackerStore, sender: str, events: List[Any]) -> DialogueStateTracker:
    """Rasa's turn: read the tracker, add the turn's events, save."""
    tracker = await store.retrieve(sender)
    assert tracker is not None
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def test_turn_by_turn_the_window_is_the_window_of_the_whole_session(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    """Each save computes the next window from the last one; it equals the whole session's window."""
    sender = "citizen-turns"
    events = long_session(60)
    listens = [
        i for i, e in enumerate(events) if isinstance(e, ActionExecuted) and e.action_name == "action_listen"
    ]
    # the session start and 25 turns in one save, then one save per turn
    await store.save(DialogueStateTracker.from_events(sender, events[: listens[25]], domain.slots))
    for start, end in zip(listens[25:], [*listens[26:], len(events)], strict=True):
        await one_turn(store, sender, events[start:end])
        whole = stored_events(client, store, sender)
        window = json.loads(client.get(store.window_prefix + sender))
        assert window["events"] == window_of(whole, store.window_turns)
        assert window["pending"] == pending_question(whole)
    assert len(stored_events(client, store, sender)) == len(events)
    assert [e for e in stored_events(client, store, sender) if e["event"] == "user"][0]["text"] == "第0个问题"


async def test_a_turn_reads_the_window_and_appends_never_the_whole_session(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    """Redis's own command counts: one GET and one RPUSH a turn, however long the session."""
    sender = "citizen-cost"
    await store.save(DialogueStateTracker.from_events(sender, long_session(200), domain.slots))
    store._read.clear()
    client.config_resetstat()
    await one_turn(store, sender, [ActionExecuted("action_listen"), user("还有个问题")])
    stats = client.info("commandstats")
    assert stats["cmdstat_get"]["calls"] == 1 and stats["cmdstat_rpush"]["calls"] == 1
    assert "cmdstat_lrange" not in stats and "cmdstat_del" not in stats
    assert 0 < client.ttl(store.key_prefix + sender) <= 600
    assert 0 < client.ttl(store.window_prefix + sender) <= 600


async def test_a_session_stored_as_one_json_string_is_read_and_rewritten_as_a_list(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    """A conversation stored before the list form carries on whole."""
    sender = "citizen-before"
    events = long_session(40)
    old = DialogueStateTracker.from_events(sender, events, domain.slots)
    client.set(store.key_prefix + sender, store.serialise_tracker(old))
    tracker = await one_turn(store, sender, [ActionExecuted("action_listen"), user("还有个问题")])
    assert len([e for e in tracker.events if isinstance(e, UserUttered)]) == 20 + 1
    assert client.type(store.key_prefix + sender) == "list"
    stored = stored_events(client, store, sender)
    assert len(stored) == len(events) + 2 and stored[-1]["text"] == "还有个问题"
    full = await store.retrieve_full_tracker(sender)
    assert full is not None and len(full.events) == len(events) + 2


async def test_a_turn_reads_and_writes_without_the_blocking_client(
    store: RedactingRedisTrackerStore, client: redis.Redis, domain: Domain
) -> None:
    """Retrieve and save await Redis (bot.redis_async): Rasa's event loop serves others meanwhile.

    The turn leaves a form, so its save also deletes the vault entry of the phone it clears.
    """
    sender = "citizen-awaited"
    sealed = Vault(client, "test-key").seal("phone", PHONE)
    await store.save(DialogueStateTracker.from_events(sender, booking_events(sealed), domain.slots))
    store.red = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2)
    with pytest.raises(redis.ConnectionError):
        store.red.ping()  # any blocking call in the turn would now fail
    store._read.clear()
    left = [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        ActionExecuted("action_listen"),
        user("还有个问题"),
    ]
    await one_turn(store, sender, left)
    stored = stored_events(client, store, sender)
    assert [e["text"] for e in stored if e["event"] == "user"][-1] == "还有个问题"
    assert client.get(KEY_PREFIX + str(reference_of(sealed))) is None, "the vault entry is deleted"
    full = await store.retrieve_full_tracker(sender)
    assert full is not None and full.get_slot("phone") is None
    assert full.latest_message is not None and full.latest_message.text == "还有个问题"
    assert await store.retrieve("nobody-yet") is None
