"""转人工: an honest hand-over to a person, as a ticket staff answer in ``/api/admin/tickets``.

高小新 never claims a live transfer. Inside opening hours it opens a ticket that staff on duty answer
in this chat; outside them it still records the ticket, and says when a person will look at it and
which phone line and desk help meanwhile. A citizen who only asks which number to call ("咨询电话是
多少", "有没有能打的号码") gets the numbers, with the hall's hours, and a 转人工 button; no ticket is
opened for staff to answer in a chat the citizen may already have left for the phone.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import pii
from bot.appointments.slots import local_now
from bot.db import get_engine
from bot.faq import get_faq_store
from bot.faq_entries import faq_card
from bot.hall import HallInfo, asks_about_the_hotline, get_hall
from bot.tickets import (
    TicketKind,
    TicketStore,
    TranscriptLine,
    describe_opening,
    is_staffed,
    mask_known,
    next_opening,
)

logger = logging.getLogger(__name__)

BUTTON_TEXT = {"request_human": "转人工", "greet": "（打开对话）", "affirm": "确认"}
#: words of a question for a number to call
NUMBER_WORDS = re.compile(r"电话|号码|座机|热线|手机号")
#: words of a request to be called back, which a person has to take up (a ticket)
CALL_BACK = re.compile(r"回(个|一个|一下)?电话|回电|联系我|打给我|给我打|打过来|来电|致电")
PERSONAL_SLOTS = {"names": ("person_name",), "phones": ("phone",), "ids": ("id_number",)}


def masked_transcript(tracker: Tracker) -> List[TranscriptLine]:
    """Return the conversation so far (citizen and 高小新 lines), personal data masked."""
    known: Dict[str, List[str]] = {
        kind: [str(v) for v in (tracker.get_slot(s) for s in slots) if isinstance(v, str) and v]
        for kind, slots in PERSONAL_SLOTS.items()
    }
    lines: List[TranscriptLine] = []
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text") or ""
        if not text:
            continue
        if kind == "user":
            if text.startswith("/"):
                intent = text.split("{", 1)[0].lstrip("/")
                text = BUTTON_TEXT.get(intent, f"（点击按钮：{intent}）")
            lines.append(TranscriptLine("citizen", mask_known(text, **known)))
        elif kind == "bot":
            lines.append(TranscriptLine("bot", mask_known(text, **known)))
    return lines


def handoff_text(hall: HallInfo, number: Optional[str], staffed: bool, now: datetime) -> str:
    """What 高小新 says after a 转人工 request: the ticket, who answers when, and the phone lines."""
    phones = f"大厅咨询电话{hall.consultation_phone}、{hall.hotline_12345}"
    desk = "需要现场帮办代办的，可在办公时间到大厅一楼服务台找帮办代办专员。"
    if number is None:
        return (
            f"抱歉，人工服务工单暂时没有创建成功。请拨打{phones}咨询（办公时间：{hall.hours_text()}）。{desk}"
        )
    if staffed:
        return (
            f"已为您创建人工服务工单，工单号 {number}。这不是电话转接：值班工作人员会在此对话中文字回复您，"
            f"请不要关闭页面（稍后回来也能看到回复）。着急的话也可以直接拨打{phones}。{desk}"
        )
    opening = next_opening(now)
    when = describe_opening(opening, local_now(now).date()) if opening else "下一个工作日"
    return (
        f"现在是非办公时间（办公时间：{hall.hours_text()}），暂时没有工作人员在线。"
        f"已为您登记人工服务工单，工单号 {number}，工作人员将于{when}上班后查看，并在此对话中回复您。"
        f"紧急问题请拨打{hall.hotline_12345}。{desk}"
    )


def asks_for_a_number(text: str) -> bool:
    """Whether a 转人工 message only asks which number to call.

    Not when it asks to be called back ("让工作人员给我回个电话") or gives the citizen's own number
    (``bot.pii``), which a person has to take up.
    """
    if not NUMBER_WORDS.search(text) or CALL_BACK.search(text):
        return False
    return pii.mask_text(text) == text


def numbers_text(hall: HallInfo, staffed: bool) -> str:
    """The numbers to call, with the hall's hours, and the 转人工 ticket offered instead."""
    if staffed:
        now = f"现在正是办公时间，可以直接拨打。也可以拨打{hall.hotline_12345}。"
    else:
        now = f"现在是非办公时间，请在办公时间拨打；现在就想问，可以拨打{hall.hotline_12345}。"
    return (
        f"大厅咨询电话：{hall.consultation_phone}，{hall.hours_text()}接听；{now}"
        "想让工作人员在这里文字回复您，请点击“转人工”。"
    )


class ActionHandoff(Action):
    """Opens a hand-over ticket with the masked transcript and says honestly what happens next."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Create the ticket and reply with its number (or the phone lines if it failed).

        A question only for a number to call (``asks_for_a_number``) gets the numbers and a
        转人工 button instead of a ticket; one for the 12345 hotline's (`bot.hall.asks_about_the_hotline`)
        gets the hotline's FAQ entry (``hotline_faq``) first.
        """
        hall = get_hall()
        now = local_now()
        staffed = is_staffed(now)
        text = str(tracker.latest_message.get("text") or "")
        if asks_for_a_number(text):
            hotline = hall.hotline_faq if asks_about_the_hotline(text) else None
            entry = get_faq_store().current().get(hotline) if hotline else None
            if entry is not None:
                # "12345热线的电话是多少来着": the hotline's entry staff keep, with its source and date
                dispatcher.utter_message(text=entry.cited_answer(), json_message=faq_card(entry))
            dispatcher.utter_message(
                text=numbers_text(hall, staffed),
                buttons=[{"title": "转人工", "payload": "/request_human"}],
                json_message={"type": "hall", "topic": "request_human", "ticket": None, "staffed": staffed},
            )
            return []
        metadata = tracker.latest_message.get("metadata") or {}
        number: Optional[str] = None
        try:
            ticket = TicketStore(get_engine()).create(
                kind=TicketKind.HANDOFF,
                session_id=tracker.sender_id,
                transcript=masked_transcript(tracker),
                within_hours=staffed,
                item=tracker.get_slot("service"),
                channel=str(metadata.get("channel") or "") or None,
                user_id=str(metadata.get("user") or "") or None,
                now=now,
            )
            number = ticket.number
        except Exception:
            logger.error("could not create a hand-over ticket", exc_info=True)
        dispatcher.utter_message(
            text=handoff_text(hall, number, staffed, now),
            json_message={"type": "handoff", "topic": "request_human", "ticket": number, "staffed": staffed},
        )
        return []
