"""Personal slots at the action server's edge: real values inside an action, sealed values outside.

Rasa keeps every slot event in its tracker store, so the 手机号, 身份证号 and name a form collects
must never travel back to Rasa as they are. Every action call passes through here (installed on
rasa_sdk's ``ActionExecutor.run`` by ``actions/__init__.py``):

- on the way in, each sealed personal slot (``137****5678#pii:<reference>``, in the slots and in
  the slot events) is replaced by the real value from the vault, so actions read and check real
  values exactly as before;
- on the way out, each personal slot an action sets is sealed into the vault and Rasa receives only
  the masked form and the reference; a personal slot that is cleared or replaced has its vault
  entry deleted at once.

The vault is ``bot/pii_vault.py``; what still reaches the tracker store unsealed is masked by
``bot/tracker_store.py``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk.executor import ActionExecutor

from bot.pii_vault import PERSONAL_SLOTS, Vault, is_sealed, vault_from_settings

ORIGINAL_RUN = ActionExecutor.run


@lru_cache(maxsize=1)
def default_vault() -> Vault:
    """The action server's vault, on the configured Redis."""
    return vault_from_settings()


def reveal_tracker(tracker: Dict[str, Any], vault: Vault) -> Dict[str, str]:
    """Replace sealed personal slots in a tracker's JSON by their values; return the sealed ones by slot.

    Each sealed value is looked up in the vault once, however many events repeat it (the slot and
    the events that set it: two Redis round trips a look-up, on the action server's event loop).
    """
    sealed: Dict[str, str] = {}
    revealed: Dict[Tuple[str, str], Optional[str]] = {}

    def reveal(name: str, value: str) -> Optional[str]:
        if (name, value) not in revealed:
            revealed[name, value] = vault.reveal(name, value)
        return revealed[name, value]

    slots = tracker.get("slots") or {}
    for name in PERSONAL_SLOTS:
        value = slots.get(name)
        if isinstance(value, str) and is_sealed(value):
            sealed[name] = value
            slots[name] = reveal(name, value)
    for event in tracker.get("events") or []:
        if (
            event.get("event") == "slot"
            and event.get("name") in PERSONAL_SLOTS
            and is_sealed(event.get("value"))
        ):
            event["value"] = reveal(event["name"], event["value"])
    return sealed


def seal_events(events: List[Dict[str, Any]], vault: Vault, sealed_before: Dict[str, str]) -> None:
    """Seal every personal slot value that ``events`` set; forget the entries of cleared or replaced ones."""
    replaced: List[str] = []
    for event in events:
        name = event.get("name")
        if event.get("event") != "slot" or name not in PERSONAL_SLOTS:
            continue
        value = event.get("value")
        if is_sealed(value):
            continue
        if name in sealed_before:
            replaced.append(sealed_before.pop(name))
        if value is not None and value != "":
            event["value"] = vault.seal(name, str(value))
    if replaced:
        vault.forget(replaced)


async def run_with_sealed_slots(
    self: ActionExecutor, action_call: Dict[str, Any]
) -> Optional[Dict[str, Any]]:
    """rasa_sdk's ``ActionExecutor.run``, with personal slots revealed before and sealed after."""
    vault = default_vault()
    tracker = action_call.get("tracker")
    sealed_before = reveal_tracker(tracker, vault) if isinstance(tracker, dict) else {}
    result = await ORIGINAL_RUN(self, action_call)
    if result and isinstance(result.get("events"), list):
        seal_events(result["events"], vault, sealed_before)
    return result


def install() -> bool:
    """Route every action call of this process through the vault; return whether it was installed now."""
    if ActionExecutor.run is run_with_sealed_slots:
        return False
    ActionExecutor.run = run_with_sealed_slots
    return True
