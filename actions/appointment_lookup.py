"""Finding, cancelling and moving a booking: the look-up form, the change form and their actions.

A booking found (or just made) stays the conversation's booking in context: "改一下", "取消" or
"改到后天下午" right after act on it without asking for the 预约号 and phone number again, and a new
day or time said with the change request is used.

A session the api bound to a signed-in 郑好办 user (:func:`actions.form_helpers.host_user`) needs
neither: the user's bookings are listed to choose from, and a booking the user made while signed in
is proof enough without the phone number.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import form_helpers as helpers
from actions.booking_form import WhenQuestions
from actions.form_helpers import (
    CHANGE_SLOTS,
    FAILURES_SLOT,
    LOOKUP_SLOTS,
    MISSES_SLOT,
    OPERATION_SLOT,
    SERVICE_UNAVAILABLE,
    asked_slot,
    entity_value,
    form_gave_up,
    host_user,
    is_answer,
    latest_intent,
    message_text,
    personal_value,
    reset,
    typed_button_entities,
    understood_when,
    when_slots,
)
from bot import pii
from bot.appointments import Booking, BookingError, format_day
from bot.appointments.codes import find_code
from bot.booking_dialogue import booking_card, code_error
from bot.guide import payload
from bot.hall import get_hall

logger = logging.getLogger(__name__)

#: What a look-up leaves once it acted: the booking found stays in context, the request goes.
_ACTED_ON = (*CHANGE_SLOTS, OPERATION_SLOT, MISSES_SLOT)


class ValidateAppointmentLookupForm(helpers.EscalatingValidation, FormValidationAction):
    """Checks the 预约号 and phone number used to find a booking."""

    carried_slots: tuple = ("appointment_date", "appointment_time", "half_day")
    cleared_slots: tuple = LOOKUP_SLOTS

    def name(self) -> str:
        """Return the domain name of this action."""
        return "validate_appointment_lookup_form"

    async def extract_appointment_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read a code said anywhere; the first message may also name the new day and time of a change."""
        values: Dict[str, Any] = {}
        if asked_slot(tracker) is None and latest_intent(tracker) == "reschedule_appointment":
            when = understood_when(tracker, helpers.booking_service())
            if when is not None:
                values.update(when_slots(when))
        said = entity_value(tracker, "appointment_code") or typed_button_entities(tracker).get(
            "appointment_code"
        )
        code = find_code(said or "") or find_code(message_text(tracker))
        if code is None and asked_slot(tracker) is None:
            code = _only_booking(tracker)
        if code:
            values["appointment_code"] = code
        elif (
            asked_slot(tracker) == "appointment_code"
            and is_answer(tracker)
            and (said or message_text(tracker))
        ):
            values["appointment_code"] = said or message_text(tracker)
        return values

    def validate_appointment_code(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept eight letters and digits from the code alphabet."""
        code = find_code(str(slot_value or ""))
        if code is None:
            forgotten = CODE_FORGOTTEN.search(message_text(tracker)) is not None  # told by the question
            if asked_slot(tracker) == "appointment_code" and not forgotten:
                dispatcher.utter_message(text=code_error(str(slot_value or "")) or "")
            return {"appointment_code": None}
        return {"appointment_code": code}

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        """Ask for the phone number only when the signed-in user did not make the booking."""
        user, code = host_user(tracker), tracker.get_slot("appointment_code")
        if user and code and _owned(code, user):
            return [slot for slot in domain_slots if slot != "phone"]
        return domain_slots

    async def extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read a mobile number out of the latest message."""
        return personal_value(tracker, "phone", "phone", pii.find_mobile)

    def validate_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Apply the phone rule of :func:`bot.pii.mobile_error`, saying why a number is refused."""
        text = str(slot_value or "")
        problem = pii.mobile_answer_error(text)
        if problem:
            if asked_slot(tracker) == "phone":
                dispatcher.utter_message(text=problem)
            return {"phone": None}
        return {"phone": pii.find_mobile(text)}


CODE_FORGOTTEN = re.compile(r"忘了|忘记|不记得|记不清|记不住|找不到|找不着|弄丢|丢了|没记")
"""Telling that the 预约号 is not at hand ("预约号忘了咋办", "号码找不着了")."""


def forgotten_code_text(hall_phone: str) -> str:
    """What to do without the 预约号: where it was given, signing in to 郑好办, or the hall's phone."""
    return (
        "预约号在预约成功时的那条回复里（“预约成功！预约号……”），可以翻一下聊天记录。"
        "如果是在郑好办APP登录后预约的，登录后直接说“查一下我的预约”即可，不用预约号；"
        f"也可以拨打大厅咨询电话{hall_phone}，工作人员核实身份后帮您查询。\n"
        "找到了预约号请直接输入，不查了请说“不查了”。"
    )


class ActionAskAppointmentCode(Action):
    """Asks for the 预约号; a signed-in user chooses from their own bookings instead."""

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_ask_appointment_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """List the signed-in user's bookings as buttons, or ask for the code."""
        user = host_user(tracker)
        if not user and CODE_FORGOTTEN.search(message_text(tracker)):
            # "预约号忘了咋办": where the code is, and who finds a booking without it, not the bare question
            dispatcher.utter_message(text=forgotten_code_text(get_hall().consultation_phone))
            return []
        if not user:
            dispatcher.utter_message(response="utter_ask_appointment_code")
            return []
        try:
            bookings = helpers.booking_service().bookings_of(user)
        except Exception:
            logger.exception("listing a signed-in user's bookings failed")
            bookings = []
        if not bookings:
            dispatcher.utter_message(
                text="您登录的郑好办账号下暂时没有今天及以后的预约。如果是未登录时预约的，"
                "请输入预约号（8位字母和数字，在预约成功的回复中）。"
            )
            return []
        verb = {"cancel": "取消", "reschedule": "改约"}.get(tracker.get_slot(OPERATION_SLOT) or "", "查看")
        lines = "\n".join(f"{n}. {_line(b)}" for n, b in enumerate(bookings, 1))
        dispatcher.utter_message(
            text=f"您登录的郑好办账号下有以下预约：\n{lines}\n请点选要{verb}的预约，也可以直接说预约号。",
            buttons=[
                {
                    "title": f"{verb} {_line(b, short=True)}",
                    "payload": payload("inform", appointment_code=b.code),
                }
                for b in bookings
                if b.is_active or verb == "查看"
            ],
        )
        return []


def _line(booking: Booking, *, short: bool = False) -> str:
    """One line naming a booking for a list: day, time, item, code (status when not active)."""
    when = f"{format_day(booking.day)} {booking.slot_start:%H:%M}"
    if short:
        return f"{when} {booking.item_name}"
    state = "" if booking.is_active else f"（{booking.status_text}）"
    return f"{when} {booking.item_name}，预约号 {booking.code}{state}"


def _only_booking(tracker: Tracker) -> Optional[str]:
    """The code of a signed-in user's one active booking when it is safe to act on it unasked.

    Looking it up or moving it is; cancelling is not: the user taps the booking to cancel.
    """
    user = host_user(tracker)
    if not user or (tracker.get_slot(OPERATION_SLOT) or "query") == "cancel":
        return None
    try:
        active = [b for b in helpers.booking_service().bookings_of(user) if b.is_active]
    except Exception:
        logger.exception("listing a signed-in user's bookings failed")
        return None
    return active[0].code if len(active) == 1 else None


def _owned(code: str, user: str) -> bool:
    """True when the signed-in ``user`` made the booking ``code``."""
    try:
        return helpers.booking_service().find(code=code, owner=user) is not None
    except Exception:
        logger.exception("checking a booking's owner failed")
        return False


MAX_LOOKUP_MISSES = 3
"""Look-ups in a row that find nothing before the form stops asking (the hall's phone is given)."""


def not_found(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    """No booking has this 预约号 and phone: ask for them again, up to `MAX_LOOKUP_MISSES` times in a row.

    The 预约号 typed next starts the look-up again (the rule for a code typed on its own), which then
    asks for the phone. Which of the two was wrong is not said, so that trying numbers reveals nothing.
    """
    misses = int(tracker.get_slot(MISSES_SLOT) or 0) + 1
    if misses >= MAX_LOOKUP_MISSES:
        dispatcher.utter_message(
            text=f"仍然没有找到与该预约号和手机号匹配的预约。请拨打大厅咨询电话{get_hall().consultation_phone}，"
            "工作人员核实身份后帮您查询。"
        )
        return [*reset(LOOKUP_SLOTS), SlotSet(MISSES_SLOT, None)]
    dispatcher.utter_message(
        text="没有找到与该预约号和手机号匹配的预约。请核对后重新输入预约号（8位字母和数字），再输入预约时的手机号。"
    )
    operation = tracker.get_slot(OPERATION_SLOT)
    return [*reset(LOOKUP_SLOTS), SlotSet(OPERATION_SLOT, operation), SlotSet(MISSES_SLOT, misses)]


class ActionManageAppointment(Action):
    """Shows, cancels or starts moving the booking found by 预约号 and phone number."""

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_manage_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Do what the citizen asked for with the booking; keep a found booking in context."""
        if form_gave_up(tracker):
            return [*reset(LOOKUP_SLOTS), SlotSet(FAILURES_SLOT, None)]
        service = helpers.booking_service()
        code, phone = tracker.get_slot("appointment_code") or "", tracker.get_slot("phone") or ""
        owner = host_user(tracker)
        operation = tracker.get_slot(OPERATION_SLOT) or "query"
        try:
            booking = service.find(code=code, phone=phone, owner=owner)
            if booking is None:
                return not_found(dispatcher, tracker)
            if operation == "cancel":
                booking = service.cancel(code=code, phone=phone, owner=owner)
                dispatcher.utter_message(
                    text=f"已为您取消预约。{booking.summary()}", json_message=booking_card(booking)
                )
                return reset(LOOKUP_SLOTS)
            if operation == "reschedule":
                if not booking.is_active:
                    dispatcher.utter_message(text=f"这个预约当前状态为“{booking.status_text}”，不能改约。")
                    return reset(_ACTED_ON)
                dispatcher.utter_message(text=f"找到了您的预约：{booking.summary()}\n下面为您改约。")
                return [
                    SlotSet(OPERATION_SLOT, None),
                    SlotSet("service", booking.item_name),
                    SlotSet("reschedule_code", booking.code),
                    FollowupAction("appointment_reschedule_form"),
                ]
            dispatcher.utter_message(
                text=f"{booking.summary()}\n如需改约或取消，直接说“改到后天下午”或“取消预约”即可。",
                json_message=booking_card(booking),
            )
        except BookingError as exc:
            dispatcher.utter_message(text=exc.message)
        except Exception:
            logger.exception("managing a booking failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return reset(LOOKUP_SLOTS)
        return reset(_ACTED_ON)


class ValidateAppointmentRescheduleForm(helpers.EscalatingValidation, WhenQuestions, FormValidationAction):
    """Checks the new day and time of a booking being moved."""

    carried_slots: tuple = ("half_day",)
    cleared_slots: tuple = CHANGE_SLOTS

    def name(self) -> str:
        """Return the domain name of this action."""
        return "validate_appointment_reschedule_form"


class ActionSubmitReschedule(Action):
    """Moves the booking to the chosen timeslot in one transaction."""

    def name(self) -> str:
        """Return the domain name of this action."""
        return "action_submit_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Reschedule and confirm, or say why not; the moved booking stays in context."""
        if form_gave_up(tracker):
            return [*reset(CHANGE_SLOTS), SlotSet(FAILURES_SLOT, None)]
        service = helpers.booking_service()
        day = helpers.parse_iso_date(tracker.get_slot("appointment_date"))
        start = helpers.parse_clock(tracker.get_slot("appointment_time"))
        try:
            if day is None or start is None:
                raise ValueError("incomplete reschedule")
            booking = service.reschedule(
                code=tracker.get_slot("reschedule_code") or "",
                phone=tracker.get_slot("phone") or "",
                owner=host_user(tracker),
                day=day,
                slot_start=start,
            )
            dispatcher.utter_message(
                text=f"改约成功！{booking.summary()}", json_message=booking_card(booking)
            )
            return [*reset(CHANGE_SLOTS), SlotSet("appointment_code", booking.code)]
        except BookingError as exc:
            dispatcher.utter_message(text=exc.message)
        except Exception:
            logger.exception("rescheduling failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
        return reset(CHANGE_SLOTS)
