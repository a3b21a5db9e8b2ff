"""The booking form's actions: every validation message, booking, finding, cancelling, moving, stopping."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.appointment_lookup as lookup_actions
import actions.booking_form as booking_actions
from actions import form_helpers
from bot.appointments import AppointmentStore, BookingService
from bot.db import make_engine, run_migrations
from bot.pii import id_check_char

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # a Thursday
ID17 = "41010519880615231"
ID_NUMBER = ID17 + id_check_char(ID17)
PHONE = "13867905678"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BookingService:
    url = f"sqlite:///{tmp_path / 'booking.db'}"
    run_migrations(url)
    svc = BookingService(AppointmentStore(make_engine(url)), clock=lambda: NOW)
    monkeypatch.setattr(form_helpers, "booking_service", lambda: svc)
    return svc


def tracker(
    intent: str = "inform",
    text: str = "",
    slots: Dict[str, Any] | None = None,
    entities: List[Dict[str, Any]] | None = None,
    requested: str | None = None,
    loop: str | None = "appointment_form",
    user: str | None = None,
    events: List[Dict[str, Any]] | None = None,
) -> Tracker:
    all_slots = {"requested_slot": requested, **(slots or {})}
    metadata = {"channel": "web", **({"user": user} if user else {})}
    return Tracker(
        sender_id="citizen-1",
        slots=all_slots,
        latest_message={
            "intent": {"name": intent},
            "text": text,
            "entities": entities or [],
            "metadata": metadata,
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": loop} if loop else {},
        latest_action_name="action_listen",
    )


FORM = booking_actions.ValidateAppointmentForm()
BOOKING = {
    "service": "退休一件事",
    "appointment_date": "2026-12-01",
    "appointment_time": "09:30",
    "person_name": "李明",
    "phone": PHONE,
    "id_number": ID_NUMBER,
    "appointment_confirm": True,
}


async def test_first_message_fills_date_and_half_day(service) -> None:
    dispatcher = CollectingDispatcher()
    values = await FORM.extract_appointment_date(
        dispatcher, tracker("book_appointment", "帮我约下周三上午去办退休"), {}
    )
    assert values == {"appointment_date": "2026-12-02", "half_day": "上午"}


async def test_unreadable_date_is_said_so(service) -> None:
    dispatcher = CollectingDispatcher()
    values = await FORM.extract_appointment_date(
        dispatcher, tracker("inform", "随便哪天", requested="appointment_date"), {}
    )
    assert values == {} and "没能理解这个日期" in dispatcher.messages[0]["text"]


async def test_a_question_is_not_taken_as_a_value(service) -> None:
    dispatcher = CollectingDispatcher()
    asked_name = tracker("ask_materials", "要带什么材料", requested="person_name")
    assert await FORM.extract_person_name(dispatcher, asked_name, {}) == {}


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2026-11-26", "当天"),
        ("2026-11-20", "过去"),
        ("2026-11-28", "周末"),
        ("2026-12-10", "5个工作日"),
    ],
)
def test_unbookable_days_get_a_reason_and_choices(service, day: str, reason: str) -> None:
    dispatcher = CollectingDispatcher()
    values = FORM.validate_appointment_date(day, dispatcher, tracker(slots={"service": "退休一件事"}), {})
    assert values["appointment_date"] is None
    assert reason in dispatcher.messages[0]["text"], dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"], "the nearest bookable days are offered"


def test_holiday_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'holiday.db'}"
    run_migrations(url)
    before_national_day = datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)
    svc = BookingService(AppointmentStore(make_engine(url)), clock=lambda: before_national_day)
    monkeypatch.setattr(form_helpers, "booking_service", lambda: svc)
    dispatcher = CollectingDispatcher()
    values = FORM.validate_appointment_date(
        "2026-10-02", dispatcher, tracker(slots={"service": "退休一件事"}), {}
    )
    assert values["appointment_date"] is None and "国庆" in dispatcher.messages[0]["text"]


def test_bookable_day_is_kept(service) -> None:
    dispatcher = CollectingDispatcher()
    values = FORM.validate_appointment_date(
        "2026-12-01", dispatcher, tracker(slots={"service": "退休一件事"}), {}
    )
    assert values == {"appointment_date": "2026-12-01"} and dispatcher.messages == []


@pytest.mark.parametrize(
    ("wanted", "kept"), [("09:40", "09:30"), ("13:00", "13:00"), ("12:30", None), ("18:00", None)]
)
def test_time_must_fall_in_a_free_slot(service, wanted: str, kept: str | None) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"service": "退休一件事", "appointment_date": "2026-12-01"}
    values = FORM.validate_appointment_time(wanted, dispatcher, tracker(slots=slots), {})
    assert values["appointment_time"] == kept
    if kept is None:
        assert "空闲时段" in dispatcher.messages[0]["text"] and dispatcher.messages[0]["buttons"]


@pytest.mark.parametrize(
    ("method", "value", "message"),
    [
        ("validate_person_name", "李明1", "数字"),
        ("validate_person_name", "x", "真实姓名"),
        ("validate_phone", "1381234567", "11位"),
        ("validate_phone", "0371-67989000", "座机"),
        ("validate_id_number", ID17 + ("0" if ID_NUMBER[-1] != "0" else "1"), "校验"),
        ("validate_id_number", "12345", "18位"),
    ],
)
def test_personal_data_is_checked_with_a_reason(service, method: str, value: str, message: str) -> None:
    dispatcher = CollectingDispatcher()
    slot = method.removeprefix("validate_")
    values = getattr(FORM, method)(value, dispatcher, tracker(text=value, requested=slot), {})
    assert list(values.values()) == [None]
    assert message in dispatcher.messages[0]["text"], dispatcher.messages[0]["text"]


def test_valid_personal_data_is_normalised(service) -> None:
    dispatcher = CollectingDispatcher()
    asked = {slot: tracker(requested=slot) for slot in ("phone", "id_number", "person_name")}
    assert FORM.validate_phone("+86 138-6790-5678", dispatcher, asked["phone"], {}) == {"phone": PHONE}
    assert FORM.validate_id_number(ID_NUMBER.lower(), dispatcher, asked["id_number"], {}) == {
        "id_number": ID_NUMBER
    }
    assert FORM.validate_person_name("李明", dispatcher, asked["person_name"], {}) == {"person_name": "李明"}


@pytest.mark.parametrize("after, kept", [("action_listen", False), ("action_submit_appointment", True)])
def test_answers_stand_only_when_the_submit_reopened_the_form(service, after: str, kept: bool) -> None:
    """A new booking does not reuse an earlier journey's phone; a reopened one keeps its answers."""
    # Rasa validates prefilled slots on a tracker whose last action is the form itself
    activation = tracker(
        "affirm",
        "/affirm",
        slots=BOOKING,
        requested=None,
        events=[
            {"event": "user", "text": "/affirm"},
            {"event": "action", "name": after},
            {"event": "action", "name": "appointment_form"},
        ],
    )
    dispatcher = CollectingDispatcher()
    assert FORM.validate_phone(PHONE, dispatcher, activation, {}) == {"phone": PHONE if kept else None}
    assert FORM.validate_person_name("李明", dispatcher, activation, {}) == {
        "person_name": "李明" if kept else None
    }


async def test_name_prefix_is_removed(service) -> None:
    dispatcher = CollectingDispatcher()
    asked = tracker("inform", "我叫王小芳", requested="person_name")
    assert await FORM.extract_person_name(dispatcher, asked, {}) == {"person_name": "王小芳"}


async def test_confirmation_summary_is_masked(service) -> None:
    dispatcher = CollectingDispatcher()
    await booking_actions.ActionAskAppointmentConfirm().run(dispatcher, tracker(slots=BOOKING), {})
    text = dispatcher.messages[0]["text"]
    assert "138****5678" in text and PHONE not in text and ID_NUMBER not in text and "李*" in text


def test_no_at_confirmation_starts_again(service) -> None:
    dispatcher = CollectingDispatcher()
    values = FORM.validate_appointment_confirm(False, dispatcher, tracker(slots=BOOKING), {})
    assert values["appointment_date"] is None and values["phone"] is None
    assert "重新填写" in dispatcher.messages[0]["text"]


async def test_submit_books_and_forgets_personal_data(service) -> None:
    dispatcher = CollectingDispatcher()
    events = await booking_actions.ActionSubmitAppointment().run(
        dispatcher, tracker(slots=BOOKING, loop=None), {}
    )
    text = dispatcher.messages[0]["text"]
    assert "预约号" in text and "12月1日（周二）" in text and "2026" not in text
    code = dispatcher.messages[0]["custom"]["code"]
    assert len(code) == 8 and f"预约号 {code}" in text
    assert PHONE not in text and ID_NUMBER not in text
    assert SlotSet("person_name", None) in events and SlotSet("id_number", None) in events
    # the booking stays in context: its code, and its phone (sealed by the action server's edge)
    assert SlotSet("appointment_code", code) in events
    assert not any(e.get("name") == "phone" for e in events)
    # the same turn retried returns the same booking, never a second one
    again = CollectingDispatcher()
    await booking_actions.ActionSubmitAppointment().run(again, tracker(slots=BOOKING, loop=None), {})
    assert again.messages[0]["custom"]["code"] == code
    assert len(service.list()) == 1


@pytest.mark.parametrize(
    ("answers", "brought", "not_brought"),
    [
        pytest.param(
            {"company_type": "limited", "agent": "self"},
            ["公司章程", "住所（经营场所）使用证明"],
            ["授权委托书", "企业设立登记申请书", "全体股东（投资人）身份证件"],
            id="company-in-person",
        ),
        pytest.param(
            {"company_type": "sole", "agent": "proxy"},
            ["授权委托书"],
            ["公司章程", "企业设立登记申请书"],
            id="sole-by-proxy",
        ),
    ],
)
async def test_the_booking_says_what_this_citizen_brings(
    service, answers: Dict[str, str], brought: List[str], not_brought: List[str]
) -> None:
    """The 个性指南 answers decide the materials; exempt ones (免提交, 电子证照) are not brought."""
    slots = {**BOOKING, "service": "开办企业一件事"}
    slots["situation_answers"] = {"item": "开办企业一件事", "answers": answers}
    dispatcher = CollectingDispatcher()
    await booking_actions.ActionSubmitAppointment().run(dispatcher, tracker(slots=slots, loop=None), {})
    bring = dispatcher.messages[0]["text"].split("请携带：", 1)[1].split("\n", 1)[0]
    for name in brought:
        assert name in bring
    for name in not_brought:
        assert name not in bring


async def test_papers_for_a_situation_never_told_are_listed_under_it(service) -> None:
    """Booked without the 个性指南 questions: a paper needed only by proxy is not said to be needed."""
    slots = {**BOOKING, "service": "社会保障卡居民服务一卡通一件事"}
    slots["situation_answers"] = {
        "item": "社会保障卡居民服务一卡通一件事",
        "answers": {"apply_type": "reissue"},
    }
    dispatcher = CollectingDispatcher()
    await booking_actions.ActionSubmitAppointment().run(dispatcher, tracker(slots=slots, loop=None), {})
    lines = dispatcher.messages[0]["text"].splitlines()
    assert "请携带：原社会保障卡" in lines
    assert "如为委托他人代办，还需携带：代办人居民身份证；授权委托书" in lines
    assert not any("近期免冠彩色照片" in line for line in lines)  # first card only: 补办 was told
    untold = CollectingDispatcher()
    await booking_actions.ActionSubmitAppointment().run(
        untold, tracker(slots={**slots, "situation_answers": None}, loop=None), {}
    )
    lines = untold.messages[0]["text"].splitlines()
    assert not any(line.startswith("请携带") for line in lines)
    assert "如为首次申领，请携带：近期免冠彩色照片" in lines
    assert "如为补办或换卡，请携带：原社会保障卡" in lines


async def test_full_slot_asks_for_another_time(service) -> None:
    capacity = max(s.remaining for s in service.available_slots("退休一件事", NOW.date().replace(day=27)))
    for n in range(capacity):
        id17 = f"4101051988061{n:04d}"
        service.book(
            item_name="退休一件事",
            day=NOW.date().replace(day=27),
            slot_start=datetime(1, 1, 1, 9).time(),
            name="张三",
            phone=f"1390000{n:04d}",
            id_number=id17 + id_check_char(id17),
        )
    dispatcher = CollectingDispatcher()
    slots = {**BOOKING, "appointment_date": "2026-11-27", "appointment_time": "09:00"}
    events = await booking_actions.ActionSubmitAppointment().run(
        dispatcher, tracker(slots=slots, loop=None), {}
    )
    assert "满" in dispatcher.messages[0]["text"]
    assert FollowupAction("appointment_form") in events and SlotSet("appointment_time", None) in events


async def booked_code(service) -> str:
    booking = service.book(
        item_name="退休一件事",
        day=NOW.date().replace(day=30),
        slot_start=datetime(1, 1, 1, 10).time(),
        name="李明",
        phone=PHONE,
        id_number=ID_NUMBER,
    )
    return booking.code


async def test_query_with_wrong_phone_finds_nothing(service) -> None:
    code = await booked_code(service)
    dispatcher = CollectingDispatcher()
    slots = {"appointment_code": code, "phone": "13900000000", "appointment_operation": "query"}
    await lookup_actions.ActionManageAppointment().run(dispatcher, tracker(slots=slots, loop=None), {})
    assert "没有找到" in dispatcher.messages[0]["text"]


async def test_query_and_cancel(service) -> None:
    code = await booked_code(service)
    dispatcher = CollectingDispatcher()
    slots = {"appointment_code": code, "phone": PHONE, "appointment_operation": "query"}
    await lookup_actions.ActionManageAppointment().run(dispatcher, tracker(slots=slots, loop=None), {})
    assert code in dispatcher.messages[0]["text"] and "已预约" in dispatcher.messages[0]["text"]
    cancel = CollectingDispatcher()
    slots["appointment_operation"] = "cancel"
    await lookup_actions.ActionManageAppointment().run(cancel, tracker(slots=slots, loop=None), {})
    assert "已为您取消" in cancel.messages[0]["text"] and "已取消" in cancel.messages[0]["text"]


async def test_a_look_up_forgets_what_it_was_asked_to_do_however_it_ends(service) -> None:
    """A cancel refused (already cancelled) must not leave "cancel" for a 预约号 typed later."""
    code = await booked_code(service)
    slots = {"appointment_code": code, "phone": PHONE, "appointment_operation": "cancel"}
    manage = lookup_actions.ActionManageAppointment()
    first = await manage.run(CollectingDispatcher(), tracker(slots=slots, loop=None), {})
    refused = CollectingDispatcher()
    again = await manage.run(refused, tracker(slots=slots, loop=None), {})
    assert "已为您取消" not in refused.messages[0]["text"]
    for events in (first, again):
        assert SlotSet("appointment_operation", None) in events
    shown = await manage.run(
        CollectingDispatcher(), tracker(slots={**slots, "appointment_operation": "query"}, loop=None), {}
    )
    moving = await manage.run(
        CollectingDispatcher(), tracker(slots={**slots, "appointment_operation": "reschedule"}, loop=None), {}
    )
    assert (
        SlotSet("appointment_operation", None) in shown and SlotSet("appointment_operation", None) in moving
    )


async def test_reschedule_moves_the_booking(service) -> None:
    code = await booked_code(service)
    dispatcher = CollectingDispatcher()
    slots = {"appointment_code": code, "phone": PHONE, "appointment_operation": "reschedule"}
    events = await lookup_actions.ActionManageAppointment().run(
        dispatcher, tracker(slots=slots, loop=None), {}
    )
    assert (
        FollowupAction("appointment_reschedule_form") in events and SlotSet("reschedule_code", code) in events
    )
    moved = CollectingDispatcher()
    slots = {
        "reschedule_code": code,
        "phone": PHONE,
        "appointment_date": "2026-12-02",
        "appointment_time": "14:00",
    }
    await lookup_actions.ActionSubmitReschedule().run(moved, tracker(slots=slots, loop=None), {})
    assert "改约成功" in moved.messages[0]["text"] and "14:00" in moved.messages[0]["text"]


@pytest.mark.parametrize("text", ["K7M3PQ9", "K7M3PQ0A", "预约号"])
def test_bad_codes_are_explained(service, text: str) -> None:
    dispatcher = CollectingDispatcher()
    form = lookup_actions.ValidateAppointmentLookupForm()
    asked = tracker(text=text, requested="appointment_code", loop="appointment_lookup_form")
    assert form.validate_appointment_code(text, dispatcher, asked, {}) == {"appointment_code": None}
    assert "8位" in dispatcher.messages[0]["text"]


async def test_stop_clears_the_form(service) -> None:
    dispatcher = CollectingDispatcher()
    events = await booking_actions.ActionStopBooking().run(
        dispatcher, tracker("stop", "算了不约了", slots=BOOKING), {}
    )
    assert ActiveLoop(None) in events and SlotSet("id_number", None) in events
    assert "停止" in dispatcher.messages[0]["text"]


async def test_stopping_a_change_keeps_the_booking_in_context(service) -> None:
    """ "算了不改了" forgets the new day and time, not the booking being moved."""
    dispatcher = CollectingDispatcher()
    moving = {"appointment_code": "K7M3PQ9A", "phone": "sealed", "reschedule_code": "K7M3PQ9A"}
    moving |= {"appointment_date": "2026-12-02", "form_failures": {"slot": "appointment_time", "count": 1}}
    events = await booking_actions.ActionStopBooking().run(
        dispatcher, tracker("stop", "算了不改了", slots=moving, loop="appointment_reschedule_form"), {}
    )
    cleared = {e["name"] for e in events if e.get("event") == "slot" and e["value"] is None}
    assert {"reschedule_code", "appointment_date", "appointment_time", "form_failures"} <= cleared
    assert not cleared & {"appointment_code", "phone"}
    assert ActiveLoop(None) in events and "不改了" in dispatcher.messages[0]["text"]


async def test_stopping_a_look_up_forgets_what_was_typed(service) -> None:
    dispatcher = CollectingDispatcher()
    typed = {"appointment_code": "K7M3PQ9A"}
    events = await booking_actions.ActionStopBooking().run(
        dispatcher, tracker("stop", "不查了", slots=typed, loop="appointment_lookup_form"), {}
    )
    assert SlotSet("appointment_code", None) in events and SlotSet("phone", None) in events
    assert "停止查询" in dispatcher.messages[0]["text"]


async def test_form_run_end_to_end_validation(service, domain) -> None:
    """The whole validation action on a first message: item, date and half-day at once."""
    dispatcher = CollectingDispatcher()
    first = tracker("book_appointment", "帮我约下周二下午去办退休", slots={"service": "退休一件事"})
    events = await FORM.run(dispatcher, first, domain)
    assert SlotSet("appointment_date", "2026-12-01") in events and SlotSet("half_day", "下午") in events


# -- a signed-in 郑好办 user (the api puts the verified user id in the message metadata) -----------

LOOKUP = lookup_actions.ValidateAppointmentLookupForm()
USER = "zhb-10086"


def signed_booking(service, day: int, hour: int = 10, user: str | None = USER, item: str = "退休一件事"):
    return service.book(
        item_name=item,
        day=NOW.date().replace(day=day),
        slot_start=datetime(1, 1, 1, hour).time(),
        name="李明",
        phone=PHONE,
        id_number=ID_NUMBER,
        owner=user,
    )


async def test_booking_made_while_signed_in_belongs_to_the_user(service) -> None:
    dispatcher = CollectingDispatcher()
    await booking_actions.ActionSubmitAppointment().run(
        dispatcher, tracker(slots=BOOKING, loop=None, user=USER), {}
    )
    assert [b.item_name for b in service.bookings_of(USER)] == ["退休一件事"]
    assert service.bookings_of("zhb-someone-else") == []


@pytest.mark.parametrize("operation, verb", [("query", "查看"), ("cancel", "取消"), ("reschedule", "改约")])
async def test_signed_in_user_chooses_from_own_bookings(service, operation: str, verb: str) -> None:
    first, second = signed_booking(service, 30), signed_booking(service, 30, 14, item="就医费用报销一件事")
    signed_booking(service, 27, user="zhb-someone-else")
    dispatcher = CollectingDispatcher()
    asked = tracker(operation, "我的预约", slots={"appointment_operation": operation}, loop=None, user=USER)
    await lookup_actions.ActionAskAppointmentCode().run(dispatcher, asked, {})
    message = dispatcher.messages[0]
    assert first.code in message["text"] and second.code in message["text"] and verb in message["text"]
    assert [b["payload"] for b in message["buttons"]] == [
        f'/inform{{"appointment_code": "{first.code}"}}',
        f'/inform{{"appointment_code": "{second.code}"}}',
    ]
    assert all(b["title"].startswith(verb) for b in message["buttons"])
    assert PHONE not in message["text"] and "zhb-someone-else" not in message["text"]


async def test_guest_and_user_without_bookings_are_asked_for_the_code(service) -> None:
    signed_booking(service, 30)
    guest = CollectingDispatcher()
    await lookup_actions.ActionAskAppointmentCode().run(guest, tracker("query_appointment", loop=None), {})
    assert guest.messages[0]["response"] == "utter_ask_appointment_code"
    nobody = CollectingDispatcher()
    asked = tracker("query_appointment", loop=None, user="zhb-no-bookings")
    await lookup_actions.ActionAskAppointmentCode().run(nobody, asked, {})
    assert "暂时没有" in nobody.messages[0]["text"] and "预约号" in nobody.messages[0]["text"]
    assert not nobody.messages[0]["buttons"]


@pytest.mark.parametrize("operation, picked", [("query", True), ("reschedule", True), ("cancel", False)])
async def test_the_only_booking_is_taken_unless_it_is_to_be_cancelled(
    service, operation: str, picked: bool
) -> None:
    booking = signed_booking(service, 30)
    first = tracker(
        f"{operation}_appointment",
        "我的预约",
        slots={"appointment_operation": operation},
        loop="appointment_lookup_form",
        user=USER,
    )
    values = await LOOKUP.extract_appointment_code(CollectingDispatcher(), first, {})
    assert values.get("appointment_code") == (booking.code if picked else None)
    as_guest = tracker(
        f"{operation}_appointment", "我的预约", slots={"appointment_operation": operation}, loop=None
    )
    assert "appointment_code" not in await LOOKUP.extract_appointment_code(
        CollectingDispatcher(), as_guest, {}
    )


async def test_typed_choice_of_a_listed_booking_is_a_tap(service) -> None:
    first, second = signed_booking(service, 30), signed_booking(service, 30, 14, item="就医费用报销一件事")
    listing = CollectingDispatcher()
    operation = {"appointment_operation": "cancel"}
    await lookup_actions.ActionAskAppointmentCode().run(
        listing, tracker(slots=operation, loop=None, user=USER), {}
    )
    bot_event = {
        "event": "bot",
        "text": listing.messages[0]["text"],
        "data": {"buttons": listing.messages[0]["buttons"]},
    }
    typed = tracker(
        "inform",
        "第二个",
        slots=operation,
        requested="appointment_code",
        loop="appointment_lookup_form",
        user=USER,
        events=[bot_event, {"event": "user", "text": "第二个"}],
    )
    values = await LOOKUP.extract_appointment_code(CollectingDispatcher(), typed, {})
    assert values["appointment_code"] == second.code != first.code


async def test_owner_needs_no_phone_and_others_still_do(service) -> None:
    booking = signed_booking(service, 30)
    slots = {"appointment_code": booking.code, "appointment_operation": "cancel"}
    owner = tracker("inform", slots=slots, loop="appointment_lookup_form", user=USER)
    other = tracker("inform", slots=slots, loop="appointment_lookup_form", user="zhb-someone-else")
    guest = tracker("inform", slots=slots, loop="appointment_lookup_form")
    domain_slots = ["appointment_code", "phone"]
    dispatcher = CollectingDispatcher()
    assert await LOOKUP.required_slots(domain_slots, dispatcher, owner, {}) == ["appointment_code"]
    assert await LOOKUP.required_slots(domain_slots, dispatcher, other, {}) == domain_slots
    assert await LOOKUP.required_slots(domain_slots, dispatcher, guest, {}) == domain_slots
    refused = CollectingDispatcher()
    await lookup_actions.ActionManageAppointment().run(
        refused, tracker(slots=slots, loop=None, user="zhb-x"), {}
    )
    assert "没有找到" in refused.messages[0]["text"]
    cancelled = CollectingDispatcher()
    await lookup_actions.ActionManageAppointment().run(
        cancelled, tracker(slots=slots, loop=None, user=USER), {}
    )
    assert "已为您取消" in cancelled.messages[0]["text"]
    assert [b.status for b in service.bookings_of(USER)] == ["cancelled"]


async def test_owner_moves_a_booking_without_phone(service) -> None:
    booking = signed_booking(service, 30)
    slots = {"reschedule_code": booking.code, "appointment_date": "2026-12-02", "appointment_time": "14:00"}
    moved = CollectingDispatcher()
    await lookup_actions.ActionSubmitReschedule().run(moved, tracker(slots=slots, loop=None, user=USER), {})
    assert "改约成功" in moved.messages[0]["text"]
    assert [(b.day.isoformat(), f"{b.slot_start:%H:%M}") for b in service.bookings_of(USER)] == [
        ("2026-12-02", "14:00")
    ]
