"""FAQ entries in SQL: the live copy that staff edit, with its audit trail, seed import and export.

The YAML files in ``data/faq`` are seed data and the reviewable copy in git: at api start-up
:func:`seed_from_folder` imports every file whose id the table does not hold yet (so an empty table
gets all of them; running it again, or from several replicas at once, changes nothing) and brings
entries staff never changed up to date with their files, and
``python -m bot.faq_export`` writes the table back to the folder. Entries are never removed, only
marked ``deleted``, so every change can be undone from the audit log (:mod:`bot.audit`).

Rules for an entry (one place, used by the staff API and the page): 1–50 ways of asking, each at
most 100 characters; an answer of at most 2,000 characters; and no way of asking may already belong
to another entry (compared by :func:`question_key`: NFKC, lower case, without spaces or punctuation).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ContextManager, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml
from pydantic import ValidationError
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    String,
    Table,
    Text,
    false,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine

from bot import db
from bot.audit import get_audit, utc_now, write_audit
from bot.db import locked_write, metadata
from bot.faq_entries import SAMPLE_NOTE, FaqEntry, FaqError, load_entries, question_key
from bot.settings import hall_today

logger = logging.getLogger(__name__)

MAX_QUESTIONS = 200
"""Ways of asking an entry may hold. The seed entries hold up to about 120 (each a way citizens were
found to ask), and every change of an entry, its answer too, checks all of them: the cap leaves staff
room to add more, and still refuses a pasted list of hundreds."""
MAX_QUESTION_CHARS = 100
MAX_ID_CHARS = 64
"""The length of ``faq_entries.id`` (and of an audit row's ``target_id``)."""
ENTRY_ID = re.compile(r"[A-Za-z0-9_]+")
"""What an entry id is made of: English letters, digits and underscores (``yanshi``, ``faq_3f9a1c2e``)."""
MAX_TITLE_CHARS = 100
MAX_ANSWER_CHARS = 2000
MAX_SOURCE_CHARS = 200
DEFAULT_SOURCE = "郑州高新区政务服务中心"
SEED_ACTOR = "seed"
FAQ_WRITE_LOCK_ID = 7_210_615  # PostgreSQL advisory lock: one FAQ write (or seed) at a time

faq_entries = Table(
    "faq_entries",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("questions", JSON, nullable=False),
    Column("answer", Text, nullable=False),
    Column("source", String(500), nullable=True),
    Column("last_checked", Date, nullable=True),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Index("ix_faq_entries_updated_at", "updated_at"),
)


# -- errors --------------------------------------------------------------------------------------


class FaqEditError(Exception):
    """A change staff asked for that cannot be made; ``message`` is Chinese text for them."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FaqInvalidError(FaqEditError):
    """The entry breaks a rule (empty, too long, a bad id)."""

    status_code = 422


class FaqNotFoundError(FaqEditError):
    """No (undeleted) entry, or no audit row, has this id."""

    status_code = 404


class FaqConflictError(FaqEditError):
    """The change clashes with the current state (an id taken, an undo that no longer fits)."""

    status_code = 409


@dataclass(frozen=True)
class Clash:
    """A way of asking that already belongs to another entry."""

    question: str
    entry_id: str
    entry_title: str


class FaqClashError(FaqConflictError):
    """Some of the ways of asking already belong to other entries."""

    def __init__(self, clashes: Sequence[Clash]) -> None:
        shown = "；".join(f"“{c.question}”已属于条目“{c.entry_title}”（{c.entry_id}）" for c in clashes)
        super().__init__(f"以下问法与其他条目重复，请修改后再保存：{shown}")
        self.clashes = list(clashes)


# -- snapshots -----------------------------------------------------------------------------------


def snapshot(row: Any) -> Dict[str, Any]:
    """Return an entry row as the JSON-ready dict the audit log and the api use."""
    m = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    checked = m.get("last_checked")
    return {
        "id": m["id"],
        "title": m["title"],
        "questions": list(m["questions"] or []),
        "answer": m["answer"],
        "source": m.get("source") or DEFAULT_SOURCE,
        "last_checked": checked.isoformat() if isinstance(checked, date) else checked,
        "deleted": bool(m.get("deleted", False)),
    }


def entry_of(snap: Dict[str, Any]) -> FaqEntry:
    """Return the :class:`FaqEntry` of a snapshot (the form retrieval uses)."""
    return FaqEntry(
        id=snap["id"],
        title=snap["title"],
        questions=snap["questions"],
        answer=snap["answer"],
        source=snap.get("source") or DEFAULT_SOURCE,
        last_checked=snap.get("last_checked") or date.today(),
    )


def _content(snap: Optional[Dict[str, Any]]) -> Optional[Tuple[Any, ...]]:
    if snap is None:
        return None
    return tuple(snap.get(k) for k in ("title", "questions", "answer", "source", "last_checked", "deleted"))


def _row_values(snap: Dict[str, Any]) -> Dict[str, Any]:
    checked = snap.get("last_checked")
    return {
        "title": snap["title"],
        "questions": list(snap["questions"]),
        "answer": snap["answer"],
        "source": snap.get("source") or DEFAULT_SOURCE,
        "last_checked": date.fromisoformat(checked) if isinstance(checked, str) else checked,
        "deleted": bool(snap.get("deleted", False)),
    }


# -- validation ----------------------------------------------------------------------------------


def _clean_questions(questions: Iterable[Any]) -> List[str]:
    cleaned: List[str] = []
    seen = set()
    for raw in questions:
        if not isinstance(raw, str):
            raise FaqInvalidError("问法必须是文字。")
        question = " ".join(raw.split())
        if not question:
            continue
        if len(question) > MAX_QUESTION_CHARS:
            raise FaqInvalidError(f"问法“{question[:20]}…”过长：每种问法不超过{MAX_QUESTION_CHARS}个字。")
        key = question_key(question)
        if not key:
            raise FaqInvalidError(f"问法“{question}”没有实际内容，请换一种说法。")
        if key not in seen:
            seen.add(key)
            cleaned.append(question)
    if not cleaned:
        raise FaqInvalidError("请至少填写一种问法。")
    if len(cleaned) > MAX_QUESTIONS:
        raise FaqInvalidError(f"问法过多：每个条目最多{MAX_QUESTIONS}种问法。")
    return cleaned


def validate_entry(snap: Dict[str, Any]) -> Dict[str, Any]:
    """Return a cleaned copy of an entry snapshot, or raise :class:`FaqInvalidError` with the reason."""
    questions = _clean_questions(snap.get("questions") or [])
    answer = (snap.get("answer") or "").strip()
    if not answer:
        raise FaqInvalidError("请填写答案。")
    if len(answer) > MAX_ANSWER_CHARS:
        raise FaqInvalidError(f"答案过长：不超过{MAX_ANSWER_CHARS}个字（当前{len(answer)}个字）。")
    title = " ".join((snap.get("title") or "").split()) or questions[0]
    if len(title) > MAX_TITLE_CHARS:
        raise FaqInvalidError(f"标题过长：不超过{MAX_TITLE_CHARS}个字。")
    source = " ".join((snap.get("source") or "").split()) or DEFAULT_SOURCE
    if len(source) > MAX_SOURCE_CHARS:
        raise FaqInvalidError(f"来源过长：不超过{MAX_SOURCE_CHARS}个字。")
    checked = snap.get("last_checked") or hall_today().isoformat()
    try:
        if not isinstance(checked, (str, date)):
            raise ValueError(checked)  # 20261201 is no date, though a JSON reader would take it for one
        checked_day = checked if isinstance(checked, date) else date.fromisoformat(checked)
    except ValueError:
        raise FaqInvalidError("核实日期格式应为 YYYY-MM-DD，例如 2026-11-30。") from None
    if checked_day > hall_today():
        raise FaqInvalidError("核实日期不能晚于今天。")
    entry_id = str(snap["id"])
    if len(entry_id) > MAX_ID_CHARS or not ENTRY_ID.fullmatch(entry_id):
        raise FaqInvalidError(f"编号（id）只能由英文字母、数字和下划线组成，不超过{MAX_ID_CHARS}个字符。")
    cleaned = {
        "id": entry_id,
        "title": title,
        "questions": questions,
        "answer": answer,
        "source": source,
        "last_checked": checked_day.isoformat(),
        "deleted": bool(snap.get("deleted", False)),
    }
    try:
        entry_of(cleaned)
    except ValidationError as exc:
        reasons = "；".join(str(e.get("msg")) for e in exc.errors())
        raise FaqInvalidError(f"条目内容不符合要求：{reasons}") from None
    return cleaned


def new_entry_id() -> str:
    """Return a new entry id, e.g. ``faq_3f9a1c2e``."""
    return f"faq_{secrets.token_hex(4)}"


# -- the repository ------------------------------------------------------------------------------


class FaqRepository:
    """Reads and changes FAQ entries; every change writes the audit log in the same transaction.

    Args:
        engine: an engine from :func:`bot.db.make_engine` (schema created by ``run_migrations``).

    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # reading

    def list(self, *, include_deleted: bool = False) -> List[Dict[str, Any]]:
        """Return every entry (snapshots), sorted by id."""
        query = select(faq_entries).order_by(faq_entries.c.id)
        if not include_deleted:
            query = query.where(faq_entries.c.deleted.is_(False))
        with self.engine.connect() as connection:
            return [snapshot(row) | _stamp(row) for row in connection.execute(query).all()]

    def get(self, entry_id: str, *, include_deleted: bool = False) -> Dict[str, Any]:
        """Return one entry.

        Raises:
            FaqNotFoundError: no such entry (or it is deleted and ``include_deleted`` is false).

        """
        with self.engine.connect() as connection:
            row = self._row(connection, entry_id)
        if row is None or (row._mapping["deleted"] and not include_deleted):
            raise FaqNotFoundError(f"未找到编号为“{entry_id}”的常见问题条目。")
        return snapshot(row) | _stamp(row)

    def active_entries(self) -> List[FaqEntry]:
        """Return the undeleted entries as :class:`FaqEntry` objects, for retrieval."""
        query = select(faq_entries).where(faq_entries.c.deleted.is_(False)).order_by(faq_entries.c.id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        entries = []
        for row in rows:
            try:
                entries.append(entry_of(snapshot(row)))
            except ValidationError:
                logger.exception("FAQ entry %s in the database is invalid; left out", row._mapping["id"])
        return entries

    def revision(self) -> Tuple[int, Optional[datetime]]:
        """Return a cheap fingerprint of the table: the number of rows and the newest change."""
        with self.engine.connect() as connection:
            count, newest = connection.execute(
                select(func.count(), func.max(faq_entries.c.updated_at)).select_from(faq_entries)
            ).one()
        return int(count), newest

    # changing

    def create(self, *, data: Dict[str, Any], actor: str) -> Tuple[Dict[str, Any], int]:
        """Create an entry from ``data`` (questions, answer, optional id, title, source, last_checked).

        Returns:
            The new entry and the id of its audit row.

        Raises:
            FaqInvalidError: the entry breaks a rule.
            FaqClashError: a way of asking belongs to another entry.
            FaqConflictError: the id is taken.

        """
        entry_id = (data.get("id") or "").strip() or new_entry_id()
        snap = validate_entry({**data, "id": entry_id, "deleted": False})
        with self._writing() as connection:
            if self._row(connection, entry_id) is not None:
                raise FaqConflictError(f"编号“{entry_id}”已被其他条目使用（含已删除的条目），请换一个编号。")
            self._check_clashes(connection, snap)
            connection.execute(faq_entries.insert().values(id=entry_id, **self._stamped(snap, actor)))
            audit_id = write_audit(
                connection, actor=actor, action="create", target_type="faq", target_id=entry_id,
                before=None, after=snap,
            )  # fmt: skip
        return snap, audit_id

    def update(
        self, entry_id: str, *, changes: Dict[str, Any], actor: str, action: str = "update"
    ) -> Tuple[Dict[str, Any], int]:
        """Change the fields in ``changes`` of an undeleted entry.

        Returns:
            The changed entry and the id of its audit row.

        Raises:
            FaqNotFoundError: no such entry.
            FaqInvalidError: the result breaks a rule.
            FaqClashError: a way of asking belongs to another entry.

        """
        with self._writing() as connection:
            before = self._live(connection, entry_id)
            fields = {
                k: v
                for k, v in changes.items()
                if k in ("title", "questions", "answer", "source", "last_checked")
            }
            if "answer" in fields and fields["answer"] != before["answer"] and not fields.get("last_checked"):
                # a corrected answer was checked today, as an edited guide is (`bot.catalogue.edits`)
                fields["last_checked"] = hall_today().isoformat()
            after = validate_entry({**before, **fields})
            self._check_clashes(connection, after)
            self._write(connection, entry_id, after, actor)
            audit_id = write_audit(
                connection, actor=actor, action=action, target_type="faq", target_id=entry_id,
                before=before, after=after,
            )  # fmt: skip
        return after, audit_id

    def add_question(self, entry_id: str, *, question: str, actor: str) -> Tuple[Dict[str, Any], int]:
        """Add one way of asking to an entry (see :meth:`update` for the errors)."""
        current = self.get(entry_id)
        return self.update(
            entry_id,
            changes={"questions": [*current["questions"], question]},
            actor=actor,
            action="add_question",
        )

    def delete(self, entry_id: str, *, actor: str) -> Tuple[Dict[str, Any], int]:
        """Mark an entry deleted (it stays in the table, so the deletion can be undone).

        Raises:
            FaqNotFoundError: no such undeleted entry.

        """
        with self._writing() as connection:
            before = self._live(connection, entry_id)
            after = {**before, "deleted": True}
            self._write(connection, entry_id, after, actor)
            audit_id = write_audit(
                connection, actor=actor, action="delete", target_type="faq", target_id=entry_id,
                before=before, after=after,
            )  # fmt: skip
        return after, audit_id

    def undo(self, audit_id: int, *, actor: str) -> Tuple[Dict[str, Any], int]:
        """Put an entry back as it was before the change logged in audit row ``audit_id``.

        Only the newest change of an entry can be undone (an older one would silently throw away the
        changes made after it); undoing an undo redoes the change.

        Returns:
            The entry as it is now and the id of the new audit row.

        Raises:
            FaqNotFoundError: no audit row has this id.
            FaqConflictError: it is not a FAQ change, was already undone, or the entry changed since.
            FaqClashError: the restored ways of asking now belong to another entry.

        """
        with self._writing() as connection:
            record = get_audit(connection, audit_id)
            if record is None:
                raise FaqNotFoundError(f"未找到编号为 {audit_id} 的操作记录。")
            if record.target_type != "faq":
                raise FaqConflictError("只能撤销对常见问题条目的修改。")
            if record.undone_by is not None:
                raise FaqConflictError(f"该操作已被撤销过（撤销记录编号 {record.undone_by}）。")
            row = self._row(connection, record.target_id)
            current = snapshot(row) if row is not None else None
            if _content(current) != _content(record.after):
                raise FaqConflictError("该条目在此操作之后又被修改过，请先撤销之后的修改。")
            target = (
                dict(record.before)
                if record.before is not None
                else {**(record.after or {}), "deleted": True}
            )
            if not target.get("deleted"):
                self._check_clashes(connection, target)
            self._write(connection, record.target_id, target, actor)
            new_id = write_audit(
                connection, actor=actor, action="undo", target_type="faq", target_id=record.target_id,
                before=current, after=target,
            )  # fmt: skip
            connection.execute(
                update(metadata.tables["audit_log"])
                .where(metadata.tables["audit_log"].c.id == audit_id)
                .values(undone_by=new_id)
            )
        return target, new_id

    # helpers

    def _writing(self) -> Any:
        return _WriteTransaction(self.engine)

    @staticmethod
    def _row(connection: Connection, entry_id: str) -> Any:
        return connection.execute(select(faq_entries).where(faq_entries.c.id == entry_id)).first()

    def _live(self, connection: Connection, entry_id: str) -> Dict[str, Any]:
        row = self._row(connection, entry_id)
        if row is None or row._mapping["deleted"]:
            raise FaqNotFoundError(f"未找到编号为“{entry_id}”的常见问题条目。")
        return snapshot(row)

    @staticmethod
    def _stamped(snap: Dict[str, Any], actor: str) -> Dict[str, Any]:
        return {**_row_values(snap), "updated_at": utc_now(), "updated_by": actor[:64]}

    def _write(self, connection: Connection, entry_id: str, snap: Dict[str, Any], actor: str) -> None:
        values = self._stamped(snap, actor)
        if self._row(connection, entry_id) is None:
            connection.execute(faq_entries.insert().values(id=entry_id, **values))
        else:
            connection.execute(update(faq_entries).where(faq_entries.c.id == entry_id).values(**values))

    @staticmethod
    def _check_clashes(connection: Connection, snap: Dict[str, Any]) -> None:
        query = select(faq_entries.c.id, faq_entries.c.title, faq_entries.c.questions).where(
            faq_entries.c.deleted.is_(False), faq_entries.c.id != snap["id"]
        )
        clashes = _clashes(snap, connection.execute(query).all())
        if clashes:
            raise FaqClashError(clashes)


def _clashes(snap: Dict[str, Any], others: Iterable[Sequence[Any]]) -> List[Clash]:
    """The ways of asking of ``snap`` that belong to one of ``others`` (``(id, title, questions)``)."""
    owners: Dict[str, Tuple[str, str]] = {}
    for entry_id, title, questions in others:
        if entry_id != snap["id"]:
            for text in [title, *(questions or [])]:
                owners.setdefault(question_key(text), (entry_id, title))
    return [
        Clash(question=q, entry_id=owners[question_key(q)][0], entry_title=owners[question_key(q)][1])
        for q in snap["questions"]
        if question_key(q) in owners
    ]


def _WriteTransaction(engine: Engine) -> ContextManager[Connection]:  # noqa: N802 - used like a class
    """A write transaction that holds the FAQ write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: advisory)."""
    return locked_write(engine, FAQ_WRITE_LOCK_ID)


def _stamp(row: Any) -> Dict[str, Any]:
    m = row._mapping
    return {"updated_at": m["updated_at"].isoformat(timespec="seconds") + "Z", "updated_by": m["updated_by"]}


# -- seed and export -----------------------------------------------------------------------------


def seed_from_folder(engine: Engine, folder: Path) -> int:
    """Bring the table up to date with the seed files of ``folder``; return how many entries changed.

    - An entry whose id the table does not hold yet is imported.
    - An entry no one but the seed ever wrote (``updated_by`` is ``SEED_ACTOR``: staff never edited,
      deleted or restored it) follows its file when the file changed, e.g. new ways of asking in a
      release, unless the file's ``last_checked`` is older than the entry's (a replica still on the
      previous release takes nothing back); the change is in the audit log (``refresh``) and can be
      undone like any other. Clashes are judged with every refresh made, so a question moved from
      one file to another moves.
    - An entry staff changed keeps the staff's version, whatever its file says, as does a refreshed
      entry whose new questions would clash with another entry (logged; ``python -m
      bot.faq_export`` shows the difference for review).

    Idempotent, and safe when several api replicas start at once (SQLite's write lock or a
    PostgreSQL advisory lock lets one write while the others wait and then find nothing to do).
    Entries deleted by staff stay deleted (their rows remain). A broken folder is logged, not raised.
    """
    if not folder.is_dir():
        return 0
    try:
        entries = load_entries(folder)
    except FaqError:
        logger.exception("the FAQ seed files in %s are broken; nothing imported", folder)
        return 0
    refreshed: List[str] = []
    with _WriteTransaction(engine) as connection:
        rows = {row._mapping["id"]: row for row in connection.execute(select(faq_entries)).all()}
        fresh = [e for e in entries if e.id not in rows]
        now = utc_now()
        for entry in fresh:
            values = _row_values(_seed_snapshot(entry))
            connection.execute(
                faq_entries.insert().values(id=entry.id, **values, updated_at=now, updated_by=SEED_ACTOR)
            )
        targets: Dict[str, Tuple[Dict[str, Any], Dict[str, Any]]] = {}
        for entry in entries:
            row = rows.get(entry.id)
            if row is None or row._mapping["updated_by"] != SEED_ACTOR or row._mapping["deleted"]:
                continue
            before = snapshot(row)
            after = {**before, **_seed_snapshot(entry)}
            # only forward: an older file (a replica not yet upgraded) never takes a newer one back
            if after != before and after["last_checked"] >= (before["last_checked"] or ""):
                targets[entry.id] = (before, after)
        # the table as it will be once every refresh is made, so that a question moved from one
        # entry to another is no clash, whatever the order of the files
        projected = [
            (entry_id, snap["title"], snap["questions"])
            for entry_id, row in rows.items()
            if not row._mapping["deleted"]
            for snap in [targets[entry_id][1] if entry_id in targets else snapshot(row)]
        ] + [(entry.id, entry.title, entry.questions) for entry in fresh]
        for entry_id, (before, after) in targets.items():
            clashes = _clashes(after, projected)
            if clashes:
                logger.warning(
                    "FAQ seed %s not refreshed: its questions also belong to %s",
                    entry_id,
                    sorted({clash.entry_id for clash in clashes}),
                )
                continue
            connection.execute(
                update(faq_entries)
                .where(faq_entries.c.id == entry_id)
                .values(**_row_values(after), updated_at=now, updated_by=SEED_ACTOR)
            )
            write_audit(
                connection, actor=SEED_ACTOR, action="refresh", target_type="faq", target_id=entry_id,
                before=before, after=after,
            )  # fmt: skip
            refreshed.append(entry_id)
    if fresh:
        logger.info("imported %d FAQ entries from %s", len(fresh), folder)
    if refreshed:
        logger.info("refreshed %d FAQ entries from their changed seed files: %s", len(refreshed), refreshed)
    return len(fresh) + len(refreshed)


def _seed_snapshot(entry: FaqEntry) -> Dict[str, Any]:
    """The fields of a seed file's entry, in the form of :func:`snapshot`."""
    return {
        "title": entry.title,
        "questions": list(entry.questions),
        "answer": entry.answer,
        "source": entry.source or DEFAULT_SOURCE,
        "last_checked": entry.last_checked.isoformat(),
    }


class _ExportDumper(yaml.SafeDumper):
    """Indents list items under their key, as the hand-written files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else (">" if len(value) > 80 else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ExportDumper.add_representer(str, _str_presenter)


def entry_yaml(entry: Dict[str, Any]) -> str:
    """Return the YAML file text of an entry, in the layout of ``data/faq/<id>.yml``."""
    body = {
        "id": entry["id"],
        "title": entry["title"],
        "questions": list(entry["questions"]),
        "answer": entry["answer"],
        "source": entry["source"],
        "last_checked": date.fromisoformat(entry["last_checked"])
        if entry.get("last_checked")
        else date.today(),
    }
    text = yaml.dump(body, Dumper=_ExportDumper, allow_unicode=True, sort_keys=False, width=10_000, indent=2)
    return f"# {SAMPLE_NOTE}\n{text}"


def export_to_folder(engine: Engine, folder: Path) -> Tuple[List[Path], List[Path]]:
    """Write every undeleted entry to ``folder/<id>.yml`` and remove the files of deleted ones.

    Files of ids the database does not know are left alone.

    Returns:
        The files written and the files removed.

    """
    folder.mkdir(parents=True, exist_ok=True)
    written: List[Path] = []
    removed: List[Path] = []
    for entry in FaqRepository(engine).list(include_deleted=True):
        path = folder / f"{entry['id']}.yml"
        if entry["deleted"]:
            if path.exists():
                path.unlink()
                removed.append(path)
            continue
        text = entry_yaml(entry)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written, removed


# -- which database the bot reads ----------------------------------------------------------------

# bot.faq and bot.unanswered look the engine up here (tests replace it here)
configured_engine = db.configured_engine
