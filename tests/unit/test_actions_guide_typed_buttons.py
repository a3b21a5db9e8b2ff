"""A 个性指南 question answered by typing instead of tapping gives the same checklist."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.guide import ActionGuide
from bot.catalogue import get_catalogue
from bot.guide import render
from bot.hall import get_hall

ITEM = "新生儿出生一件事"


def asked_situation() -> Dict[str, Any]:
    """The bot's 个性指南 question about the newborn's materials, as Rasa stores it."""
    reply = render(get_catalogue().get(ITEM), "materials", get_hall(), {})  # type: ignore[arg-type]
    return {"event": "bot", "text": reply.text, "data": {"buttons": reply.buttons}}


def tracker(text: str, intent: str) -> Tracker:
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
    return Tracker(
        sender_id="typed",
        slots={"service": ITEM},
        latest_message={"intent": {"name": intent, "confidence": 0.6}, "text": text, "entities": []},
        events=[
            {"event": "user", "text": f"{ITEM}的材料清单是啥"},
            {"event": "slot", "name": "service", "value": ITEM},
            asked_situation(),
            user,
        ],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("本市户籍", "ask_eligibility", "本市户籍"),
        ("我们是外地户籍的", "inform", "外地户籍"),
        ("第一个", "inform", "本市户籍"),
    ],
)
async def test_a_typed_situation_gives_the_checklist(text: str, intent: str, expected: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, tracker(text, intent), {})
    reply: List[Dict[str, Any]] = dispatcher.messages
    assert reply[0]["custom"]["aspect"] == "materials"
    assert "□" in reply[0]["text"] and expected in reply[0]["text"]


async def test_a_question_that_names_no_button_is_its_own_aspect() -> None:
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, tracker("要满足啥条件", "ask_eligibility"), {})
    assert dispatcher.messages[0]["custom"]["aspect"] == "eligibility"
