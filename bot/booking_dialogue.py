"""What 高小新 says and understands while booking (预约办): pure functions the form actions call."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Dict, List, Optional, Sequence

from bot.appointments import Booking, SlotAvailability
from bot.appointments.codes import normalize_code
from bot.guide import payload
from bot.hall import HallInfo
from bot.timeparse import describe_date

NAME_PREFIXES = re.compile(r"^(我叫|我是|姓名是|姓名|名字是|名字叫|名字|预约人是|预约人|叫)[:：\s]*")
NAME_CHARS = re.compile(r"^[\u4e00-\u9fa5·•A-Za-z ]{2,20}$")


def clean_name(text: str) -> str:
    """The name inside "我叫李明" and the like."""
    return NAME_PREFIXES.sub("", (text or "").strip()).strip(" 。.，,")


def name_error(name: str) -> Optional[str]:
    """A polite reason when ``name`` does not look like a person's name, else None."""
    if not name:
        return "请告诉我预约人的姓名。"
    if any(ch.isdigit() for ch in name):
        return "姓名里不应有数字，请输入预约人的真实姓名，比如“李明”。"
    if not NAME_CHARS.match(name):
        return "请输入预约人的真实姓名（2到20个汉字或字母），以便窗口工作人员核对。"
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


def free_starts(slots: Sequence[SlotAvailability], half_day: Optional[str] = None) -> List[time]:
    """Distinct slot start times that still have room, optionally only 上午 or 下午."""
    starts = sorted({s.start for s in slots if s.remaining > 0})
    if half_day == "上午":
        starts = [t for t in starts if t < time(12, 0)]
    elif half_day == "下午":
        starts = [t for t in starts if t >= time(12, 0)]
    return starts


def slot_for(slots: Sequence[SlotAvailability], wanted: time) -> Optional[SlotAvailability]:
    """The free slot that starts at, or contains, the wanted time."""
    for slot in sorted(slots, key=lambda s: (s.start, -s.remaining)):
        if slot.remaining > 0 and slot.start <= wanted < slot.end:
            return slot
    return None


def time_buttons(slots: Sequence[SlotAvailability], half_day: Optional[str] = None) -> List[Dict[str, str]]:
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


def booked_text(booking: Booking, hall: HallInfo, materials: Sequence[str], today: date) -> str:
    """The reply to a finished booking: 预约号, time, window, address and what to bring."""
    lines = [
        f"预约成功！预约号 {booking.code}，请妥善保存。",
        f"时间：{describe_date(booking.day, today)} {booking.slot_start:%H:%M}-{booking.slot_end:%H:%M}",
        f"窗口：{booking.window_number}号窗口（{booking.window_name}），事项：{booking.item_name}",
        f"地址：{hall.address}",
    ]
    if materials:
        lines.append("请携带：" + "；".join(materials))
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
