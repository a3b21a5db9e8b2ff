"""The 办事指南 action: answers the asked aspect of the item in context."""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_helpers import last_buttons
from bot.booking_dialogue import choose_button
from bot.catalogue import Catalogue, ServiceItem, get_catalogue
from bot.guide import (
    INTENT_TO_ASPECT,
    GuideReply,
    ask_which_item,
    choose_item,
    did_you_mean,
    parse_situation,
    render,
)
from bot.hall import get_hall

logger = logging.getLogger(__name__)


RELINK_EXTRACTOR = "action_guide"


def service_mentions(tracker: Tracker) -> List[Dict[str, Any]]:
    """The latest message's ``service`` entities, as the NLU linker (or a button) gave them."""
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "service"]


def relinked(catalogue: Catalogue, text: str) -> List[Dict[str, Any]]:
    """A ``service`` mention of the item whose name or alias the typed ``text`` holds, if any.

    For a message in which NLU found no item: an alias staff added a moment ago may not have
    reached the Rasa process yet (it looks for edits every few seconds), but this process's
    catalogue already has it.
    """
    if not text.strip() or text.startswith("/"):
        return []
    item = catalogue.mentioned_in(text)
    if item is None:
        return []
    return [{"entity": "service", "value": item.name, "extractor": RELINK_EXTRACTOR}]


def item_in_context(tracker: Tracker) -> Optional[str]:
    """The item of the conversation before the latest message.

    Slot mappings run before the action, so a ``service`` entity of the latest message may
    already have replaced the slot; the slot's value before the latest user event is the
    context. Without events (a bare tracker) the slot itself is used.
    """
    events = list(tracker.events or [])
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return tracker.get_slot("service")
    value: Optional[str] = None
    for event in events[: users[-1]]:
        if event.get("event") == "slot" and event.get("name") == "service":
            value = event.get("value")
        elif event.get("event") == "restart":
            value = None
    return value


def mentioned_items(tracker: Tracker) -> List[str]:
    """Canonical names of the items the latest message mentions, in order, without repeats."""
    names: List[str] = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "service" and entity.get("value") not in names:
            names.append(str(entity["value"]))
    return names


def situation_answers(tracker: Tracker, item: ServiceItem) -> Dict[str, str]:
    """The 个性指南 answers given for this item so far, plus one sent with the latest message."""
    stored = tracker.get_slot("situation_answers") or {}
    answers = dict(stored.get("answers") or {}) if stored.get("item") == item.name else {}
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "situation":
            parsed = parse_situation(str(entity.get("value")))
            known = {s.key: s.options for s in item.situations or []}
            if parsed and parsed[1] in known.get(parsed[0], {}):
                answers[parsed[0]] = parsed[1]
    return answers


def send(dispatcher: CollectingDispatcher, reply: GuideReply) -> None:
    """Utter a guide reply: text with buttons, and the card as a custom payload."""
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, json_message=reply.custom)


def as_tapped(tracker: Tracker) -> None:
    """Read a typed answer to the guide's last buttons ("本市户籍", "第二个") as the tapped button.

    The latest message becomes the button's payload (its intent and entities), so a 个性指南
    situation typed instead of tapped gives the checklist, not another aspect of the item.
    """
    text = tracker.latest_message.get("text") or ""
    chosen = choose_button(text, last_buttons(tracker)) if text and not text.startswith("/") else None
    payload = str((chosen or {}).get("payload") or "")
    match = re.fullmatch(r"/(\w+)(\{.*\})?", payload, flags=re.DOTALL)
    if match is None or match.group(1) not in INTENT_TO_ASPECT:
        return
    try:
        values = json.loads(match.group(2) or "{}")
    except ValueError:
        return
    entities = [{"entity": str(k), "value": str(v)} for k, v in values.items()]
    tracker.latest_message = {
        **tracker.latest_message,
        "intent": {"name": match.group(1), "confidence": 1.0},
        "entities": entities,
    }


class ActionGuide(Action):
    """Answers guide questions for the item named or described now or, failing that, the item in context.

    Which item is decided by `bot.guide.choose_item` (the context rules live there).
    """

    def name(self) -> str:
        """The domain name of this action."""
        return "action_guide"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Pick the item, then answer its aspect, ask which item is meant, or ask a 个性指南 question."""
        as_tapped(tracker)
        catalogue, hall = get_catalogue(), get_hall()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "ask_service_guide"
        aspect = INTENT_TO_ASPECT.get(intent, "overview")
        ask_intent = intent if intent in INTENT_TO_ASPECT else "ask_service_guide"
        text = tracker.latest_message.get("text") or ""
        in_context = catalogue.get(item_in_context(tracker) or "")
        mentions = service_mentions(tracker) or relinked(catalogue, text)
        choice = choose_item(catalogue, text, mentions, in_context, aspect)
        item: Optional[ServiceItem] = choice.item
        if item is None:
            if choice.choices:
                send(dispatcher, did_you_mean(choice.choices, ask_intent, current=choice.current))
            else:
                send(dispatcher, ask_which_item(catalogue, hall, ask_intent))
            if tracker.get_slot("service") != (in_context.name if in_context else None):
                # the linker's entity may have changed the slot already: keep the context
                return [SlotSet("service", in_context.name if in_context else None)]
            return []

        answers = situation_answers(tracker, item)
        send(dispatcher, render(item, aspect, hall, answers, choice.details))
        if tracker.active_loop_name:
            # a question asked in the middle of a form must not change the item being booked
            return []
        return [
            SlotSet("service", item.name),
            SlotSet("situation_answers", {"item": item.name, "answers": answers}),
        ]
