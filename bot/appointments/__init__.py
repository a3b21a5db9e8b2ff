"""预约办: the hall's windows and slots, and booking, changing and cancelling appointments."""

from __future__ import annotations

from bot.appointments.config import AppointmentConfig, ConfigError, get_config, load_config
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
    UnavailableError,
    UnknownItemError,
)
from bot.appointments.models import Booking, Timeslot, format_day
from bot.appointments.service import BookingService, build_service
from bot.appointments.slots import available_slots, check_bookable_day, nearest_bookable_days
from bot.appointments.store import AppointmentStore

__all__ = [
    "AppointmentConfig",
    "AppointmentStore",
    "Booking",
    "BookingError",
    "BookingService",
    "BusyError",
    "UnavailableError",
    "ConfigError",
    "DayNotBookableError",
    "DuplicateBookingError",
    "InvalidPersonalDataError",
    "InvalidSlotError",
    "NotActiveError",
    "NotFoundError",
    "SameSlotError",
    "Timeslot",
    "SlotFullError",
    "TooLateError",
    "UnknownItemError",
    "available_slots",
    "build_service",
    "check_bookable_day",
    "format_day",
    "get_config",
    "load_config",
    "nearest_bookable_days",
]
