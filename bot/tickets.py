"""Hand-over tickets (转人工工单): a citizen's question handed to a person, with a masked transcript.

A ticket is created when a citizen asks for a person (``request_human``) or gives a 差评 (不满意 or
非常不满意). Staff see it in ``/api/admin/tickets``, take it, answer it (the answer is shown in the
citizen's chat) and close it. Transcripts and notes keep personal data only in masked form
(:func:`bot.pii.mask_text`, plus the known name, phone and ID of the conversation).

Opening hours come from ``data/appointments/windows.yml`` (the booking rules) and the working-day
calendar, so "a person is on duty now" and "the hall is open" never disagree.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Dict, Iterable, List, Optional, Sequence

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.appointments.config import AppointmentConfig, get_config
from bot.appointments.slots import local_now
from bot.db import metadata, write_engine
from bot.pii import mask_id_number, mask_mobile, mask_name, mask_text
from bot.workdays import WorkCalendar, get_calendar

NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
NUMBER_PREFIX = "RG"
MAX_TRANSCRIPT_LINES = 60
MAX_LINE_CHARS = 500
MAX_NOTE_CHARS = 500
MAX_ANSWER_CHARS = 1000


class TicketStatus(str, Enum):
    """Where a ticket is: 待处理 → 处理中 → 已答复 → 已关闭."""

    OPEN = "open"
    TAKEN = "taken"
    ANSWERED = "answered"
    CLOSED = "closed"


class TicketKind(str, Enum):
    """Why a ticket exists: a request for a person (转人工) or a poor rating (差评回访)."""

    HANDOFF = "handoff"
    RATING = "rating"


STATUS_TEXT = {
    TicketStatus.OPEN: "待处理",
    TicketStatus.TAKEN: "处理中",
    TicketStatus.ANSWERED: "已答复",
    TicketStatus.CLOSED: "已关闭",
}
KIND_TEXT = {TicketKind.HANDOFF: "转人工", TicketKind.RATING: "差评回访"}

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("session_id", String(64), nullable=False, index=True),
    Column("user_id", String(64), nullable=True),
    Column("item", String(100), nullable=True),
    Column("channel", String(20), nullable=True),
    Column("within_hours", Boolean, nullable=False),
    Column("note", Text, nullable=True),
    Column("transcript", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("taken_by", String(32), nullable=True),
    Column("taken_at", DateTime, nullable=True),
    Column("answer", Text, nullable=True),
    Column("answered_by", String(32), nullable=True),
    Column("answered_at", DateTime, nullable=True),
    Column("closed_at", DateTime, nullable=True),
    CheckConstraint("status IN ('open', 'taken', 'answered', 'closed')", name="status"),
    CheckConstraint("kind IN ('handoff', 'rating')", name="kind"),
)


class TicketError(Exception):
    """A ticket operation that cannot be done; ``message`` is Chinese text for the staff member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TicketNotFoundError(TicketError):
    """No ticket has this number."""

    def __init__(self, number: str) -> None:
        super().__init__(f"未找到编号为“{number}”的工单。")


@dataclass(frozen=True)
class TranscriptLine:
    """One masked line of a conversation: who said it (``citizen``, ``bot`` or ``staff``) and what."""

    role: str
    text: str


@dataclass(frozen=True)
class Ticket:
    """A hand-over ticket as staff see it (personal data masked)."""

    id: int
    number: str
    kind: str
    status: str
    session_id: str
    user_id: Optional[str]
    item: Optional[str]
    channel: Optional[str]
    within_hours: bool
    note: Optional[str]
    transcript: List[TranscriptLine]
    created_at: datetime
    taken_by: Optional[str] = None
    taken_at: Optional[datetime] = None
    answer: Optional[str] = None
    answered_by: Optional[str] = None
    answered_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    @property
    def status_text(self) -> str:
        """The status in Chinese (待处理, 处理中, 已答复, 已关闭)."""
        return STATUS_TEXT[TicketStatus(self.status)]

    @property
    def kind_text(self) -> str:
        """The kind in Chinese (转人工, 差评回访)."""
        return KIND_TEXT[TicketKind(self.kind)]


# --- opening hours --------------------------------------------------------------------------------


def is_staffed(
    now: Optional[datetime] = None,
    *,
    config: Optional[AppointmentConfig] = None,
    calendar: Optional[WorkCalendar] = None,
) -> bool:
    """Return whether the hall is open (and staff can take a ticket) at ``now``."""
    config = config or get_config()
    calendar = calendar or get_calendar()
    moment = local_now(now)
    if not calendar.is_working_day(moment.date()):
        return False
    clock = moment.time()
    return any(period.start <= clock < period.end for period in config.hall.opening_hours)


def next_opening(
    now: Optional[datetime] = None,
    *,
    config: Optional[AppointmentConfig] = None,
    calendar: Optional[WorkCalendar] = None,
) -> Optional[datetime]:
    """Return when the hall next opens after ``now`` (hall clock), or None if no day opens soon."""
    config = config or get_config()
    calendar = calendar or get_calendar()
    moment = local_now(now)
    if calendar.is_working_day(moment.date()):
        for period in config.hall.opening_hours:
            if moment.time() < period.start:
                return datetime.combine(moment.date(), period.start)
    days = calendar.working_days_from(moment.date(), 1)
    if not days:
        return None
    return datetime.combine(days[0], config.hall.opening_hours[0].start)


WEEKDAYS = "一二三四五六日"


def describe_opening(when: datetime, today: date) -> str:
    """Describe an opening time for a citizen: "今天13:00", "明天09:00", "12月2日（周三）09:00"."""
    if when.date() == today:
        day = "今天"
    elif when.date() == today + timedelta(days=1):
        day = "明天"
    else:
        day = f"{when.month}月{when.day}日（周{WEEKDAYS[when.weekday()]}）"
    return f"{day}{when:%H:%M}"


# --- masking --------------------------------------------------------------------------------------


def mask_known(
    text: str, *, names: Iterable[str] = (), phones: Iterable[str] = (), ids: Iterable[str] = ()
) -> str:
    """Mask personal data in ``text``: every number pattern, and the conversation's known values.

    Args:
        text: free text (a message of the citizen or of 高小新).
        names: names given in the conversation (replaced by ``张*``).
        phones: phone numbers given in the conversation.
        ids: ID numbers given in the conversation.

    Returns:
        The text with personal data masked.

    """
    for value, masked in (
        *((v, mask_id_number(v)) for v in ids),
        *((v, mask_mobile(v)) for v in phones),
        *((v, mask_name(v)) for v in names),
    ):
        value = (value or "").strip()
        if len(value) >= 2:
            text = text.replace(value, masked)
    return mask_text(text)[:MAX_LINE_CHARS]


def encode_transcript(lines: Sequence[TranscriptLine]) -> str:
    """Serialise the last :data:`MAX_TRANSCRIPT_LINES` lines for storage."""
    kept = list(lines)[-MAX_TRANSCRIPT_LINES:]
    return json.dumps(
        [{"role": ln.role, "text": ln.text[:MAX_LINE_CHARS]} for ln in kept], ensure_ascii=False
    )


def _decode_transcript(raw: str) -> List[TranscriptLine]:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    return [
        TranscriptLine(str(i.get("role", "")), str(i.get("text", ""))) for i in items if isinstance(i, dict)
    ]


def new_number() -> str:
    """Return a new random ticket number such as ``RG7K3M9Q2``."""
    return NUMBER_PREFIX + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(7))


# --- store ----------------------------------------------------------------------------------------


class TicketStore:
    """Hand-over tickets in SQL."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (SQLite or PostgreSQL, migrated to the newest schema)."""
        self.engine = engine

    def create(
        self,
        *,
        kind: TicketKind,
        session_id: str,
        transcript: Sequence[TranscriptLine],
        within_hours: bool,
        item: Optional[str] = None,
        channel: Optional[str] = None,
        user_id: Optional[str] = None,
        note: Optional[str] = None,
        now: Optional[datetime] = None,
    ) -> Ticket:
        """Create an open ticket; ``transcript`` must already be masked (``note`` is masked here).

        Returns:
            The new ticket with its number.

        """
        created = local_now(now).replace(microsecond=0)
        row = {
            "kind": TicketKind(kind).value,
            "status": TicketStatus.OPEN.value,
            "session_id": session_id[:64],
            "user_id": (user_id or None) and user_id[:64],
            "item": (item or None) and item[:100],
            "channel": (channel or None) and channel[:20],
            "within_hours": within_hours,
            "note": mask_text(note)[:MAX_NOTE_CHARS] if note else None,
            "transcript": encode_transcript(transcript),
            "created_at": created,
        }
        for _ in range(5):
            number = new_number()
            try:
                with write_engine(self.engine).begin() as conn:
                    conn.execute(tickets.insert().values(number=number, **row))
                return self.get(number)
            except IntegrityError:  # pragma: no cover - a number collision (31^7 numbers)
                continue
        raise TicketError("工单编号生成失败，请稍后重试。")  # pragma: no cover

    def get(self, number: str) -> Ticket:
        """Return the ticket ``number``.

        Raises:
            TicketNotFoundError: no such ticket.

        """
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(tickets).where(tickets.c.number == number.strip().upper()))
                .mappings()
                .first()
            )
        if row is None:
            raise TicketNotFoundError(number)
        return _ticket(row)

    def list(
        self, *, status: Optional[TicketStatus] = None, session_id: Optional[str] = None, limit: int = 200
    ) -> List[Ticket]:
        """Return tickets, newest first, optionally of one status or one chat session."""
        query = select(tickets).order_by(tickets.c.created_at.desc(), tickets.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(tickets.c.status == TicketStatus(status).value)
        if session_id is not None:
            query = query.where(tickets.c.session_id == session_id)
        with self.engine.connect() as conn:
            return [_ticket(row) for row in conn.execute(query).mappings()]

    def take(self, number: str, *, staff: str, now: Optional[datetime] = None) -> Ticket:
        """Mark the ticket as taken by ``staff`` (only an open or already taken ticket).

        Raises:
            TicketNotFoundError: no such ticket.
            TicketError: the ticket is closed or already taken by someone else.

        """
        ticket = self.get(number)
        if ticket.status == TicketStatus.CLOSED.value:
            raise TicketError("该工单已关闭，无法接单。")
        if ticket.taken_by and ticket.taken_by != staff:
            raise TicketError(f"该工单已由“{ticket.taken_by}”接单。")
        self._update(
            ticket,
            status=TicketStatus.TAKEN if ticket.status == TicketStatus.OPEN.value else None,
            taken_by=staff,
            taken_at=ticket.taken_at or local_now(now).replace(microsecond=0),
        )
        return self.get(number)

    def answer(self, number: str, *, staff: str, text: str, now: Optional[datetime] = None) -> Ticket:
        """Record the staff member's answer to the citizen (personal data in it is masked).

        Raises:
            TicketNotFoundError: no such ticket.
            TicketError: the ticket is closed, or the answer is empty or too long.

        """
        text = (text or "").strip()
        if not text:
            raise TicketError("答复内容不能为空。")
        if len(text) > MAX_ANSWER_CHARS:
            raise TicketError(f"答复内容请控制在{MAX_ANSWER_CHARS}字以内。")
        ticket = self.get(number)
        if ticket.status == TicketStatus.CLOSED.value:
            raise TicketError("该工单已关闭，无法答复。")
        when = local_now(now).replace(microsecond=0)
        self._update(
            ticket,
            status=TicketStatus.ANSWERED,
            answer=mask_text(text),
            answered_by=staff,
            answered_at=when,
            taken_by=ticket.taken_by or staff,
            taken_at=ticket.taken_at or when,
        )
        return self.get(number)

    def close(self, number: str, *, now: Optional[datetime] = None) -> Ticket:
        """Close the ticket (closing a closed ticket changes nothing).

        Raises:
            TicketNotFoundError: no such ticket.

        """
        ticket = self.get(number)
        if ticket.status != TicketStatus.CLOSED.value:
            self._update(ticket, status=TicketStatus.CLOSED, closed_at=local_now(now).replace(microsecond=0))
        return self.get(number)

    def _update(self, ticket: Ticket, *, status: Optional[TicketStatus] = None, **values: Any) -> None:
        if status is not None:
            values["status"] = TicketStatus(status).value
        with write_engine(self.engine).begin() as conn:
            conn.execute(update(tickets).where(tickets.c.id == ticket.id).values(**values))


def _ticket(row: Any) -> Ticket:
    data = dict(row)
    data["transcript"] = _decode_transcript(data.get("transcript") or "")
    data["within_hours"] = bool(data["within_hours"])
    return Ticket(**data)
