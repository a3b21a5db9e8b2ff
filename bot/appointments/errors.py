"""Booking errors: each carries a polite Chinese ``message`` that can be shown to the citizen as is."""

from __future__ import annotations

from datetime import date
from typing import Sequence, Tuple

from bot.appointments.models import Timeslot, format_day


class BookingError(Exception):
    """Base class of every booking failure; ``message`` is the Chinese text for the citizen."""

    code = "booking_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownItemError(BookingError):
    """The item does not exist or cannot be booked at any window."""

    code = "unknown_item"

    def __init__(self, item_name: str) -> None:
        super().__init__(f"抱歉，“{item_name}”暂不支持预约办理，请确认事项名称，或直接到大厅综合窗口咨询。")
        self.item_name = item_name


class InvalidPersonalDataError(BookingError):
    """A name, mobile number or 身份证号 that fails validation."""

    code = "invalid_personal_data"


class DayNotBookableError(BookingError):
    """The chosen day cannot be booked; ``reason`` says why."""

    code = "day_not_bookable"

    def __init__(self, day: date, reason: str, suggestions: Sequence[date] = ()) -> None:
        self.day = day
        self.reason = reason
        self.suggestions: Tuple[date, ...] = tuple(suggestions)
        text = f"抱歉，{format_day(day)}不可预约：{reason}。"
        if self.suggestions:
            text += f"最近可预约的日期有：{'、'.join(format_day(d) for d in self.suggestions)}，请另选一天。"
        else:
            text += "请另选一个工作日。"
        super().__init__(text)


class InvalidSlotError(BookingError):
    """The chosen time is not the start of one of the hall's slots."""

    code = "invalid_slot"


class SlotFullError(BookingError):
    """Every window serving the item is full at that slot; ``suggestions`` are the nearest free slots."""

    code = "slot_full"

    def __init__(self, suggestions: Sequence[Timeslot]) -> None:
        self.suggestions: Tuple[Timeslot, ...] = tuple(suggestions)
        if self.suggestions:
            options = "；".join(
                f"{format_day(s.day)} {s.start:%H:%M}-{s.end:%H:%M}" for s in self.suggestions
            )
            text = f"抱歉，该时段名额已满。最近还有空余名额的时段：{options}。请问要改约其中一个吗？"
        else:
            text = "抱歉，该时段名额已满，近期可预约的时段也已约满，请稍后再试或直接到大厅办理。"
        super().__init__(text)


class DuplicateBookingError(BookingError):
    """The person already holds an active booking for the same item on that day."""

    code = "duplicate_booking"

    def __init__(self) -> None:
        super().__init__("您已有同一事项当天的预约，无需重复预约。如需调整时间，可以办理改约。")


class NotFoundError(BookingError):
    """No booking matches the code and mobile number."""

    code = "not_found"

    def __init__(self) -> None:
        super().__init__("抱歉，预约号或手机号不正确，未找到对应的预约，请核对后重新输入。")


class NotActiveError(BookingError):
    """The booking was already cancelled, checked in or marked as a no-show."""

    code = "not_active"

    def __init__(self, status_text: str) -> None:
        super().__init__(f"该预约当前状态为“{status_text}”，无法再取消或改约。")


class TooLateError(BookingError):
    """Less than the configured number of hours remain before the slot starts."""

    code = "too_late"

    def __init__(self, hours: float) -> None:
        hours_text = f"{hours:g}"
        super().__init__(
            f"抱歉，距离预约时段不足{hours_text}小时无法取消/改约。如有特殊情况，请拨打大厅咨询电话联系工作人员。"
        )


class SameSlotError(BookingError):
    """A change to the very slot already booked."""

    code = "same_slot"

    def __init__(self) -> None:
        super().__init__("新的预约时间与原预约相同，无需改约。")


class BusyError(BookingError):
    """The database stayed busy through every retry."""

    code = "busy"

    def __init__(self) -> None:
        super().__init__("抱歉，当前预约人数较多，系统繁忙，请稍后再试。")


class UnavailableError(BookingError):
    """The database could not be reached (down, restarting, network): nothing was changed."""

    code = "unavailable"

    def __init__(self) -> None:
        super().__init__(
            "抱歉，预约系统暂时连接不上，这次没有办理任何预约变更。请稍后再试，或拨打大厅咨询电话。"
        )
