"""The audit log of staff changes (审计日志): who changed what, when, and the record before and after.

Every change staff make to content (a FAQ entry, a guide item, the state of an unanswered question)
writes one row in the same transaction as the change, so the log and the data never disagree. The
``before`` and ``after`` snapshots let a change be undone (:meth:`bot.faq_db.FaqRepository.undo`,
:meth:`bot.catalogue.edits.ServiceEditRepository.undo`). Snapshots hold content only, never personal
data (unanswered questions are stored masked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, select
from sqlalchemy.engine import Connection, Engine

from bot.db import metadata

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target_type", String(32), nullable=False),
    Column("target_id", String(64), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("undone_by", Integer, nullable=True),
    Index("ix_audit_log_target", "target_type", "target_id"),
)

ACTION_TEXT = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "undo": "撤销",
    "add_question": "增加问法",
    "add_alias": "增加别名",
    "revert": "恢复为指南文件",
    "refresh": "按样例文件更新",
    "resolve": "处理",
    "ignore": "忽略",
}


def utc_now() -> datetime:
    """Return the current UTC time without a time zone (as the tables store it)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class AuditRecord:
    """One row of the audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    before: Optional[Dict[str, Any]]
    after: Optional[Dict[str, Any]]
    undone_by: Optional[int]

    @property
    def action_text(self) -> str:
        """The action in Chinese, for the staff page."""
        return ACTION_TEXT.get(self.action, self.action)


def write_audit(
    connection: Connection,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    before: Optional[Dict[str, Any]],
    after: Optional[Dict[str, Any]],
) -> int:
    """Write one audit row inside the caller's transaction and return its id.

    Args:
        connection: the connection of the transaction that makes the change.
        actor: the staff username (or ``ADMIN_TOKEN``).
        action: what was done (a key of :data:`ACTION_TEXT`).
        target_type: ``faq``, ``service`` (a guide item) or ``unanswered``.
        target_id: the id of the changed record.
        before: the record before the change (``None`` when it was created).
        after: the record after the change.

    Returns:
        The id of the new audit row.

    """
    result = connection.execute(
        audit_log.insert().values(
            at=utc_now(),
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            before=before,
            after=after,
        )
    )
    return int(result.inserted_primary_key[0])


def _record(row: Any) -> AuditRecord:
    m = row._mapping
    return AuditRecord(
        id=int(m["id"]),
        at=m["at"],
        actor=m["actor"],
        action=m["action"],
        target_type=m["target_type"],
        target_id=m["target_id"],
        before=m["before"],
        after=m["after"],
        undone_by=m["undone_by"],
    )


def get_audit(connection: Connection, audit_id: int) -> Optional[AuditRecord]:
    """Return one audit row, or ``None``."""
    row = connection.execute(select(audit_log).where(audit_log.c.id == audit_id)).first()
    return _record(row) if row is not None else None


def read_audit(engine: Engine, audit_id: int) -> Optional[AuditRecord]:
    """Return one audit row, or ``None`` (in a connection of its own)."""
    with engine.connect() as connection:
        return get_audit(connection, audit_id)


def list_audit(
    engine: Engine, *, target_type: Optional[str] = None, target_id: Optional[str] = None, limit: int = 100
) -> List[AuditRecord]:
    """Return the newest audit rows first, optionally for one target."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(max(1, min(limit, 500)))
    if target_type:
        query = query.where(audit_log.c.target_type == target_type)
    if target_id:
        query = query.where(audit_log.c.target_id == target_id)
    with engine.connect() as connection:
        return [_record(row) for row in connection.execute(query).all()]
