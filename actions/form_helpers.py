"""Tracker helpers shared by the 预约办 forms: what the citizen said, and how each answer is read.

The NLU may or may not deliver entities for dates, times and names, so every value is read from
the message text with the parsers in ``bot`` (:mod:`bot.pii`, :mod:`bot.timeparse`); an entity,
whichever extractor produced it (a button payload's ``/inform{"date": ...}`` included), is only a
shortcut. Each answer is checked against the question it answers; a valid value for another
question said in the same message is kept silently, an invalid one is never reported.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import pii
from bot.appointments import BookingService, build_service
from bot.booking_dialogue import (
    PERSONAL_QUESTIONS,
    Button,
    choose_button,
    day_buttons,
    free_starts,
    parse_clock,
    parse_iso_date,
    time_buttons,
    withholds,
)
from bot.faq import get_faq_store
from bot.faq_entries import FaqEntry, faq_card
from bot.guide import GUIDE_INTENTS, payload
from bot.hall import get_hall
from bot.timeparse import ParsedWhen, asks_for_the_earliest, describe_date, parse_when, when_offered

logger = logging.getLogger(__name__)

#: Slots the booking form fills (cleared when it ends).
BOOKING_SLOTS = (
    "appointment_date",
    "appointment_time",
    "half_day",
    "person_name",
    "phone",
    "id_number",
    "appointment_confirm",
)
#: What a look-up was asked to do (query, cancel, reschedule): set by the request's intent, it lasts
#: one look-up, so that a 预约号 typed later is only looked up, never acted on again.
OPERATION_SLOT = "appointment_operation"
#: Slots of finding and moving a booking.
MISSES_SLOT = "lookup_misses"
"""Look-ups in a row that found no booking (`actions.appointment_lookup.not_found`)."""
LOOKUP_SLOTS = (
    OPERATION_SLOT,
    MISSES_SLOT,
    "appointment_code",
    "phone",
    "reschedule_code",
    "appointment_date",
    "appointment_time",
    "half_day",
)
#: Slots of moving a booking: the booking's own code and phone stay when the change ends.
CHANGE_SLOTS = ("reschedule_code", "appointment_date", "appointment_time", "half_day")
#: The failed answers in a row to one question: ``{"slot": <requested slot>, "count": <n>}``.
FAILURES_SLOT = "form_failures"
#: The second failed answer offers help; the third ends the form (no question is asked a fourth time).
OFFER_HELP_AFTER = 2
GIVE_UP_AFTER = 3
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
    "rate_service",
}
#: Words that make a message a change of an answer already given ("换成后天上午吧").
CHANGE_WORDS = re.compile(r"换|改|调|还是|不[要是]那|重新")
SERVICE_UNAVAILABLE = "抱歉，预约系统暂时无法使用，请稍后再试，或拨打大厅咨询电话预约。"


@lru_cache(maxsize=1)
def booking_service() -> BookingService:
    """Return the booking service of this action server, on the configured database."""
    return build_service()


def reset(names: Iterable[str]) -> List[Dict[str, Any]]:
    """Return events clearing the given slots (personal data is not kept once it has been used)."""
    return [SlotSet(name, None) for name in dict.fromkeys(names)]


def latest_intent(tracker: Tracker) -> str:
    """Return the name of the latest user intent."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def message_text(tracker: Tracker) -> str:
    """Return the text the citizen typed last; empty for a button payload (``/inform{...}``)."""
    text = (tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


TOPIC_ENTITY = "faq_topic"
"""The entity an FAQ button's payload sends: the id of the entry to answer with."""


def offer_entry(
    dispatcher: CollectingDispatcher, entry: FaqEntry, lead: str = "大厅的通用规定也可以看这里："
) -> None:
    """After a guide answer given instead of ``entry``: the hall-wide entry, a tap away, after ``lead``."""
    dispatcher.utter_message(
        text=lead,
        buttons=[{"title": entry.title, "payload": payload("faq", **{TOPIC_ENTITY: entry.id})}],
    )


def answered_as_staff_wrote(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer with the FAQ entry a way of asking staff added is, word for word, the citizen's message.

    Staff add ways of asking on the staff page, and an entry answers them within seconds; but the
    intent model learned only the seed files' questions, and may read a new one as another matter
    ("哪里可以给宝宝换尿布", added to a 母婴室 entry, was answered with the guide of 新生儿出生). What staff
    wrote for an entry gets that entry (`bot.faq.FaqIndex.asked_as`), unless a form is asking (the
    message may be its answer). Returns whether it answered.
    """
    text = message_text(tracker)
    if not text or tracker.active_loop_name:
        return False
    entry = get_faq_store().current().asked_as(text)
    if entry is None:
        return False
    dispatcher.utter_message(text=entry.cited_answer(), json_message=faq_card(entry))
    return True


def entity_value(tracker: Tracker, name: str) -> Optional[str]:
    """Return the value of the first entity of this type in the latest message, from any extractor."""
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def host_user(tracker: Tracker) -> Optional[str]:
    """Return the verified 郑好办 user id the api bound to this session, or None for a guest.

    The api puts it in every message's metadata (``user``) only after checking the host's signature
    (:mod:`api.host_user`); Rasa accepts messages from the api alone (:mod:`bot.channel`).
    """
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    user = metadata.get("user") if isinstance(metadata, dict) else None
    return str(user) if user else None


#: Of `NOT_A_VALUE`, the questions a name typed in pinyin is read as ("zhou mo": 周末, the weekend
#: hours; "liu cheng": 流程; "zhang hao": 账号): when the form asked for the name, it is the name.
QUESTIONS_A_NAME_SPELLS = GUIDE_INTENTS | {"ask_office_hours", "ask_hall_location", "faq", "bot_challenge"}


def name_typed_in_pinyin(tracker: Tracker) -> bool:
    """Whether the latest message answers the form's question of the name with a name in pinyin.

    The form asked for ``person_name``, the whole message is a name as people type theirs in
    pinyin (`bot.pii.pinyin_name`: "zhou mo", "wo jiao liu cheng"), and the NLU read it as a
    question (`QUESTIONS_A_NAME_SPELLS`), not as a command such as stopping ("bu yue le"). The
    actions that answer questions during the form then say nothing, and the form takes the name.
    """
    return (
        asked_slot(tracker) == "person_name"
        and latest_intent(tracker) in QUESTIONS_A_NAME_SPELLS
        and pii.pinyin_name(message_text(tracker)) is not None
    )


def is_answer(tracker: Tracker) -> bool:
    """Return True when the latest message may be an answer (not a question or a command).

    A name typed in pinyin, which the NLU may read as words, answers the question of the name
    (`name_typed_in_pinyin`); a day or time offered with a closing check, which it may read as a
    question, answers the question of the day or time (`offers_the_when_asked`); withholding the
    personal data asked ("我不想给手机号", `bot.booking_dialogue.withholds`), which it may read as a
    look-up, is the form's to answer.
    """
    return (
        latest_intent(tracker) not in NOT_A_VALUE
        or name_typed_in_pinyin(tracker)
        or offers_the_when_asked(tracker)
        or (asked_slot(tracker) in PERSONAL_QUESTIONS and withholds(message_text(tracker)))
    )


WHEN_QUESTIONS = frozenset({"appointment_date", "appointment_time"})


def offers_the_when_asked(tracker: Tracker) -> bool:
    """Whether the form asks for the day or time and the message offers one ("明儿个上午中不中", "最早的").

    Read by `bot.timeparse.when_offered`, as Rasa's `bot.form_policy.WhenAnswerPolicy` reads it
    to run the form instead of answering the message as a question.
    """
    text = message_text(tracker)
    if asked_slot(tracker) not in WHEN_QUESTIONS or not text:
        return False
    return asks_for_the_earliest(text) or when_offered(text, booking_service().now()) is not None


#: From this confidence an ``out_of_scope`` message that offers nothing for the question asked
#: ("对了 你会唱歌不" when the day is asked) is chatter (`is_chatter`). Names and dates the model
#: cannot place score 0.2–0.35 as ``out_of_scope``.
CHATTER_CONFIDENCE = 0.4
#: Slots whose extraction hands the validator the raw text asked for, to say why it is refused: for
#: them a message with a digit or a Latin letter offers an answer ("K7M3PQ9", "138123456").
RAW_TEXT_SLOTS = frozenset({"phone", "id_number", "appointment_code"})
_ANSWER_CHARACTERS = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")
_WORD_CHARACTERS = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


def is_chatter(tracker: Tracker, events: List[Dict[str, Any]]) -> bool:
    """Whether the latest message is chatter that offers nothing for the question the form asked.

    It is read as ``out_of_scope`` at `CHATTER_CONFIDENCE` or more, it has words (an emoji or "？"
    alone is a reaction the form answers itself), ``events`` (the form's extraction and validation)
    set no slot to a value, and nothing was offered for the slot asked: no event for it, or, for a
    slot read from raw text (`RAW_TEXT_SLOTS`), no digit or Latin letter in the message. A day the
    form recognised and refused ("这周六能约不") or a mistyped 预约号 keeps the form's own reason.
    """
    asked = asked_slot(tracker)
    if not asked or latest_intent(tracker) != "out_of_scope":
        return False
    confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
    text = message_text(tracker)
    if confidence < CHATTER_CONFIDENCE or not _WORD_CHARACTERS.search(text):
        return False
    slots = [e for e in events if e.get("name") not in ("requested_slot", FAILURES_SLOT)]
    if any(e.get("value") is not None for e in slots):
        return False
    offered = any(e.get("name") == asked for e in slots)
    if asked in RAW_TEXT_SLOTS:
        offered = offered and _ANSWER_CHARACTERS.search(text) is not None
    return not offered


def asked_slot(tracker: Tracker) -> Optional[str]:
    """Return the slot the form asked for last, or None (the form is being activated)."""
    value = tracker.get_slot("requested_slot")
    return str(value) if value else None


def last_reply(tracker: Tracker, back: int = 0) -> List[Dict[str, Any]]:
    """The bot's messages (``bot`` events) between the user message before the latest one and it, last first.

    Slot events that Rasa logs after the user message (slot mappings) are skipped; a bot message
    before an earlier user message is not the reply being answered. With ``back``, the reply that
    many user messages earlier ([] when there was none).
    """
    events = list(tracker.events or [])
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if back and len(users) <= back:
        return []
    found = []
    for event in reversed(events[: users[-1 - back]] if users else events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            found.append(dict(event))
    return found


def last_bot_card(tracker: Tracker, back: int = 0) -> Dict[str, Any]:
    """The card (``custom`` JSON) of the bot's last reply before the latest user message, or {}.

    A reply may be several messages: a guide answer followed by a plain one ("大厅的通用规定也可以
    看这里", `offer_entry`) is still a guide answer. The last message carrying a card counts.
    With ``back``, the card of the reply that many user messages earlier (`last_reply`).
    """
    cards = ((event.get("data") or {}).get("custom") for event in last_reply(tracker, back))
    return dict(next((card for card in cards if card), {}))


def last_bot_message(tracker: Tracker) -> Dict[str, Any]:
    """Return the bot's last message (its ``bot`` event) before the latest user message, or {}."""
    return next(iter(last_reply(tracker)), {})


def last_buttons(tracker: Tracker) -> List[Button]:
    """Return the buttons of the bot's last message before the latest user message, if any."""
    buttons = (last_bot_message(tracker).get("data") or {}).get("buttons") or []
    return [b for b in buttons if isinstance(b, dict)]


def typed_button_entities(tracker: Tracker) -> Dict[str, str]:
    """Return the entities of the button a typed answer means ("第二个", a title), or {}."""
    chosen = choose_button(message_text(tracker), last_buttons(tracker))
    if chosen is None:
        return {}
    payload = chosen.get("payload") or ""
    if "{" not in payload:
        return {}
    try:
        entities = json.loads(payload[payload.index("{") :])
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in entities.items()} if isinstance(entities, dict) else {}


# --- dates and times -----------------------------------------------------------------------------


def understood_when(tracker: Tracker, service: BookingService) -> Optional[ParsedWhen]:
    """Return the date and time the latest message names: a button's values, or the whole text."""
    button = {**typed_button_entities(tracker)}
    day = parse_iso_date(entity_value(tracker, "date") or button.get("date"))
    clock = parse_clock(entity_value(tracker, "time") or button.get("time"))
    if day is not None or clock is not None:
        return ParsedWhen(date=day, half_day=None, time=clock, text="")
    text = message_text(tracker)
    if text and asks_for_the_earliest(text):
        return earliest_when(tracker, service)
    return parse_when(text, service.now()) if text else None


def earliest_when(tracker: Tracker, service: BookingService) -> Optional[ParsedWhen]:
    """The earliest bookable day with room for the item, or, asked the time, the earliest free time that day.

    The time is taken within the half-day the citizen chose (``half_day``), if any.

    None when the item is not known yet, or nothing is free: the form then says it did not understand,
    and offers the days or times there are.
    """
    item = tracker.get_slot("service")
    if not item:
        return None
    if asked_slot(tracker) == "appointment_time":
        # within the half-day already chosen ("后天下午可以吗", then "越早越好": 13:00, not 09:00)
        day = parse_iso_date(tracker.get_slot("appointment_date"))
        half_day = tracker.get_slot("half_day")
        starts = free_starts(service.available_slots(item, day), half_day) if day is not None else []
        return ParsedWhen(date=None, half_day=None, time=starts[0], text="") if starts else None
    for day in service.bookable_days(service.config.rules.max_working_days_ahead):
        if service.available_slots(item, day):
            return ParsedWhen(date=day, half_day=None, time=None, text="")
    return None


def when_slots(when: ParsedWhen) -> Dict[str, Any]:
    """Return slot values for what was understood of a date and time."""
    values: Dict[str, Any] = {}
    if when.date:
        values["appointment_date"] = when.date.isoformat()
    if when.half_day:
        values["half_day"] = when.half_day
    if when.time:
        values["appointment_time"] = f"{when.time:%H:%M}"
    return values


def day_refusal(service: BookingService, day_value: Any, item: Optional[str]) -> Optional[str]:
    """Return why a day cannot be booked (past, today, holiday, too far ahead, full), or None."""
    day = parse_iso_date(day_value)
    if day is None:
        return "抱歉，我没能理解这个日期。"
    reason = service.check_day(day)
    if reason is None and item and not service.available_slots(item, day):
        reason = f"{describe_date(day, service.now().date())}的号源已经约满了。"
    return reason


def days_offered_this_turn(tracker: Tracker) -> bool:
    """Whether a reply since the latest user message already offered days to book.

    Buttons with a ``date``: a refused day (`offer_days`) or a full one, after which the form asks for
    the day again and would offer the same days a second time.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            if any('"date"' in str(b.get("payload") or "") for b in buttons if isinstance(b, dict)):
                return True
    return False


def offer_days(dispatcher: CollectingDispatcher, service: BookingService, reason: str) -> None:
    """Say why a day was refused and offer every bookable day, as the day question does."""
    dispatcher.utter_message(
        text=f"{reason.rstrip('。')}。可以预约的最近日期如下，请选择：",
        buttons=day_buttons(
            service.bookable_days(service.config.rules.max_working_days_ahead), service.now().date()
        ),
    )


def offer_times(
    dispatcher: CollectingDispatcher, service: BookingService, tracker: Tracker, text: str
) -> None:
    """Say ``text`` with the free times of the chosen day as buttons."""
    day = parse_iso_date(tracker.get_slot("appointment_date"))
    item = tracker.get_slot("service")
    slots = service.available_slots(item, day) if day and item else []
    buttons = time_buttons(slots, tracker.get_slot("half_day")) or time_buttons(slots)
    dispatcher.utter_message(text=text, buttons=buttons)


# --- personal data -------------------------------------------------------------------------------


def personal_value(tracker: Tracker, slot: str, entity: str, find: Any) -> Dict[str, Any]:
    """Read a phone, ID number or name out of the latest message.

    Args:
        tracker: the conversation.
        slot: the form slot (``phone``, ``id_number``, ``person_name``).
        entity: the entity that may carry it.
        find: the :mod:`bot.pii` function reading a valid value out of free text.

    Returns:
        ``{slot: value}`` with a valid value said anywhere; when the form asked for ``slot`` and the
        message is an answer without a valid value, the raw text (the validator says why it is
        refused); otherwise {} (an invalid value for another question is never reported).

    """
    if not is_answer(tracker) and asked_slot(tracker) == slot:
        return {}
    text = message_text(tracker)
    said = entity_value(tracker, entity)
    # the whole message decides (an extractor may cut a phone number out of an ID number);
    # an entity alone counts only for a button payload, which has no text
    value = find(text) if text else (find(said) if said else None)
    if value is not None:
        return {slot: value}
    if asked_slot(tracker) == slot and (text or said):
        return {slot: text or said}
    return {}


def said_in_latest_message(tracker: Tracker, value: str, find: Any) -> bool:
    """Return True when ``value`` is what the latest message itself says (not a leftover slot)."""
    text = message_text(tracker)
    return bool(text) and find(text) == value


# --- asking again, and knowing when to stop ------------------------------------------------------


def failures_after(tracker: Tracker, events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Return the failure count after this turn: +1 when the question asked got no usable answer."""
    asked = asked_slot(tracker)
    previous = tracker.get_slot(FAILURES_SLOT) or {}
    if not asked or not is_answer(tracker):
        return previous if isinstance(previous, dict) else {}
    progress = any(
        e.get("event") == "slot"
        and e.get("name") not in ("requested_slot", FAILURES_SLOT)
        and e.get("value") is not None
        for e in events
    )
    if progress:  # the answer, or another answer the citizen gave first ("下午" before the time)
        return {}
    count = previous.get("count", 0) if isinstance(previous, dict) and previous.get("slot") == asked else 0
    return {"slot": asked, "count": count + 1}


def escalation_events(
    dispatcher: CollectingDispatcher, failures: Dict[str, Any], clear: Iterable[str]
) -> List[Dict[str, Any]]:
    """Offer help after the second failed answer; end the form after the third.

    Args:
        dispatcher: where the offer is said.
        failures: the count returned by :func:`failures_after`.
        clear: the form's slots, cleared when the form ends.

    Returns:
        The events to add to the validation events.

    """
    count = failures.get("count", 0)
    phone = get_hall().consultation_phone
    if count >= GIVE_UP_AFTER:
        dispatcher.utter_message(response="utter_form_gave_up", hall_phone=phone)
        return [
            *reset(clear),
            SlotSet(FAILURES_SLOT, {"gave_up": True}),
            SlotSet("requested_slot", None),
            ActiveLoop(None),
        ]
    events: List[Dict[str, Any]] = [SlotSet(FAILURES_SLOT, failures or None)]
    if count == OFFER_HELP_AFTER:
        dispatcher.utter_message(
            response="utter_form_offer_help",
            hall_phone=phone,
            buttons=[
                {"title": "转人工", "payload": "/request_human"},
                {"title": "不约了", "payload": "/stop"},
            ],
        )
    return events


def form_gave_up(tracker: Tracker) -> bool:
    """Return True when the form just ended because the same question failed three times."""
    failures = tracker.get_slot(FAILURES_SLOT)
    return isinstance(failures, dict) and bool(failures.get("gave_up"))


async def validate_with_escalation(
    form: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, clear: Iterable[str]
) -> List[Dict[str, Any]]:
    """Run a form's extraction and validation, keep carried slots, and count failed answers.

    Args:
        form: the ``FormValidationAction`` (with an optional ``carried_slots`` tuple).
        dispatcher: the dispatcher of this call.
        tracker: the conversation.
        domain: the domain.
        clear: the form's slots, cleared when it gives up.

    Returns:
        The validation events, the carried slots validation left out, and the failure bookkeeping.

    """
    said_before = len(dispatcher.messages)
    extraction_events = await form.get_extraction_events(dispatcher, tracker, domain)
    tracker.add_slots(extraction_events)
    validation_events = await form._extract_validation_events(dispatcher, tracker, domain)
    validated = {event["name"] for event in validation_events}
    carried = [
        e
        for e in extraction_events
        if e["name"] in getattr(form, "carried_slots", ()) and e["name"] not in validated
    ]
    events = [*validation_events, *carried]
    if is_chatter(tracker, events):
        # no complaint about the answer and no event: Rasa rejects the form, its out-of-scope rule
        # answers the chatter and the form asks its question again
        del dispatcher.messages[said_before:]
        return []
    asked = asked_slot(tracker)
    if asked and is_answer(tracker) and not any(e.get("name") == asked for e in events):
        events.append(SlotSet(asked, None))  # re-ask instead of letting other policies guess
    previous = tracker.get_slot(FAILURES_SLOT) or None
    bookkeeping = [
        e
        for e in escalation_events(dispatcher, failures_after(tracker, events), clear)
        # an unchanged count is no event: a question asked mid-form must leave the form's answers
        # untouched, so that Rasa rejects the form and the question's own rule answers it
        if not (e.get("name") == FAILURES_SLOT and (e.get("value") or None) == previous)
    ]
    return [*events, *bookkeeping]


class EscalatingValidation:
    """Mixin for the forms' validators: ``run`` extracts, validates and escalates repeated failures.

    A validator lists ``cleared_slots`` (cleared when the form gives up) and ``carried_slots``; it is
    placed before ``FormValidationAction`` in the bases, so that this ``run`` is the one used.
    """

    cleared_slots: tuple = ()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Extract and validate; keep the carried slots; count failed answers and escalate."""
        return await validate_with_escalation(self, dispatcher, tracker, domain, self.cleared_slots)
