"""预约办 booking form: its questions, its validator and the submit action, in one journey.

Every answer is read out of whatever the citizen typed around it (see :mod:`actions.form_helpers`);
a change said while the form is open ("换成后天上午吧") changes the form's answer, never an
existing booking; the second failed answer to a question offers help, the third ends the form.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import form_helpers as helpers
from actions.form_helpers import (
    BOOKING_SLOTS,
    CHANGE_SLOTS,
    CHANGE_WORDS,
    FAILURES_SLOT,
    LOOKUP_SLOTS,
    SERVICE_UNAVAILABLE,
    asked_slot,
    form_gave_up,
    is_answer,
    latest_intent,
    message_text,
    offer_days,
    offer_times,
    personal_value,
    reset,
    said_in_latest_message,
    understood_when,
    when_slots,
)
from actions.guide import situation_answers
from bot import pii
from bot.appointments import BookingError, SlotFullError, UnavailableError
from bot.booking_dialogue import (
    booked_text,
    booking_card,
    choose_button,
    confirm_answer,
    confirmation_text,
    day_buttons,
    free_starts,
    parse_clock,
    parse_iso_date,
    slot_for,
    time_buttons,
    why_needed_text,
    withheld_slot,
    withholds,
)
from bot.catalogue import get_catalogue
from bot.guide import payload
from bot.hall import get_hall
from bot.timeparse import describe_date

logger = logging.getLogger(__name__)

#: Slots asked before the date and time: a date said while answering one of these is a change.
_PERSON_QUESTIONS = ("person_name", "phone", "id_number", "appointment_confirm")


def _is_change(tracker: Tracker) -> bool:
    """Return True when the latest message changes an answer given before ("换成后天上午吧")."""
    return latest_intent(tracker) == "reschedule_appointment" or bool(
        CHANGE_WORDS.search(message_text(tracker))
    )


class WhenQuestions:
    """Reading and checking the day and time, shared by booking and moving a booking."""

    async def extract_appointment_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read a date (and a half-day or time said with it) from anywhere in the latest message."""
        asked = asked_slot(tracker)
        if asked is not None and not is_answer(tracker):
            return {}
        if asked in _PERSON_QUESTIONS and not _is_change(tracker):
            return {}
        when = understood_when(tracker, helpers.booking_service())
        if when is None or when.date is None:
            if asked == "appointment_date" and message_text(tracker) and when is None:
                service = helpers.booking_service()
                days = service.bookable_days(1)
                example = f"“{days[-1].month}月{days[-1].day}日”" if days else "“下周三”"
                dispatcher.utter_message(
                    text=f"抱歉，我没能理解这个日期，请换个说法，比如“下周三”{example}，或点击下方日期。"
                )
            return {}
        values = when_slots(when)
        if asked in _PERSON_QUESTIONS:  # a new day: its time is chosen again, and confirmed again
            values.setdefault("appointment_time", None)
            values["appointment_confirm"] = None
        return values

    async def extract_appointment_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read the time (or a half-day) the citizen chose, typed or tapped."""
        asked = asked_slot(tracker)
        if asked is not None and not is_answer(tracker):
            return {}
        if asked in _PERSON_QUESTIONS and not _is_change(tracker):
            return {}
        when = understood_when(tracker, helpers.booking_service())
        if when is None or (when.time is None and when.half_day is None):
            if asked == "appointment_time" and message_text(tracker):
                dispatcher.utter_message(
                    text="抱歉，我没能理解这个时间，请点击下方的时间段，或说“上午9点半”这样的时间。"
                )
            return {}
        values = when_slots(when)
        if when.time is None:
            values.pop("appointment_time", None)
        if asked in _PERSON_QUESTIONS:
            values["appointment_confirm"] = None
        return values

    def validate_appointment_date(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Refuse past, closed, out-of-horizon and full days with the reason, offering bookable ones."""
        if slot_value is None:
            return {"appointment_date": None}
        service = helpers.booking_service()
        try:
            reason = helpers.day_refusal(service, slot_value, tracker.get_slot("service"))
        except UnavailableError:  # cannot check for room now: booking checks again
            reason = service.check_day(parse_iso_date(slot_value) or service.now().date())
        if reason is not None:
            offer_days(dispatcher, service, reason)
            return {"appointment_date": None, "appointment_time": None}
        day = parse_iso_date(slot_value)
        assert day is not None  # day_refusal refuses what is not a date
        if not service.calendar.is_official(day):
            dispatcher.utter_message(
                text="提示：该日期所在年份的调休安排尚未公布，目前按“周末及法定节假日休息”推算，如有调整我们会短信通知。"
            )
        return {"appointment_date": day.isoformat()}

    def validate_appointment_time(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept a time only inside a slot with room; otherwise offer the free ones."""
        service = helpers.booking_service()
        day = parse_iso_date(tracker.get_slot("appointment_date"))
        wanted = parse_clock(slot_value)
        item = tracker.get_slot("service")
        if day is None or wanted is None or not item:
            return {"appointment_time": None}
        try:
            chosen = slot_for(service.available_slots(item, day), wanted)
        except UnavailableError:  # cannot check for room now: booking checks the time again
            return {"appointment_time": f"{wanted:%H:%M}"}
        if chosen is None:
            offer_times(
                dispatcher,
                service,
                tracker,
                f"{wanted:%H:%M}不在办公时段或已经约满了，请从下面的空闲时段中选择：",
            )
            return {"appointment_time": None}
        return {"appointment_time": f"{chosen.start:%H:%M}"}


class ValidateAppointmentForm(helpers.EscalatingValidation, WhenQuestions, FormValidationAction):
    """Checks every answer of the booking form and says why one is refused."""

    carried_slots: tuple = ("half_day",)
    cleared_slots: tuple = BOOKING_SLOTS

    def name(self) -> str:
        """Return the domain name of this action."""
        return "validate_appointment_form"

    def validate_service(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept only catalogue items that offer 预约办."""
        item = get_catalogue().get(str(slot_value or ""))
        if item is None:
            return {"service": None}
        if not item.appointment:
            dispatcher.utter_message(
                text=f"“{item.name}”暂不提供窗口预约，您可以直接到大厅取号或在网上办理。"
            )
            return {"service": None}
        return {"service": item.name}

    async def extract_person_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read the name out of the answer to "what is the name?" (never out of other answers)."""
        if asked_slot(tracker) != "person_name":
            return {}
        return personal_value(tracker, "person_name", "person_name", pii.find_name)

    def validate_person_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Apply the name rule of :func:`bot.pii.name_error`, saying why a name is refused."""
        return _checked(dispatcher, tracker, "person_name", slot_value, pii.find_name, pii.name_answer_error)

    async def extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read a mobile number out of the latest message."""
        return personal_value(tracker, "phone", "phone", pii.find_mobile)

    def validate_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Apply the phone rule of :func:`bot.pii.mobile_error`, saying why a number is refused.

        A number kept with the booking in context (the booking just made, or one found) is not
        reused when a new booking starts (`_checked`).
        """
        return _checked(dispatcher, tracker, "phone", slot_value, pii.find_mobile, pii.mobile_answer_error)

    async def extract_id_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read an ID number out of the latest message."""
        today = helpers.booking_service().now().date()
        return personal_value(tracker, "id_number", "id_number", lambda text: pii.find_id_number(text, today))

    def validate_id_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Apply the ID rule of :func:`bot.pii.id_number_error`, saying why a number is refused."""
        today = helpers.booking_service().now().date()
        return _checked(
            dispatcher,
            tracker,
            "id_number",
            slot_value,
            lambda text: pii.find_id_number(text, today),
            lambda text: pii.id_answer_error(text, today),
        )

    async def extract_appointment_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read yes or no to the summary: the buttons, or "确认", "对的", "第一个"."""
        if asked_slot(tracker) != "appointment_confirm":
            return {}
        intent = latest_intent(tracker)
        if intent in ("affirm", "deny"):
            return {"appointment_confirm": intent == "affirm"}
        answer = confirm_answer(message_text(tracker))
        if answer is None:
            chosen = choose_button(message_text(tracker), helpers.last_buttons(tracker))
            if chosen is not None and chosen.get("payload") in ("/affirm", "/deny"):
                answer = chosen["payload"] == "/affirm"
        if answer is None:
            if is_answer(tracker) and message_text(tracker):
                dispatcher.utter_message(
                    text="信息无误请说“确认”或点击“确认预约”；需要修改请说“重新填写”，不约了请说“不约了”。"
                )
            return {}
        return {"appointment_confirm": answer}

    def validate_appointment_confirm(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept a yes; a no starts the details again (the item is kept)."""
        if slot_value is True:
            return {"appointment_confirm": True}
        if slot_value is None:  # cleared by a change of day or time: asked again later
            return {"appointment_confirm": None}
        dispatcher.utter_message(text="好的，我们重新填写预约信息。")
        return {name: None for name in BOOKING_SLOTS}


def _reopened_by_submit(tracker: Tracker) -> bool:
    """True when the form runs because its own submit reopened it in this turn (not a new booking)."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") != "appointment_form":
            return event.get("name") == "action_submit_appointment"
    return False


def _checked(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: str,
    value: Any,
    find: Any,
    error: Any,
) -> Dict[str, Any]:
    """Return the value read by ``find``, or None after saying ``error``'s reason.

    A personal value left from an earlier journey of this session (a phone used to find a booking)
    is not reused for a new booking: at activation only what the first message says is kept, unless
    the booking's own submit reopened the form (the time was taken meanwhile, or the database could
    not be reached): then the answers just given stand.
    """
    text = str(value or "")
    found = find(text) if text else None
    reopened = _reopened_by_submit(tracker)
    if (
        asked_slot(tracker) is None
        and not reopened
        and (found is None or not said_in_latest_message(tracker, found, find))
    ):
        return {slot: None}
    if asked_slot(tracker) == slot and withholds(text):
        # "我不想给手机号": what it is for and the way without it, not the number's format
        dispatcher.utter_message(text=why_needed_text(withheld_slot(text, slot)))
        return {slot: None}
    problem = error(text)
    if problem:
        if asked_slot(tracker) == slot:
            dispatcher.utter_message(text=problem)
        return {slot: None}
    return {slot: found}


class ActionAskService(Action):
    """Asks which item to book, offering the ones that take appointments."""

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_ask_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Ask with buttons."""
        items = [i for i in get_catalogue().items if i.appointment][:8]
        dispatcher.utter_message(
            text="请问您要预约办理哪个事项？可以直接说，比如“退休”“开公司”，或点击下方按钮：",
            buttons=[{"title": i.name, "payload": payload("inform", service=i.name)} for i in items],
        )
        return []


class ActionAskAppointmentDate(Action):
    """Asks for the day, offering the nearest bookable days."""

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_ask_appointment_date"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Ask with day buttons, unless a refused or full day was just answered with them."""
        if helpers.days_offered_this_turn(tracker):
            return []  # "超过可预约范围…可以预约的最近日期如下，请选择：" asked already
        service = helpers.booking_service()
        rules = service.config.rules
        dispatcher.utter_message(
            text=(
                f"请问您想预约哪一天？可预约从下一个工作日起{rules.max_working_days_ahead}个工作日内的时段"
                "（周末和法定节假日不办公）。"
            ),
            buttons=day_buttons(service.bookable_days(rules.max_working_days_ahead), service.now().date()),
        )
        return []


class ActionAskAppointmentTime(Action):
    """Asks for the time, offering the free timeslots of the chosen day."""

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_ask_appointment_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Ask with one button per free timeslot (only 上午 or 下午 when the citizen said so)."""
        service = helpers.booking_service()
        day = parse_iso_date(tracker.get_slot("appointment_date"))
        item = tracker.get_slot("service")
        if day is None or not item:
            return [SlotSet("appointment_date", None)]
        try:
            timeslots = service.available_slots(item, day)
        except UnavailableError as exc:
            dispatcher.utter_message(
                text=f"{exc.message}\n暂时查不到空闲时段；您也可以直接说想约的时间，比如“上午10点”，提交时再为您核对。"
            )
            return []
        half_day = tracker.get_slot("half_day")
        buttons = time_buttons(timeslots, half_day)
        note = ""
        if not buttons and half_day:
            note = f"{half_day}已经约满，"
            buttons = time_buttons(timeslots)
        if not free_starts(timeslots):
            dispatcher.utter_message(
                text="这一天已经约满了，请换一天：",
                buttons=day_buttons(
                    service.bookable_days(service.config.rules.max_working_days_ahead), service.now().date()
                ),
            )
            return [SlotSet("appointment_date", None)]
        today = service.now().date()
        dispatcher.utter_message(
            text=f"{note}{describe_date(day, today)}还有以下空闲时段，请选择：", buttons=buttons
        )
        return []


class ActionAskAppointmentConfirm(Action):
    """Shows the masked summary and asks to confirm."""

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_ask_appointment_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Ask with 确认 / 重新填写 / 不约了 buttons."""
        service = helpers.booking_service()
        day = parse_iso_date(tracker.get_slot("appointment_date"))
        start = parse_clock(tracker.get_slot("appointment_time"))
        if day is None or start is None:
            return [SlotSet("appointment_date", None), SlotSet("appointment_time", None)]
        dispatcher.utter_message(
            text=confirmation_text(
                tracker.get_slot("service"),
                day,
                start,
                pii.mask_name(tracker.get_slot("person_name") or ""),
                pii.mask_mobile(tracker.get_slot("phone") or ""),
                pii.mask_id_number(tracker.get_slot("id_number") or ""),
                service.now().date(),
            ),
            buttons=[
                {"title": "确认预约", "payload": "/affirm"},
                {"title": "重新填写", "payload": "/deny"},
                {"title": "不约了", "payload": "/stop"},
            ],
        )
        return []


class ActionSubmitAppointment(Action):
    """Books the timeslot and replies with the 预约号."""

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_submit_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Book idempotently (a retried turn returns the same booking); forget the name and 身份证号."""
        if form_gave_up(tracker):  # the form ended after three failed answers: already explained
            return [*reset(BOOKING_SLOTS), SlotSet(FAILURES_SLOT, None)]
        service = helpers.booking_service()
        item_name = tracker.get_slot("service")
        day = parse_iso_date(tracker.get_slot("appointment_date"))
        start = parse_clock(tracker.get_slot("appointment_time"))
        id_number = tracker.get_slot("id_number") or ""
        if not item_name or day is None or start is None:
            dispatcher.utter_message(text="预约信息不完整，请重新说“我要预约”。")
            return reset(BOOKING_SLOTS)
        key_source = f"{tracker.sender_id}|{item_name}|{day}|{start}|{id_number}"
        key = hashlib.sha256(key_source.encode()).hexdigest()[:40]
        try:
            booking = service.book(
                item_name=item_name,
                day=day,
                slot_start=start,
                name=tracker.get_slot("person_name") or "",
                phone=tracker.get_slot("phone") or "",
                id_number=id_number,
                idempotency_key=key,
                owner=helpers.host_user(tracker),
            )
        except SlotFullError as exc:
            dispatcher.utter_message(text=exc.message)
            return [
                SlotSet("appointment_time", None),
                SlotSet("appointment_confirm", None),
                FollowupAction("appointment_form"),
            ]
        except UnavailableError as exc:
            # nothing was written; the same answers, confirmed again, book exactly once (same key)
            dispatcher.utter_message(
                text=f"{exc.message}\n您填写的信息已为您保留，稍后点击“确认预约”即可重新提交。"
            )
            return [SlotSet("appointment_confirm", None), FollowupAction("appointment_form")]
        except BookingError as exc:
            dispatcher.utter_message(text=exc.message)
            return reset(BOOKING_SLOTS)
        except Exception:
            logger.exception("booking failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return reset(BOOKING_SLOTS)
        item = get_catalogue().get(item_name)
        # what this citizen brings: their 个性指南 answers decide it, exempt papers are not brought;
        # a paper needed only in a situation never told is listed under that situation
        answers = situation_answers(tracker, item) if item is not None else {}
        bring_if = item.materials_to_bring_if(answers) if item is not None else []
        conditional = {m.name for _, papers in bring_if for m in papers}
        bring = item.materials_to_bring(answers) if item is not None else []
        materials = [m.name for m in bring if m.name not in conditional]
        materials_if = [(condition, [m.name for m in papers]) for condition, papers in bring_if]
        dispatcher.utter_message(
            text=booked_text(booking, get_hall(), materials, service.now().date(), materials_if),
            json_message=booking_card(booking),
        )
        logger.info("booked %s for %s on %s", booking.code, booking.item_name, booking.day)
        # the booking just made stays the one in context, as a booking found does
        # (actions/appointment_lookup.py): "查一下我的预约", "改到后天" or "取消" next need neither
        # its code nor the phone number again. The phone stays sealed in the vault for the session.
        kept = tuple(slot for slot in BOOKING_SLOTS if slot != "phone")
        return [*reset(kept), SlotSet("appointment_code", booking.code)]


#: Words that point at a booking made before ("我上回约的那个", "之前约好的", "my previous booking").
EARLIER_BOOKING = re.compile(
    r"上回|上次|之前|以前|前几天|前两天|昨天|前天|已经约|约好|约过|我约的|约的那个|原来的|预约号|previous|earlier|existing",
    re.IGNORECASE,
)


class ActionStopBooking(Action):
    """Stops a 预约办 form on "算了不约了" / "算了不改了" / "不查了" and forgets what it was given.

    A wish to cancel ("取消", "cancel") while a new booking is being made stops that booking, and says
    how to cancel one made before; a wish to cancel one made before (`EARLIER_BOOKING`: "算了 我上回约的
    那个想先取消掉") stops this one and looks that one up.

    Stopping a change keeps the booking being moved (its code and sealed phone) as the booking in
    context, so "那取消吧" right after needs neither again; stopping a booking or a look-up forgets
    everything the form was told.
    """

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_stop_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Confirm the stop in the words of the form that was open and clear its slots."""
        form = tracker.active_loop_name
        then: List[Dict[str, Any]] = []  # what runs next: the look-up of a booking made before
        if form == "appointment_reschedule_form":
            dispatcher.utter_message(text="好的，不改了，您的预约保持原来的时间不变。还有什么可以帮您？")
            forgotten: tuple = CHANGE_SLOTS
        elif form == "appointment_lookup_form":
            dispatcher.utter_message(
                text="好的，已停止查询，您输入的预约号和手机号不会保存。还有什么可以帮您？"
            )
            forgotten = LOOKUP_SLOTS
        else:
            stopped = "好的，已停止本次预约，您填写的信息不会保存。"
            forgotten = BOOKING_SLOTS + LOOKUP_SLOTS
            if latest_intent(tracker) != "cancel_appointment":
                dispatcher.utter_message(text=stopped + "还有什么可以帮您？")
            elif EARLIER_BOOKING.search(message_text(tracker)):
                # "算了 我上回约的那个想先取消掉": stop this one, then find the one made before
                dispatcher.utter_message(text=stopped)
                then = [FollowupAction("appointment_lookup_form")]
            else:
                # "取消" while a new booking is being made: this one, not one made before
                dispatcher.utter_message(
                    text=stopped
                    + "如果您是要取消之前已经约好的预约，请再说一次“取消预约”。还有什么可以帮您？"
                )
        return [
            *reset(forgotten + (FAILURES_SLOT,)),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *then,
        ]
