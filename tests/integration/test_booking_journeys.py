"""预约办 through the real stack: book, find from a new session, digress, stop, cancel."""

from __future__ import annotations

import re
import uuid
from typing import Any, Dict, List, Optional

import httpx
import pytest
import redis

from bot.channel_contract import SECRET_HEADER
from bot.pii import id_check_char
from bot.tracker_store import stored_session_events
from tests.conftest import Stack
from tests.integration.test_guide_journeys import Conversation, buttons_of, text_of
from tests.utils.conversations import check

pytestmark = pytest.mark.integration

ID17 = "41010519900307452"
ID_NUMBER = ID17 + id_check_char(ID17)
OTHER17 = "41010519851120383"
OTHER_ID = OTHER17 + id_check_char(OTHER17)
PHONE = "13712345678"


def book(
    stack: Stack,
    item_request: str = "我想预约办退休",
    chat: Optional[Conversation] = None,
    id_number: str = ID_NUMBER,
) -> tuple[Conversation, str]:
    chat = chat or Conversation(stack)
    asks_day = chat.say(item_request)
    days = buttons_of(asks_day)
    assert days and "哪一天" in text_of(asks_day)
    asks_time = chat.say(days[0]["payload"])
    times = buttons_of(asks_time)
    assert times and "空闲时段" in text_of(asks_time)
    assert "姓名" in text_of(chat.say(times[0]["payload"]))
    assert "手机" in text_of(chat.say("王建国"))
    assert "身份证" in text_of(chat.say(PHONE))
    summary = chat.say(id_number)
    assert (
        "137****5678" in text_of(summary)
        and PHONE not in text_of(summary)
        and id_number not in text_of(summary)
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


def test_signed_in_user_finds_and_cancels_bookings_without_code_or_phone(stack: Stack) -> None:
    user = f"zhb-{uuid.uuid4().hex[:12]}"
    _, first = book(stack, chat=Conversation(stack, user=user), id_number=OTHER_ID)
    # a new session of the same 郑好办 user (the app opened again): the only booking is found at once
    later = Conversation(stack, user=user)
    found = text_of(later.say("查一下我的预约"))
    assert first in found and "已预约" in found and "请输入" not in found, found
    _, second = book(stack, "帮我约个时间办就医费用报销", chat=later, id_number=OTHER_ID)
    # two bookings now: cancelling lists them to choose from, the tap cancels the one chosen
    listing = Conversation(stack, user=user)
    choices = listing.say("我想取消预约")
    assert first in text_of(choices) and second in text_of(choices), text_of(choices)
    chosen = next(b for b in buttons_of(choices) if second in b["payload"])
    cancelled = text_of(listing.say(chosen["payload"]))
    assert "已为您取消" in cancelled and second in cancelled and "手机号" not in cancelled, cancelled
    # another signed-in user and a guest see nothing of it
    stranger = text_of(Conversation(stack, user="zhb-someone-else").say("查一下我的预约"))
    assert "暂时没有" in stranger and first not in stranger
    guest = text_of(Conversation(stack).say("查一下我的预约"))
    assert "预约号" in guest and first not in guest


def test_wrong_phone_does_not_reveal_the_booking(stack: Stack) -> None:
    _, code = book(stack, "帮我约个时间办就医费用报销")
    other = Conversation(stack)
    other.say("查询预约")
    other.say(code)
    reply = other.say("13900000000")
    assert "没有找到" in text_of(reply) and code not in text_of(reply)
    # "请核对后重新输入" is meant: the 预约号 typed again asks for the phone, and the right pair finds it
    assert "重新输入预约号" in text_of(reply), reply
    assert "手机" in text_of(other.say(code))
    assert code in text_of(other.say(PHONE))


def test_a_lookup_that_keeps_finding_nothing_ends_with_the_halls_phone(stack: Stack) -> None:
    chat = Conversation(stack)
    chat.say("查询预约")
    for _ in range(2):
        assert "手机" in text_of(chat.say("ABCD2345"))
        assert "重新输入" in text_of(chat.say("13900000000"))
    assert "手机" in text_of(chat.say("ABCD2345"))
    last = text_of(chat.say("13900000000"))
    assert "咨询电话" in last and "重新输入" not in last, last


@pytest.mark.parametrize("question", ["结婚登记要预约吗", "办社保卡需要预约吗"])
def test_a_question_whether_booking_is_needed_is_answered_not_booked(stack: Stack, question: str) -> None:
    replies = Conversation(stack).say(question)
    assert [c.get("id") for r in replies if (c := r.get("custom"))] == ["yuyueban"], replies
    assert "没预约也可以现场取号办理" in text_of(replies)


def test_a_forgotten_code_is_answered_with_where_to_find_it(stack: Stack) -> None:
    reply = text_of(Conversation(stack).say("预约号忘了咋办"))
    assert "预约成功" in reply and "咨询电话" in reply and "查一下我的预约" in reply, reply


def test_invalid_answers_get_reasons(stack: Stack) -> None:
    chat = Conversation(stack)
    days = buttons_of(chat.say("预约办理社保卡"))
    times = buttons_of(chat.say(days[0]["payload"]))
    chat.say(times[0]["payload"])
    chat.say("李华")
    assert "11位" in text_of(chat.say("138123"))
    chat.say("13867905678")
    assert "校验" in text_of(chat.say(ID17 + ("0" if ID_NUMBER[-1] != "0" else "1")))


def test_a_day_out_of_reach_is_answered_with_the_days_to_choose_once(stack: Stack) -> None:
    chat = Conversation(stack)
    replies = chat.say("帮我约下个月20号上午去办退休")
    offering = [r for r in replies if any('"date"' in str(b.get("payload")) for b in r.get("buttons") or [])]
    assert len(offering) == 1, replies  # the reason and the days, not the days asked for again after it
    assert "超过可预约范围" in text_of(replies)
    titles = [b["title"] for b in offering[0]["buttons"]]
    assert len(titles) == len(set(titles)) >= 3
    assert "空闲时段" in text_of(chat.say(offering[0]["buttons"][0]["payload"]))


def test_a_day_answered_with_that_or_then_is_the_day(stack: Stack) -> None:
    # "那周一吧" was read as a wish to cancel, and the booking being made was stopped
    chat = Conversation(stack)
    days = buttons_of(chat.say("我想预约去办居住证"))
    weekday = re.search(r"周[一二三四五六日]", days[0]["title"])
    assert weekday, days
    replies = chat.say(f"那{weekday.group(0)}吧")
    assert "空闲时段" in text_of(replies) and "停止" not in text_of(replies), replies


@pytest.mark.parametrize("check", ["{day}上午中不中", "俺{day}下午去行不行", "{day}可以吗"])
def test_a_day_offered_with_a_closing_check_is_the_day(stack: Stack, check: str) -> None:
    # "明儿个上午中不中" was answered as a question about doing the item online, and the day asked again
    chat = Conversation(stack)
    days = buttons_of(chat.say("我想预约去办居住证"))
    weekday = re.search(r"周[一二三四五六日]", days[1]["title"])
    assert weekday, days
    replies = chat.say(check.format(day=weekday.group(0)))
    assert "空闲时段" in text_of(replies) and days[1]["title"] in text_of(replies), replies
    assert not any(r.get("custom") for r in replies), replies  # no guide answer before it


def test_the_earliest_day_and_time_are_chosen_for_the_citizen(stack: Stack) -> None:
    chat = Conversation(stack)
    days = buttons_of(chat.say("我想预约去办居住证"))
    times = chat.say("最早的")
    assert days[0]["title"] in text_of(times) and "空闲时段" in text_of(times), times
    first = buttons_of(times)[0]["title"].split("-")[0]
    assert "姓名" in text_of(chat.say("越早越好"))
    assert "手机" in text_of(chat.say("王建国"))
    assert "身份证" in text_of(chat.say(PHONE))
    summary = text_of(chat.say(ID_NUMBER))
    assert f"时间：{days[0]['title']} {first}" in summary, summary


def test_the_earliest_time_is_taken_within_the_half_day_chosen(stack: Stack) -> None:
    chat = Conversation(stack)
    days = buttons_of(chat.say("我想预约去办居住证"))
    weekday = re.search(r"周[一二三四五六日]", days[1]["title"])
    assert weekday, days
    afternoon = buttons_of(chat.say(f"{weekday.group(0)}下午可以吗"))
    first = afternoon[0]["title"].split("-")[0]
    assert first >= "13:00", afternoon
    assert "姓名" in text_of(chat.say("越早越好"))
    assert "手机" in text_of(chat.say("王建国"))
    assert "身份证" in text_of(chat.say(PHONE))
    assert f"{days[1]['title']} {first}" in text_of(chat.say(ID_NUMBER))


def test_digression_then_back_to_the_form(stack: Stack) -> None:
    chat = Conversation(stack)
    assert "哪一天" in text_of(chat.say("我要预约 办退休"))
    detour = chat.say("办退休要带什么材料")
    assert "退休一件事" in text_of(detour)
    assert "哪一天" in text_of(detour), "the form asks its question again after the answer"


def test_stop_the_form(stack: Stack) -> None:
    chat = Conversation(stack)
    chat.say("退休那个事 帮我排个预约")
    assert "停止" in text_of(chat.say("算了不约了"))
    assert "09:00" in text_of(chat.say("大厅几点上班"))


def test_a_wish_to_cancel_while_booking_stops_that_booking(stack: Stack) -> None:
    """ "取消" or "cancel" at a question of a new booking: that booking, not a look-up of another."""
    for wish in ("取消", "cancel"):
        chat = Conversation(stack)
        assert "哪一天" in text_of(chat.say("我想预约办退休"))
        stopped = text_of(chat.say(wish))
        assert "已停止本次预约" in stopped and "取消预约" in stopped, stopped
        assert "预约号" not in stopped
        assert "办公时间" in text_of(chat.say("大厅几点上班")), "the form is over"
    # a wish to cancel one made before stops this one and looks that one up
    chat = Conversation(stack)
    chat.say("我想预约办退休")
    earlier = text_of(chat.say("算了 我上回约的那个想先取消掉"))
    assert "已停止本次预约" in earlier and "预约号" in earlier, earlier


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


# --- issue 8: what citizens actually type ----------------------------------------------------------


def to_phone_question(stack: Stack, request: str = "我想预约办退休") -> tuple[Conversation, list]:
    """Start a booking and answer day, time and name; return the chat and the offered days."""
    chat = Conversation(stack)
    days = buttons_of(chat.say(request))
    times = buttons_of(chat.say(days[0]["payload"]))
    assert "姓名" in text_of(chat.say(times[0]["payload"]))
    assert "手机" in text_of(chat.say("艾力・买买提"))
    return chat, days


@pytest.mark.parametrize("refusal", ["我不想给手机号", "为啥要手机号"])
def test_withholding_the_phone_number_is_told_what_it_is_for(stack: Stack, refusal: str) -> None:
    # "我不想给手机号" was read as a look-up, and the booking being made turned into one
    chat, _ = to_phone_question(stack)
    replies = chat.say(refusal)
    assert "手机号用于" in text_of(replies) and "现场取号" in text_of(replies), replies
    assert "预约号" not in text_of(replies) and "手机" in text_of(replies[-1:])
    assert "身份证" in text_of(chat.say(PHONE)), "the form goes on"


def test_answers_typed_the_way_people_type_them(stack: Stack) -> None:
    chat, _ = to_phone_question(stack)
    assert "身份证" in text_of(chat.say("我的手机是 138-6790-5678"))
    summary = text_of(chat.say("身份证号：110105 19491231 002X"))
    assert "138****5678" in summary and "110105********002X" in summary and "艾*****" in summary
    booked = text_of(chat.say("确认"))
    assert re.search(r"预约号\s*[A-Z0-9]{6,}", booked), booked


def test_numbers_spelled_in_chinese_digits_are_read_and_never_stored(stack: Stack) -> None:
    """ "幺三九 八七六五 四三二一", as people read a number aloud: booked, and masked in the tracker store."""
    spelled = dict(zip("0123456789X", "零幺二三四五六七八九X", strict=True))
    first17 = "41010219850315002"  # another person than the other bookings of this module
    id_number = first17 + id_check_char(first17)
    chat, _ = to_phone_question(stack)
    assert "身份证" in text_of(chat.say("手机号是幺三九 八七六五 四三二一"))
    said_id = "".join(spelled[c] for c in id_number)
    summary = text_of(chat.say(f"身份证号是{said_id[:6]} {said_id[6:14]} {said_id[14:]}"))
    assert "139****4321" in summary and f"410102********{id_number[-4:]}" in summary
    booked = text_of(chat.say("确认"))
    assert re.search(r"预约号\s*[A-Z0-9]{6,}", booked), booked
    client = redis.Redis(port=int(stack.env["PRIVATE_REDIS_PORT"]), decode_responses=True)
    events = stored_session_events(client, chat.sender)
    # every text the store holds (messages, slot and entity values, keys), not the digits of the
    # model's confidences, which may hold any four digits by chance
    stored = "\n".join(_strings(events))
    assert "139****4321" in stored
    for secret in ("八七六五", "13987654321", "8765", said_id[6:14], id_number[6:14]):
        assert secret not in stored, secret


def _strings(value: object) -> list[str]:
    """Every string inside ``value`` (a JSON document), keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_a_short_phone_number_gets_one_reason(stack: Stack) -> None:
    chat, _ = to_phone_question(stack)
    reply = text_of(chat.say("138123456"))
    assert "手机号码应为11位，您输入的是9位" in reply and "身份证" not in reply


def test_a_change_inside_the_form_changes_the_form(stack: Stack) -> None:
    chat, days = to_phone_question(stack)
    day_title = days[-1]["title"]  # e.g. 12月3日（周四）
    reply = chat.say(f"换成{day_title.split('（')[0]}下午吧")
    assert "空闲时段" in text_of(reply) and "预约号" not in text_of(reply)
    assert all(b["title"] >= "12:00" for b in buttons_of(reply)), "only afternoon times are offered"


def to_name_question(stack: Stack) -> Conversation:
    chat = Conversation(stack)
    days = buttons_of(chat.say("我想预约办退休"))
    times = buttons_of(chat.say(days[0]["payload"]))
    assert "姓名" in text_of(chat.say(times[0]["payload"]))
    return chat


def test_a_name_typed_in_pinyin_is_the_name_even_where_it_spells_words(stack: Stack) -> None:
    """ "zhou mo" spells 周末 and "liu cheng" 流程; answering the question of the name, they are names."""
    chat = to_name_question(stack)
    # a question typed in pinyin is still answered, and the name asked again
    hours = text_of(chat.say("ji dian kaimen"))
    assert "办公时间" in hours and "姓名" in hours
    asks_phone = text_of(chat.say("zhou mo"))
    assert "手机" in asks_phone and "办公时间" not in asks_phone
    chat = to_name_question(stack)
    assert "手机" in text_of(chat.say("wo jiao liu cheng"))
    assert "身份证" in text_of(chat.say(PHONE))
    summary = text_of(chat.say(ID_NUMBER))
    assert "l********" in summary and "liu cheng" not in summary and "wo jiao" not in summary


def test_a_name_is_not_a_date(stack: Stack) -> None:
    chat = Conversation(stack)
    reply = chat.say("帮我父亲周一鸣约一下办退休")
    assert "哪一天" in text_of(reply) and "空闲时段" not in text_of(reply)


def test_the_second_failed_answer_offers_help_and_the_third_stops(stack: Stack) -> None:
    chat, _ = to_phone_question(stack)
    first = chat.say("不知道")
    assert "转人工" not in [b["title"] for b in buttons_of(first)]
    second = chat.say("忘了")
    assert [b["title"] for b in buttons_of(second)][-2:] == ["转人工", "不约了"]
    assert "咨询电话" in text_of(second) and "转接" not in text_of(second)
    third = text_of(chat.say("还是不知道"))
    assert "停止" in third and "咨询电话" in third and "帮办代办" in third
    assert "09:00" in text_of(chat.say("大厅几点上班")), "the form is over"


def test_asking_for_a_person_in_a_form_is_honest(stack: Stack) -> None:
    chat, _ = to_phone_question(stack)
    reply = text_of(chat.say("转人工"))
    assert "正在为您转接" not in reply and "手机" in reply, "the form asks its question again"


def test_a_found_booking_is_changed_without_its_code_again(stack: Stack) -> None:
    _, code = book(stack, "我想预约 办公积金提取")
    other = Conversation(stack)
    other.say("查一下我的预约")
    other.say(code)
    found = other.say(PHONE)
    assert code in text_of(found)
    days = buttons_of(Conversation(stack).say("我想预约 办公积金提取"))
    day_text = days[-1]["title"].split("（")[0]
    moving = other.say(f"改到{day_text}下午")
    assert "下面为您改约" in text_of(moving) and "请输入您的预约号" not in text_of(moving)
    times = buttons_of(moving)
    assert times and all(b["title"] >= "12:00" for b in times)
    moved = text_of(other.say(times[0]["payload"]))
    assert "改约成功" in moved and code in moved


def test_the_booking_just_made_is_found_moved_and_cancelled_without_its_code(stack: Stack) -> None:
    chat, code = book(stack, "我想预约办居住证")
    found = text_of(chat.say("查一下我的预约"))
    assert code in found and "已预约" in found and "请输入" not in found, found
    assert PHONE not in found and "137****5678" in found
    moving = chat.say("我想改个时间")
    assert "下面为您改约" in text_of(moving) and "请输入" not in text_of(moving), text_of(moving)
    days = buttons_of(moving)
    assert days and "哪一天" in text_of(moving)
    times = buttons_of(chat.say(days[-1]["payload"]))
    assert times
    moved = text_of(chat.say(times[-1]["payload"]))
    assert "改约成功" in moved and code in moved, moved
    cancelled = text_of(chat.say("帮我把预约取消了"))
    assert "已为您取消" in cancelled and code in cancelled, cancelled
    # a cancelled booking leaves the conversation with its phone number: a new look-up asks again
    again = text_of(chat.say("查询预约"))
    assert "请输入您的预约号" in again and code not in again, again


def test_a_change_stopped_halfway_keeps_the_booking_in_context(stack: Stack) -> None:
    chat, code = book(stack, "我想预约办新生儿出生")
    assert "下面为您改约" in text_of(chat.say("我想改个时间"))
    stopped = text_of(chat.say("算了不改了"))
    assert "不改了" in stopped and "保持原来的时间" in stopped, stopped
    cancelled = text_of(chat.say("那帮我取消预约吧"))
    assert "已为您取消" in cancelled and code in cancelled, cancelled


def test_a_code_typed_on_its_own_looks_the_booking_up_and_never_acts_on_it(stack: Stack) -> None:
    _, code = book(stack, "我想预约申请公租房")
    chat = Conversation(stack)
    asks_phone = text_of(chat.say(code))
    assert "手机号码" in asks_phone, asks_phone
    shown = text_of(chat.say(PHONE))
    assert code in shown and "已预约" in shown and PHONE not in shown, shown
    # with the phone in the same message, in a conversation whose last look-up was a cancel
    other = Conversation(stack)
    assert "请输入您的预约号" in text_of(other.say("帮我取消预约"))
    other.say(code)
    assert "已为您取消" in text_of(other.say(PHONE))
    looked_up = text_of(other.say(f"{code} {PHONE}"))
    assert code in looked_up and "已取消" in looked_up and "已为您取消" not in looked_up, looked_up


def test_a_second_booking_asks_for_its_own_phone_number(stack: Stack) -> None:
    chat, first = book(stack, "我想预约办灵活就业")
    assert first in text_of(chat.say("查一下我的预约")), "the booking just made is in context"
    _, second = book(stack, "再帮我约一个 办社保卡", chat=chat)  # book() checks that the phone is asked
    assert second != first
    assert second in text_of(chat.say("查一下我的预约")), "the newer booking is the one in context"


def test_a_booking_request_naming_an_offered_item_books_it(stack: Stack) -> None:
    chat = Conversation(stack)
    offered = chat.say("有个事想问问")
    assert any("退休一件事" in b["payload"] for b in buttons_of(offered)), text_of(offered)
    asks_day = chat.say("那帮我约个时间办退休")
    assert "哪一天" in text_of(asks_day) and buttons_of(asks_day), text_of(asks_day)


class ChannelConversation:
    """A conversation straight through Rasa's channel, as the api forwards turns (no rate limit)."""

    def __init__(self, stack: Stack) -> None:
        self.url = f"{stack.rasa}/webhooks/gxx/webhook"
        self.headers = {SECRET_HEADER: stack.env["CHANNEL_SECRET"]}
        self.sender = uuid.uuid4().hex

    def say(self, message: str) -> List[Dict[str, Any]]:
        body = {"sender": self.sender, "message": message}
        response = httpx.post(self.url, json=body, headers=self.headers, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


def test_a_long_conversation_keeps_its_item_form_and_whole_history(stack: Stack) -> None:
    """Past the 20 messages Rasa is given of a session (``window_turns``, endpoints.yml)."""
    chat = ChannelConversation(stack)
    assert "退休一件事" in text_of(chat.say("退休一件事怎么办"))
    for number in range(24):
        chat.say(("大厅几点上班", "停车方便吗", "谢谢你")[number % 3])
    assert not check({"item": "退休一件事", "aspect": "materials"}, chat.say("那要带啥材料"))
    # a form opened, then more than the window of questions inside it: it still asks its question
    assert "哪一天" in text_of(chat.say("我要预约办这个"))
    for number in range(22):
        assert "哪一天" in text_of(chat.say(("大厅几点上班", "停车方便吗")[number % 2]))
    days = buttons_of(chat.say("大厅在哪"))
    assert days, "the form offers its days again"
    assert "空闲时段" in text_of(chat.say(days[0]["payload"]))
    # the store still holds every message of the session
    client = redis.Redis(port=int(stack.env["PRIVATE_REDIS_PORT"]), decode_responses=True)
    stored = stored_session_events(client, chat.sender)
    assert len([e for e in stored if e["event"] == "user"]) == 1 + 24 + 1 + 1 + 22 + 1 + 1


def test_chatter_in_a_form_is_answered_and_the_question_asked_again(stack: Stack) -> None:
    """Out-of-scope chatter is not taken as the day, the 预约号 or any other answer asked."""
    chat = Conversation(stack)
    days = buttons_of(chat.say("我想预约办退休"))
    detour = text_of(chat.say("对了 你会唱歌不"))
    assert "服务范围" in detour and "哪一天" in detour, detour
    assert "空闲时段" in text_of(chat.say(days[0]["payload"])), "the form goes on"
    _, code = book(stack, "我想预约 办公积金提取")
    lookup = Conversation(stack)
    assert "预约号" in text_of(lookup.say("查一下我约的号"))
    detour = text_of(lookup.say("先给俺讲个笑话呗"))
    assert "服务范围" in detour and "预约号" in detour and "核对" not in detour, detour
    lookup.say(code)
    assert code in text_of(lookup.say(PHONE))
