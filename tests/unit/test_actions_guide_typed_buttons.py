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


def asked_situation(item: str = ITEM) -> Dict[str, Any]:
    """The bot's 个性指南 question about the item's materials, as Rasa stores it."""
    reply = render(get_catalogue().get(item), "materials", get_hall(), {})  # type: ignore[arg-type]
    return {"event": "bot", "text": reply.text, "data": {"buttons": reply.buttons}}


def tracker(text: str, intent: str, item: str = ITEM, asked: bool = True) -> Tracker:
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
    return Tracker(
        sender_id="typed",
        slots={"service": item},
        latest_message={"intent": {"name": intent, "confidence": 0.6}, "text": text, "entities": []},
        events=[
            {"event": "user", "text": f"{item}的材料清单是啥"},
            {"event": "slot", "name": "service", "value": item},
            *([asked_situation(item)] if asked else []),
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


@pytest.mark.parametrize(
    ("item", "text", "intent", "expected"),
    [
        # the intents the model gave these replies in a review: stop, overview, faq, a booking look-up
        ("开办药店一件事", "有了", "stop", "（已有营业执照）"),
        ("开办药店一件事", "我已经有营业执照了", "ask_service_guide", "（已有营业执照）"),
        ("开办药店一件事", "我已经有license了", "query_appointment", "（已有营业执照）"),
        ("开办餐饮店一件事", "还没办呢", "inform", "（还没有营业执照）"),
        ("退休一件事", "单位帮办", "faq", "（单位代为申请）"),
    ],
)
async def test_an_answer_in_own_words_gives_the_checklist(
    item: str, text: str, intent: str, expected: str
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, tracker(text, intent, item), {})
    reply: List[Dict[str, Any]] = dispatcher.messages
    assert reply[0]["custom"]["aspect"] == "materials"
    assert "□" in reply[0]["text"] and expected in reply[0]["text"]


async def test_a_situation_told_with_the_question_is_not_asked_again() -> None:
    """ "她社保卡丢了还要带啥不" tells 补办或换卡: the next question asks who comes, not which card."""
    item = "社会保障卡居民服务一卡通一件事"
    dispatcher = CollectingDispatcher()
    events = await ActionGuide().run(
        dispatcher, tracker("她社保卡丢了还要带啥不", "ask_materials", item, False), {}
    )
    assert dispatcher.messages[0]["custom"] == {
        "type": "guide_question",
        "item_id": "social_security_card",
        "aspect": "materials",
        "question": "agent",
    }
    stored = [e["value"] for e in events if e.get("name") == "situation_answers"]
    assert stored == [{"item": item, "answers": {"apply_type": "reissue"}}]
    told_both = CollectingDispatcher()
    await ActionGuide().run(
        told_both, tracker("社保卡丢了 帮我妈补办要带啥", "ask_materials", item, False), {}
    )
    assert "（补办或换卡、委托他人代办）" in told_both.messages[0]["text"]
