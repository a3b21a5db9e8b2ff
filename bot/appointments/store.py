"""SQL store of appointments. The database, not Python, guarantees the capacity of each slot.

Each (window, day, slot) has a ``slot_usage`` row; a booking takes a place with
``UPDATE slot_usage SET used = used + 1 WHERE … AND used < :capacity`` and inserts the appointment in
the same transaction, so two people can never take the last place together. A partial unique index
allows one active booking per person, item and day. Transactions that meet a locked SQLite file, a
PostgreSQL deadlock or a serialisation failure are retried.
"""

from __future__ import annotations

import logging
import random
import time as time_module
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Time,
    and_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from bot.appointments.errors import UnavailableError
from bot.db import metadata, write_engine

logger = logging.getLogger(__name__)

T = TypeVar("T")

ACTIVE = "booked"

appointments = Table(
    "appointments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("confirmation_code", String(16), nullable=False, unique=True),
    Column("item_id", String(64), nullable=False),
    Column("item_name", String(100), nullable=False),
    Column("window_number", String(8), nullable=False),
    Column("day", Date, nullable=False),
    Column("slot_start", Time, nullable=False),
    Column("status", String(16), nullable=False),
    Column("name_masked", String(64), nullable=False),
    Column("phone_hash", String(64), nullable=False),
    Column("phone_masked", String(32), nullable=False),
    Column("id_hash", String(64), nullable=False),
    Column("id_masked", String(32), nullable=False),
    Column("idempotency_key", String(128), nullable=True, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # the signed-in 郑好办 user who booked, as a keyed hash (NULL for a guest); migration 0005
    Column("owner_hash", String(64), nullable=True),
    CheckConstraint("status IN ('booked', 'cancelled', 'checked_in', 'no_show')", name="status"),
)
Index("ix_appointments_day_window", appointments.c.day, appointments.c.window_number)
Index("ix_appointments_owner_hash", appointments.c.owner_hash)
Index(
    "uq_appointments_active_person_item_day",
    appointments.c.id_hash,
    appointments.c.item_id,
    appointments.c.day,
    unique=True,
    sqlite_where=text("status = 'booked'"),
    postgresql_where=text("status = 'booked'"),
)

slot_usage = Table(
    "slot_usage",
    metadata,
    Column("window_number", String(8), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("slot_start", Time, primary_key=True),
    Column("used", Integer, nullable=False),
    CheckConstraint("used >= 0", name="used_not_negative"),
)


class StoreError(Exception):
    """Base class of the store's own failures (the service turns them into BookingErrors)."""


class NoCapacityError(StoreError):
    """No candidate window had a free place in the slot."""


class ActiveBookingExistsError(StoreError):
    """The person already holds an active booking for the item on that day."""


class StaleRecordError(StoreError):
    """The appointment changed (cancelled, moved, checked in) since it was read."""


class StoreBusyError(StoreError):
    """The database stayed locked through every retry."""


@dataclass(frozen=True)
class AppointmentRecord:
    """One row of ``appointments`` (hashes included; never shown to people)."""

    id: int
    confirmation_code: str
    item_id: str
    item_name: str
    window_number: str
    day: date
    slot_start: time
    status: str
    name_masked: str
    phone_hash: str
    phone_masked: str
    id_hash: str
    id_masked: str
    idempotency_key: Optional[str]
    created_at: datetime
    updated_at: datetime
    owner_hash: Optional[str] = None


@dataclass(frozen=True)
class NewAppointment:
    """What the service hands to :meth:`AppointmentStore.book` (already hashed and masked)."""

    item_id: str
    item_name: str
    day: date
    slot_start: time
    name_masked: str
    phone_hash: str
    phone_masked: str
    id_hash: str
    id_masked: str
    idempotency_key: Optional[str]
    now: datetime
    owner_hash: Optional[str] = None


SlotKey = Tuple[str, date, time]
Candidates = Sequence[Tuple[str, int]]  # (window number, capacity) in order of preference


def _raise_if_unreachable(error: DBAPIError) -> None:
    """Raise UnavailableError (from ``error``) when it means the database cannot be reached."""
    if isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated:
        logger.error("database unreachable: %s", type(error.orig).__name__)
        raise UnavailableError() from error


def _retryable(error: DBAPIError) -> bool:
    pgcode = getattr(error.orig, "pgcode", None)
    if pgcode in ("40001", "40P01"):  # serialization_failure, deadlock_detected
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


class AppointmentStore:
    """Reads and atomic writes of appointments and slot usage.

    Args:
        engine: an engine from :func:`bot.db.make_engine` (schema created by ``run_migrations``).
        max_attempts: how many times a transaction is tried when the database is busy.

    """

    def __init__(self, engine: Engine, *, max_attempts: int = 8) -> None:
        self.engine = engine
        self._writer = write_engine(engine)
        self.max_attempts = max_attempts

    # -- transactions -------------------------------------------------------------------------

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction, retrying while the database is busy.

        Raises:
            StoreBusyError: still busy after ``max_attempts``.
            UnavailableError: the database cannot be reached; the transaction was rolled back.

        """
        for attempt in range(1, self.max_attempts + 1):
            try:
                with self._writer.begin() as connection:
                    return work(connection)
            except DBAPIError as error:
                if isinstance(error, IntegrityError):
                    raise
                if not _retryable(error):
                    _raise_if_unreachable(error)
                    raise
                logger.info("database busy (attempt %d/%d): %s", attempt, self.max_attempts, error.orig)
                time_module.sleep(min(0.02 * 2**attempt, 1.0) * random.uniform(0.5, 1.5))
        raise StoreBusyError()

    def _read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` on a connection; raises UnavailableError when the database cannot be reached."""
        try:
            with self.engine.connect() as connection:
                return work(connection)
        except DBAPIError as error:
            _raise_if_unreachable(error)
            raise

    # -- reads --------------------------------------------------------------------------------

    def get_by_code(self, code: str) -> Optional[AppointmentRecord]:
        """Return the appointment with this confirmation code (exact, upper case), or ``None``."""
        return self._read(lambda c: _one(c, appointments.c.confirmation_code == code))

    def get_by_idempotency_key(self, key: str) -> Optional[AppointmentRecord]:
        """Return the appointment created with this idempotency key, or ``None``."""
        return self._read(lambda c: _one(c, appointments.c.idempotency_key == key))

    def usage(self, day: date, windows: Sequence[str]) -> Dict[Tuple[str, time], int]:
        """Return the places taken on ``day``, keyed by (window number, slot start)."""
        query = select(slot_usage.c.window_number, slot_usage.c.slot_start, slot_usage.c.used).where(
            slot_usage.c.day == day, slot_usage.c.window_number.in_(list(windows))
        )
        rows = self._read(lambda c: c.execute(query).all())
        return {(row.window_number, row.slot_start): row.used for row in rows}

    def list(
        self, *, day: Optional[date] = None, window: Optional[str] = None, status: Optional[str] = None
    ) -> List[AppointmentRecord]:
        """Return appointments filtered by day, window and status, in time order."""
        query = select(appointments)
        if day is not None:
            query = query.where(appointments.c.day == day)
        if window is not None:
            query = query.where(appointments.c.window_number == str(window))
        if status is not None:
            query = query.where(appointments.c.status == status)
        query = query.order_by(
            appointments.c.day, appointments.c.slot_start, appointments.c.window_number, appointments.c.id
        )
        return self._read(lambda c: [AppointmentRecord(**row._mapping) for row in c.execute(query)])

    def list_by_owner(self, owner_hash: str, *, since: date) -> List[AppointmentRecord]:
        """Return the appointments of one signed-in user on ``since`` or later, in time order."""
        query = (
            select(appointments)
            .where(appointments.c.owner_hash == owner_hash, appointments.c.day >= since)
            .order_by(appointments.c.day, appointments.c.slot_start, appointments.c.id)
        )
        return self._read(lambda c: [AppointmentRecord(**row._mapping) for row in c.execute(query)])

    # -- writes -------------------------------------------------------------------------------

    def book(
        self,
        new: NewAppointment,
        candidates: Candidates,
        code_factory: Callable[[], str],
        *,
        code_attempts: int = 5,
    ) -> AppointmentRecord:
        """Take a place at the first candidate window with room and insert the appointment.

        With an idempotency key already used, the appointment made then is returned and nothing changes.

        Raises:
            NoCapacityError: every candidate window is full at that slot.
            ActiveBookingExistsError: the person already holds an active booking for the item that day.
            StoreBusyError: the database stayed locked.

        """
        last_error: Optional[IntegrityError] = None
        for _ in range(code_attempts):
            try:
                return self._transaction(lambda c: self._book(c, new, candidates, code_factory()))
            except (NoCapacityError, ActiveBookingExistsError, IntegrityError) as error:
                # A twin request with the same key may have committed while this one ran (PostgreSQL
                # reads committed data statement by statement): then its booking is the answer.
                twin = self.get_by_idempotency_key(new.idempotency_key) if new.idempotency_key else None
                if twin is not None:
                    return twin
                if not isinstance(error, IntegrityError):
                    raise
                if self._read(lambda c: _active_duplicate(c, new.id_hash, new.item_id, new.day)):
                    raise ActiveBookingExistsError() from None
                last_error = error
                logger.warning("confirmation code collision, retrying with a new code")
        assert last_error is not None
        raise last_error

    def _book(
        self, c: Connection, new: NewAppointment, candidates: Candidates, code: str
    ) -> AppointmentRecord:
        if new.idempotency_key:
            existing = _one(c, appointments.c.idempotency_key == new.idempotency_key)
            if existing is not None:
                return existing
        if _active_duplicate(c, new.id_hash, new.item_id, new.day):
            raise ActiveBookingExistsError()
        window = _take_place(c, new.day, new.slot_start, candidates)
        values: Dict[str, Any] = {
            "confirmation_code": code,
            "item_id": new.item_id,
            "item_name": new.item_name,
            "window_number": window,
            "day": new.day,
            "slot_start": new.slot_start,
            "status": ACTIVE,
            "name_masked": new.name_masked,
            "phone_hash": new.phone_hash,
            "phone_masked": new.phone_masked,
            "id_hash": new.id_hash,
            "id_masked": new.id_masked,
            "idempotency_key": new.idempotency_key,
            "created_at": new.now,
            "updated_at": new.now,
            "owner_hash": new.owner_hash,
        }
        new_id = c.execute(appointments.insert().values(**values)).inserted_primary_key[0]
        return AppointmentRecord(id=new_id, **values)

    def cancel(self, record: AppointmentRecord, now: datetime) -> AppointmentRecord:
        """Cancel an active appointment and give its place back, in one transaction.

        Raises:
            StaleRecordError: the appointment is no longer the active one that was read.

        """
        return self.set_status(record, "cancelled", now)

    def set_status(self, record: AppointmentRecord, status: str, now: datetime) -> AppointmentRecord:
        """Move an active appointment to ``status``; cancelling gives its place back.

        Raises:
            StaleRecordError: the appointment is no longer the active one that was read.

        """

        def work(c: Connection) -> AppointmentRecord:
            changed = c.execute(
                update(appointments).where(_unchanged(record)).values(status=status, updated_at=now)
            ).rowcount
            if changed != 1:
                raise StaleRecordError()
            if status == "cancelled":
                _release_place(c, (record.window_number, record.day, record.slot_start))
            return _one(c, appointments.c.id == record.id)  # type: ignore[return-value]

        return self._transaction(work)

    def move(
        self, record: AppointmentRecord, day: date, slot_start: time, candidates: Candidates, now: datetime
    ) -> AppointmentRecord:
        """Move an active appointment to another slot: take the new place, free the old, one transaction.

        Raises:
            NoCapacityError: no candidate window has room at the new slot (nothing changes).
            ActiveBookingExistsError: the person already holds another booking for the item that day.
            StaleRecordError: the appointment changed since it was read.

        """

        def work(c: Connection) -> AppointmentRecord:
            if day != record.day and _active_duplicate(c, record.id_hash, record.item_id, day):
                raise ActiveBookingExistsError()
            window = _take_place(c, day, slot_start, candidates)
            changed = c.execute(
                update(appointments)
                .where(_unchanged(record))
                .values(window_number=window, day=day, slot_start=slot_start, updated_at=now)
            ).rowcount
            if changed != 1:
                raise StaleRecordError()
            _release_place(c, (record.window_number, record.day, record.slot_start))
            return _one(c, appointments.c.id == record.id)  # type: ignore[return-value]

        try:
            return self._transaction(work)
        except IntegrityError:
            raise ActiveBookingExistsError() from None


def _one(c: Connection, condition: object) -> Optional[AppointmentRecord]:
    row = c.execute(select(appointments).where(condition)).first()
    return AppointmentRecord(**row._mapping) if row is not None else None


def _active_duplicate(c: Connection, id_hash: str, item_id: str, day: date) -> bool:
    query = select(appointments.c.id).where(
        appointments.c.id_hash == id_hash,
        appointments.c.item_id == item_id,
        appointments.c.day == day,
        appointments.c.status == ACTIVE,
    )
    return c.execute(query).first() is not None


def _unchanged(record: AppointmentRecord) -> object:
    return and_(
        appointments.c.id == record.id,
        appointments.c.status == ACTIVE,
        appointments.c.window_number == record.window_number,
        appointments.c.day == record.day,
        appointments.c.slot_start == record.slot_start,
    )


def _slot_condition(key: SlotKey) -> object:
    window, day, slot_start = key
    return and_(
        slot_usage.c.window_number == window, slot_usage.c.day == day, slot_usage.c.slot_start == slot_start
    )


def _ensure_usage_row(c: Connection, key: SlotKey) -> None:
    window, day, slot_start = key
    values = {"window_number": window, "day": day, "slot_start": slot_start, "used": 0}
    if c.dialect.name == "postgresql":
        c.execute(pg_insert(slot_usage).values(**values).on_conflict_do_nothing())
    elif c.dialect.name == "sqlite":
        c.execute(sqlite_insert(slot_usage).values(**values).on_conflict_do_nothing())
    else:  # any other database: insert inside a savepoint and ignore a duplicate
        try:
            with c.begin_nested():
                c.execute(slot_usage.insert().values(**values))
        except IntegrityError:
            pass


def _take_place(c: Connection, day: date, slot_start: time, candidates: Candidates) -> str:
    """Take one place at the first candidate window with room; the database checks the capacity."""
    for window, capacity in candidates:
        if capacity <= 0:
            continue
        key = (window, day, slot_start)
        _ensure_usage_row(c, key)
        taken = c.execute(
            update(slot_usage)
            .where(_slot_condition(key), slot_usage.c.used < capacity)
            .values(used=slot_usage.c.used + 1)
        ).rowcount
        if taken == 1:
            return window
    raise NoCapacityError()


def _release_place(c: Connection, key: SlotKey) -> None:
    c.execute(
        update(slot_usage)
        .where(_slot_condition(key), slot_usage.c.used > 0)
        .values(used=slot_usage.c.used - 1)
    )
