"""Bookable days (weekends, holidays, 调休, range) and free slots on a real SQLite store."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Iterator

import pytest

from bot.appointments.codes import generate_code
from bot.appointments.config import AppointmentConfig
from bot.appointments.errors import UnknownItemError
from bot.appointments.slots import (
    available_slots,
    bookable_days,
    check_bookable_day,
    free_times,
    local_now,
    nearest_bookable_days,
    nearest_free_slots,
)
from bot.appointments.store import AppointmentStore, NewAppointment
from bot.db import make_engine, run_migrations
from bot.workdays import WorkCalendar

MONDAY = datetime(2026, 9, 28, 10, 0)  # the working days after it: 9-29, 9-30, 10-8, 10-9, 10-10 (调休)


def make_config(**changes: object) -> AppointmentConfig:
    raw = {
        "hall": {
            "name": "测试大厅",
            "opening_hours": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}],
        },
        "slot_minutes": 30,
        "capacity_per_staff": 1,
        "windows": [
            {"number": "1", "name": "企业开办窗口", "items": ["开办企业一件事"], "staff": 2},
            {
                "number": "2",
                "name": "企业开办窗口",
                "items": ["开办企业一件事", "企业注销一件事"],
                "staff": 1,
            },
        ],
    }
    raw.update(changes)
    return AppointmentConfig.parse_obj(raw)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AppointmentStore]:
    url = f"sqlite:///{tmp_path / 'slots.db'}"
    run_migrations(url)
    engine = make_engine(url)
    yield AppointmentStore(engine)
    engine.dispose()


def take(store: AppointmentStore, day: date, start: time, window: str, capacity: int, n: int = 1) -> None:
    for i in range(n):
        new = NewAppointment(
            item_id="test-item",
            item_name="开办企业一件事",
            day=day,
            slot_start=start,
            name_masked="张*",
            phone_hash="p",
            phone_masked="138****0000",
            id_hash=f"{window}-{start}-{i}-{n}",
            id_masked="410102********0000",
            idempotency_key=None,
            now=MONDAY,
        )
        store.book(new, [(window, capacity)], generate_code)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 25), "过去的日期"),
        (date(2026, 9, 28), "当天不可预约"),
        (date(2026, 10, 1), "国庆节法定节假日"),
        (date(2026, 10, 4), "国庆节法定节假日"),  # a Sunday inside the holiday is reported as the holiday
        (date(2026, 10, 12), "超过可预约范围（最多可预约未来5个工作日）"),
    ],
)
def test_day_rules_with_a_fixed_now(calendar: WorkCalendar, day: date, expected: str) -> None:
    reason = check_bookable_day(day, MONDAY, config=make_config(), calendar=calendar)
    assert reason is not None and expected in reason


def test_weekend_is_not_bookable(calendar: WorkCalendar) -> None:
    friday = datetime(2026, 10, 9, 15, 0)
    reason = check_bookable_day(date(2026, 10, 11), friday, config=make_config(), calendar=calendar)
    assert reason is not None and "周末" in reason and "大厅不办公" in reason


def test_working_days_in_range_are_bookable_including_a_swapped_saturday(calendar: WorkCalendar) -> None:
    config = make_config()
    expected = [
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]
    assert bookable_days(MONDAY, config=config, calendar=calendar) == expected
    for day in expected:
        assert check_bookable_day(day, MONDAY, config=config, calendar=calendar) is None
    assert nearest_bookable_days(MONDAY, config=config, calendar=calendar) == expected[:3]
    assert nearest_bookable_days(MONDAY, 1, config=config, calendar=calendar) == expected[:1]


def test_range_comes_from_the_rules(calendar: WorkCalendar) -> None:
    config = make_config(rules={"min_working_days_ahead": 2, "max_working_days_ahead": 3})
    assert bookable_days(MONDAY, config=config, calendar=calendar) == [date(2026, 9, 30), date(2026, 10, 8)]
    too_soon = check_bookable_day(date(2026, 9, 29), MONDAY, config=config, calendar=calendar)
    assert too_soon is not None and "至少提前2个工作日" in too_soon
    too_far = check_bookable_day(date(2026, 10, 9), MONDAY, config=config, calendar=calendar)
    assert too_far is not None and "最多可预约未来3个工作日" in too_far


def test_same_day_booking_when_the_rules_allow_it(calendar: WorkCalendar, store: AppointmentStore) -> None:
    config = make_config(rules={"min_working_days_ahead": 0, "max_working_days_ahead": 1})
    assert bookable_days(MONDAY, config=config, calendar=calendar) == [date(2026, 9, 28), date(2026, 9, 29)]
    slots = available_slots(
        "开办企业一件事", date(2026, 9, 28), store=store, now=MONDAY, config=config, calendar=calendar
    )
    assert slots and min(s.start for s in slots) == time(10, 30)  # 10:00 has begun


def test_aware_now_is_read_on_the_hall_clock() -> None:
    utc = datetime(2026, 9, 28, 16, 30, tzinfo=timezone.utc)
    assert local_now(utc) == datetime(2026, 9, 29, 0, 30)
    assert local_now(MONDAY) == MONDAY


def test_free_slots_follow_opening_hours_and_window_capacity(
    calendar: WorkCalendar, store: AppointmentStore
) -> None:
    day = date(2026, 9, 29)
    slots = available_slots(
        "开办企业一件事", day, store=store, now=MONDAY, config=make_config(), calendar=calendar
    )
    assert len(slots) == 14 * 2
    starts = sorted({s.start for s in slots})
    assert starts[0] == time(9) and starts[-1] == time(16, 30) and time(12) not in starts
    assert all(
        s.end == (time(s.start.hour, 30) if s.start.minute == 0 else time(s.start.hour + 1)) for s in slots
    )
    remaining = {s.window: s.remaining for s in slots if s.start == time(9)}
    assert remaining == {"1": 2, "2": 1}
    only_window_two = available_slots(
        "企业注销一件事", day, store=store, now=MONDAY, config=make_config(), calendar=calendar
    )
    assert {s.window for s in only_window_two} == {"2"}


def test_taken_places_reduce_what_is_left(calendar: WorkCalendar, store: AppointmentStore) -> None:
    day = date(2026, 9, 29)
    config = make_config()
    take(store, day, time(9), "1", 2)
    take(store, day, time(9, 30), "1", 2, n=2)
    slots = available_slots("开办企业一件事", day, store=store, now=MONDAY, config=config, calendar=calendar)
    at = {(s.start, s.window): s.remaining for s in slots}
    assert at[(time(9), "1")] == 1
    assert (time(9, 30), "1") not in at  # full windows are left out
    assert at[(time(9, 30), "2")] == 1
    merged = {s.start: s.remaining for s in free_times(slots)}
    assert merged[time(9)] == 2 and merged[time(9, 30)] == 1 and merged[time(10)] == 3


def test_capacity_per_staff_multiplies(calendar: WorkCalendar, store: AppointmentStore) -> None:
    config = make_config(capacity_per_staff=3)
    slots = available_slots(
        "开办企业一件事", date(2026, 9, 29), store=store, now=MONDAY, config=config, calendar=calendar
    )
    assert {s.window: s.remaining for s in slots if s.start == time(9)} == {"1": 6, "2": 3}


def test_a_day_that_cannot_be_booked_has_no_slots(calendar: WorkCalendar, store: AppointmentStore) -> None:
    for day in (date(2026, 10, 1), date(2026, 9, 28), date(2026, 10, 12)):
        assert (
            available_slots(
                "开办企业一件事", day, store=store, now=MONDAY, config=make_config(), calendar=calendar
            )
            == []
        )


def test_unknown_item_is_an_error(calendar: WorkCalendar, store: AppointmentStore) -> None:
    with pytest.raises(UnknownItemError) as caught:
        available_slots(
            "不存在的事项",
            date(2026, 9, 29),
            store=store,
            now=MONDAY,
            config=make_config(),
            calendar=calendar,
        )
    assert "暂不支持预约" in caught.value.message


def test_nearest_free_slots_prefer_the_same_day_and_nearby_times(
    calendar: WorkCalendar, store: AppointmentStore
) -> None:
    config = make_config(windows=[{"number": "1", "name": "窗口", "items": ["开办企业一件事"], "staff": 1}])
    day = date(2026, 9, 29)
    for start in (time(9), time(9, 30), time(10)):
        take(store, day, start, "1", 1)
    near = nearest_free_slots(
        "开办企业一件事", day, time(9, 30), store=store, now=MONDAY, config=config, calendar=calendar
    )
    assert [(s.day, s.start) for s in near] == [(day, time(10, 30)), (day, time(11)), (day, time(11, 30))]
    evening = nearest_free_slots(
        "开办企业一件事", day, time(16, 30), store=store, now=MONDAY, n=2, config=config, calendar=calendar
    )
    assert [(s.day, s.start) for s in evening] == [(day, time(16)), (day, time(15, 30))]
