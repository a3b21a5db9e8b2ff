"""The national 好差评 rating of a finished matter (政务服务“好差评”, five levels), kept in SQL.

Levels follow the national scheme: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意. A rating
of 2 or below is a 差评: the citizen is asked what went wrong and a follow-up ticket is opened
(:mod:`bot.tickets`). Staff read ratings aggregated per day and per item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import CheckConstraint, Column, Date, DateTime, Integer, String, Table, Text, func, select
from sqlalchemy.engine import Engine

from bot.appointments.slots import local_now
from bot.db import metadata, write_engine
from bot.pii import mask_text

LEVELS: Dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
POOR_AT_MOST = 2  # 不满意 and 非常不满意 are 差评
MAX_COMMENT_CHARS = 500
GENERAL_ITEM = ""  # a rating not tied to one service item (e.g. a FAQ answer)

ratings = Table(
    "ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", Date, nullable=False, index=True),
    Column("item", String(100), nullable=False),
    Column("level", Integer, nullable=False),
    Column("topic", String(32), nullable=True),
    Column("channel", String(20), nullable=True),
    Column("comment", Text, nullable=True),
    Column("ticket_number", String(16), nullable=True),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint("level BETWEEN 1 AND 5", name="level"),
)


def is_poor(level: int) -> bool:
    """Return whether ``level`` is a 差评 (不满意 or 非常不满意)."""
    return level <= POOR_AT_MOST


def level_from(value: object) -> Optional[int]:
    """Return the level for 1–5 or for its Chinese label ("满意"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in LEVELS else None
    text = str(value or "").strip()
    if text.isdigit():
        return level_from(int(text))
    for level, label in LEVELS.items():
        if text == label:
            return level
    return None


@dataclass(frozen=True)
class Rating:
    """One stored rating."""

    id: int
    day: date
    item: str
    level: int
    topic: Optional[str]
    channel: Optional[str]
    comment: Optional[str]
    ticket_number: Optional[str]
    created_at: datetime

    @property
    def label(self) -> str:
        """The level's Chinese label."""
        return LEVELS[self.level]


@dataclass(frozen=True)
class RatingSummary:
    """Ratings of one day and one item: how many of each level, and the share of 满意 or better."""

    day: date
    item: str
    count: int
    by_level: Dict[str, int]
    average: float
    satisfied_share: float
    poor: int


class RatingStore:
    """Ratings in SQL."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (migrated to the newest schema)."""
        self.engine = engine

    def add(
        self,
        *,
        level: int,
        item: Optional[str] = None,
        topic: Optional[str] = None,
        channel: Optional[str] = None,
        comment: Optional[str] = None,
        ticket_number: Optional[str] = None,
        now: Optional[datetime] = None,
    ) -> Rating:
        """Store a rating (``comment`` is masked).

        Raises:
            ValueError: ``level`` is not 1–5.

        """
        if level not in LEVELS:
            raise ValueError("评价等级应为1至5")
        created = local_now(now).replace(microsecond=0)
        values: Dict[str, Any] = {
            "day": created.date(),
            "item": (item or GENERAL_ITEM)[:100],
            "level": level,
            "topic": (topic or None) and topic[:32],
            "channel": (channel or None) and channel[:20],
            "comment": mask_text(comment.strip())[:MAX_COMMENT_CHARS]
            if comment and comment.strip()
            else None,
            "ticket_number": ticket_number,
            "created_at": created,
        }
        with write_engine(self.engine).begin() as conn:
            new_id = conn.execute(ratings.insert().values(**values)).inserted_primary_key[0]
        return Rating(id=int(new_id), **values)

    def attach_ticket(self, rating_id: int, ticket_number: str) -> None:
        """Link a rating to the follow-up ticket opened for it."""
        with write_engine(self.engine).begin() as conn:
            conn.execute(
                ratings.update().where(ratings.c.id == rating_id).values(ticket_number=ticket_number)
            )

    def summary(self, *, start: Optional[date] = None, end: Optional[date] = None) -> List[RatingSummary]:
        """Return ratings aggregated per day and item, newest day first (``start``/``end`` inclusive)."""
        query = select(ratings.c.day, ratings.c.item, ratings.c.level, func.count().label("n")).group_by(
            ratings.c.day, ratings.c.item, ratings.c.level
        )
        if start is not None:
            query = query.where(ratings.c.day >= start)
        if end is not None:
            query = query.where(ratings.c.day <= end)
        groups: Dict[tuple, Dict[int, int]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                groups.setdefault((row.day, row.item), {})[int(row.level)] = int(row.n)
        result: List[RatingSummary] = []
        for (day, item), counts in groups.items():
            total = sum(counts.values())
            result.append(
                RatingSummary(
                    day=day,
                    item=item,
                    count=total,
                    by_level={LEVELS[level]: counts.get(level, 0) for level in sorted(LEVELS, reverse=True)},
                    average=round(sum(level * n for level, n in counts.items()) / total, 2),
                    satisfied_share=round(sum(n for level, n in counts.items() if level >= 4) / total, 3),
                    poor=sum(n for level, n in counts.items() if is_poor(level)),
                )
            )
        result.sort(key=lambda s: s.item)
        result.sort(key=lambda s: s.day, reverse=True)
        return result
