"""What 高小新 says and understands while booking (预约办): pure functions the form actions call.

The rules for names, phone numbers and ID numbers live in :mod:`bot.pii`; dates and times in
:mod:`bot.timeparse`. This module turns typed answers to a button question into the button meant
("第二个", "就上午十点那个", "确认") and builds the texts and buttons of the booking journey.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Dict, List, Optional, Sequence, Tuple

from bot.appointments import Booking, Timeslot
from bot.appointments.codes import normalize_code
from bot.guide import payload
from bot.hall import HallInfo
from bot.timeparse import describe_date

Button = Dict[str, str]

_ORDINAL = re.compile(
    r"第\s*(?P<n>[一二两三四五六七八九十]|\d{1,2})\s*(?:个|项|天|条|种)?|(?P<last>最后一个|最后那个)"
)
_ORDINAL_NUMBERS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_YES = re.compile(
    r"^(?:确认|确定|对|对的|是|是的|没错|没问题|好|好的|可以|行|中|就这样|提交)(?:预约|的|了|吧|啊|呀|无误)*[。!！]*$"
)
_NO = re.compile(r"^(?:不对|不是|错了|有误|重新填写?|重填|修改|改一下)(?:的|了|吧|啊|呀)*[。!！]*$")
_FILLER = re.compile(r"[\s，,。.!！?？~～]|就|选|要|那个|这个|吧|呢|啊|呀|了|的|我|约")


def _squeeze(text: str) -> str:
    return _FILLER.sub("", text or "")


def choose_button(text: str, buttons: Sequence[Button]) -> Optional[Button]:
    """Return the button a typed answer means, or None when it names none (or several).

    Understood: an ordinal ("第二个", "最后一个"), the button's title or a part of it that only one
    button contains ("社保卡", "本市户籍"), with filler words removed ("就选那个本市户籍的吧").

    Args:
        text: what the citizen typed.
        buttons: the buttons of the question the bot asked last.

    Returns:
        The chosen button, or None.

    """
    if not buttons or not text or text.startswith("/"):
        return None
    ordinal = _ORDINAL.search(text)
    if ordinal:
        if ordinal.group("last"):
            return buttons[-1]
        said = ordinal.group("n")
        index = int(said) if said.isdigit() else _ORDINAL_NUMBERS[said]
        return buttons[index - 1] if 1 <= index <= len(buttons) else None
    said = _squeeze(text)
    if not said:
        return None
    exact = [b for b in buttons if _squeeze(b.get("title", "")) == said]
    if len(exact) == 1:
        return exact[0]
    contained = [b for b in buttons if said in _squeeze(b.get("title", ""))]
    if len(contained) == 1:
        return contained[0]
    containing = [b for b in buttons if _squeeze(b.get("title", "")) and _squeeze(b["title"]) in said]
    if not containing:
        return None
    longest = max(containing, key=lambda b: len(_squeeze(b["title"])))
    # "我是非本市户籍" says 非本市户籍, which contains 本市户籍: the longer title is meant
    if all(_squeeze(b["title"]) in _squeeze(longest["title"]) for b in containing):
        return longest
    return None


def confirm_answer(text: str) -> Optional[bool]:
    """Return True for a typed yes to the summary ("确认", "对的"), False for a no, None otherwise."""
    said = (text or "").strip()
    if _YES.match(said):
        return True
    if _NO.match(said):
        return False
    return None


def code_error(text: str) -> Optional[str]:
    """A polite reason when ``text`` is not a confirmation code, else None."""
    if normalize_code(text) is None:
        return "预约号是8位字母和数字的组合（不含0、O、1、I、L），请核对预约成功短信或页面后重新输入。"
    return None


def day_buttons(days: Sequence[date], today: date) -> List[Dict[str, str]]:
    """One button per bookable day."""
    return [
        {"title": describe_date(d, today), "payload": payload("inform", date=d.isoformat())} for d in days
    ]


def free_starts(slots: Sequence[Timeslot], half_day: Optional[str] = None) -> List[time]:
    """Distinct slot start times that still have room, optionally only 上午 or 下午."""
    starts = sorted({s.start for s in slots if s.remaining > 0})
    if half_day == "上午":
        starts = [t for t in starts if t < time(12, 0)]
    elif half_day == "下午":
        starts = [t for t in starts if t >= time(12, 0)]
    return starts


def slot_for(slots: Sequence[Timeslot], wanted: time) -> Optional[Timeslot]:
    """The free slot that starts at, or contains, the wanted time."""
    for slot in sorted(slots, key=lambda s: (s.start, -s.remaining)):
        if slot.remaining > 0 and slot.start <= wanted < slot.end:
            return slot
    return None


def time_buttons(slots: Sequence[Timeslot], half_day: Optional[str] = None) -> List[Dict[str, str]]:
    """One button per free start time."""
    ends = {s.start: s.end for s in slots}
    return [
        {"title": f"{t:%H:%M}-{ends[t]:%H:%M}", "payload": payload("inform", time=f"{t:%H:%M}")}
        for t in free_starts(slots, half_day)
    ]


def confirmation_text(
    item_name: str, day: date, start: time, name_masked: str, phone_masked: str, id_masked: str, today: date
) -> str:
    """The summary shown before booking, with personal data masked."""
    return (
        "请核对预约信息：\n"
        f"· 事项：{item_name}\n· 时间：{describe_date(day, today)} {start:%H:%M}\n"
        f"· 预约人：{name_masked}\n· 手机号：{phone_masked}\n· 身份证号：{id_masked}\n"
        "确认无误请点击“确认预约”。"
    )


def booked_text(
    booking: Booking,
    hall: HallInfo,
    materials: Sequence[str],
    today: date,
    materials_if: Sequence[Tuple[str, Sequence[str]]] = (),
) -> str:
    """The reply to a finished booking: 预约号, time, window, address and what to bring.

    ``materials`` are brought in any case; ``materials_if`` (condition, materials) only in the
    situation named, which the citizen has not told (`ServiceItem.materials_to_bring_if`).
    """
    lines = [
        f"预约成功！预约号 {booking.code}，请妥善保存。",
        f"时间：{describe_date(booking.day, today)} {booking.slot_start:%H:%M}-{booking.slot_end:%H:%M}",
        f"窗口：{booking.window_number}号窗口（{booking.window_name}），事项：{booking.item_name}",
        f"地址：{hall.address}",
    ]
    if materials:
        lines.append("请携带：" + "；".join(materials))
    bring = "还需携带" if materials else "请携带"
    lines.extend(f"如为{condition}，{bring}：" + "；".join(names) for condition, names in materials_if)
    lines.append(
        "如需查询、改约或取消，请提供预约号和预约时的手机号；改约或取消须在预约时段开始2小时前办理。"
    )
    return "\n".join(lines)


def booking_card(booking: Booking) -> Dict[str, object]:
    """A structured card of a booking for the web widget (masked data only)."""
    return {
        "type": "booking",
        "code": booking.code,
        "item": booking.item_name,
        "date": booking.day.isoformat(),
        "start": f"{booking.slot_start:%H:%M}",
        "end": f"{booking.slot_end:%H:%M}",
        "window": booking.window_number,
        "status": booking.status_text,
        "sections": [
            {
                "title": "预约信息",
                "items": [
                    f"预约号：{booking.code}",
                    f"状态：{booking.status_text}",
                    f"{booking.day:%Y-%m-%d} {booking.slot_start:%H:%M}",
                    f"{booking.window_number}号窗口 {booking.window_name}",
                ],
            }
        ],
    }


def parse_iso_date(value: object) -> Optional[date]:
    """A date stored in a slot as ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def parse_clock(value: object) -> Optional[time]:
    """A time stored in a slot as ``HH:MM``."""
    try:
        return datetime.strptime(str(value), "%H:%M").time()
    except ValueError:
        return None


PERSONAL_QUESTIONS = ("person_name", "phone", "id_number")
"""The booking form's questions for personal data."""
_WITHHOLDS = re.compile(
    r"(?:不想|不愿意?|不方便|不打算|不乐意|没法|不能|不)(?:给|留|提供|告诉|说|填|写|透露)"
    r"|凭啥|凭什么|为啥要|为什么要|为何要|干啥要|要[^，,。？?\s]{0,5}干(?:啥|嘛|什么)|有啥用|有什么用"
)
"""Withholding the data asked, or asking why it is needed ("我不想给手机号", "为啥要身份证号")."""
WHY_NEEDED = {
    "person_name": ("预约人的姓名用于到窗口时核对是本人预约", "王**"),
    "phone": ("手机号用于预约核验，以及日后查询、改约或取消这个预约", "138****5678"),
    "id_number": ("身份证号用于到大厅时核验预约人的身份", "410105********1234"),
}
"""Why each personal answer is asked for and how it is shown masked: the reply to a citizen withholding it."""
_NAMED_DATA = (("phone", re.compile(r"手机|电话")), ("id_number", re.compile(r"身份证|证件号")))
_NAMED_NAME = re.compile(r"名字|姓名|真名")


def withholds(text: str) -> bool:
    """Whether a reply to a personal question withholds the data or asks why it is needed (`_WITHHOLDS`)."""
    return _WITHHOLDS.search(text or "") is not None


def withheld_slot(text: str, asked: str) -> str:
    """The personal data a withholding reply is about: the one it names ("我不想给手机号"), else ``asked``."""
    named = [slot for slot, words in _NAMED_DATA if words.search(text)]
    if _NAMED_NAME.search(text):
        named.append("person_name")
    return named[0] if len(named) == 1 else asked


def why_needed_text(slot: str) -> str:
    """The reply to a citizen withholding the personal data ``slot`` (`WHY_NEEDED`).

    Says what it is for, that it is kept encrypted and shown masked, and the way without it:
    taking a number at the hall, or stopping the booking.
    """
    purpose, masked = WHY_NEEDED[slot]
    return (
        f"{purpose}，加密保存，回复里只显示部分内容（如{masked}）。"
        "如果不方便提供，也可以不预约，直接到大厅现场取号办理；不约了请说“不约了”。"
    )
