"""Questions 高小新 could not answer (未答问题), grouped so staff can turn them into FAQ entries.

The action server records a question when the FAQ gave no answer, only "您是不是想问" choices, or
an answer its index was unsure of (``UNSURE_SCORE``, ``bot.faq``), with the reason; the api
records the question whose FAQ answer a citizen rated 差评 (``POST /api/rating``).
Only the masked text is stored (:func:`bot.pii.mask_text`: phone and ID numbers never reach the
table). Questions are grouped by :func:`group_key` — the masked text in NFKC, lower case, without
spaces, punctuation, greetings ("请问", "你好") and final particles ("吗", "呢") — so the many ways
of typing one question are one row with a count, the first and last time, and a few examples.

A question in other words joins an open group it resembles (:class:`Resemblance`: shared
character pairs, words and characters, each weighted by how few FAQ entries use it, so "容缺受理"
counts and "怎么办理" hardly): "啥叫容缺受理" joins "容缺受理是什么意思". Thresholds set on the FAQ
questions of the held-out files grouped as if none had been answered (``tests/eval/grouping.py``).
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import pii
from bot.audit import utc_now, write_audit
from bot.db import metadata, write_engine
from bot.faq_db import question_key
from bot.segmentation import default_tokenizer

if TYPE_CHECKING:
    from bot.faq import FaqAnswer, FaqIndex

logger = logging.getLogger(__name__)

MAX_EXAMPLES = 5
MAX_TEXT_CHARS = 200
MAX_KEY_CHARS = 200


class UnansweredStatus(str, Enum):
    """Where a group of unanswered questions stands."""

    OPEN = "open"  # 待处理
    RESOLVED = "resolved"  # 已转为常见问题
    IGNORED = "ignored"  # 已忽略


class UnansweredReason(str, Enum):
    """Why a question is on the list."""

    UNANSWERED = "unanswered"  # no entry answered it
    CHOICES = "choices"  # only "您是不是想问" choices were offered
    UNSURE = "unsure"  # answered with an entry, but the FAQ index was unsure of it
    POOR_RATING = "poor_rating"  # answered with an entry the citizen then rated 差评


REASON_TEXT = {
    UnansweredReason.UNANSWERED: "未能回答",
    UnansweredReason.CHOICES: "只给出了候选问题",
    UnansweredReason.UNSURE: "已回答，但把握不大",
    UnansweredReason.POOR_RATING: "已回答，但市民评价不满意",
}

STATUS_TEXT = {
    UnansweredStatus.OPEN: "待处理",
    UnansweredStatus.RESOLVED: "已处理",
    UnansweredStatus.IGNORED: "已忽略",
}

unanswered_questions = Table(
    "unanswered_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_key", String(200), nullable=False, unique=True),
    Column("text_masked", Text, nullable=False),
    Column("best_match", String(64), nullable=True),
    Column("count", Integer, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("examples", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("resolved_faq_id", String(64), nullable=True),
    Column("reason", String(16), nullable=False, server_default=UnansweredReason.UNANSWERED.value),
    CheckConstraint("status IN ('open', 'resolved', 'ignored')", name="status"),
    CheckConstraint("reason IN ('unanswered', 'choices', 'unsure', 'poor_rating')", name="reason"),
    Index("ix_unanswered_questions_status_last_seen", "status", "last_seen"),
)

_OPENING = re.compile(
    r"^(?:请问一下|请问|问一下|我想问一下|我想问|想问一下|想问|你好|您好|麻烦问一下|麻烦问下|高小新)+"
)
_CLOSING = re.compile(r"(?:吗|呢|啊|呀|吧|嘛|哈|啦|么)+$")


def group_key(masked_text: str) -> str:
    """Return the grouping key of a (masked) question: :func:`bot.faq_db.question_key` without fillers."""
    key = question_key(masked_text)
    stripped = _CLOSING.sub("", _OPENING.sub("", key))
    return (stripped or key)[:MAX_KEY_CHARS]


#: characters too common to say what a question is about
_FILLER_CHARACTERS = frozenset("的了吗呢啊吧我你您要想请问一下个是在有和")
#: resemblance at which a question joins a group; lower when both are nearest the same FAQ entry
JOIN_RESEMBLANCE = 0.35
JOIN_RESEMBLANCE_SAME_NEAREST = 0.2
#: open groups a new question is compared with (the most recently asked)
JOIN_CANDIDATES = 500


@lru_cache(maxsize=4096)
def question_features(text: str) -> FrozenSet[str]:
    """What :class:`Resemblance` compares: character pairs, jieba words and single characters.

    Cached: a new question is compared with the stored examples of every open group.
    """
    key = group_key(text)
    pairs = {key[i : i + 2] for i in range(len(key) - 1)}
    words = {f"w:{w}" for w in default_tokenizer().lcut(key) if len(w) > 1 or w not in _FILLER_CHARACTERS}
    characters = {f"c:{c}" for c in key if c not in _FILLER_CHARACTERS}
    return frozenset(pairs | words | characters)


class Resemblance:
    """How alike two questions are, 0–1: a weighted Dice coefficient of their features.

    Each feature weighs its inverse document frequency over the FAQ entries: one no entry uses
    weighs most, one every entry uses next to nothing.

    Args:
        entry_questions: the questions (and title) of each FAQ entry, one sequence per entry.

    """

    def __init__(self, entry_questions: Iterable[Sequence[str]]) -> None:
        document_frequency: Counter[str] = Counter()
        entries = 0
        for questions in entry_questions:
            entries += 1
            features: set[str] = set()
            for question in questions:
                features |= question_features(question)
            document_frequency.update(features)
        self._entries = entries
        self._frequency = document_frequency
        self._weights: Dict[str, float] = {}
        self._totals: Dict[FrozenSet[str], float] = {}

    def weight(self, feature: str) -> float:
        """``log((entries + 1) / (entries using the feature + 1))``, never quite 0."""
        found = self._weights.get(feature)
        if found is None:
            found = math.log((self._entries + 1) / (self._frequency.get(feature, 0) + 1)) + 1e-3
            self._weights[feature] = found
        return found

    def _total(self, features: FrozenSet[str]) -> float:
        found = self._totals.get(features)
        if found is None:
            if len(self._totals) > 10_000:
                self._totals.clear()
            found = self._totals[features] = sum(self.weight(f) for f in features)
        return found

    def __call__(self, first: FrozenSet[str], second: FrozenSet[str]) -> float:
        """The resemblance of two questions' :func:`question_features` (0 if either has none)."""
        if not first or not second:
            return 0.0
        shared = sum(self.weight(f) for f in first & second)
        return 2 * shared / (self._total(first) + self._total(second))


@dataclass(frozen=True)
class UnansweredGroup:
    """One group of unanswered questions as staff see it (masked)."""

    id: int
    text: str
    count: int
    first_seen: datetime
    last_seen: datetime
    examples: List[str]
    best_match: Optional[str]
    status: str
    resolved_faq_id: Optional[str]
    reason: str

    def as_dict(self) -> Dict[str, Any]:
        """Return the JSON form the staff API sends."""
        return {
            "id": self.id,
            "text": self.text,
            "count": self.count,
            "first_seen": self.first_seen.isoformat(timespec="seconds") + "Z",
            "last_seen": self.last_seen.isoformat(timespec="seconds") + "Z",
            "examples": list(self.examples),
            "best_match": self.best_match,
            "status": self.status,
            "status_text": STATUS_TEXT[UnansweredStatus(self.status)],
            "resolved_faq_id": self.resolved_faq_id,
            "reason": self.reason,
            "reason_text": REASON_TEXT[UnansweredReason(self.reason)],
            "masked": True,
        }


def _group(row: Any) -> UnansweredGroup:
    m = row._mapping
    return UnansweredGroup(
        id=int(m["id"]),
        text=m["text_masked"],
        count=int(m["count"]),
        first_seen=m["first_seen"],
        last_seen=m["last_seen"],
        examples=list(m["examples"] or []),
        best_match=m["best_match"],
        status=m["status"],
        resolved_faq_id=m["resolved_faq_id"],
        reason=m["reason"],
    )


class UnansweredNotFoundError(LookupError):
    """No group has this id."""

    def __init__(self, group_id: int) -> None:
        super().__init__(f"未找到编号为 {group_id} 的未答问题。")
        self.message = str(self)


class UnansweredStore:
    """Records unanswered questions and lists them for staff.

    Args:
        engine: an engine from :func:`bot.db.make_engine` (schema created by ``run_migrations``).

    """

    def __init__(self, engine: Engine, resemblance: Optional[Resemblance] = None) -> None:
        self.engine = engine
        self.resemblance = resemblance

    def record(
        self,
        text: str,
        *,
        best_match: Optional[str] = None,
        reason: UnansweredReason = UnansweredReason.UNANSWERED,
    ) -> Optional[int]:
        """Count one unanswered question (masked first); return its group's id, or ``None`` if empty.

        ``best_match`` is the nearest entry's id (the entry answered with, for ``UNSURE``); the
        group keeps the latest ``reason``. A group staff already resolved or ignored opens again
        when the question comes back. A question with a new key joins the open group it resembles
        most (at least ``JOIN_RESEMBLANCE``, or ``JOIN_RESEMBLANCE_SAME_NEAREST`` when both are
        nearest the same entry) when the store has a ``resemblance``.
        """
        masked = " ".join(pii.mask_text(text or "").split())[:MAX_TEXT_CHARS]
        key = group_key(masked)
        if not key:
            return None
        for _attempt in range(2):
            try:
                return self._record_once(key, masked, best_match, reason)
            except IntegrityError:  # another process created the group first: count into it
                continue
        return None

    def _resembled(self, key: str, masked: str, best_match: Optional[str]) -> Optional[int]:
        """The id of the open group ``masked`` resembles most, if any resembles it enough.

        Read outside the write transaction (no lock is held while comparing); ``None`` when the
        question's own key already has a group.
        """
        if self.resemblance is None:
            return None
        table = unanswered_questions
        with self.engine.connect() as connection:
            if connection.execute(select(table.c.id).where(table.c.group_key == key)).first() is not None:
                return None
            candidates = connection.execute(
                select(table.c.id, table.c.examples, table.c.best_match)
                .where(table.c.status == UnansweredStatus.OPEN.value)
                .order_by(table.c.last_seen.desc())
                .limit(JOIN_CANDIDATES)
            ).all()
        features = question_features(masked)
        chosen, best = None, 0.0
        for group_id, examples, nearest in candidates:
            alike = max(
                (self.resemblance(features, question_features(e)) for e in examples or []), default=0.0
            )
            same_nearest = best_match is not None and nearest == best_match
            needed = JOIN_RESEMBLANCE_SAME_NEAREST if same_nearest else JOIN_RESEMBLANCE
            if alike >= needed and alike > best:
                chosen, best = int(group_id), alike
        return chosen

    def _record_once(self, key: str, masked: str, best_match: Optional[str], reason: UnansweredReason) -> int:
        now = utc_now()
        table = unanswered_questions
        resembled = self._resembled(key, masked, best_match)
        with write_engine(self.engine).begin() as connection:
            row = connection.execute(select(table).where(table.c.group_key == key).with_for_update()).first()
            if row is None and resembled is not None:
                row = connection.execute(
                    select(table)
                    .where(table.c.id == resembled, table.c.status == UnansweredStatus.OPEN.value)
                    .with_for_update()
                ).first()
            if row is None:
                result = connection.execute(
                    table.insert().values(
                        group_key=key, text_masked=masked, best_match=best_match, count=1,
                        first_seen=now, last_seen=now, examples=[masked], status=UnansweredStatus.OPEN.value,
                        reason=reason.value,
                    )
                )  # fmt: skip
                return int(result.inserted_primary_key[0])
            m = row._mapping
            examples = list(m["examples"] or [])
            if masked not in examples and len(examples) < MAX_EXAMPLES:
                examples.append(masked)
            connection.execute(
                update(table)
                .where(table.c.id == m["id"])
                .values(
                    count=table.c.count + 1,
                    last_seen=now,
                    examples=examples,
                    best_match=best_match or m["best_match"],
                    status=UnansweredStatus.OPEN.value,
                    reason=reason.value,
                )
            )
            return int(m["id"])

    def list(
        self, *, status: Optional[str] = UnansweredStatus.OPEN.value, limit: int = 200
    ) -> List[UnansweredGroup]:
        """Return groups, the most asked first (then the most recent)."""
        table = unanswered_questions
        query = (
            select(table)
            .order_by(table.c.count.desc(), table.c.last_seen.desc())
            .limit(max(1, min(limit, 1000)))
        )
        if status:
            query = query.where(table.c.status == status)
        with self.engine.connect() as connection:
            return [_group(row) for row in connection.execute(query).all()]

    def get(self, group_id: int) -> UnansweredGroup:
        """Return one group.

        Raises:
            UnansweredNotFoundError: no group has this id.

        """
        with self.engine.connect() as connection:
            row = connection.execute(
                select(unanswered_questions).where(unanswered_questions.c.id == group_id)
            ).first()
        if row is None:
            raise UnansweredNotFoundError(group_id)
        return _group(row)

    def set_status(
        self, group_id: int, *, status: UnansweredStatus, actor: str, faq_id: Optional[str] = None
    ) -> UnansweredGroup:
        """Mark a group resolved (into ``faq_id``) or ignored, and write the audit log.

        Raises:
            UnansweredNotFoundError: no group has this id.

        """
        before = self.get(group_id)
        action = "resolve" if status is UnansweredStatus.RESOLVED else "ignore"
        with write_engine(self.engine).begin() as connection:
            connection.execute(
                update(unanswered_questions)
                .where(unanswered_questions.c.id == group_id)
                .values(status=status.value, resolved_faq_id=faq_id)
            )
            write_audit(
                connection, actor=actor, action=action, target_type="unanswered", target_id=str(group_id),
                before={"status": before.status, "resolved_faq_id": before.resolved_faq_id},
                after={"status": status.value, "resolved_faq_id": faq_id},
            )  # fmt: skip
        return self.get(group_id)


def record_unanswered(
    text: str,
    *,
    best_match: Optional[str] = None,
    reason: UnansweredReason = UnansweredReason.UNANSWERED,
    resemblance: Optional[Resemblance] = None,
) -> None:
    """Record a question for staff (see ``UnansweredStore.record``); log, never raise, on failure.

    For the action server: a failure here must not take the citizen's reply away.
    """
    from bot.faq_db import configured_engine

    try:
        engine = configured_engine()
        if engine is not None:
            UnansweredStore(engine, resemblance).record(text, best_match=best_match, reason=reason)
    except Exception:  # noqa: BLE001 - recording is best effort
        logger.warning("could not record an unanswered question", exc_info=True)


_resemblance: List[Tuple[FaqIndex, Resemblance]] = []  # of the live index only


def resemblance_of(index: FaqIndex) -> Resemblance:
    """How unanswered questions are grouped, weighted by the entries of this (live) index."""
    if not _resemblance or _resemblance[0][0] is not index:
        _resemblance[:] = [(index, Resemblance([[e.title, *e.questions] for e in index.entries]))]
    return _resemblance[0][1]


def review_reason(decision: FaqAnswer) -> UnansweredReason:
    """Why staff should look at a question FAQ retrieval decided this way (`bot.faq.decide`)."""
    if decision.entry is not None:
        return UnansweredReason.UNSURE  # answered below UNSURE_SCORE (bot/faq.py)
    return UnansweredReason.CHOICES if decision.choices else UnansweredReason.UNANSWERED


def record_for_staff(text: str, decision: FaqAnswer, index: FaqIndex) -> None:
    """Put a question FAQ retrieval could not answer surely on the staff's unanswered list.

    ``decision`` is `bot.faq.decide` of ``index.search(text)``: no answer, near misses only, or an
    answer under `bot.faq.UNSURE_SCORE`. Never raises (`record_unanswered`).
    """
    nearest = decision.nearest.id if decision.nearest else None
    record_unanswered(
        text, best_match=nearest, reason=review_reason(decision), resemblance=resemblance_of(index)
    )
