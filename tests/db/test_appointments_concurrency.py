"""Many people at once, on SQLite and PostgreSQL: the database keeps every promise."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time
from typing import Callable, List, Union

import pytest
import sqlalchemy as sa

from bot import pii
from bot.appointments import (
    AppointmentConfig,
    AppointmentStore,
    Booking,
    BookingError,
    BookingService,
    DuplicateBookingError,
    NotActiveError,
    SlotFullError,
)
from bot.workdays import WorkCalendar

NOW = datetime(2026, 9, 28, 10, 0)
DAY = date(2026, 9, 29)
ITEM = "开办企业一件事"
KEY = "db-test-key"
CONFIG = AppointmentConfig.parse_obj(
    {
        "hall": {"name": "测试大厅", "opening_hours": [{"start": "09:00", "end": "12:00"}]},
        "slot_minutes": 30,
        "capacity_per_staff": 1,
        "windows": [
            {"number": "1", "name": "企业开办专区", "items": [ITEM], "staff": 2},
            {"number": "2", "name": "企业开办专区", "items": [ITEM], "staff": 1},
        ],
    }
)
Outcome = Union[Booking, BookingError]


def id_number(seq: int) -> str:
    first17 = f"41010219900101{seq:03d}"
    return first17 + pii.id_check_char(first17)


def phone(seq: int) -> str:
    return f"139{seq:08d}"


@pytest.fixture
def service(wide_engine: sa.engine.Engine) -> BookingService:
    service = BookingService(AppointmentStore(wide_engine), WorkCalendar(), CONFIG, lambda: NOW, pii_key=KEY)
    service.available_slots(ITEM, DAY)  # load the catalogue before the threads start
    return service


def all_at_once(n: int, attempt: Callable[[int], Outcome]) -> List[Outcome]:
    barrier = threading.Barrier(n)

    def run(i: int) -> Outcome:
        barrier.wait()
        try:
            return attempt(i)
        except BookingError as error:
            return error

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def book(service: BookingService, seq: int, start: time = time(9), key: str | None = None) -> Booking:
    return service.book(
        item_name=ITEM,
        day=DAY,
        slot_start=start,
        name="王五",
        phone=phone(seq),
        id_number=id_number(seq),
        idempotency_key=key,
    )


def usage(engine: sa.engine.Engine) -> dict:
    with engine.connect() as c:
        rows = c.execute(sa.text("SELECT window_number, slot_start, used FROM slot_usage")).all()
        active = c.execute(
            sa.text(
                "SELECT window_number, count(*) FROM appointments"
                " WHERE status = 'booked' GROUP BY window_number"
            )
        ).all()
    return {"used": {(r[0], str(r[1])[:5]): r[2] for r in rows}, "active": dict(active)}


def test_fifty_people_for_three_places(service: BookingService, wide_engine: sa.engine.Engine) -> None:
    results = all_at_once(50, lambda i: book(service, i))
    booked = [r for r in results if isinstance(r, Booking)]
    full = [r for r in results if isinstance(r, SlotFullError)]
    assert len(booked) == 3 and len(full) == 47, [
        r for r in results if not isinstance(r, (Booking, SlotFullError))
    ]
    assert all("名额已满" in error.message for error in full)
    assert all(error.suggestions and error.suggestions[0].start == time(9, 30) for error in full)
    assert len({b.code for b in booked}) == 3
    assert sorted(b.window_number for b in booked) == ["1", "1", "2"]
    state = usage(wide_engine)
    assert state["used"] == {("1", "09:00"): 2, ("2", "09:00"): 1}
    assert state["active"] == {"1": 2, "2": 1}


def test_one_idempotency_key_sent_many_times_books_once(
    service: BookingService, wide_engine: sa.engine.Engine
) -> None:
    results = all_at_once(12, lambda i: book(service, 1, key="sender-7:turn-3"))
    assert all(isinstance(r, Booking) for r in results), results
    assert len({r.code for r in results}) == 1  # type: ignore[union-attr]
    assert usage(wide_engine)["active"] == {"1": 1}


def test_one_person_many_tabs_gets_one_booking(
    service: BookingService, wide_engine: sa.engine.Engine
) -> None:
    results = all_at_once(12, lambda i: book(service, 5, start=[time(9), time(10), time(11)][i % 3]))
    booked = [r for r in results if isinstance(r, Booking)]
    duplicates = [r for r in results if isinstance(r, DuplicateBookingError)]
    assert len(booked) == 1 and len(duplicates) == 11, results
    assert sum(usage(wide_engine)["used"].values()) == 1


def test_the_same_booking_cancelled_twice_at_once_frees_one_place(
    service: BookingService, wide_engine: sa.engine.Engine
) -> None:
    mine = book(service, 1)
    book(service, 2)
    results = all_at_once(10, lambda i: service.cancel(code=mine.code, phone=phone(1)))
    assert sum(isinstance(r, Booking) for r in results) == 1
    assert sum(isinstance(r, NotActiveError) for r in results) == 9, results
    assert usage(wide_engine)["used"][("1", "09:00")] == 1


def test_many_moves_into_the_last_place(service: BookingService, wide_engine: sa.engine.Engine) -> None:
    movers = [book(service, n, start=time(9)) for n in range(3)] + [
        book(service, n, start=time(9, 30)) for n in range(3, 6)
    ]
    book(service, 9, start=time(10))
    book(service, 10, start=time(10))  # 10:00 has one place left
    results = all_at_once(
        6, lambda i: service.reschedule(code=movers[i].code, phone=phone(i), day=DAY, slot_start=time(10))
    )
    moved = [r for r in results if isinstance(r, Booking)]
    assert len(moved) == 1 and sum(isinstance(r, SlotFullError) for r in results) == 5, results
    used = usage(wide_engine)["used"]
    assert used[("1", "10:00")] + used[("2", "10:00")] == 3
    assert sum(used.values()) == 8
