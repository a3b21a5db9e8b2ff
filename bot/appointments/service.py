"""The booking service of 预约办: book, find, cancel, reschedule, list and mark appointments.

Rules come from ``windows.yml`` (:mod:`bot.appointments.config`); capacity and uniqueness are
guaranteed by the database (:mod:`bot.appointments.store`). Personal data is kept only as a keyed
hash (to match) and a masked form (to show).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, List, Optional, Tuple
from zoneinfo import ZoneInfo

from bot import pii
from bot.appointments.codes import generate_code, normalize_code
from bot.appointments.config import AppointmentConfig, get_config
from bot.appointments.errors import (
    BookingError,
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
from bot.appointments.models import STATUS_TEXT, Booking, Timeslot
from bot.appointments.slots import (
    available_slots,
    check_bookable_day,
    local_now,
    nearest_bookable_days,
    nearest_free_slots,
)
from bot.appointments.store import (
    ActiveBookingExistsError,
    AppointmentRecord,
    AppointmentStore,
    NewAppointment,
    NoCapacityError,
    StaleRecordError,
    StoreBusyError,
)
from bot.settings import get_settings
from bot.workdays import WorkCalendar, get_calendar

Clock = Callable[[], datetime]
STAFF_STATUSES = ("checked_in", "no_show", "cancelled")
MAX_NAME_LENGTH = pii.MAX_NAME_LENGTH
MAX_KEY_LENGTH = 128


class BookingService:
    """Everything a citizen or a staff member can do with appointments.

    Args:
        store: the SQL store.
        calendar: the working-day calendar (default: :func:`bot.workdays.get_calendar`).
        config: windows and rules (default: :func:`bot.appointments.config.get_config`).
        clock: returns the current time (default: the hall's local time).
        catalogue: resolves item names and ids (default: :func:`bot.catalogue.get_catalogue`).
        pii_key: the key of the keyed hashes (default: ``PII_KEY`` from the settings).

    """

    def __init__(
        self,
        store: AppointmentStore,
        calendar: Optional[WorkCalendar] = None,
        config: Optional[AppointmentConfig] = None,
        clock: Optional[Clock] = None,
        *,
        catalogue: Any = None,
        pii_key: Optional[str] = None,
    ) -> None:
        self.store = store
        self.calendar = calendar or get_calendar()
        self.config = config or get_config()
        self.clock: Clock = clock or local_now
        self._catalogue = catalogue
        self._pii_key = pii_key if pii_key is not None else get_settings().pii_key

    # -- queries ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """Return the current time on the hall's clock (naive)."""
        return local_now(self.clock())

    def check_day(self, day: date) -> Optional[str]:
        """Return why ``day`` cannot be booked now, or ``None``."""
        return check_bookable_day(day, self.now(), config=self.config, calendar=self.calendar)

    def bookable_days(self, n: int = 3) -> List[date]:
        """Return the first ``n`` days that can be booked now."""
        return nearest_bookable_days(self.now(), n, config=self.config, calendar=self.calendar)

    def available_slots(self, item_name: str, day: date) -> List[Timeslot]:
        """Return the slots of ``day`` with room for the item, one per window (see :mod:`slots`)."""
        _, name = self._resolve_item(item_name)
        return available_slots(
            name, day, store=self.store, now=self.now(), config=self.config, calendar=self.calendar
        )

    def find(self, *, code: str, phone: str = "", owner: Optional[str] = None) -> Optional[Booking]:
        """Return the booking with this code (any letter case) if the caller proves it is theirs.

        Proof is ``phone``, the number given at booking, or ``owner``, the verified 郑好办 user id of
        the session (see :mod:`api.host_user`) that made the booking.
        """
        record = self._match(code, phone, owner)
        return self._to_booking(record) if record is not None else None

    def bookings_of(self, owner: str) -> List[Booking]:
        """Return the signed-in user's bookings from today on (every status), in time order.

        ``owner`` is the verified 郑好办 user id; only bookings made while signed in are listed.
        """
        if not owner:
            return []
        records = self.store.list_by_owner(self._owner_hash(owner), since=self.now().date())
        return [self._to_booking(r) for r in records]

    def list(
        self, *, day: Optional[date] = None, window: Optional[str] = None, status: Optional[str] = None
    ) -> List[Booking]:
        """Return bookings filtered by day, window and status, in time order (for staff)."""
        if status is not None and status not in STATUS_TEXT:
            raise ValueError(f"unknown status: {status}")
        return [self._to_booking(r) for r in self.store.list(day=day, window=window, status=status)]

    # -- changes ------------------------------------------------------------------------------

    def book(
        self,
        *,
        item_name: str,
        day: date,
        slot_start: time,
        name: str,
        phone: str,
        id_number: str,
        idempotency_key: Optional[str] = None,
        owner: Optional[str] = None,
    ) -> Booking:
        """Book a place for one person; the same ``idempotency_key`` always returns the same booking.

        ``owner``, the verified 郑好办 user id of a signed-in session, lets that user list and change
        the booking without its 预约号 and phone number (stored as a keyed hash only).

        Raises:
            BookingError: a subclass with a Chinese ``message`` saying what to do instead.

        """
        idempotency_key = _fit_key(idempotency_key)
        if idempotency_key:
            earlier = self.store.get_by_idempotency_key(idempotency_key)
            if earlier is not None:
                return self._to_booking(earlier)
        item_id, canonical = self._resolve_item(item_name)
        now = self.now()
        person = self._person(name, phone, id_number, now.date())
        self._require_bookable(canonical, day, slot_start, now)
        new = NewAppointment(
            item_id=item_id,
            item_name=canonical,
            day=day,
            slot_start=slot_start,
            idempotency_key=idempotency_key,
            now=self._utc(now),
            owner_hash=self._owner_hash(owner) if owner else None,
            **person,
        )
        try:
            record = self.store.book(new, self._candidates(canonical), generate_code)
        except NoCapacityError:
            raise self._full(canonical, day, slot_start, now) from None
        except ActiveBookingExistsError:
            raise DuplicateBookingError() from None
        except StoreBusyError:
            raise BusyError() from None
        return self._to_booking(record)

    def cancel(self, *, code: str, phone: str = "", owner: Optional[str] = None) -> Booking:
        """Cancel a booking (no later than the configured hours before its slot) and free its place.

        The caller proves the booking is theirs as in :meth:`find`.
        """
        record = self._changeable(code, phone, owner)
        try:
            return self._to_booking(self.store.cancel(record, self._utc(self.now())))
        except StaleRecordError:
            raise self._not_active(record) from None
        except StoreBusyError:
            raise BusyError() from None

    def reschedule(
        self, *, code: str, phone: str = "", owner: Optional[str] = None, day: date, slot_start: time
    ) -> Booking:
        """Move a booking to another slot: the new place is taken and the old one freed together.

        Nothing changes when the new slot is full or cannot be booked. The caller proves the booking
        is theirs as in :meth:`find`.
        """
        record = self._changeable(code, phone, owner)
        if (record.day, record.slot_start) == (day, slot_start):
            raise SameSlotError()
        now = self.now()
        self._require_bookable(record.item_name, day, slot_start, now)
        candidates = self._candidates(record.item_name, prefer=record.window_number)
        try:
            moved = self.store.move(record, day, slot_start, candidates, self._utc(now))
        except NoCapacityError:
            raise self._full(record.item_name, day, slot_start, now) from None
        except ActiveBookingExistsError:
            raise DuplicateBookingError() from None
        except StaleRecordError:
            raise self._not_active(record) from None
        except StoreBusyError:
            raise BusyError() from None
        return self._to_booking(moved)

    def mark(self, *, code: str, status: str) -> Booking:
        """Record a check-in, a no-show or a cancellation by staff (no deadline; a cancel frees the place)."""
        if status not in STAFF_STATUSES:
            raise ValueError(f"status must be one of {STAFF_STATUSES}")
        normalized = normalize_code(code)
        record = self.store.get_by_code(normalized) if normalized else None
        if record is None:
            raise NotFoundError()
        if record.status != "booked":
            raise NotActiveError(STATUS_TEXT[record.status])
        try:
            return self._to_booking(self.store.set_status(record, status, self._utc(self.now())))
        except StaleRecordError:
            raise self._not_active(record) from None
        except StoreBusyError:
            raise BusyError() from None

    # -- helpers ------------------------------------------------------------------------------

    def _catalogue_get(self, item_name: str) -> Any:
        if self._catalogue is None:
            from bot.catalogue import get_catalogue

            self._catalogue = get_catalogue()
        try:
            return self._catalogue.get(item_name)
        except (KeyError, LookupError):
            return None

    def _resolve_item(self, item_name: str) -> Tuple[str, str]:
        item = self._catalogue_get((item_name or "").strip())
        if item is None:
            raise UnknownItemError(item_name)
        if not self.config.windows_for(item.name):
            raise UnknownItemError(item.name)
        return str(item.id), item.name

    def _person(self, name: str, phone: str, id_number: str, today: date) -> dict:
        clean_name = pii.normalize_name(name)
        name_problem = pii.name_error(clean_name)
        if name_problem:
            raise InvalidPersonalDataError(name_problem)
        phone_problem = pii.mobile_error(phone)
        if phone_problem:
            raise InvalidPersonalDataError(phone_problem)
        id_problem = pii.id_number_error(id_number, today)
        if id_problem:
            raise InvalidPersonalDataError(id_problem)
        mobile = pii.normalize_mobile(phone)
        id_clean = pii.normalize_id_number(id_number)
        return {
            "name_masked": pii.mask_name(clean_name),
            "phone_hash": pii.keyed_hash(mobile, self._pii_key),
            "phone_masked": pii.mask_mobile(mobile),
            "id_hash": pii.keyed_hash(id_clean, self._pii_key),
            "id_masked": pii.mask_id_number(id_clean),
        }

    def _require_bookable(self, item_name: str, day: date, slot_start: time, now: datetime) -> None:
        reason = check_bookable_day(day, now, config=self.config, calendar=self.calendar)
        if reason is not None:
            raise DayNotBookableError(day, reason, self.bookable_days(3))
        if not self.config.is_slot_start(slot_start):
            periods = "、".join(f"{p.start:%H:%M}-{p.end:%H:%M}" for p in self.config.hall.opening_hours)
            raise InvalidSlotError(
                f"抱歉，{slot_start:%H:%M} 不是可预约的时段。大厅工作日开放时间为 {periods}，"
                f"每{self.config.slot_minutes}分钟一个时段，请从中选择。"
            )
        if datetime.combine(day, slot_start) <= now:
            raise InvalidSlotError("抱歉，该时段已经开始，请选择之后的时段。")

    def _candidates(self, item_name: str, prefer: Optional[str] = None) -> List[Tuple[str, int]]:
        windows = [(w.number, self.config.capacity(w)) for w in self.config.windows_for(item_name)]
        return sorted(windows, key=lambda pair: pair[0] != prefer)

    def _full(self, item_name: str, day: date, slot_start: time, now: datetime) -> SlotFullError:
        suggestions = nearest_free_slots(
            item_name, day, slot_start, store=self.store, now=now, config=self.config, calendar=self.calendar
        )
        return SlotFullError(suggestions)

    def _owner_hash(self, owner: str) -> str:
        # a prefix keeps a user id from ever hashing like a phone number or an ID
        return pii.keyed_hash(f"host-user:{owner}", self._pii_key)

    def _match(self, code: str, phone: str, owner: Optional[str] = None) -> Optional[AppointmentRecord]:
        normalized = normalize_code(code)
        by_phone = pii.is_valid_mobile(phone)
        if normalized is None or not (by_phone or owner):
            return None
        record = self.store.get_by_code(normalized)
        if record is None:
            return None
        if by_phone:
            phone_hash = pii.keyed_hash(pii.normalize_mobile(phone), self._pii_key)
            if hmac.compare_digest(phone_hash, record.phone_hash):
                return record
        if owner and record.owner_hash:
            if hmac.compare_digest(self._owner_hash(owner), record.owner_hash):
                return record
        return None

    def _changeable(self, code: str, phone: str, owner: Optional[str] = None) -> AppointmentRecord:
        record = self._match(code, phone, owner)
        if record is None:
            raise NotFoundError()
        if record.status != "booked":
            raise NotActiveError(STATUS_TEXT[record.status])
        hours = self.config.rules.change_deadline_hours
        if self.now() > datetime.combine(record.day, record.slot_start) - timedelta(hours=hours):
            raise TooLateError(hours)
        return record

    def _not_active(self, record: AppointmentRecord) -> BookingError:
        current = self.store.get_by_code(record.confirmation_code)
        status = current.status if current is not None else "cancelled"
        if status == "booked":  # moved by a change made at the same moment
            return BookingError("该预约刚刚发生了变化，请重新查询预约后再试。")
        return NotActiveError(STATUS_TEXT[status])

    def _utc(self, local: datetime) -> datetime:
        """Timestamps are stored as naive UTC."""
        zone = ZoneInfo(get_settings().timezone)
        return local.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)

    def _to_booking(self, record: AppointmentRecord) -> Booking:
        window = self.config.window(record.window_number)
        return Booking(
            code=record.confirmation_code,
            item_id=record.item_id,
            item_name=record.item_name,
            window_number=record.window_number,
            window_name=window.name if window is not None else "",
            day=record.day,
            slot_start=record.slot_start,
            slot_end=self.config.slot_end(record.slot_start),
            status=record.status,
            name_masked=record.name_masked,
            phone_masked=record.phone_masked,
            id_masked=record.id_masked,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


def _fit_key(key: Optional[str]) -> Optional[str]:
    """Keep a short idempotency key as is; store a long one as its SHA-256 (the column holds 128)."""
    if not key:
        return None
    return key if len(key) <= MAX_KEY_LENGTH else hashlib.sha256(key.encode("utf-8")).hexdigest()


def build_service(url: Optional[str] = None) -> BookingService:
    """Return a service on the settings' database (or ``url``); the schema must be migrated already."""
    from bot.db import get_engine, make_engine

    engine = make_engine(url) if url else get_engine()
    return BookingService(AppointmentStore(engine))
