"""Random sequences of book / cancel / reschedule checked against a model of the hall.

The model predicts every outcome (which window, which error), and after each step the database must
agree with it: places taken equal active bookings, never above capacity; a cancel frees exactly one
place; one idempotency key never books twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Dict, Optional, Tuple

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from bot import pii
from bot.appointments import (
    AppointmentConfig,
    AppointmentStore,
    Booking,
    BookingService,
    DuplicateBookingError,
    NotActiveError,
    SameSlotError,
    SlotFullError,
)
from bot.appointments.store import appointments, slot_usage
from bot.workdays import WorkCalendar

NOW = datetime(2026, 9, 28, 8, 0)
DAYS = [date(2026, 9, 29), date(2026, 9, 30)]
SLOTS = [time(9), time(9, 30)]
COMPANY, SOLE_TRADER = "开办企业一件事", "个体工商户登记一件事"
CONFIG = AppointmentConfig.parse_obj(
    {
        "hall": {"name": "测试大厅", "opening_hours": [{"start": "09:00", "end": "10:00"}]},
        "slot_minutes": 30,
        "capacity_per_staff": 1,
        "windows": [
            {"number": "1", "name": "企业开办专区", "items": [COMPANY, SOLE_TRADER], "staff": 1},
            {"number": "2", "name": "企业开办专区", "items": [COMPANY], "staff": 1},
        ],
    }
)
CAPACITY = {w.number: CONFIG.capacity(w) for w in CONFIG.windows}
SlotKey = Tuple[str, date, time]


def id_number(person: int) -> str:
    first17 = f"41010219850505{person:03d}"
    return first17 + pii.id_check_char(first17)


def phone(person: int) -> str:
    return f"137{person:08d}"


@dataclass
class Entry:
    person: int
    item: str
    day: date
    slot: time
    window: str
    status: str = "booked"


class HallModel(RuleBasedStateMachine):
    """Drives a BookingService and keeps the expected state beside it."""

    service: BookingService
    engine: sa.engine.Engine
    bookings = Bundle("bookings")

    def __init__(self) -> None:
        super().__init__()
        with self.engine.begin() as c:
            c.execute(sa.text("DELETE FROM appointments"))
            c.execute(sa.text("DELETE FROM slot_usage"))
        self.entries: Dict[str, Entry] = {}
        self.keys: Dict[str, str] = {}

    # -- the model ---------------------------------------------------------------------------------

    def taken(self) -> Counter:
        return Counter((e.window, e.day, e.slot) for e in self.entries.values() if e.status == "booked")

    def first_free(self, item: str, day: date, slot: time, prefer: Optional[str] = None) -> Optional[str]:
        windows = [w.number for w in CONFIG.windows_for(item)]
        windows.sort(key=lambda number: number != prefer)
        taken = self.taken()
        return next((w for w in windows if taken[(w, day, slot)] < CAPACITY[w]), None)

    def holds(self, person: int, item: str, day: date, other_than: Optional[str] = None) -> bool:
        return any(
            code != other_than and e.status == "booked" and (e.person, e.item, e.day) == (person, item, day)
            for code, e in self.entries.items()
        )

    def places_left(self, key: SlotKey) -> int:
        window, day, slot = key
        query = sa.select(slot_usage.c.used).where(
            slot_usage.c.window_number == window, slot_usage.c.day == day, slot_usage.c.slot_start == slot
        )
        with self.engine.connect() as c:
            used = c.execute(query).scalar()
        return CAPACITY[window] - (used or 0)

    # -- rules --------------------------------------------------------------------------------------

    @rule(
        target=bookings,
        person=st.integers(0, 3),
        item=st.sampled_from([COMPANY, SOLE_TRADER]),
        day=st.sampled_from(DAYS),
        slot=st.sampled_from(SLOTS),
        key=st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3"])),
    )
    def book(self, person: int, item: str, day: date, slot: time, key: Optional[str]) -> object:
        before = dict(self.taken())
        try:
            result: object = self.service.book(
                item_name=item,
                day=day,
                slot_start=slot,
                name="赵六",
                phone=phone(person),
                id_number=id_number(person),
                idempotency_key=key,
            )
        except (SlotFullError, DuplicateBookingError) as error:
            result = error
        if key in self.keys:
            assert isinstance(result, Booking) and result.code == self.keys[key]
            assert dict(self.taken()) == before
            return multiple()
        if self.holds(person, item, day):
            assert isinstance(result, DuplicateBookingError), result
            return multiple()
        window = self.first_free(item, day, slot)
        if window is None:
            assert isinstance(result, SlotFullError), result
            assert "名额已满" in result.message
            return multiple()
        assert isinstance(result, Booking), result
        assert result.window_number == window and result.status == "booked"
        assert result.code not in self.entries
        self.entries[result.code] = Entry(person, item, day, slot, window)
        if key is not None:
            self.keys[key] = result.code
        return result.code

    @rule(code=bookings)
    def cancel(self, code: str) -> None:
        entry = self.entries[code]
        key = (entry.window, entry.day, entry.slot)
        left_before = self.places_left(key)
        if entry.status != "booked":
            with pytest.raises(NotActiveError):
                self.service.cancel(code=code, phone=phone(entry.person))
            assert self.places_left(key) == left_before
            return
        cancelled = self.service.cancel(code=code.lower(), phone=phone(entry.person))
        assert cancelled.status == "cancelled"
        entry.status = "cancelled"
        assert self.places_left(key) == left_before + 1

    @rule(code=bookings, day=st.sampled_from(DAYS), slot=st.sampled_from(SLOTS))
    def reschedule(self, code: str, day: date, slot: time) -> None:
        entry = self.entries[code]
        call = dict(code=code, phone=phone(entry.person), day=day, slot_start=slot)
        if entry.status != "booked":
            with pytest.raises(NotActiveError):
                self.service.reschedule(**call)
            return
        if (entry.day, entry.slot) == (day, slot):
            with pytest.raises(SameSlotError):
                self.service.reschedule(**call)
            return
        if day != entry.day and self.holds(entry.person, entry.item, day, other_than=code):
            with pytest.raises(DuplicateBookingError):
                self.service.reschedule(**call)
            return
        window = self.first_free(entry.item, day, slot, prefer=entry.window)
        if window is None:
            with pytest.raises(SlotFullError):
                self.service.reschedule(**call)
            return
        moved = self.service.reschedule(**call)
        assert (moved.code, moved.day, moved.slot_start, moved.window_number) == (code, day, slot, window)
        entry.day, entry.slot, entry.window = day, slot, window

    # -- what must always hold ----------------------------------------------------------------------

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        with self.engine.connect() as c:
            usage_rows = c.execute(sa.select(slot_usage)).all()
            count = c.execute(sa.select(sa.func.count()).select_from(appointments)).scalar()
        for row in usage_rows:
            assert 0 <= row.used <= CAPACITY[row.window_number]
        used = {(r.window_number, r.day, r.slot_start): r.used for r in usage_rows if r.used}
        assert used == dict(self.taken())
        assert count == len(self.entries)
        records = {r.confirmation_code: r for r in self.service.store.list()}
        for code, entry in self.entries.items():
            record = records[code]
            actual = (record.status, record.window_number, record.day, record.slot_start)
            assert actual == (entry.status, entry.window, entry.day, entry.slot)
        assert len(set(self.keys.values())) == len(self.keys)


def run_machine(engine: sa.engine.Engine, max_examples: int, steps: int) -> None:
    service = BookingService(
        AppointmentStore(engine), WorkCalendar(), CONFIG, lambda: NOW, pii_key="model-key"
    )

    class Machine(HallModel):
        pass

    Machine.service = service
    Machine.engine = engine
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_random_sequences_keep_every_promise(engine: sa.engine.Engine, db_url: str) -> None:
    if db_url.startswith("sqlite"):
        run_machine(engine, max_examples=80, steps=30)
    else:
        run_machine(engine, max_examples=25, steps=25)
