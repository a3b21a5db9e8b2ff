"""Issue 8 at the action level: what citizens actually type, read by the forms' validation actions.

Every case builds an inline ``Tracker`` (the latest message, the question asked, the buttons shown)
and runs the real validation action with a ``CollectingDispatcher``, as rasa-sdk's own tests do.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.appointment_lookup as lookup_actions
import actions.booking_form as booking_actions
from actions import form_helpers
from bot.appointments import AppointmentStore, BookingService
from bot.db import make_engine, run_migrations
from bot.pii import id_check_char
from tests.conftest import make_tracker

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # a Thursday; bookable: 27 Nov, 30 Nov - 3 Dec
PHONE = "13867905678"
ID17 = "11010519491231002"
ID_NUMBER = ID17 + id_check_char(ID17)
PROJECT = Path(__file__).resolve().parents[2]
FORM = booking_actions.ValidateAppointmentForm()
LOOKUP = lookup_actions.ValidateAppointmentLookupForm()
ITEM = {"service": "退休一件事"}
DAY_AND_TIME = {**ITEM, "appointment_date": "2026-12-01", "appointment_time": "09:30"}
PERSON = {**DAY_AND_TIME, "person_name": "李明", "phone": PHONE, "id_number": ID_NUMBER}


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BookingService:
    url = f"sqlite:///{tmp_path / 'booking.db'}"
    run_migrations(url)
    svc = BookingService(AppointmentStore(make_engine(url)), clock=lambda: NOW)
    monkeypatch.setattr(form_helpers, "booking_service", lambda: svc)
    return svc


def tracker(
    text: str,
    intent: str = "inform",
    requested: str | None = None,
    slots: Dict[str, Any] | None = None,
    loop: str | None = "appointment_form",
    buttons: List[Dict[str, str]] | None = None,
    entities: List[Dict[str, Any]] | None = None,
) -> Tracker:
    """A conversation whose last bot message asked ``requested`` (with ``buttons``) and got ``text``."""
    events: List[Dict[str, Any]] = []
    if buttons is not None:
        events.append({"event": "bot", "text": "请选择：", "data": {"buttons": buttons}})
    message = {"intent": {"name": intent}, "text": text, "entities": entities or []}
    events.append({"event": "user", "text": text, "parse_data": message})
    return Tracker(
        sender_id="citizen-8",
        slots={"requested_slot": requested, **(slots or {})},
        latest_message=message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": loop} if loop else {},
        latest_action_name="action_listen",
    )


def set_slots(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)


async def run_form(form: Any, t: Tracker, domain: Dict[str, Any]) -> tuple[Dict[str, Any], str, list]:
    dispatcher = CollectingDispatcher()
    events = await form.run(dispatcher, t, domain)
    return set_slots(events), said(dispatcher), events


# --- personal data read out of the answer ----------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "text", "slot", "value"),
    [
        ("phone", "我的手机是 138-6790-5678", "phone", PHONE),
        ("phone", "+86 138 6790 5678", "phone", PHONE),
        ("phone", "００８６ １３８６７９０５６７８", "phone", PHONE),
        ("phone", "手机号码：138.6790.5678，谢谢", "phone", PHONE),
        ("id_number", "身份证号：110105 19491231 002X", "id_number", ID_NUMBER),
        ("id_number", "11010519491231002x", "id_number", ID_NUMBER),
        ("id_number", "身份证 １１０１０５１９４９１２３１００２Ｘ", "id_number", ID_NUMBER),
        ("person_name", "艾力・买买提", "person_name", "艾力·买买提"),
        ("person_name", "我叫李明，手机13867905678", "person_name", "李明"),
        (
            "person_name",
            "姓名：阿卜杜热合曼·阿卜杜克力木·买买提明",
            "person_name",
            "阿卜杜热合曼·阿卜杜克力木·买买提明",
        ),
        ("person_name", "𠀀𠀁", "person_name", "𠀀𠀁"),
    ],
)
async def test_the_answer_is_read_out_of_what_was_typed(
    service, domain, requested: str, text: str, slot: str, value: str
) -> None:
    slots, message, _ = await run_form(FORM, tracker(text, requested=requested, slots=DAY_AND_TIME), domain)
    assert slots[slot] == value
    assert message == "", message


@pytest.mark.parametrize(
    ("text", "intent", "name"),
    [
        ("zhou mo", "ask_office_hours", "zhou mo"),  # 周末, read as the weekend's hours
        ("liu cheng", "ask_process", "liu cheng"),  # 流程
        ("zhang hao", "faq", "zhang hao"),  # 账号
        ("wo jiao fei yong", "ask_fee", "fei yong"),
        ("ji dian kaimen", "ask_office_hours", None),  # a question typed in pinyin stays a question
        ("guan men shijian", "ask_office_hours", None),
        ("bu yue le", "stop", None),  # a command stays a command, whatever it spells
    ],
)
async def test_a_name_typed_in_pinyin_answers_the_question_of_the_name(
    service, domain, text: str, intent: str, name: str | None
) -> None:
    asked = tracker(text, intent=intent, requested="person_name", slots=DAY_AND_TIME)
    assert form_helpers.name_typed_in_pinyin(asked) is (name is not None)
    slots, _, _ = await run_form(FORM, asked, domain)
    assert slots.get("person_name") == name
    # asked for another answer, the same words are what the NLU read
    other = tracker(text, intent=intent, requested="phone", slots={**DAY_AND_TIME, "person_name": "李明"})
    assert not form_helpers.name_typed_in_pinyin(other)


async def test_an_answer_with_two_values_fills_both(service, domain) -> None:
    slots, message, _ = await run_form(
        FORM, tracker("我叫李明，手机13867905678", requested="person_name", slots=DAY_AND_TIME), domain
    )
    assert slots["person_name"] == "李明" and slots["phone"] == PHONE and message == ""


async def test_a_short_phone_number_gets_only_the_phone_reason(service, domain) -> None:
    slots, message, _ = await run_form(
        FORM, tracker("1381234567", requested="phone", slots={**DAY_AND_TIME, "person_name": "李明"}), domain
    )
    assert slots["phone"] is None and "id_number" not in slots
    assert "手机号码应为11位，您输入的是10位" in message and "身份证" not in message


@pytest.mark.parametrize(
    ("requested", "text", "reason"),
    [
        ("phone", "我的手机是 138-1234-567", "10位"),
        ("phone", "0371-67989000", "座机"),
        ("id_number", "身份证号：110105 19491231 002", "17位"),
        ("id_number", "ABC123456789012", "旧版15位外国人永久居留"),
        ("person_name", "李明1", "数字"),
        ("person_name", "李" * 31, "最长30个字"),
    ],
)
async def test_a_refused_answer_gets_its_reason(
    service, domain, requested: str, text: str, reason: str
) -> None:
    slots, message, _ = await run_form(FORM, tracker(text, requested=requested, slots=DAY_AND_TIME), domain)
    assert slots[requested] is None
    assert reason in message, message


async def test_a_phone_left_from_finding_a_booking_is_not_reused_for_a_new_booking(service, domain) -> None:
    first = tracker("我想预约办退休", intent="book_appointment", slots={**ITEM, "phone": PHONE})
    slots, _, _ = await run_form(FORM, first, domain)
    assert slots.get("phone") is None


# --- dates and times -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day", "time", "half_day"),
    [
        ("帮我约下周一上午十点办社保卡", "2026-11-30", "10:00", "上午"),
        ("帮我约下礼拜一下午两点办社保卡", "2026-11-30", "14:00", "下午"),
        ("帮我约12月1号上午十点办社保卡", "2026-12-01", "10:00", "上午"),
        ("帮我约下星期二下午三四点钟办退休", "2026-12-01", "15:00", "下午"),
    ],
)
async def test_a_date_in_the_first_message_is_kept(service, domain, text, day, time, half_day) -> None:
    slots, message, _ = await run_form(FORM, tracker(text, intent="book_appointment", slots=ITEM), domain)
    assert (slots["appointment_date"], slots["appointment_time"], slots["half_day"]) == (day, time, half_day)
    assert message == "", message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("帮我约12月7号上午十点办社保卡", "5个工作日"),
        ("帮我约下下周一办退休", "5个工作日"),
        ("帮我约这周末办退休", "周末"),
        ("帮我约昨天下午", "过去"),
        ("帮我约今天下午", "当天"),
    ],
)
async def test_a_date_that_cannot_be_booked_gets_its_reason(service, domain, text, reason) -> None:
    dispatcher = CollectingDispatcher()
    events = await FORM.run(dispatcher, tracker(text, intent="book_appointment", slots=ITEM), domain)
    assert set_slots(events)["appointment_date"] is None
    assert reason in dispatcher.messages[0]["text"], dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"], "the nearest bookable days are offered"


async def test_a_name_gives_no_date(service, domain) -> None:
    slots, message, _ = await run_form(
        FORM, tracker("帮我父亲周一鸣约一下办退休", intent="book_appointment", slots=ITEM), domain
    )
    assert "appointment_date" not in slots and message == ""


async def test_a_colloquial_range_at_the_date_question(service, domain) -> None:
    slots, message, _ = await run_form(
        FORM, tracker("明天上午九十点吧", requested="appointment_date", slots=ITEM), domain
    )
    assert (slots["appointment_date"], slots["appointment_time"]) == ("2026-11-27", "09:00")
    assert "没能理解" not in message


async def test_a_change_inside_the_form_changes_the_form(service, domain) -> None:
    at_phone = tracker(
        "换成下周二下午吧",
        intent="reschedule_appointment",
        requested="phone",
        slots={**ITEM, "appointment_date": "2026-11-27", "appointment_time": "09:30", "person_name": "李明"},
    )
    slots, _, events = await run_form(FORM, at_phone, domain)
    assert slots["appointment_date"] == "2026-12-01" and slots["half_day"] == "下午"
    assert slots["appointment_time"] is None, "the time of the new day is chosen again"
    assert not any(e.get("event") == "followup" for e in events)


async def test_a_date_word_in_an_answer_to_another_question_is_not_a_change(service, domain) -> None:
    slots, _, _ = await run_form(
        FORM, tracker("我叫周五一", requested="person_name", slots=DAY_AND_TIME), domain
    )
    assert slots["person_name"] == "周五一" and "appointment_date" not in slots


async def test_unreadable_date_is_asked_again_with_the_reason(service, domain) -> None:
    slots, message, _ = await run_form(
        FORM, tracker("随便哪天", requested="appointment_date", slots=ITEM), domain
    )
    assert slots["appointment_date"] is None and "没能理解这个日期" in message


# --- typed answers to button questions -------------------------------------------------------------

TIME_BUTTONS = [
    {"title": "09:00-09:30", "payload": '/inform{"time": "09:00"}'},
    {"title": "09:30-10:00", "payload": '/inform{"time": "09:30"}'},
    {"title": "10:00-10:30", "payload": '/inform{"time": "10:00"}'},
]
DAY_BUTTONS = [
    {"title": "11月27日（周五）", "payload": '/inform{"date": "2026-11-27"}'},
    {"title": "11月30日（周一）", "payload": '/inform{"date": "2026-11-30"}'},
]
DAY = {**ITEM, "appointment_date": "2026-12-01"}


@pytest.mark.parametrize(
    ("text", "requested", "slots", "buttons", "slot", "value"),
    [
        ("第二个", "appointment_time", DAY, TIME_BUTTONS, "appointment_time", "09:30"),
        ("就上午十点那个", "appointment_time", DAY, TIME_BUTTONS, "appointment_time", "10:00"),
        ("最后一个吧", "appointment_time", DAY, TIME_BUTTONS, "appointment_time", "10:00"),
        ("09:30-10:00", "appointment_time", DAY, TIME_BUTTONS, "appointment_time", "09:30"),
        ("第一个", "appointment_date", ITEM, DAY_BUTTONS, "appointment_date", "2026-11-27"),
        ("11月30日（周一）", "appointment_date", ITEM, DAY_BUTTONS, "appointment_date", "2026-11-30"),
        ("周一那个", "appointment_date", ITEM, DAY_BUTTONS, "appointment_date", "2026-11-30"),
    ],
)
async def test_a_typed_choice_means_the_button(
    service, domain, text, requested, slots, buttons, slot, value
) -> None:
    result, _, _ = await run_form(
        FORM, tracker(text, requested=requested, slots=slots, buttons=buttons), domain
    )
    assert result[slot] == value


async def test_a_tapped_button_still_works(service, domain) -> None:
    tapped = tracker(
        '/inform{"time": "09:30"}',
        requested="appointment_time",
        slots=DAY,
        entities=[{"entity": "time", "value": "09:30"}],
    )
    slots, _, _ = await run_form(FORM, tapped, domain)
    assert slots["appointment_time"] == "09:30"


CONFIRM_BUTTONS = [
    {"title": "确认预约", "payload": "/affirm"},
    {"title": "重新填写", "payload": "/deny"},
    {"title": "不约了", "payload": "/stop"},
]


@pytest.mark.parametrize(
    ("text", "value"), [("确认", True), ("对的", True), ("第一个", True), ("确认预约", True)]
)
async def test_a_typed_yes_confirms(service, domain, text: str, value: bool) -> None:
    asked = tracker(text, requested="appointment_confirm", slots=PERSON, buttons=CONFIRM_BUTTONS)
    slots, _, _ = await run_form(FORM, asked, domain)
    assert slots["appointment_confirm"] is value


async def test_a_typed_no_starts_again(service, domain) -> None:
    asked = tracker("不对", requested="appointment_confirm", slots=PERSON, buttons=CONFIRM_BUTTONS)
    slots, message, _ = await run_form(FORM, asked, domain)
    assert slots["appointment_confirm"] is None and slots["phone"] is None and "重新填写" in message


# --- escalation ------------------------------------------------------------------------------------


async def test_the_second_failure_offers_help(service, domain) -> None:
    second = tracker(
        "123", requested="phone", slots={**DAY_AND_TIME, "form_failures": {"slot": "phone", "count": 1}}
    )
    dispatcher = CollectingDispatcher()
    events = await FORM.run(dispatcher, second, domain)
    offer = next(m for m in dispatcher.messages if m.get("response") == "utter_form_offer_help")
    assert [b["payload"] for b in offer["buttons"]] == ["/request_human", "/stop"]
    assert offer["hall_phone"]
    assert SlotSet("form_failures", {"slot": "phone", "count": 2}) in events
    assert ActiveLoop(None) not in events


async def test_the_third_failure_ends_the_form(service, domain) -> None:
    third = tracker(
        "不知道", requested="phone", slots={**DAY_AND_TIME, "form_failures": {"slot": "phone", "count": 2}}
    )
    dispatcher = CollectingDispatcher()
    events = await FORM.run(dispatcher, third, domain)
    assert any(m.get("response") == "utter_form_gave_up" for m in dispatcher.messages)
    assert ActiveLoop(None) in events and SlotSet("requested_slot", None) in events
    assert SlotSet("appointment_date", None) in events
    submitted = CollectingDispatcher()
    after = tracker("", slots={"form_failures": {"gave_up": True}}, loop=None)
    await booking_actions.ActionSubmitAppointment().run(submitted, after, domain)
    assert submitted.messages == [], "nothing is booked or claimed after giving up"


async def test_a_good_answer_resets_the_count(service, domain) -> None:
    fixed = tracker(
        PHONE, requested="phone", slots={**DAY_AND_TIME, "form_failures": {"slot": "phone", "count": 2}}
    )
    slots, _, _ = await run_form(FORM, fixed, domain)
    assert slots["phone"] == PHONE and slots["form_failures"] is None


async def test_a_question_is_not_a_failure(service, domain) -> None:
    question = tracker(
        "转人工",
        intent="request_human",
        requested="phone",
        slots={**DAY_AND_TIME, "form_failures": {"slot": "phone", "count": 1}},
    )
    slots, _, _ = await run_form(FORM, question, domain)
    # nothing is set, so Rasa rejects the form and the question's own rule answers it
    assert "form_failures" not in slots and "phone" not in slots


# --- the booking in context ------------------------------------------------------------------------


def book(service: BookingService) -> str:
    booking = service.book(
        item_name="退休一件事",
        day=NOW.date().replace(day=30),
        slot_start=datetime(1, 1, 1, 10).time(),
        name="李明",
        phone=PHONE,
        id_number=ID_NUMBER,
    )
    return booking.code


async def test_a_found_booking_stays_in_context(service, domain) -> None:
    code = book(service)
    shown = CollectingDispatcher()
    found = {"appointment_code": code, "phone": PHONE, "appointment_operation": "query"}
    events = await lookup_actions.ActionManageAppointment().run(
        shown, tracker("", slots=found, loop=None), domain
    )
    assert code in shown.messages[0]["text"]
    assert not any(e["name"] in ("appointment_code", "phone") for e in events if e.get("event") == "slot")


async def test_a_change_with_a_new_time_acts_on_the_booking_in_context(service, domain) -> None:
    code = book(service)
    context = {"appointment_code": code, "phone": PHONE, "appointment_operation": "reschedule"}
    change = tracker(
        "改到12月2号下午", intent="reschedule_appointment", slots=context, loop="appointment_lookup_form"
    )
    slots, message, _ = await run_form(LOOKUP, change, domain)
    assert slots["appointment_date"] == "2026-12-02" and slots["half_day"] == "下午"
    assert "预约号" not in message
    moving = CollectingDispatcher()
    events = await lookup_actions.ActionManageAppointment().run(
        moving, tracker("", slots={**context, **slots}, loop=None), domain
    )
    assert FollowupAction("appointment_reschedule_form") in events
    assert SlotSet("reschedule_code", code) in events and SlotSet("service", "退休一件事") in events


async def test_a_code_typed_with_words_is_read(service, domain) -> None:
    asked = tracker("预约号是 k7m3-pq9a", requested="appointment_code", loop="appointment_lookup_form")
    slots, _, _ = await run_form(LOOKUP, asked, domain)
    assert slots["appointment_code"] == "K7M3PQ9A"


# --- wording and rules -----------------------------------------------------------------------------


def test_hand_over_wording_is_honest() -> None:
    domain_file = yaml.safe_load((PROJECT / "domain.yml").read_text(encoding="utf-8"))
    for name in ("utter_form_offer_help", "utter_form_gave_up"):
        for variant in domain_file["responses"][name]:
            assert "转接" not in variant["text"] and "{hall_phone}" in variant["text"]
            assert "帮办" in variant["text"]


def test_request_human_inside_each_form_opens_a_ticket() -> None:
    rules = yaml.safe_load((PROJECT / "data/rules/appointments.yml").read_text(encoding="utf-8"))["rules"]
    for form in ("appointment_form", "appointment_lookup_form", "appointment_reschedule_form"):
        assert any(
            r.get("condition") == [{"active_loop": form}]
            and r["steps"][:2] == [{"intent": "request_human"}, {"action": "action_handoff"}]
            for r in rules
        ), form


def test_rasa_sdk_warnings_fail_the_suite() -> None:
    """pyproject's filterwarnings turns rasa_sdk's deprecation warnings into errors."""
    with pytest.raises(FutureWarning):
        CollectingDispatcher().utter_message(template="utter_form_gave_up")


@pytest.mark.parametrize(
    ("asked", "text", "confidence", "events", "chatter"),
    [
        ("appointment_date", "对了 你会唱歌不", 0.78, [], True),  # nothing offered for the day
        ("appointment_date", "对了 你会唱歌不", 0.3, [], False),  # under the bar: a name, a date
        (
            "appointment_date",
            "这周六能约不",
            0.5,
            [{"event": "slot", "name": "appointment_date", "value": None}],
            False,
        ),
        ("appointment_time", "下午吧", 0.5, [{"event": "slot", "name": "half_day", "value": "下午"}], False),
        (
            "appointment_code",
            "给俺讲个笑话",
            0.8,
            [{"event": "slot", "name": "appointment_code", "value": None}],
            True,
        ),
        (
            "appointment_code",
            "K7M3PQ9",
            0.8,
            [{"event": "slot", "name": "appointment_code", "value": None}],
            False,
        ),
        ("phone", "138123456 啊", 0.8, [{"event": "slot", "name": "phone", "value": None}], False),
        ("appointment_confirm", "👍", 1.0, [], False),  # a reaction, no words: the form answers it
        ("appointment_confirm", "？？", 1.0, [], False),
    ],
)
def test_chatter_is_an_out_of_scope_message_that_offers_nothing_asked(
    asked: str, text: str, confidence: float, events: list, chatter: bool
) -> None:
    tracker = make_tracker("out_of_scope", slots={"requested_slot": asked}, text=text)
    tracker.latest_message["intent"]["confidence"] = confidence
    assert form_helpers.is_chatter(tracker, events) is chatter
    inform = make_tracker("inform", slots={"requested_slot": asked}, text=text)
    assert not form_helpers.is_chatter(inform, [])
    assert not form_helpers.is_chatter(make_tracker("out_of_scope", text=text), [])  # no question asked
