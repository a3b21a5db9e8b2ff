"""预约办 through the real stack: book, find from a new session, digress, stop, cancel."""

from __future__ import annotations

import re

import pytest

from bot.pii import id_check_char
from tests.conftest import Stack
from tests.integration.test_guide_journeys import Conversation, buttons_of, text_of

pytestmark = pytest.mark.integration

ID17 = "41010519900307452"
ID_NUMBER = ID17 + id_check_char(ID17)
PHONE = "13712345678"


def book(stack: Stack, item_request: str = "我想预约办退休") -> tuple[Conversation, str]:
    chat = Conversation(stack)
    asks_day = chat.say(item_request)
    days = buttons_of(asks_day)
    assert days and "哪一天" in text_of(asks_day)
    asks_time = chat.say(days[0]["payload"])
    times = buttons_of(asks_time)
    assert times and "空闲时段" in text_of(asks_time)
    assert "姓名" in text_of(chat.say(times[0]["payload"]))
    assert "手机" in text_of(chat.say("王建国"))
    assert "身份证" in text_of(chat.say(PHONE))
    summary = chat.say(ID_NUMBER)
    assert (
        "137****5678" in text_of(summary)
        and PHONE not in text_of(summary)
        and ID_NUMBER not in text_of(summary)
    )
    booked = chat.say("/affirm")
    text = text_of(booked)
    match = re.search(r"预约号\s*([A-Z0-9]{6,})", text)
    assert match, text
    assert "窗口" in text and "地址" in text and "请携带" in text
    return chat, match.group(1)


def test_book_then_find_from_a_new_session(stack: Stack) -> None:
    _, code = book(stack)
    other = Conversation(stack)
    assert "预约号" in text_of(other.say("查一下我的预约"))
    assert "手机" in text_of(other.say(code))
    found = text_of(other.say(PHONE))
    assert code in found and "已预约" in found and PHONE not in found


def test_wrong_phone_does_not_reveal_the_booking(stack: Stack) -> None:
    _, code = book(stack, "帮我约个时间办就医费用报销")
    other = Conversation(stack)
    other.say("查询预约")
    other.say(code)
    reply = text_of(other.say("13900000000"))
    assert "没有找到" in reply and code not in reply


def test_invalid_answers_get_reasons(stack: Stack) -> None:
    chat = Conversation(stack)
    days = buttons_of(chat.say("预约办理社保卡"))
    times = buttons_of(chat.say(days[0]["payload"]))
    chat.say(times[0]["payload"])
    chat.say("李华")
    assert "11位" in text_of(chat.say("138123"))
    chat.say("13812345678")
    assert "校验" in text_of(chat.say(ID17 + ("0" if ID_NUMBER[-1] != "0" else "1")))


def test_digression_then_back_to_the_form(stack: Stack) -> None:
    chat = Conversation(stack)
    assert "哪一天" in text_of(chat.say("我要预约 办退休"))
    detour = chat.say("办退休要带什么材料")
    assert "退休一件事" in text_of(detour)
    assert "哪一天" in text_of(detour), "the form asks its question again after the answer"


def test_stop_the_form(stack: Stack) -> None:
    chat = Conversation(stack)
    chat.say("我要预约办退休")
    assert "停止" in text_of(chat.say("算了不约了"))
    assert "09:00" in text_of(chat.say("大厅几点上班"))


def test_cancel_from_a_new_session(stack: Stack) -> None:
    _, code = book(stack, "我想预约 退役军人报到")
    other = Conversation(stack)
    other.say("我要取消预约")
    other.say(code)
    cancelled = text_of(other.say(PHONE))
    assert "已为您取消" in cancelled and code in cancelled


def test_reschedule_from_a_new_session(stack: Stack) -> None:
    _, code = book(stack, "我想预约 办残疾证")
    other = Conversation(stack)
    other.say("我的预约想改个时间")
    other.say(code)
    found = other.say(PHONE)
    assert "下面为您改约" in text_of(found) and "哪一天" in text_of(found)
    days = buttons_of(found)
    times = buttons_of(other.say(days[-1]["payload"]))
    moved = text_of(other.say(times[-1]["payload"]))
    assert "改约成功" in moved and code in moved
    again = Conversation(stack)
    again.say("查询预约")
    again.say(code)
    assert times[-1]["title"].split("-")[0] in text_of(again.say(PHONE))
