"""Greeting and the hall's own facts: opening hours, address, hand-over and complaints."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.form_helpers import answered_as_staff_wrote, name_typed_in_pinyin
from actions.handoff import ActionHandoff
from bot.faq import decide, get_faq_store
from bot.faq_entries import FaqEntry, faq_card
from bot.hall import HallInfo, get_hall, hours_answer, parking_entry, rating_entry

COMPLAINT_APOLOGY = "非常抱歉给您带来了不好的体验，我们一定认真核实处理。"


def suggestion_buttons(hall: HallInfo) -> List[Dict[str, str]]:
    """The 猜你想问 buttons staff configured in ``data/hall.yml``."""
    return [{"title": s.title, "payload": s.payload} for s in hall.suggestions]


def hall_answer(intent: str, hall: HallInfo) -> str:
    """The reply for one of the hall intents."""
    phone = f"大厅咨询电话：{hall.consultation_phone}；{hall.hotline_12345}"
    if intent == "ask_office_hours":
        return f"{hall.name}的办公时间：{hall.hours_text()}。{hall.opening_hours.note}"
    if intent == "ask_hall_location":
        transit = "\n".join(f"· {line}" for line in hall.transit)
        return f"{hall.name}地址：{hall.address}\n交通指引：\n{transit}"
    if intent == "complain":
        channels = "\n".join(f"· {line}" for line in hall.complaint)
        return f"{COMPLAINT_APOLOGY}您可以通过以下方式反映：\n{channels}"
    return (
        f"我是{hall.assistant_name}，{hall.name}的在线智能客服（机器人），可以为您解答“一件事一次办”办事指南、"
        f"预约窗口等问题。如需人工服务，请拨打{phone}。"
    )


def complaint_remedy(text: str, complaint_entry: str) -> Optional[FaqEntry]:
    """The FAQ entry that deals with what a complaint is about, when retrieval is sure of one.

    A complaint is answered with the complaint channels (``complaint_entry``, `HallInfo.complaint_faq`);
    one about something an entry of its own deals with gets that entry first: a matter still not done
    after several trips the 办不成事 window, online filing that keeps failing the entry on it, a phone
    line nobody answers the 12345 hotline. None when retrieval is unsure (`bot.faq.decide`) or finds
    the complaint entry itself.
    """
    decision = decide(get_faq_store().current().search(text))
    if decision.entry is None or decision.unsure or decision.entry.id == complaint_entry:
        return None
    return decision.entry


class ActionGreet(Action):
    """Greets and offers a few 猜你想问 buttons."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Say hello with the configured suggestions."""
        hall = get_hall()
        dispatcher.utter_message(
            text=f"您好！我是{hall.name}的在线智能客服{hall.assistant_name}，请问有什么可以帮您？猜你想问：",
            buttons=suggestion_buttons(hall),
            json_message={"type": "greeting"},
        )
        return []


class ActionHallInfo(Action):
    """Answers office hours, location, complaints, a wish to rate, and "is this a robot".

    A request for a person goes to ``action_handoff``.
    """

    def name(self) -> str:
        """The domain name of this action."""
        return "action_hall_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Reply from ``data/hall.yml`` according to the latest intent.

        Nothing is said for a name typed in pinyin that answers the booking form ("zhou mo" asks
        nothing about the weekend: `actions.form_helpers.name_typed_in_pinyin`).
        """
        if name_typed_in_pinyin(tracker) or answered_as_staff_wrote(dispatcher, tracker):
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if intent == "request_human":  # a model trained before action_handoff existed still lands here
            return await ActionHandoff().run(dispatcher, tracker, domain)
        hall = get_hall()
        if intent == "rate_service":
            # "咋给窗口打差评": how the 好差评 system works (the staff's entry), then the rating prompt
            rating = rating_entry(tracker.latest_message.get("text") or "", hall)
            entry = get_faq_store().current().get(rating) if rating else None
            if entry is not None:
                dispatcher.utter_message(text=entry.cited_answer(), json_message=faq_card(entry))
            dispatcher.utter_message(response="utter_rate_service")
            return []
        wanted = hall.complaint_faq if intent == "complain" else None
        entry = get_faq_store().current().get(wanted) if wanted else None
        if entry is not None:
            remedy = complaint_remedy(tracker.latest_message.get("text") or "", entry.id)
            if remedy is not None:
                # "跑了三趟还没办成 找谁说理去": the 办不成事 window; "网上提交老失败": what to do about
                # it; then the channels, as for any complaint
                dispatcher.utter_message(
                    text=f"{COMPLAINT_APOLOGY}\n{remedy.cited_answer()}", json_message=faq_card(remedy)
                )
                dispatcher.utter_message(text=entry.cited_answer(), json_message=faq_card(entry))
                return []
            # the channels staff keep in the FAQ, with its source and date, after the apology
            text = f"{COMPLAINT_APOLOGY}\n{entry.cited_answer()}"
            dispatcher.utter_message(text=text, json_message=faq_card(entry))
            return []
        card = {"type": "hall", "topic": intent}
        if intent != "ask_office_hours":
            dispatcher.utter_message(text=hall_answer(intent, hall), json_message=card)
            parking = (
                parking_entry(tracker.latest_message.get("text") or "", hall)
                if intent == "ask_hall_location"
                else None
            )
            entry = get_faq_store().current().get(parking) if parking else None
            if entry is not None:  # "车停哪": the address and ways there, then the parking entry
                dispatcher.utter_message(text=entry.cited_answer(), json_message=faq_card(entry))
            return []
        # "星期六开门吗", "星期天过去有人上班不": the hours, then the entry on service outside them;
        # "打热线啥时候有人接听": the hotline's entry instead of the hall's hours (`bot.hall.hours_answer`)
        text = tracker.latest_message.get("text") or ""
        index = get_faq_store().current()
        decision = decide(index.search(text))
        retrieved = decision.entry.id if decision.entry is not None else None
        answer = hours_answer(text, hall, retrieved, sure=not decision.unsure)
        entry = index.get(answer.entry) if answer.entry else None
        if answer.hours or entry is None:  # also when staff took the entry out
            dispatcher.utter_message(text=hall_answer(intent, hall), json_message=card)
        if entry is not None:
            dispatcher.utter_message(text=entry.cited_answer(), json_message=faq_card(entry))
        return []
