"""预约办 in the dialogue: the booking form, and finding, cancelling and moving a booking."""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import pii
from bot.appointments import BookingError, BookingService, SlotFullError, build_service
from bot.appointments.codes import normalize_code
from bot.booking_dialogue import (
    booked_text,
    booking_card,
    clean_name,
    code_error,
    confirmation_text,
    day_buttons,
    free_starts,
    name_error,
    parse_clock,
    parse_iso_date,
    slot_for,
    time_buttons,
)
from bot.catalogue import get_catalogue
from bot.guide import GUIDE_INTENTS, payload
from bot.hall import get_hall
from bot.timeparse import ParsedWhen, describe_date, parse_when

logger = logging.getLogger(__name__)

BOOKING_SLOTS = (
    "appointment_date",
    "appointment_time",
    "half_day",
    "person_name",
    "phone",
    "id_number",
    "appointment_confirm",
)
LOOKUP_SLOTS = (
    "appointment_code",
    "phone",
    "reschedule_code",
    "appointment_date",
    "appointment_time",
    "half_day",
)
# Messages with these intents are questions or commands, never a value the form asked for.
NOT_A_VALUE = GUIDE_INTENTS | {
    "ask_office_hours",
    "ask_hall_location",
    "request_human",
    "complain",
    "faq",
    "stop",
    "bot_challenge",
    "greet",
    "goodbye",
    "thank",
    "book_appointment",
    "cancel_appointment",
    "query_appointment",
    "reschedule_appointment",
    "rate_service",
}
SERVICE_UNAVAILABLE = "抱歉，预约系统暂时无法使用，请稍后再试，或拨打大厅咨询电话预约。"


@lru_cache(maxsize=1)
def booking_service() -> BookingService:
    """The booking service of this action server, on the configured database."""
    return build_service()


def reset(names: tuple) -> List[Dict[str, Any]]:
    """Events clearing the given slots (personal data is not kept once it has been used)."""
    return [SlotSet(name, None) for name in names]


def latest_intent(tracker: Tracker) -> str:
    """The name of the latest user intent."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def entity_value(tracker: Tracker, name: str) -> Optional[str]:
    """The value of the first entity of this type in the latest message."""
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def typed_value(tracker: Tracker, slot: str) -> Optional[str]:
    """The raw text when the form asked for ``slot`` and the message is an answer, not a question."""
    if tracker.get_slot("requested_slot") != slot or latest_intent(tracker) in NOT_A_VALUE:
        return None
    text = (tracker.latest_message.get("text") or "").strip()
    return text if text and not text.startswith("/") else None


def answer(tracker: Tracker, slot: str, entity: str) -> Dict[str, Any]:
    """The slot's value from an entity or, when the form asked for it, from the typed answer."""
    value = entity_value(tracker, entity) or typed_value(tracker, slot)
    return {slot: value} if value else {}


def checked(
    dispatcher: CollectingDispatcher,
    slot: str,
    value: Any,
    error: Callable[[str], Optional[str]],
    normalise: Callable[[str], str],
) -> Dict[str, Any]:
    """The normalised value, or None after telling the citizen why it was refused."""
    problem = error(str(value or ""))
    if problem:
        dispatcher.utter_message(text=problem)
        return {slot: None}
    return {slot: normalise(str(value))}


def understood_when(tracker: Tracker, service: BookingService) -> Optional[ParsedWhen]:
    """The date and time named in the latest message (a button's ISO date or free text)."""
    text = entity_value(tracker, "date") or ""
    time_text = entity_value(tracker, "time") or ""
    combined = " ".join(t for t in (text, time_text) if t) or (tracker.latest_message.get("text") or "")
    if combined.startswith("/"):
        return None
    return parse_when(combined, service.now())


def when_slots(when: ParsedWhen) -> Dict[str, Any]:
    """Slot values for what was understood of a date and time."""
    values: Dict[str, Any] = {}
    if when.date:
        values["appointment_date"] = when.date.isoformat()
    if when.half_day:
        values["half_day"] = when.half_day
    if when.time:
        values["appointment_time"] = f"{when.time:%H:%M}"
    return values


class CarriedSlots:
    """Keeps slots a form extracts but does not ask for (the half-day; a new time said with a change).

    rasa_sdk drops every extracted slot that is not one of the form's required slots; these are
    worth keeping because the citizen said them, so asking again would be rude.
    """

    carried_slots: tuple = ("half_day",)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Extract, validate, and add the carried slots that validation left out."""
        extraction_events = await self.get_extraction_events(dispatcher, tracker, domain)  # type: ignore[attr-defined]
        tracker.add_slots(extraction_events)
        validation_events = await self._extract_validation_events(dispatcher, tracker, domain)  # type: ignore[attr-defined]
        validated = {event["name"] for event in validation_events}
        carried = [
            e for e in extraction_events if e["name"] in self.carried_slots and e["name"] not in validated
        ]
        return [*validation_events, *carried]


class WhenValidation:
    """Extraction and validation of the date and time, shared by booking and rescheduling."""

    async def extract_appointment_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read a date (and a half-day or time said with it) from the latest message."""
        asked = tracker.get_slot("requested_slot")
        if asked not in (None, "appointment_date", "appointment_time") and not entity_value(tracker, "date"):
            return {}
        if asked is not None and latest_intent(tracker) in NOT_A_VALUE:
            return {}
        when = understood_when(tracker, booking_service())
        if when is None:
            if asked == "appointment_date" and typed_value(tracker, "appointment_date"):
                dispatcher.utter_message(
                    text="抱歉，我没能理解这个日期，请换个说法，比如“下周三”“12月3日”，或点击下方日期。"
                )
            return {}
        return when_slots(when)

    async def extract_appointment_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read the time (or a half-day) the citizen chose."""
        if tracker.get_slot("requested_slot") != "appointment_time" and not entity_value(tracker, "time"):
            return {}
        if latest_intent(tracker) in NOT_A_VALUE:
            return {}
        when = understood_when(tracker, booking_service())
        if when is None:
            if typed_value(tracker, "appointment_time"):
                dispatcher.utter_message(
                    text="抱歉，我没能理解这个时间，请点击下方的时间段，或说“上午9点半”这样的时间。"
                )
            return {}
        return when_slots(when)

    def validate_appointment_date(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Refuse past, closed, out-of-horizon and full days, offering the nearest bookable ones."""
        service = booking_service()
        day = parse_iso_date(slot_value)
        today = service.now().date()
        if day is None:
            return {"appointment_date": None}
        reason = service.check_day(day)
        item = tracker.get_slot("service")
        if reason is None and item and not service.available_slots(item, day):
            reason = f"{describe_date(day, today)}的号源已经约满了。"
        if reason is not None:
            dispatcher.utter_message(
                text=f"{reason.rstrip('。')}。可以预约的最近日期如下，请选择：",
                buttons=day_buttons(service.bookable_days(3), today),
            )
            return {"appointment_date": None, "appointment_time": None}
        if not service.calendar.is_official(day):
            dispatcher.utter_message(
                text="提示：该日期所在年份的调休安排尚未公布，目前按“周末及法定节假日休息”推算，如有调整我们会短信通知。"
            )
        return {"appointment_date": day.isoformat()}

    def validate_appointment_time(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept a time only inside a slot with room; otherwise offer the free ones."""
        service = booking_service()
        day = parse_iso_date(tracker.get_slot("appointment_date"))
        wanted = parse_clock(slot_value)
        item = tracker.get_slot("service")
        if day is None or wanted is None or not item:
            return {"appointment_time": None}
        slots = service.available_slots(item, day)
        chosen = slot_for(slots, wanted)
        if chosen is None:
            dispatcher.utter_message(
                text=f"{wanted:%H:%M}不在办公时段或已经约满了，请从下面的空闲时段中选择：",
                buttons=time_buttons(slots, tracker.get_slot("half_day")) or time_buttons(slots),
            )
            return {"appointment_time": None}
        return {"appointment_time": f"{chosen.start:%H:%M}"}


class PersonValidation:
    """Extraction and validation of the phone number, shared by booking and finding a booking."""

    async def extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A phone entity, or the typed answer when the phone was asked for."""
        return answer(tracker, "phone", "phone")

    def validate_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Mainland mobile numbers only, with the reason when not."""
        return checked(dispatcher, "phone", slot_value, pii.mobile_error, pii.normalize_mobile)


class ValidateAppointmentForm(CarriedSlots, WhenValidation, PersonValidation, FormValidationAction):
    """Checks every answer of the booking form and says why one is refused."""

    def name(self) -> str:
        """The domain name of this action."""
        return "validate_appointment_form"

    def validate_service(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Only catalogue items that offer 预约办."""
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
        """A name entity, or the typed answer when the name was asked for."""
        value = entity_value(tracker, "person_name") or typed_value(tracker, "person_name")
        return {"person_name": clean_name(value)} if value else {}

    def validate_person_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Two to twenty letters, no digits."""
        return checked(dispatcher, "person_name", slot_value, name_error, str)

    async def extract_id_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """An ID-number entity, or the typed answer when it was asked for."""
        return answer(tracker, "id_number", "id_number")

    def validate_id_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """18 digits with a correct GB 11643 check digit."""
        return checked(dispatcher, "id_number", slot_value, pii.id_number_error, pii.normalize_id_number)

    async def extract_appointment_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Yes or no to the summary."""
        if tracker.get_slot("requested_slot") != "appointment_confirm":
            return {}
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {"appointment_confirm": True}
        if intent == "deny":
            return {"appointment_confirm": False}
        return {}

    def validate_appointment_confirm(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A "no" starts the details again (the item is kept)."""
        if slot_value is True:
            return {"appointment_confirm": True}
        dispatcher.utter_message(text="好的，我们重新填写预约信息。")
        return {name: None for name in BOOKING_SLOTS}


class ActionAskService(Action):
    """Asks which item to book, offering the ones that take appointments."""

    def name(self) -> str:
        """The domain name of this action."""
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
        """The domain name of this action."""
        return "action_ask_appointment_date"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Ask with day buttons."""
        service = booking_service()
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
    """Asks for the time, offering the free slots of the chosen day."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_ask_appointment_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Ask with one button per free slot (only 上午 or 下午 when the citizen said so)."""
        service = booking_service()
        day = parse_iso_date(tracker.get_slot("appointment_date"))
        item = tracker.get_slot("service")
        if day is None or not item:
            return [SlotSet("appointment_date", None)]
        slots = service.available_slots(item, day)
        half_day = tracker.get_slot("half_day")
        buttons = time_buttons(slots, half_day)
        note = ""
        if not buttons and half_day:
            note = f"{half_day}已经约满，"
            buttons = time_buttons(slots)
        if not free_starts(slots):
            dispatcher.utter_message(
                text="这一天已经约满了，请换一天：",
                buttons=day_buttons(service.bookable_days(3), service.now().date()),
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
        """The domain name of this action."""
        return "action_ask_appointment_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Ask with 确认 / 重新填写 / 不约了 buttons."""
        service = booking_service()
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
    """Books the place and replies with the 预约号."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_submit_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Book idempotently (a retried turn returns the same booking), then forget the personal data."""
        service = booking_service()
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
            )
        except SlotFullError as exc:
            dispatcher.utter_message(text=exc.message)
            return [
                SlotSet("appointment_time", None),
                SlotSet("appointment_confirm", None),
                FollowupAction("appointment_form"),
            ]
        except BookingError as exc:
            dispatcher.utter_message(text=exc.message)
            return reset(BOOKING_SLOTS)
        except Exception:
            logger.exception("booking failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return reset(BOOKING_SLOTS)
        item = get_catalogue().get(item_name)
        materials = [m.name for m in item.materials] if item is not None else []
        dispatcher.utter_message(
            text=booked_text(booking, get_hall(), materials, service.now().date()),
            json_message=booking_card(booking),
        )
        logger.info("booked %s for %s on %s", booking.code, booking.item_name, booking.day)
        return reset(BOOKING_SLOTS)


class ActionStopBooking(Action):
    """Stops a form on "算了不约了" and forgets what was typed."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_stop_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Confirm the stop and clear the form's slots."""
        dispatcher.utter_message(text="好的，已停止本次预约，您填写的信息不会保存。还有什么可以帮您？")
        return [*reset(BOOKING_SLOTS + LOOKUP_SLOTS), ActiveLoop(None), SlotSet("requested_slot", None)]


class ValidateAppointmentLookupForm(CarriedSlots, PersonValidation, FormValidationAction):
    """Checks the 预约号 and phone number used to find a booking."""

    carried_slots = ("appointment_date", "appointment_time", "half_day")

    def name(self) -> str:
        """The domain name of this action."""
        return "validate_appointment_lookup_form"

    async def extract_appointment_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A code entity or the typed answer; the first message may also name the new time for a change."""
        values: Dict[str, Any] = {}
        if tracker.get_slot("requested_slot") is None and latest_intent(tracker) == "reschedule_appointment":
            when = understood_when(tracker, booking_service())
            if when is not None:
                values.update(when_slots(when))
        value = entity_value(tracker, "appointment_code") or typed_value(tracker, "appointment_code")
        if value:
            values["appointment_code"] = value
        return values

    def validate_appointment_code(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Eight letters and digits from the code alphabet."""
        return checked(
            dispatcher, "appointment_code", slot_value, code_error, lambda v: normalize_code(v) or v
        )


class ActionManageAppointment(Action):
    """Shows, cancels or starts moving the booking found by 预约号 and phone number."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_manage_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Do what the citizen asked for with the booking."""
        service = booking_service()
        code, phone = tracker.get_slot("appointment_code") or "", tracker.get_slot("phone") or ""
        operation = tracker.get_slot("appointment_operation") or "query"
        try:
            booking = service.find(code=code, phone=phone)
            if booking is None:
                dispatcher.utter_message(text="没有找到与该预约号和手机号匹配的预约，请核对后重新输入。")
                return reset(LOOKUP_SLOTS)
            if operation == "cancel":
                booking = service.cancel(code=code, phone=phone)
                dispatcher.utter_message(
                    text=f"已为您取消预约。{booking.summary()}", json_message=booking_card(booking)
                )
                return reset(LOOKUP_SLOTS)
            if operation == "reschedule":
                if not booking.is_active:
                    dispatcher.utter_message(text=f"这个预约当前状态为“{booking.status_text}”，不能改约。")
                    return reset(LOOKUP_SLOTS)
                dispatcher.utter_message(text=f"找到了您的预约：{booking.summary()}\n下面为您改约。")
                return [
                    SlotSet("service", booking.item_name),
                    SlotSet("reschedule_code", booking.code),
                    SlotSet("appointment_code", None),
                    FollowupAction("appointment_reschedule_form"),
                ]
            dispatcher.utter_message(text=booking.summary(), json_message=booking_card(booking))
        except BookingError as exc:
            dispatcher.utter_message(text=exc.message)
        except Exception:
            logger.exception("managing a booking failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
        return reset(LOOKUP_SLOTS)


class ValidateAppointmentRescheduleForm(CarriedSlots, WhenValidation, FormValidationAction):
    """Checks the new day and time of a booking being moved."""

    def name(self) -> str:
        """The domain name of this action."""
        return "validate_appointment_reschedule_form"


class ActionSubmitReschedule(Action):
    """Moves the booking to the chosen slot in one transaction."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_submit_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Reschedule and confirm, or say why not."""
        service = booking_service()
        day = parse_iso_date(tracker.get_slot("appointment_date"))
        start = parse_clock(tracker.get_slot("appointment_time"))
        try:
            if day is None or start is None:
                raise ValueError("incomplete reschedule")
            booking = service.reschedule(
                code=tracker.get_slot("reschedule_code") or "",
                phone=tracker.get_slot("phone") or "",
                day=day,
                slot_start=start,
            )
            dispatcher.utter_message(
                text=f"改约成功！{booking.summary()}", json_message=booking_card(booking)
            )
        except BookingError as exc:
            dispatcher.utter_message(text=exc.message)
        except Exception:
            logger.exception("rescheduling failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
        return reset(LOOKUP_SLOTS)
