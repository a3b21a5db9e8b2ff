"""Retention of records, and a citizen's booking data on request (《个人信息保护法》 PIPL 第四十五、四十七条).

Purge (``python -m bot.retention`` or ``make purge``; run it daily, e.g. from cron):

- appointments (masked name, phone, ID; keyed hashes): ``BOOKING_RETENTION_DAYS`` (180) after
  the appointment day;
- hand-over and follow-up tickets (masked transcript): ``TICKET_RETENTION_DAYS`` (365) after
  closing; a ticket never closed, twice as long after its creation;
- unanswered questions (masked): ``UNANSWERED_RETENTION_DAYS`` (90) after it was last asked;
- ratings (a masked comment at most): ``RATING_RETENTION_DAYS`` (730).

A citizen's request: staff find the appointments by the phone number and/or the ID number given
at booking (matched through the keyed hashes, never stored in clear), export them (masked, as
stored) and delete them (``api/routes/privacy.py``). Conversation trackers in Redis expire on
their own (the tracker store's ``record_exp``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.engine import Engine

from bot import pii
from bot.appointments.store import appointments
from bot.ratings import ratings
from bot.tickets import tickets
from bot.unanswered import unanswered_questions

logger = logging.getLogger(__name__)
EXPORTED_COLUMNS = (
    "confirmation_code",
    "item_name",
    "window_number",
    "day",
    "slot_start",
    "status",
    "name_masked",
    "phone_masked",
    "id_masked",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days each kind of record is kept."""

    booking_days: int = 180
    ticket_days: int = 365
    unanswered_days: int = 90
    rating_days: int = 730

    @classmethod
    def from_settings(cls, settings: Any) -> RetentionPolicy:
        """Return the policy of the ``*_RETENTION_DAYS`` settings."""
        return cls(
            booking_days=settings.booking_retention_days,
            ticket_days=settings.ticket_retention_days,
            unanswered_days=settings.unanswered_retention_days,
            rating_days=settings.rating_retention_days,
        )


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def purge(
    engine: Engine, policy: RetentionPolicy, *, now: Optional[datetime] = None, dry_run: bool = False
) -> Dict[str, int]:
    """Delete the records past their retention period; return how many of each kind.

    Args:
        engine: the database.
        policy: the retention periods.
        now: the current UTC time without zone (tests pass one).
        dry_run: count only, delete nothing.

    Returns:
        ``{"appointments": n, "tickets": n, "unanswered": n, "ratings": n}``.

    """
    now = now or _utc_now()
    ticket_cut = now - timedelta(days=policy.ticket_days)
    conditions = {
        "appointments": (
            appointments,
            appointments.c.day < (now.date() - timedelta(days=policy.booking_days)),
        ),
        "tickets": (
            tickets,
            or_(
                and_(tickets.c.closed_at.isnot(None), tickets.c.closed_at < ticket_cut),
                tickets.c.created_at < now - timedelta(days=2 * policy.ticket_days),
            ),
        ),
        "unanswered": (
            unanswered_questions,
            unanswered_questions.c.last_seen < now - timedelta(days=policy.unanswered_days),
        ),
        "ratings": (ratings, ratings.c.created_at < now - timedelta(days=policy.rating_days)),
    }
    counts: Dict[str, int] = {}
    with engine.begin() as connection:
        for kind, (table, condition) in conditions.items():
            if dry_run:
                counts[kind] = len(connection.execute(select(table.c.id).where(condition)).all())
            else:
                counts[kind] = int(connection.execute(delete(table).where(condition)).rowcount or 0)
    logger.info("retention purge%s: %s", " (dry run)" if dry_run else "", counts)
    return counts


def _person_condition(phone: Optional[str], id_number: Optional[str], pii_key: str) -> Any:
    """The rows booked with this phone number and/or ID number (both must match when both given)."""
    parts = []
    if phone:
        mobile = pii.normalize_mobile(phone)
        if not pii.is_valid_mobile(mobile):
            raise ValueError("手机号格式不正确")
        parts.append(appointments.c.phone_hash == pii.keyed_hash(mobile, pii_key))
    if id_number:
        clean = pii.normalize_id_number(id_number)
        if pii.id_number_error(clean):
            raise ValueError("身份证号格式不正确")
        parts.append(appointments.c.id_hash == pii.keyed_hash(clean, pii_key))
    if not parts:
        raise ValueError("请提供预约时登记的手机号或身份证号")
    return and_(*parts)


def export_person(
    engine: Engine, *, pii_key: str, phone: Optional[str] = None, id_number: Optional[str] = None
) -> List[Dict[str, str]]:
    """Return every appointment of one person, as stored (personal data masked), oldest first."""
    condition = _person_condition(phone, id_number, pii_key)
    columns = [appointments.c[name] for name in EXPORTED_COLUMNS]
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).where(condition).order_by(appointments.c.day)).all()
    return [{name: _text(row._mapping[name]) for name in EXPORTED_COLUMNS} for row in rows]


def erase_person(
    engine: Engine, *, pii_key: str, phone: Optional[str] = None, id_number: Optional[str] = None
) -> int:
    """Delete every appointment of one person; return how many.

    A still-active booking also gives its place back (``slot_usage``), so the slot can be booked again.
    """
    from bot.appointments.store import slot_usage

    condition = _person_condition(phone, id_number, pii_key)
    with engine.begin() as connection:
        active = connection.execute(
            select(appointments.c.window_number, appointments.c.day, appointments.c.slot_start).where(
                and_(condition, appointments.c.status == "booked")
            )
        ).all()
        for window_number, day, slot_start in active:
            connection.execute(
                slot_usage.update()
                .where(
                    and_(
                        slot_usage.c.window_number == window_number,
                        slot_usage.c.day == day,
                        slot_usage.c.slot_start == slot_start,
                        slot_usage.c.used > 0,
                    )
                )
                .values(used=slot_usage.c.used - 1)
            )
        return int(connection.execute(delete(appointments).where(condition)).rowcount or 0)


def _text(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def main(argv: Optional[List[str]] = None, make_engine: Optional[Callable[[str], Engine]] = None) -> int:
    """``python -m bot.retention [--dry-run]``: purge with the settings' periods and print the counts."""
    from bot.db import make_engine as default_engine
    from bot.logs import configure_logging
    from bot.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m bot.retention", description="清理超过保存期限的记录")
    parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")
    args = parser.parse_args(argv)
    configure_logging()
    settings = get_settings()
    engine = (make_engine or default_engine)(settings.database_url)
    try:
        counts = purge(engine, RetentionPolicy.from_settings(settings), dry_run=args.dry_run)
    finally:
        engine.dispose()
    verb = "将删除" if args.dry_run else "已删除"
    print(
        f"{verb}：预约 {counts['appointments']} 条，工单 {counts['tickets']} 条，"
        f"未解答问题 {counts['unanswered']} 条，评价 {counts['ratings']} 条"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
