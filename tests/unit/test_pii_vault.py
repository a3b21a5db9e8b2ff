"""The personal-data vault on a real Redis, and the action server's sealing of personal slots."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest
import redis
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import pii_slots
from bot.pii import id_check_char
from bot.pii_vault import KEY_PREFIX, MemoryStorage, Vault, is_sealed, mask_slot_value, reference_of

ID17 = "41010519900307452"
ID_NUMBER = ID17 + id_check_char(ID17)
PHONE = "13712345678"


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    red = redis.Redis.from_url(redis_url, decode_responses=True)
    red.flushdb()
    yield red
    red.flushdb()


@pytest.fixture
def vault(client: redis.Redis) -> Vault:
    return Vault(client, "test-key", ttl_seconds=300)


def test_seal_keeps_only_ciphertext_in_redis(vault: Vault, client: redis.Redis) -> None:
    sealed = vault.seal("id_number", ID_NUMBER)
    assert sealed.startswith("410105********") and is_sealed(sealed)
    assert ID_NUMBER not in sealed
    key = KEY_PREFIX + str(reference_of(sealed))
    stored = client.get(key)
    assert stored and ID_NUMBER not in stored and ID_NUMBER[-6:] not in stored
    assert 0 < client.ttl(key) <= 300
    assert vault.reveal("id_number", sealed) == ID_NUMBER


def test_reveal_refuses_other_slots_keys_and_forgotten_values(vault: Vault, client: redis.Redis) -> None:
    sealed = vault.seal("phone", PHONE)
    assert vault.reveal("id_number", sealed) is None
    assert Vault(client, "another-key").reveal("phone", sealed) is None
    assert vault.reveal("phone", "137****5678") is None
    assert vault.forget([sealed, None, "plain"]) == 1
    assert vault.reveal("phone", sealed) is None


def test_references_differ_each_time(vault: Vault) -> None:
    assert reference_of(vault.seal("phone", PHONE)) != reference_of(vault.seal("phone", PHONE))


def test_memory_storage_expires() -> None:
    now = [0.0]
    storage = MemoryStorage(clock=lambda: now[0])
    memory_vault = Vault(storage, "k", ttl_seconds=10)
    sealed = memory_vault.seal("phone", PHONE)
    now[0] = 9
    assert memory_vault.reveal("phone", sealed) == PHONE, "each use keeps it ten more seconds"
    now[0] = 18
    assert memory_vault.reveal("phone", sealed) == PHONE
    now[0] = 29
    assert memory_vault.reveal("phone", sealed) is None


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [
        ("phone", PHONE, "137****5678"),
        ("id_number", ID_NUMBER, "410105********4529"),
        ("person_name", "王建国", "王**"),
        ("phone", None, None),
        ("service", "退休一件事", "退休一件事"),
    ],
)
def test_mask_slot_value(slot: str, value: Any, expected: Any) -> None:
    assert mask_slot_value(slot, value) == expected


class EchoPersonalSlots(Action):
    """Records what it saw and sets the phone, clears the ID number."""

    seen: Dict[str, Any] = {}

    def name(self) -> str:
        return "test_echo_personal_slots"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        EchoPersonalSlots.seen = {
            "phone": tracker.get_slot("phone"),
            "id_number": tracker.get_slot("id_number"),
            "events": [e.get("value") for e in tracker.events if e.get("event") == "slot"],
        }
        return [SlotSet("phone", "13900000000"), SlotSet("id_number", None), SlotSet("service", "退休一件事")]


async def test_actions_see_real_values_and_rasa_gets_sealed_ones(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pii_slots, "default_vault", lambda: vault)
    old_phone, old_id = vault.seal("phone", PHONE), vault.seal("id_number", ID_NUMBER)
    executor = ActionExecutor()
    executor.register_action(EchoPersonalSlots())
    call = {
        "next_action": "test_echo_personal_slots",
        "tracker": {
            "sender_id": "s",
            "slots": {"phone": old_phone, "id_number": old_id},
            "latest_message": {},
            "events": [{"event": "slot", "name": "phone", "value": old_phone}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": {},
    }

    result = await pii_slots.run_with_sealed_slots(executor, call)

    assert EchoPersonalSlots.seen == {"phone": PHONE, "id_number": ID_NUMBER, "events": [PHONE]}
    assert result is not None
    values = {e["name"]: e["value"] for e in result["events"]}
    assert values["phone"].startswith("139****0000#pii:")
    assert vault.reveal("phone", values["phone"]) == "13900000000"
    assert values["id_number"] is None and values["service"] == "退休一件事"
    assert vault.reveal("phone", old_phone) is None, "a replaced value is forgotten"
    assert vault.reveal("id_number", old_id) is None, "a cleared value is forgotten"


def test_install_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ActionExecutor, "run", pii_slots.ORIGINAL_RUN)
    assert pii_slots.install() is True
    assert pii_slots.install() is False
    assert ActionExecutor.run is pii_slots.run_with_sealed_slots


def test_a_sealed_value_repeated_in_the_tracker_is_looked_up_once(vault: Vault, client: redis.Redis) -> None:
    """The slot and every event that set it hold the same sealed value: one vault look-up."""
    phone = vault.seal("phone", PHONE)
    other = vault.seal("phone", "13900000000")
    tracker = {
        "slots": {"phone": phone},
        "events": [{"event": "slot", "name": "phone", "value": v} for v in (other, phone, phone, phone)],
    }
    client.config_resetstat()
    sealed = pii_slots.reveal_tracker(tracker, vault)
    assert sealed == {"phone": phone}
    assert tracker["slots"]["phone"] == PHONE
    assert [e["value"] for e in tracker["events"]] == ["13900000000", PHONE, PHONE, PHONE]
    assert client.info("commandstats")["cmdstat_get"]["calls"] == 2, "one look-up per distinct value"
