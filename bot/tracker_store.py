"""Rasa's Redis tracker store, with personal data masked before any event is written.

Rasa keeps a conversation's events (what the citizen typed, what NLU found in it, every slot
value, every reply) in Redis for ``record_exp`` seconds. This store writes them with every
身份证号 and mobile number masked (``pii.mask_text``: ``110105********002X``, ``138****5678``), in
the user's text, the parse data and its entities, slot values, bot replies and metadata alike, so
Redis, a dump of it, any tracker exported from it and an event broker (should one be configured)
hold only masked forms. Personal slots (``bot.pii_vault.PERSONAL_SLOTS``) rest as sealed values
(masked form + vault reference, set by the action server) or masked; the answer to "请输入预约人的
姓名" and ``person_name`` entities are masked as names, which free text otherwise cannot be.

Masking happens on the way out only; within a turn Rasa works on the real message, so NLU and the
actions still see the real number. What the next turn loads is the masked history, which is why the
action server keeps the real values it needs in the vault (``bot/pii_vault.py``), never in a slot.

Personal slots live only as long as a form that uses them: when a turn ends with no form active,
any personal slot still set (a form left for another topic) is cleared and its vault entry deleted,
except the phone of a booking found and kept in context (``appointment_code`` set).

The store holds the latest session in two keys, so that a turn's cost does not grow with the
conversation (``make bench``'s turn 200 / turn 10):

- ``<prefix>:tracker:<sender>``, a Redis list: every event of the session, one JSON object each,
  redacted. A save appends only the turn's new events (``RPUSH``); nothing reads the whole list
  during a conversation (``stored_session_events`` and Rasa's full-tracker read do).
- ``<prefix>:tracker_window:<sender>``, a string: what Rasa is given at the next turn, the last
  ``window_turns`` citizen messages after a snapshot of the state the earlier events left (the
  session start, every slot's latest value and the active form; ``window_of``), and the form's
  question pending after them (which answer to mask as a name).

Rasa reads the window at ``retrieve``; ``save`` redacts and appends only the events Rasa added to it
(kept from ``retrieve``, or from the save of a tracker Rasa has just created, until the turn's next
``save``; Rasa's lock store makes them one process's turn) and writes the next window, computed from
the previous one and the new events. Both are awaited on Rasa's event loop (``bot.redis_async``),
not made with Rasa's blocking client, and the turn's writes (its events, the next window, the vault
entries of personal slots it clears) are one ``MULTI``/``EXEC`` transaction. Only a conversation
still stored in Rasa's own format with several sessions in it is read once through Rasa's
``retrieve``, with the blocking client. The item in context, an open form and the session carry on
past the window. ``window_turns: 0`` gives Rasa everything. A session stored as one JSON string (the
format before) is read as before and rewritten in this form at its next save.

Configured in ``endpoints.yml``: ``tracker_store: type: bot.tracker_store.RedactingRedisTrackerStore``.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.events import ActionExecuted, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot import json_codec, pii
from bot.logs import configure_logging
from bot.pii_vault import PERSONAL_SLOTS, mask_slot_value, vault_keys
from bot.redis_async import LoopClients, transaction

logger = logging.getLogger(__name__)
#: the slot that holds the 预约号 of a booking found by the look-up form (actions/appointment_lookup.py)
BOOKING_IN_CONTEXT_SLOT = "appointment_code"

#: Keys whose values are identifiers, never personal data (a hex message id can contain a run of
#: eleven digits that looks like a mobile number; masking it would change the event).
IDENTIFIER_KEYS = frozenset({"message_id", "sender_id", "timestamp", "event"})
NAME_SLOT = "person_name"
#: Conversations whose window is kept from ``retrieve`` (or a new tracker's save) to the next ``save``.
WINDOWS_KEPT = 1000
#: Citizen messages of a session Rasa is given, by default (``window_turns`` in endpoints.yml).
WINDOW_TURNS = 20


def mask_deep(value: Any) -> Any:
    """A copy of a JSON-like value with ID and mobile numbers masked in every string and number."""
    if isinstance(value, str):
        return pii.mask_text(value)
    if isinstance(value, dict):
        masked = {k: v if k in IDENTIFIER_KEYS else mask_deep(v) for k, v in value.items()}
        if masked.get("entity") == NAME_SLOT and isinstance(masked.get("value"), str):
            masked["value"] = pii.mask_name(masked["value"])
        return masked
    if isinstance(value, list):
        return [mask_deep(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        masked_text = pii.mask_text(text)
        return value if masked_text == text else masked_text
    return value


def _mask_name_answer(event: Dict[str, Any]) -> None:
    """Mask, as a name, the text the citizen gave when asked for the name."""
    if isinstance(event.get("text"), str):
        event["text"] = pii.mask_name(event["text"])
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict) and isinstance(parse_data.get("text"), str):
        parse_data["text"] = pii.mask_name(parse_data["text"])


def redact_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Serialised events as they may rest: personal data masked or sealed, everything else as it was."""
    return redact_after(events, None)[0]


def redact_after(
    events: List[Dict[str, Any]], requested_slot: Optional[str]
) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    """``redact_events`` for events that follow others.

    ``requested_slot`` is the form's question pending before the events; returns the redacted
    events and the question pending after them.
    """
    redacted = []
    for event in events:
        kind = event.get("event")
        masked = mask_deep(event)
        if kind == "slot":
            name = event.get("name")
            if name in PERSONAL_SLOTS:
                masked["value"] = mask_deep(mask_slot_value(name, event.get("value")))
            elif name == "requested_slot":
                requested_slot = event.get("value")
        elif kind == "active_loop" and not event.get("name"):
            requested_slot = None
        elif kind == "user" and requested_slot == NAME_SLOT:
            _mask_name_answer(masked)
        redacted.append(masked)
    return redacted, requested_slot


def pending_question(events: List[Dict[str, Any]]) -> Optional[str]:
    """The form's question pending after these serialised events (as ``redact_after`` tracks it)."""
    requested_slot: Optional[str] = None
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested_slot = event.get("value")
        elif kind == "active_loop" and not event.get("name"):
            requested_slot = None
    return requested_slot


def window_of(events: List[Dict[str, Any]], turns: int) -> List[Dict[str, Any]]:
    """The serialised events Rasa is given of a session: all, or a snapshot and the last ``turns``.

    With more than ``turns`` citizen messages (``turns`` > 0), the events before the
    ``turns``-th last message are replaced by the state they left: the session's start events,
    the latest ``slot`` event of each slot still set (after the last ``reset_slots`` or
    ``restart``), the last ``active_loop`` event when a form is active (and its
    ``loop_interrupted``), then the ``action_listen`` before that message. Events are the stored
    dicts themselves, timestamps included.
    """
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if turns <= 0 or len(users) <= turns:
        return events
    cut = users[-turns]
    # the stored session is one session: it starts once
    head = [
        e
        for e in events[:cut]
        if e.get("event") == "session_started" or e.get("name") == ACTION_SESSION_START_NAME
    ]
    slots: Dict[str, Dict[str, Any]] = {}
    loop: Optional[Dict[str, Any]] = None
    interrupted: Optional[Dict[str, Any]] = None
    for event in events[:cut]:
        kind = event.get("event")
        if kind == "slot":
            slots.pop(str(event.get("name")), None)
            slots[str(event.get("name"))] = event
        elif kind in ("reset_slots", "restart"):
            slots.clear()
            if kind == "restart":
                loop = interrupted = None
        elif kind == "active_loop":
            loop, interrupted = (event if event.get("name") else None), None
        elif kind == "loop_interrupted":
            interrupted = event
    state = [e for e in slots.values() if e.get("value") is not None]
    if loop is not None:
        state += [loop] + ([interrupted] if interrupted is not None else [])
    before = events[cut - 1]
    if before.get("event") != "action" or before.get("name") != "action_listen":
        before = {"event": "action", "name": "action_listen", "timestamp": before.get("timestamp")}
    return [*head, *state, before, *events[cut:]]


@dataclass(frozen=True)
class StoredSession:
    """What ``retrieve`` read of a conversation's latest session.

    ``given`` are the stored (redacted) events Rasa was given (``window_of`` the session), and
    ``pending`` the form's question pending after them (``pending_question``). ``whole``: every
    event of a session stored as one JSON string (the format before), which the next save
    rewrites as a list; ``None`` for a session stored as a list.
    """

    given: List[Dict[str, Any]]
    pending: Optional[str]
    whole: Optional[List[Dict[str, Any]]] = None

    def continued_by(self, session: List[Event]) -> bool:
        """Whether ``session`` starts with exactly the events given (Rasa only appends to a tracker)."""
        count = len(self.given)
        if not self.given or len(session) < count:
            return False
        return all(
            self.given[i].get("event") == session[i].type_name
            and self.given[i].get("timestamp") == session[i].timestamp
            for i in (0, count - 1)
        )


def window_key(key_prefix: str) -> str:
    """The window keys' prefix beside Rasa's ``key_prefix``: ``gxx:tracker:`` → ``gxx:tracker_window:``."""
    return key_prefix.rstrip(":") + "_window:"


def stored_session_events(
    client: Any, sender_id: str, key_prefix: str = "gxx:tracker:"
) -> List[Dict[str, Any]]:
    """Every stored event of a conversation's latest session, oldest first ([] when none is stored).

    ``client`` is a ``redis.Redis``; ``key_prefix`` the store's (``<key_prefix>:tracker:``). Reads
    both the list form and the single JSON string of the format before.
    """
    key = key_prefix + sender_id
    kind = _kind(client.type(key))
    return _session_events(kind, client.lrange(key, 0, -1) if kind == "list" else client.get(key))


async def read_session_events(
    client: Any, sender_id: str, key_prefix: str
) -> Tuple[str, List[Dict[str, Any]]]:
    """``stored_session_events`` through a ``redis.asyncio.Redis``, with the key's type.

    The type is ``"list"``, ``"string"`` (the format before) or ``"none"`` (nothing stored).
    """
    key = key_prefix + sender_id
    kind = _kind(await client.type(key))
    stored = await (client.lrange(key, 0, -1) if kind == "list" else client.get(key))
    return kind, _session_events(kind, stored)


def _kind(kind: Any) -> str:
    return kind.decode() if isinstance(kind, bytes) else str(kind)


def _session_events(kind: str, stored: Any) -> List[Dict[str, Any]]:
    """The events of a session key of type ``kind`` read as ``stored`` (a list's items or a string)."""
    if kind == "list":
        return [json_codec.loads(item) for item in stored]
    if kind == "string" and stored is not None:
        return list(json_codec.loads(stored).get("events") or [])
    return []


def latest_session_events(tracker: DialogueStateTracker) -> List[Event]:
    """The tracker's events from its latest ``action_session_start`` on (all when there is none)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, 0, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            return events[index:]
    return events


class RedactingRedisTrackerStore(RedisTrackerStore):
    """Redis tracker store whose stored events hold personal data only masked or sealed."""

    def __init__(self, *args: Any, window_turns: int = WINDOW_TURNS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window_turns = int(window_turns)
        self.window_prefix = window_key(self.key_prefix)
        self.clients = LoopClients(self.red)  # the turn's reads and writes, on Rasa's event loop
        configure_logging()  # the Rasa process's log lines are masked too
        self._read: OrderedDict[str, StoredSession] = OrderedDict()

    @staticmethod
    def serialise_tracker(tracker: DialogueStateTracker) -> str:
        """The tracker's latest session as one JSON document, events redacted (see ``redact_events``)."""
        dialogue = Dialogue(tracker.sender_id, latest_session_events(tracker)).as_dict()
        dialogue["events"] = redact_events(dialogue["events"])
        return json_codec.dumps(dialogue)

    async def _stream_new_events(
        self, event_broker: EventBroker, new_events: List[Event], sender_id: str
    ) -> None:
        """Publish new events to an event broker, should one be configured, redacted as they are stored."""
        bodies = [{"sender_id": sender_id, **event.as_dict()} for event in new_events]
        for body in redact_events(bodies):
            event_broker.publish(body)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The tracker Rasa works on: the window of the stored latest session (see the module).

        A session stored as one JSON string that still holds several sessions (Rasa's own format)
        goes through Rasa's ``retrieve``, which splits it into sessions.
        """
        session = await self._read_session(sender_id)
        if session is None:
            # Rasa saves the tracker it creates next: nothing stored to read again
            self._keep(sender_id, StoredSession([], None))
            return None
        tracker = self._tracker_of(sender_id, session.given)
        if session.whole is not None and len(latest_session_events(tracker)) != len(tracker.events):
            return await super().retrieve(sender_id)
        self._keep(sender_id, session)
        return tracker

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """Every stored event of the conversation (its latest session), not only the window."""
        _, events = await read_session_events(self.clients.current(), sender_id, self.key_prefix)
        return self._tracker_of(sender_id, events) if events else None

    def _tracker_of(self, sender_id: str, events: List[Dict[str, Any]]) -> DialogueStateTracker:
        """A tracker replaying these stored (serialised) events."""
        tracker = self.init_tracker(sender_id)
        tracker.recreate_from_dialogue(Dialogue.from_parameters({"name": sender_id, "events": events}))
        return tracker

    async def _read_session(self, sender_id: str) -> Optional[StoredSession]:
        """The window of the stored session and its pending question; None when nothing is stored."""
        client = self.clients.current()
        window = await client.get(self.window_prefix + sender_id)
        if window is not None:
            document = json_codec.loads(window)
            return StoredSession(list(document.get("events") or []), document.get("pending"))
        # no window (stored in the format before, or the window key lost): read the whole session
        kind, events = await read_session_events(client, sender_id, self.key_prefix)
        legacy = kind == "string"
        if not events:
            return None
        return StoredSession(
            window_of(events, self.window_turns), pending_question(events), events if legacy else None
        )

    async def _stored_session(self, sender_id: str) -> Optional[StoredSession]:
        """The session as this turn's ``retrieve`` read it (or a new tracker's save stored it), else read.

        What is kept is only trusted for a tracker that continues it (``StoredSession.continued_by``);
        any other tracker replaces what is stored, as after a fresh read that does not match.
        """
        return self._read.pop(sender_id, None) or await self._read_session(sender_id)

    def _keep(self, sender_id: str, session: StoredSession) -> None:
        self._read[sender_id] = session
        self._read.move_to_end(sender_id)
        while len(self._read) > WINDOWS_KEPT:
            self._read.popitem(last=False)

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        """Clear personal slots no active form needs, then store the turn's events, redacted.

        Appends the events Rasa added to the session it was given and writes the next window
        (see the module). A new session, a tracker that does not continue the one read, or one
        stored in the format before, replaces what is stored. Only the latest session is kept, the
        one ``retrieve`` gives Rasa anyway: Rasa's own ``save`` reads, replays and merges the
        stored tracker on every turn to keep the earlier sessions (docs/benchmarks.md).
        """
        cleared = self.clear_personal_slots_outside_forms(tracker)
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        session = latest_session_events(tracker)
        stored = await self._stored_session(sender_id)
        expiry = int(timeout or self.record_exp or 0) or None
        key, window = self.key_prefix + sender_id, self.window_prefix + sender_id
        replace = True
        if stored is not None and stored.continued_by(session):
            added = Dialogue(sender_id, session[len(stored.given) :]).as_dict()["events"]
            new, pending = redact_after(added, stored.pending)
            given = stored.given + new
            replace = stored.whole is not None  # stored as one JSON string: rewritten as a list
            if stored.whole is not None:
                new = stored.whole + new
        else:
            new, pending = redact_after(Dialogue(sender_id, session).as_dict()["events"], None)
            given = new
        document = {"name": sender_id, "events": window_of(given, self.window_turns), "pending": pending}
        forgotten = vault_keys(cleared.values())

        def queue(pipeline: Any) -> None:
            if replace:
                pipeline.delete(key)
            if new:
                pipeline.rpush(key, *(json_codec.dumps_bytes(event) for event in new))
            pipeline.set(window, json_codec.dumps_bytes(document), ex=expiry)
            if expiry:
                pipeline.expire(key, expiry)
            if forgotten:
                pipeline.delete(*forgotten)

        await transaction(self.clients.current(), queue)
        if stored is not None and not stored.given and stored.whole is None:
            # Rasa's save of a tracker it has just created (nothing stored, `retrieve`): the turn's
            # save that follows appends to it without reading it back
            self._keep(sender_id, StoredSession(given, pending))

    def clear_personal_slots_outside_forms(self, tracker: DialogueStateTracker) -> Dict[str, Any]:
        """Unset the personal slots when no form is active; return the values cleared, by slot.

        ``save`` deletes the vault entries of the cleared values in the transaction that stores
        the turn.

        A booking found by 预约号 and phone number stays in context (the look-up action keeps
        ``appointment_code`` and the sealed phone so that "改到后天下午" needs neither again); its
        phone is kept until the look-up slots are reset, and its vault entry expires in any case.
        """
        if tracker.active_loop_name:
            return {}
        if tracker.get_slot(BOOKING_IN_CONTEXT_SLOT):
            return {}
        held = {
            name: slot.value
            for name, slot in tracker.slots.items()
            if name in PERSONAL_SLOTS and slot.value is not None
        }
        for name in held:
            tracker.update(SlotSet(name, None))
        if held:
            logger.info("cleared the personal slots of a form left unfinished: %s", ", ".join(sorted(held)))
        return held
