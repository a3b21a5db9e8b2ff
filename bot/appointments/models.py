"""Value objects of 预约办: a free slot and a booking as shown to people (masked personal data only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

STATUSES = ("booked", "cancelled", "checked_in", "no_show")
STATUS_TEXT = {"booked": "已预约", "cancelled": "已取消", "checked_in": "已签到", "no_show": "未到场"}
WEEKDAYS = "一二三四五六日"


def format_day(day: date) -> str:
    """Format a date the way the hall writes it, e.g. ``10月9日（周五）``."""
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


@dataclass(frozen=True)
class Timeslot:
    """A bookable timeslot (预约时段) at one window and how many places are left in it.

    Named so as not to collide with Rasa's slots (the tracker's memory).
    """

    day: date
    start: time
    end: time
    window: str
    remaining: int


@dataclass(frozen=True)
class Booking:
    """An appointment; personal data appears only in masked form."""

    code: str
    item_id: str
    item_name: str
    window_number: str
    window_name: str
    day: date
    slot_start: time
    slot_end: time
    status: str
    name_masked: str
    phone_masked: str
    id_masked: str
    created_at: datetime
    updated_at: datetime

    @property
    def status_text(self) -> str:
        """The status in Chinese (已预约 / 已取消 / 已签到 / 未到场)."""
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def is_active(self) -> bool:
        """True while the booking still holds its place."""
        return self.status == "booked"

    def summary(self) -> str:
        """One Chinese line describing the booking, with the confirmation code."""
        return (
            f"预约号 {self.code}：{format_day(self.day)} {self.slot_start:%H:%M}-{self.slot_end:%H:%M}，"
            f"{self.window_number}号窗口（{self.window_name}）办理“{self.item_name}”，"
            f"预约人 {self.name_masked}，手机 {self.phone_masked}，状态：{self.status_text}。"
        )
