"""Which days can be booked and which slots still have room.

``now`` is the hall's local wall-clock time; an aware datetime is converted to the hall's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

from bot.appointments.config import AppointmentConfig, get_config
from bot.appointments.errors import UnknownItemError
from bot.appointments.models import Timeslot
from bot.settings import get_settings
from bot.workdays import WorkCalendar, get_calendar

if TYPE_CHECKING:
    from bot.appointments.store import AppointmentStore


def local_now(now: Optional[datetime] = None) -> datetime:
    """Return ``now`` (default: the current time) as a naive datetime on the hall's clock."""
    zone = ZoneInfo(get_settings().timezone)
    if now is None:
        return datetime.now(zone).replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(zone).replace(tzinfo=None)
    return now


def bookable_days(
    now: datetime, *, config: Optional[AppointmentConfig] = None, calendar: Optional[WorkCalendar] = None
) -> List[date]:
    """Return every day that can be booked at ``now``, in order."""
    config = config or get_config()
    calendar = calendar or get_calendar()
    rules = config.rules
    today = local_now(now).date()
    ahead = calendar.working_days_from(today, rules.max_working_days_ahead)
    days = ahead[max(rules.min_working_days_ahead - 1, 0) :]
    if rules.min_working_days_ahead == 0 and calendar.is_working_day(today):
        days = [today, *days]
    return days


def nearest_bookable_days(
    now: datetime,
    n: int = 3,
    *,
    config: Optional[AppointmentConfig] = None,
    calendar: Optional[WorkCalendar] = None,
) -> List[date]:
    """Return the first ``n`` days that can be booked at ``now``."""
    return bookable_days(now, config=config, calendar=calendar)[:n]


def check_bookable_day(
    day: date,
    now: datetime,
    *,
    config: Optional[AppointmentConfig] = None,
    calendar: Optional[WorkCalendar] = None,
) -> Optional[str]:
    """Return why ``day`` cannot be booked at ``now`` (in Chinese), or ``None`` when it can."""
    config = config or get_config()
    calendar = calendar or get_calendar()
    rules = config.rules
    today = local_now(now).date()
    if day < today:
        return "这是过去的日期"
    if day == today and rules.min_working_days_ahead >= 1:
        return "当天不可预约，最早可预约下一个工作日"
    if not calendar.is_working_day(day):
        closure = calendar.closure_reason(day) or "非工作日"
        return f"{closure}，大厅不办公"
    days = bookable_days(now, config=config, calendar=calendar)
    if day in days:
        return None
    if days and day < days[0]:
        return f"须至少提前{rules.min_working_days_ahead}个工作日预约"
    return f"超过可预约范围（最多可预约未来{rules.max_working_days_ahead}个工作日）"


def available_slots(
    item_name: str,
    day: date,
    *,
    store: AppointmentStore,
    now: datetime,
    config: Optional[AppointmentConfig] = None,
    calendar: Optional[WorkCalendar] = None,
) -> List[Timeslot]:
    """Return the slots of ``day`` with room for ``item_name``, one entry per window, in time order.

    A day that cannot be booked has no slots. A slot that has already begun is left out.

    Raises:
        UnknownItemError: no staffed window serves the item.

    """
    config = config or get_config()
    windows = config.windows_for(item_name)
    if not windows:
        raise UnknownItemError(item_name)
    if check_bookable_day(day, now, config=config, calendar=calendar) is not None:
        return []
    current = local_now(now)
    used = store.usage(day, [w.number for w in windows])
    result = []
    for start, end in config.slots():
        if datetime.combine(day, start) <= current:
            continue
        for window in windows:
            remaining = config.capacity(window) - used.get((window.number, start), 0)
            if remaining > 0:
                result.append(Timeslot(day, start, end, window.number, remaining))
    return result


def free_times(slots: List[Timeslot]) -> List[Timeslot]:
    """Merge per-window slots into one entry per start time.

    Each entry names the first window with room and the total places left across windows.
    """
    merged: Dict[Tuple[date, time], Timeslot] = {}
    for slot in slots:
        key = (slot.day, slot.start)
        if key in merged:
            first = merged[key]
            merged[key] = Timeslot(
                first.day, first.start, first.end, first.window, first.remaining + slot.remaining
            )
        else:
            merged[key] = slot
    return list(merged.values())


def nearest_free_slots(
    item_name: str,
    day: date,
    slot_start: time,
    *,
    store: AppointmentStore,
    now: datetime,
    n: int = 3,
    config: Optional[AppointmentConfig] = None,
    calendar: Optional[WorkCalendar] = None,
) -> List[Timeslot]:
    """Return up to ``n`` free times closest to ``day`` at ``slot_start`` (see :func:`free_times`).

    Closeness counts days first, then minutes; the wanted slot itself is never suggested.
    """
    config = config or get_config()
    wanted = datetime.combine(day, slot_start)
    candidates: List[Timeslot] = []
    for other in bookable_days(now, config=config, calendar=calendar):
        slots = available_slots(item_name, other, store=store, now=now, config=config, calendar=calendar)
        candidates.extend(s for s in free_times(slots) if (s.day, s.start) != (day, slot_start))

    def distance(slot: Timeslot) -> Tuple[int, float, datetime]:
        moment = datetime.combine(slot.day, slot.start)
        minutes = abs((datetime.combine(day, slot.start) - wanted).total_seconds())
        return abs((slot.day - day).days), minutes, moment

    return sorted(candidates, key=distance)[:n]
