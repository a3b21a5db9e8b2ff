"""The 办事指南 action: answers the asked aspect of the item in context."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.catalogue import ServiceItem, get_catalogue
from bot.guide import (
    BACK_REFERENCES,
    INTENT_TO_ASPECT,
    GuideReply,
    ask_which_item,
    did_you_mean,
    parse_situation,
    render,
)
from bot.hall import get_hall

logger = logging.getLogger(__name__)


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


class ActionGuide(Action):
    """Answers guide questions for the item mentioned now or, failing that, the item in context."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_guide"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Pick the item, then answer its aspect, ask which item is meant, or ask a 个性指南 question."""
        catalogue, hall = get_catalogue(), get_hall()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "ask_service_guide"
        aspect = INTENT_TO_ASPECT.get(intent, "overview")
        ask_intent = intent if intent in INTENT_TO_ASPECT else "ask_service_guide"
        text = tracker.latest_message.get("text") or ""
        names = mentioned_items(tracker)

        if len(names) > 1:
            items = [i for i in (catalogue.get(n) for n in names) if i is not None]
            send(dispatcher, did_you_mean(items, ask_intent))
            return []

        item: Optional[ServiceItem] = catalogue.get(names[0]) if names else None
        if item is None:
            typed = not text.startswith("/")
            candidates = [found for found, _ in catalogue.search(text, limit=3)] if typed else []
            in_context = catalogue.get(tracker.get_slot("service") or "")
            refers_back = any(word in text for word in BACK_REFERENCES)
            needs_mention = aspect == "overview" and not refers_back
            if in_context is not None and not needs_mention:
                item = in_context
            elif candidates:
                send(dispatcher, did_you_mean(candidates, ask_intent))
                return []
            else:
                send(dispatcher, ask_which_item(catalogue, hall, ask_intent))
                return []

        answers = situation_answers(tracker, item)
        send(dispatcher, render(item, aspect, hall, answers))
        if tracker.active_loop_name:
            # a question asked in the middle of a form must not change the item being booked
            return []
        return [
            SlotSet("service", item.name),
            SlotSet("situation_answers", {"item": item.name, "answers": answers}),
        ]
