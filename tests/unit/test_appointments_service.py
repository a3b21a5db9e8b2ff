"""BookingService on a real SQLite file: happy paths, every error, the 2-hour rule, idempotency, masking."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot import pii
from bot.appointments import (
    AppointmentConfig,
    AppointmentStore,
    BookingService,
    BusyError,
    DayNotBookableError,
    DuplicateBookingError,
    InvalidPersonalDataError,
    InvalidSlotError,
    NotActiveError,
    NotFoundError,
    SameSlotError,
    SlotFullError,
    TooLateError,
    UnknownItemError,
)
from bot.appointments.codes import ALPHABET
from bot.db import make_engine
from bot.workdays import WorkCalendar
from tests.conftest import Clock, migrated_engine

MONDAY = datetime(2026, 9, 28, 10, 0)  # bookable: 9-29, 9-30, 10-8, 10-9, 10-10
TUESDAY = date(2026, 9, 29)
WEDNESDAY = date(2026, 9, 30)
COMPANY = "开办企业一件事"
RESTAURANT = "开办餐饮店一件事"
KEY = "unit-test-pii-key"

CONFIG = AppointmentConfig.parse_obj(
    {
        "hall": {
            "name": "测试大厅",
            "opening_hours": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}],
        },
        "slot_minutes": 30,
        "capacity_per_staff": 1,
        "rules": {"min_working_days_ahead": 1, "max_working_days_ahead": 5, "change_deadline_hours": 2},
        "windows": [
            {"number": "1", "name": "企业开办窗口", "items": [COMPANY, "个体工商户登记一件事"], "staff": 2},
            {"number": "2", "name": "企业开办窗口", "items": [COMPANY], "staff": 1},
            {"number": "3", "name": "餐饮许可窗口", "items": [RESTAURANT], "staff": 1},
        ],
    }
)


def id_number(seq: int) -> str:
    first17 = f"41010219900101{seq:03d}"
    return first17 + pii.id_check_char(first17)


def phone(seq: int) -> str:
    return f"139{seq:08d}"


def person(seq: int) -> dict:
    return {"name": "张" + "三四五六七八九十"[seq % 8], "phone": phone(seq), "id_number": id_number(seq)}


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "service.db"


@pytest.fixture
def engine(db_file: Path) -> Iterator[sa.engine.Engine]:
    engine = migrated_engine(db_file)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def service(engine: sa.engine.Engine, clock: Clock) -> BookingService:
    return BookingService(AppointmentStore(engine), WorkCalendar(), CONFIG, clock, pii_key=KEY)


def book(
    service: BookingService,
    seq: int = 1,
    item: str = COMPANY,
    day: date = TUESDAY,
    start: time = time(9),
    **extra,
):
    return service.book(item_name=item, day=day, slot_start=start, **person(seq), **extra)


def remaining(service: BookingService, item: str, day: date, start: time) -> int:
    return sum(s.remaining for s in service.available_slots(item, day) if s.start == start)


# -- happy paths -----------------------------------------------------------------------------------


def test_book_returns_a_booking_with_masked_data_only(service: BookingService) -> None:
    booking = book(service, 7)
    assert len(booking.code) == 8 and set(booking.code) <= set(ALPHABET)
    assert (booking.item_name, booking.day, booking.slot_start, booking.slot_end) == (
        COMPANY,
        TUESDAY,
        time(9),
        time(9, 30),
    )
    assert booking.window_number == "1" and booking.window_name == "企业开办窗口"
    assert booking.status == "booked" and booking.status_text == "已预约" and booking.is_active
    assert booking.name_masked == "张*"
    assert booking.phone_masked == "139****0007"
    assert booking.id_masked == pii.mask_id_number(id_number(7))
    plain = {phone(7), id_number(7), person(7)["name"]}
    for field in dataclasses.fields(booking):
        value = str(getattr(booking, field.name))
        assert not any(secret in value for secret in plain), field.name
    summary = booking.summary()
    assert f"预约号 {booking.code}" in summary and "9月29日（周二） 09:00-09:30" in summary
    assert "1号窗口" in summary and phone(7) not in summary
    with pytest.raises(dataclasses.FrozenInstanceError):
        booking.status = "cancelled"  # type: ignore[misc]


def test_item_is_resolved_through_the_catalogue(service: BookingService) -> None:
    from bot.catalogue import get_catalogue

    expected = get_catalogue().get(COMPANY)
    booking = book(service)
    assert booking.item_id == str(expected.id) and booking.item_name == expected.name


def test_find_with_code_in_any_case_and_the_same_phone(service: BookingService) -> None:
    booking = book(service, 3)
    assert service.find(code=booking.code, phone=phone(3)) == booking
    assert service.find(code=booking.code.lower(), phone=phone(3)) == booking
    assert service.find(code=f" {booking.code[:4]}-{booking.code[4:]} ", phone=f"+86 {phone(3)}") == booking
    assert service.find(code=booking.code, phone=phone(4)) is None
    assert service.find(code="ABCDEFGH" if booking.code != "ABCDEFGH" else "HGFEDCBA", phone=phone(3)) is None
    assert service.find(code="not a code", phone=phone(3)) is None
    assert service.find(code=booking.code, phone="12345") is None


def test_windows_fill_in_file_order(service: BookingService) -> None:
    windows = [book(service, n).window_number for n in range(1, 4)]
    assert windows == ["1", "1", "2"]
    assert remaining(service, COMPANY, TUESDAY, time(9)) == 0


def test_cancel_frees_the_place(service: BookingService) -> None:
    booking = book(service, 1, RESTAURANT)
    assert remaining(service, RESTAURANT, TUESDAY, time(9)) == 0
    cancelled = service.cancel(code=booking.code.lower(), phone=phone(1))
    assert cancelled.status == "cancelled" and cancelled.code == booking.code
    assert remaining(service, RESTAURANT, TUESDAY, time(9)) == 1
    assert service.find(code=booking.code, phone=phone(1)).status == "cancelled"
    # the same person may book the same item that day again
    again = book(service, 1, RESTAURANT)
    assert again.code != booking.code and again.is_active


def test_reschedule_takes_the_new_place_and_frees_the_old(service: BookingService) -> None:
    booking = book(service, 1, RESTAURANT)
    moved = service.reschedule(code=booking.code, phone=phone(1), day=WEDNESDAY, slot_start=time(13, 30))
    assert (moved.code, moved.day, moved.slot_start, moved.status) == (
        booking.code,
        WEDNESDAY,
        time(13, 30),
        "booked",
    )
    assert remaining(service, RESTAURANT, TUESDAY, time(9)) == 1
    assert remaining(service, RESTAURANT, WEDNESDAY, time(13, 30)) == 0
    assert service.find(code=booking.code, phone=phone(1)) == moved


def test_reschedule_keeps_the_window_when_it_has_room(service: BookingService) -> None:
    book(service, 1)
    book(service, 2)
    third = book(service, 3)
    assert third.window_number == "2"
    moved = service.reschedule(code=third.code, phone=phone(3), day=TUESDAY, slot_start=time(10))
    assert moved.window_number == "2"


def test_list_filters_for_staff(service: BookingService) -> None:
    a = book(service, 1)
    b = book(service, 2, RESTAURANT, start=time(9, 30))
    c = book(service, 3, day=WEDNESDAY)
    service.cancel(code=c.code, phone=phone(3))
    assert [x.code for x in service.list()] == [a.code, b.code, c.code]
    assert [x.code for x in service.list(day=TUESDAY)] == [a.code, b.code]
    assert [x.code for x in service.list(window="3")] == [b.code]
    assert [x.code for x in service.list(status="cancelled")] == [c.code]
    with pytest.raises(ValueError):
        service.list(status="lost")


def test_mark_check_in_no_show_and_staff_cancel(service: BookingService) -> None:
    a = book(service, 1)
    b = book(service, 2)
    c = book(service, 3, RESTAURANT)
    assert service.mark(code=a.code.lower(), status="checked_in").status == "checked_in"
    assert service.mark(code=b.code, status="no_show").status == "no_show"
    assert remaining(service, COMPANY, TUESDAY, time(9)) == 1  # check-in and no-show keep their places
    assert service.mark(code=c.code, status="cancelled").status == "cancelled"
    assert remaining(service, RESTAURANT, TUESDAY, time(9)) == 1
    with pytest.raises(NotActiveError, match="已签到"):
        service.mark(code=a.code, status="no_show")
    with pytest.raises(NotFoundError):
        service.mark(code="ABCDEFGH" if a.code != "ABCDEFGH" else "HGFEDCBA", status="checked_in")
    with pytest.raises(ValueError):
        service.mark(code=a.code, status="booked")


# -- idempotency -----------------------------------------------------------------------------------


def test_same_idempotency_key_returns_the_same_booking(
    service: BookingService, engine: sa.engine.Engine
) -> None:
    first = book(service, 1, idempotency_key="sender-1:turn-9")
    second = book(service, 1, idempotency_key="sender-1:turn-9")
    different_request = book(service, 2, RESTAURANT, idempotency_key="sender-1:turn-9")
    assert first == second == different_request
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM appointments").scalar() == 1
        assert c.exec_driver_sql("SELECT sum(used) FROM slot_usage").scalar() == 1
    other_key = book(service, 2, RESTAURANT, idempotency_key="sender-1:turn-10")
    assert other_key.code != first.code


def test_a_very_long_idempotency_key_still_works(service: BookingService) -> None:
    key = "sender:" + "x" * 500
    first = book(service, 1, idempotency_key=key)
    assert book(service, 1, idempotency_key=key) == first
    assert book(service, 2, idempotency_key=key + "y").code != first.code


def test_idempotent_replay_survives_a_cancel(service: BookingService) -> None:
    first = book(service, 1, idempotency_key="k")
    service.cancel(code=first.code, phone=phone(1))
    replay = book(service, 1, idempotency_key="k")
    assert replay.code == first.code and replay.status == "cancelled"
    assert remaining(service, COMPANY, TUESDAY, time(9)) == 3


# -- errors ----------------------------------------------------------------------------------------


def test_full_slot_names_the_nearest_free_slots(service: BookingService) -> None:
    book(service, 1, RESTAURANT)
    book(service, 2, RESTAURANT, start=time(9, 30))
    with pytest.raises(SlotFullError) as caught:
        book(service, 3, RESTAURANT)
    error = caught.value
    assert "名额已满" in error.message
    assert [(s.day, s.start) for s in error.suggestions] == [
        (TUESDAY, time(10)),
        (TUESDAY, time(10, 30)),
        (TUESDAY, time(11)),
    ]
    assert "9月29日（周二） 10:00-10:30" in error.message


def test_one_active_booking_per_person_item_and_day(service: BookingService) -> None:
    book(service, 1)
    with pytest.raises(DuplicateBookingError) as caught:
        book(service, 1, start=time(15))
    assert "已有同一事项当天的预约" in caught.value.message
    # other items, other days and other people are fine
    assert book(service, 1, RESTAURANT).is_active
    assert book(service, 1, day=WEDNESDAY).is_active
    assert book(service, 2).is_active


def test_id_number_spelled_differently_is_the_same_person(service: BookingService) -> None:
    first17 = "11010519491231002"
    assert pii.id_check_char(first17) == "X"
    service.book(
        item_name=COMPANY,
        day=TUESDAY,
        slot_start=time(9),
        name="李四",
        phone=phone(1),
        id_number=first17 + "X",
    )
    with pytest.raises(DuplicateBookingError):
        service.book(
            item_name=COMPANY,
            day=TUESDAY,
            slot_start=time(10),
            name="李四",
            phone=phone(2),
            id_number=first17 + "x",
        )


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 9, 25), "过去的日期"),
        (date(2026, 9, 28), "当天不可预约"),
        (date(2026, 10, 1), "国庆节法定节假日"),
        (date(2026, 10, 11), "周末休息"),
        (date(2026, 10, 12), "超过可预约范围（最多可预约未来5个工作日）"),
    ],
)
def test_day_that_cannot_be_booked(service: BookingService, day: date, reason: str) -> None:
    with pytest.raises(DayNotBookableError) as caught:
        book(service, day=day)
    assert reason in caught.value.reason
    assert caught.value.message.startswith(f"抱歉，{day.month}月{day.day}日")
    assert "不可预约" in caught.value.message and reason in caught.value.message
    assert caught.value.suggestions == (TUESDAY, WEDNESDAY, date(2026, 10, 8))
    assert "9月29日（周二）、9月30日（周三）、10月8日（周四）" in caught.value.message


@pytest.mark.parametrize("start", [time(12), time(12, 30), time(9, 15), time(17), time(8, 30)])
def test_time_outside_the_slot_grid(service: BookingService, start: time) -> None:
    with pytest.raises(InvalidSlotError) as caught:
        book(service, start=start)
    assert "不是可预约的时段" in caught.value.message and "09:00-12:00、13:00-17:00" in caught.value.message


@pytest.mark.parametrize("item", ["不存在的事项", "退休一件事", ""])
def test_item_that_cannot_be_booked(service: BookingService, item: str) -> None:
    with pytest.raises(UnknownItemError) as caught:
        book(service, item=item)
    assert "暂不支持预约" in caught.value.message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "  ", "姓名"),
        ("name", "张3", "姓名"),
        ("phone", "1380013800", "11位"),
        ("phone", "0371-67989000", "座机"),
        ("id_number", "410102199001010010", "校验码"),
        ("id_number", "41010219900101", "18位"),
    ],
)
def test_invalid_personal_data(service: BookingService, field: str, value: str, expected: str) -> None:
    data = person(1) | {field: value}
    with pytest.raises(InvalidPersonalDataError) as caught:
        service.book(item_name=COMPANY, day=TUESDAY, slot_start=time(9), **data)
    assert expected in caught.value.message
    assert value.strip() == "" or value not in caught.value.message


def test_wrong_code_or_phone(service: BookingService) -> None:
    booking = book(service, 1)
    for code, number in [(booking.code, phone(2)), ("ZZZZZZZZ", phone(1)), ("??", phone(1))]:
        with pytest.raises(NotFoundError) as caught:
            service.cancel(code=code, phone=number)
        assert "预约号或手机号不正确" in caught.value.message
        with pytest.raises(NotFoundError):
            service.reschedule(code=code, phone=number, day=WEDNESDAY, slot_start=time(9))
    assert service.find(code=booking.code, phone=phone(1)).is_active


def test_cancelled_booking_cannot_be_cancelled_or_moved(service: BookingService) -> None:
    booking = book(service, 1)
    service.cancel(code=booking.code, phone=phone(1))
    with pytest.raises(NotActiveError, match="已取消"):
        service.cancel(code=booking.code, phone=phone(1))
    with pytest.raises(NotActiveError, match="已取消"):
        service.reschedule(code=booking.code, phone=phone(1), day=WEDNESDAY, slot_start=time(9))


def test_reschedule_to_a_full_slot_changes_nothing(service: BookingService) -> None:
    mine = book(service, 1, RESTAURANT)
    book(service, 2, RESTAURANT, day=WEDNESDAY, start=time(14))
    with pytest.raises(SlotFullError) as caught:
        service.reschedule(code=mine.code, phone=phone(1), day=WEDNESDAY, slot_start=time(14))
    assert "名额已满" in caught.value.message and caught.value.suggestions
    assert service.find(code=mine.code, phone=phone(1)) == mine
    assert remaining(service, RESTAURANT, TUESDAY, time(9)) == 0


def test_reschedule_errors(service: BookingService) -> None:
    mine = book(service, 1)
    book(service, 1, day=WEDNESDAY, start=time(16))
    with pytest.raises(SameSlotError, match="相同"):
        service.reschedule(code=mine.code, phone=phone(1), day=TUESDAY, slot_start=time(9))
    with pytest.raises(DuplicateBookingError):
        service.reschedule(code=mine.code, phone=phone(1), day=WEDNESDAY, slot_start=time(9))
    with pytest.raises(DayNotBookableError, match="国庆节"):
        service.reschedule(code=mine.code, phone=phone(1), day=date(2026, 10, 2), slot_start=time(9))
    with pytest.raises(InvalidSlotError):
        service.reschedule(code=mine.code, phone=phone(1), day=TUESDAY, slot_start=time(12, 0))
    assert service.find(code=mine.code, phone=phone(1)) == mine


def test_two_hour_rule_for_cancel_and_reschedule(service: BookingService, clock: Clock) -> None:
    early = book(service, 1, start=time(9))
    later = book(service, 2, start=time(9))
    clock.now = datetime(2026, 9, 29, 7, 0, 1)  # 1 h 59 min 59 s before 09:00
    with pytest.raises(TooLateError) as caught:
        service.cancel(code=early.code, phone=phone(1))
    assert "距离预约时段不足2小时无法取消/改约" in caught.value.message
    with pytest.raises(TooLateError):
        service.reschedule(code=early.code, phone=phone(1), day=WEDNESDAY, slot_start=time(9))
    assert service.find(code=early.code, phone=phone(1)).is_active
    clock.now = datetime(2026, 9, 29, 7, 0)  # exactly 2 hours before: still allowed
    assert service.cancel(code=later.code, phone=phone(2)).status == "cancelled"


def test_busy_database_gives_a_polite_error(db_file: Path, engine: sa.engine.Engine, clock: Clock) -> None:
    impatient = make_engine(f"sqlite:///{db_file}", busy_timeout_ms=50)
    service = BookingService(
        AppointmentStore(impatient, max_attempts=2), WorkCalendar(), CONFIG, clock, pii_key=KEY
    )
    holder = sqlite3.connect(db_file, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(BusyError) as caught:
            book(service, 1)
        assert "系统繁忙" in caught.value.message
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert book(service, 1).is_active
    impatient.dispose()


# -- personal data at rest -------------------------------------------------------------------------


def test_plain_personal_data_never_reaches_the_database(
    service: BookingService, engine: sa.engine.Engine, db_file: Path
) -> None:
    people = [person(n) for n in (11, 12, 13)]
    people[2]["name"] = "欧阳娜娜"
    for n, who in zip((11, 12, 13), people, strict=True):
        service.book(item_name=COMPANY, day=TUESDAY, slot_start=time(10), idempotency_key=f"k{n}", **who)
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    with sqlite3.connect(db_file) as dump_connection:
        dump = "\n".join(dump_connection.iterdump())
    assert "INSERT INTO" in dump and "139****0011" in dump
    for who in people:
        for secret in (who["phone"], who["id_number"], who["name"]):
            assert secret not in dump
            assert secret.encode() not in raw
    with engine.connect() as c:
        row = c.exec_driver_sql(
            "SELECT phone_hash, id_hash, name_masked FROM appointments WHERE idempotency_key = 'k13'"
        ).one()
    assert row.phone_hash == pii.keyed_hash(phone(13), KEY) != pii.keyed_hash(phone(13), "another key")
    assert row.id_hash == pii.keyed_hash(id_number(13), KEY)
    assert row.name_masked == "欧***"


# -- a signed-in 郑好办 user's bookings ---------------------------------------------------------------


def test_signed_in_user_lists_and_changes_own_bookings_without_code_or_phone(
    service: BookingService, db_file: Path
) -> None:
    first = book(service, 1, owner="zhb-10086")
    later = book(service, 2, item=RESTAURANT, day=WEDNESDAY, start=time(14), owner="zhb-10086")
    book(service, 3, owner="zhb-other")
    book(service, 4)  # a guest's booking belongs to no one signed in
    assert [b.code for b in service.bookings_of("zhb-10086")] == [first.code, later.code]
    assert service.bookings_of("zhb-nobody") == [] and service.bookings_of("") == []
    # the owner is proof enough; another signed-in user is not, nor is no proof at all
    assert service.find(code=first.code, owner="zhb-10086") == first
    assert service.find(code=first.code, owner="zhb-other") is None
    assert service.find(code=first.code) is None
    with pytest.raises(NotFoundError):
        service.cancel(code=first.code, owner="zhb-other")
    moved = service.reschedule(code=first.code, owner="zhb-10086", day=WEDNESDAY, slot_start=time(10))
    assert (moved.day, moved.slot_start) == (WEDNESDAY, time(10))
    assert service.cancel(code=later.code, owner="zhb-10086").status == "cancelled"
    assert [b.status for b in service.bookings_of("zhb-10086")] == ["booked", "cancelled"]
    # the phone number still works for a signed-in user's booking, and the user id is not stored
    assert service.find(code=first.code, phone=phone(1)) is not None
    with sqlite3.connect(db_file) as db:
        dump = "\n".join(db.iterdump())
    assert "zhb-10086" not in dump and "zhb-other" not in dump


def test_past_bookings_are_not_listed(service: BookingService, clock: Clock) -> None:
    booked = book(service, 1, owner="zhb-10086")
    clock.now = datetime(2026, 9, 30, 8, 0)  # the booking was yesterday
    assert service.bookings_of("zhb-10086") == []
    assert service.find(code=booked.code, owner="zhb-10086") is not None
