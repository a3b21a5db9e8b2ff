"""Staff edits of the 办事指南 in SQL: overrides of the item files, with audit trail and undo.

The YAML files in ``data/services`` stay the seed and the reviewed copy in git. What staff change
on the ``/admin`` page is stored per item as an override of some of its fields (table
``service_edits``: item id → the edited fields), and the live catalogue (`bot.catalogue.live`) is
the files with every override applied on top: staff changes win, and a field staff never touched
still follows the file.

Rules (one place, used by the staff API and the page):

- staff edit `EDITABLE_FIELDS` (材料、时限、收费、条件、窗口、网办、别名); every edit also sets
  ``last_checked`` (the date a guide was last checked, shown with every answer) to the day of the
  edit in the hall's time zone;
- the edited item must pass the same model as the files (`bot.catalogue.models.ServiceItem`: 6–15
  aliases without spaces, 1–99 copies of a material, window 1–20 …), else `ServiceInvalidError`
  with the reasons in Chinese, and nothing is stored;
- an alias must not name another item (its id, name, short name or an alias) nor be one of its
  everyday terms (群众常用说法): `ServiceAliasClashError`, naming that item.

Every change writes the audit log (target type ``service``) in the same transaction, with the
item's editable fields before and after and the stored override, so that an admin can undo it
(`ServiceEditRepository.undo`).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from pydantic import ValidationError
from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, func, select, update
from sqlalchemy.engine import Connection, Engine

from bot.audit import get_audit, utc_now, write_audit
from bot.catalogue.collection import Catalogue, normalise_key
from bot.catalogue.loader import Location, load_catalogue_files, validation_problems
from bot.catalogue.models import ServiceItem
from bot.db import locked_write, metadata
from bot.settings import hall_today

logger = logging.getLogger(__name__)

TARGET_TYPE = "service"
"""The ``target_type`` of guide edits in the audit log."""
EDITABLE_FIELDS = ("materials", "time_limit", "fee", "conditions", "window", "online", "aliases")
"""The `ServiceItem` fields staff may change on the staff page."""
SNAPSHOT_FIELDS = (*EDITABLE_FIELDS, "last_checked")
SERVICE_WRITE_LOCK_ID = 7_210_616  # PostgreSQL advisory lock: one guide edit at a time

FIELD_TEXT = {
    "materials": "材料",
    "time_limit": "时限",
    "fee": "收费",
    "conditions": "条件",
    "window": "窗口",
    "online": "网办",
    "aliases": "别名",
    "last_checked": "核对日期",
    "everyday_terms": "群众常用说法",
    "english_names": "英文名称",
    "situations": "个性指南情形",
}
"""Chinese names of the item fields, for staff."""
_PART_TEXT = {
    ("materials", "name"): "材料名称",
    ("window", "name"): "窗口名称",
    "form": "提交形式",
    "count": "份数",
    "exempt": "免提交方式",
    "note": "说明",
    "when": "适用情形",
    "legal": "法定时限",
    "promised": "承诺时限",
    "number": "窗口号",
    "floor": "楼层",
    "channels": "办理渠道",
    "full_online": "是否全程网办",
    "instant_approval": "是否秒批",
}

service_edits = Table(
    "service_edits",
    metadata,
    Column("item_id", String(64), primary_key=True),
    Column("fields", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
)
"""One row per item staff have edited: ``fields`` maps field names to their edited values (JSON, as
`ServiceItem.json` writes them); ``{}`` means the item is as in its file. ``version`` grows by one
with every write, so the sum over the table changes with every edit (`ServiceEditRepository.revision`)."""


# -- errors --------------------------------------------------------------------------------------


class ServiceEditError(Exception):
    """A change staff asked for that cannot be made; ``message`` is Chinese text for them."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServiceInvalidError(ServiceEditError):
    """The edited item breaks a rule of the guide files (or a field cannot be edited here)."""

    status_code = 422


class ServiceNotFoundError(ServiceEditError):
    """No item (or no audit row) has this id."""

    status_code = 404


class ServiceConflictError(ServiceEditError):
    """The change clashes with the current state (an undo that no longer fits, nothing to revert)."""

    status_code = 409


@dataclass(frozen=True)
class AliasClash:
    """An alias that another item already uses."""

    alias: str
    item_id: str
    item_name: str
    as_term: bool = False
    """Whether the other item uses it as an everyday term (群众常用说法) rather than a name or alias."""


class ServiceAliasClashError(ServiceConflictError):
    """Some aliases already belong to other items."""

    def __init__(self, clashes: Sequence[AliasClash]) -> None:
        shown = "；".join(
            f"“{c.alias}”是“{c.item_name}”的群众常用说法"
            if c.as_term
            else f"“{c.alias}”已被“{c.item_name}”使用"
            for c in clashes
        )
        super().__init__(f"以下别名与其他事项重复，请修改后再保存：{shown}。")
        self.clashes = list(clashes)


# -- values and validation -----------------------------------------------------------------------


def item_json(item: ServiceItem) -> Dict[str, Any]:
    """Return every field of ``item`` as JSON-ready values (enums as their Chinese words, dates ISO)."""
    return dict(json.loads(item.json()))


def editable_values(item: ServiceItem) -> Dict[str, Any]:
    """Return the editable fields of ``item`` and its ``last_checked``, JSON-ready."""
    values = item_json(item)
    return {field: values[field] for field in SNAPSHOT_FIELDS}


def describe_location(location: Location) -> str:
    """Return a path inside an item in Chinese, e.g. ``("materials", 1, "count")`` → 材料第2项的份数."""
    if not location:
        return ""
    top = str(location[0])
    text = FIELD_TEXT.get(top, top)
    for step in location[1:]:
        if isinstance(step, int):
            text += f"第{step + 1}项"
        else:
            part = _PART_TEXT.get((top, str(step))) or _PART_TEXT.get(str(step)) or str(step)
            text += f"的{part}"
    return text


def apply_fields(file_item: ServiceItem, fields: Mapping[str, Any]) -> ServiceItem:
    """Return ``file_item`` with ``fields`` put over its own, validated like the files.

    Raises:
        ServiceInvalidError: the result breaks a rule of `ServiceItem`; the message lists every
            problem in Chinese, e.g. ``材料第2项的份数：不能小于 1``.

    """
    numbers = list(_numbers_for_text(fields, ()))
    if numbers:
        # pydantic would read 123 as the text "123" and show it to citizens as the fee
        reasons = "；".join(f"{describe_location(location)}：须为文字" for location in numbers)
        raise ServiceInvalidError(f"修改未保存：{reasons}。")
    try:
        return ServiceItem.parse_obj({**item_json(file_item), **fields})
    except ValidationError as exc:
        reasons = "；".join(
            f"{describe_location(location)}：{message}" if location else message
            for location, message in validation_problems(exc)
        )
        raise ServiceInvalidError(f"修改未保存：{reasons}。") from None


_NUMBER_FIELDS = frozenset({"count", "number", "full_online", "instant_approval"})
"""The fields of an item whose values are a number or a yes/no; every other value is text."""


def _numbers_for_text(value: Any, location: Location) -> Iterator[Location]:
    """The places in ``value`` (fields of an item, as sent) where a number or true/false stands for text."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if str(key) not in _NUMBER_FIELDS:
                yield from _numbers_for_text(inner, (*location, str(key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _numbers_for_text(inner, (*location, index))
    elif isinstance(value, (bool, int, float)):
        yield location


def alias_clashes(catalogue: Catalogue, item: ServiceItem) -> List[AliasClash]:
    """Return the aliases of ``item`` that another item of ``catalogue`` uses (name, alias, everyday term)."""
    owners: Dict[str, Tuple[ServiceItem, bool]] = {}
    for other in catalogue.items:
        if other.id == item.id:
            continue
        for form in (other.id, *other.surface_forms):
            owners.setdefault(normalise_key(form), (other, False))
        for term in other.everyday_terms:
            owners.setdefault(normalise_key(term), (other, True))
    clashes = []
    for alias in item.aliases:
        found = owners.get(normalise_key(alias))
        if found is not None:
            clashes.append(AliasClash(alias, found[0].id, found[0].name, found[1]))
    return clashes


def apply_edits(files: Catalogue, edits: Mapping[str, Mapping[str, Any]]) -> Catalogue:
    """Return the catalogue of ``files`` with the staff edits applied (``files`` itself when there are none).

    An edit that no longer fits its item (the file changed since, or two items now claim one
    alias) is left out, with a warning in the log: the file's version answers instead, and the
    edit stays in the database for staff to see and fix.
    """
    items: List[ServiceItem] = []
    for item in files.items:
        fields = edits.get(item.id)
        if not fields:
            items.append(item)
            continue
        try:
            items.append(apply_fields(item, fields))
        except ServiceInvalidError as exc:
            logger.warning(
                "the staff edit of %s no longer fits its file; answering from the file: %s", item.id, exc
            )
            items.append(item)
    if all(a is b for a, b in zip(items, files.items, strict=True)):
        return files
    originals = {item.id: item for item in files.items}
    while True:
        clashing = _first_clashing_edit(items, originals)
        if clashing is None:
            return Catalogue(items)
        logger.warning(
            "the staff edit of %s claims a name of another item; answering from the file", clashing
        )
        items = [originals[i.id] if i.id == clashing else i for i in items]


def _first_clashing_edit(items: Sequence[ServiceItem], originals: Mapping[str, ServiceItem]) -> Optional[str]:
    """Return the id of an edited item one of whose forms another item uses, or None."""
    owners: Dict[str, ServiceItem] = {}
    for item in items:
        for form in (item.id, *item.surface_forms):
            owner = owners.setdefault(normalise_key(form), item)
            if owner is item:
                continue
            for claimant in (item, owner):
                if claimant is not originals[claimant.id]:
                    return claimant.id
    return None


MIN_ALIAS_CHARS = 2
_WORDLIKE = re.compile(r"[A-Za-z\u3400-\u9fff]")


def _check_new_aliases(aliases: Any, file_item: ServiceItem, item: ServiceItem) -> None:
    """Refuse aliases staff add that would link messages they do not name.

    Every message holding an alias is linked to its item, so an alias added on the staff page must
    have at least `MIN_ALIAS_CHARS` characters, a letter or Chinese character among them (the files,
    reviewed in git, hold none shorter), and must not be one of the item's own everyday terms (which
    describe the item without naming it).

    Raises:
        ServiceInvalidError: with the reason in Chinese.

    """
    if not isinstance(aliases, list):
        return  # the model explains what is wrong with it
    known = {normalise_key(a) for a in file_item.aliases}
    own_terms = {normalise_key(t) for t in item.everyday_terms}
    for alias in aliases:
        if not isinstance(alias, str) or normalise_key(alias) in known:
            continue
        key = normalise_key(alias)
        if len(key) < MIN_ALIAS_CHARS or not _WORDLIKE.search(key):
            raise ServiceInvalidError(
                f"别名“{alias.strip()}”过短或没有文字：每个别名至少{MIN_ALIAS_CHARS}个字，且须含汉字或字母。"
            )
        if key in own_terms:
            raise ServiceInvalidError(
                f"“{alias.strip()}”已是本事项的群众常用说法，无需再列为别名；"
                "如确需改为别名，请联系管理员修改指南文件。"
            )


def _snapshot(item: ServiceItem, fields: Mapping[str, Any]) -> Dict[str, Any]:
    """The audit snapshot: the item's editable values as citizens get them, and the stored override."""
    return {"id": item.id, "name": item.name, "values": editable_values(item), "edits": dict(fields)}


# -- the repository ------------------------------------------------------------------------------


class ServiceEditRepository:
    """Reads and changes the staff edits of the guide items; every change writes the audit log too.

    Args:
        engine: an engine from :func:`bot.db.make_engine` (schema created by ``run_migrations``).
        folder: the folder of the item files (``<data_dir>/services``).
        today: returns the day an edit is made (default `hall_today`).

    """

    def __init__(self, engine: Engine, folder: Path, today: Callable[[], date] = hall_today) -> None:
        self.engine = engine
        self.folder = Path(folder)
        self.today = today

    # reading

    def files(self) -> Catalogue:
        """Return the catalogue of the item files (read again only when they changed)."""
        return load_catalogue_files(self.folder)

    def edits(self, connection: Optional[Connection] = None) -> Dict[str, Dict[str, Any]]:
        """Return the stored overrides: item id → edited fields (items as in their file left out)."""
        if connection is None:
            with self.engine.connect() as own:
                return self.edits(own)
        rows = connection.execute(select(service_edits.c.item_id, service_edits.c.fields)).all()
        return {item_id: dict(fields) for item_id, fields in rows if fields}

    def catalogue(self, connection: Optional[Connection] = None) -> Catalogue:
        """Return the live catalogue: the files with the stored overrides applied."""
        return apply_edits(self.files(), self.edits(connection))

    def revision(self) -> Tuple[int, int]:
        """Return a cheap fingerprint of the edits: the number of rows and the sum of their versions."""
        with self.engine.connect() as connection:
            count, total = connection.execute(
                select(func.count(), func.coalesce(func.sum(service_edits.c.version), 0)).select_from(
                    service_edits
                )
            ).one()
        return int(count), int(total)

    def list(self) -> List[Dict[str, Any]]:
        """Return every item as staff see it in the list, in catalogue order.

        Each: ``id``, ``name``, ``category``, ``aliases``, ``fee``, ``last_checked`` (ISO date),
        ``edited_fields`` (names of the fields staff changed), ``updated_at`` and ``updated_by``
        (of the last edit, or ``None``).
        """
        with self.engine.connect() as connection:
            live = self.catalogue(connection)
            stamps = self._stamps(connection)
        return [
            {
                "id": item.id,
                "name": item.name,
                "category": str(item.category),
                "aliases": list(item.aliases),
                "fee": item.fee,
                "last_checked": item.last_checked.isoformat(),
                **stamps.get(item.id, _NO_STAMP),
            }
            for item in live.items
        ]

    def get(self, key: str) -> Dict[str, Any]:
        """Return one item for the editor (by id, name or alias).

        Returns:
            ``id``, ``name``, ``category``, ``summary``, ``situations`` (the 个性指南 questions a
            material's ``when`` may name), ``values`` (the editable fields as citizens get them),
            ``file_values`` (the same fields as in the file), ``edited_fields``, ``updated_at``,
            ``updated_by``.

        Raises:
            ServiceNotFoundError: no item has this id, name or alias.

        """
        with self.engine.connect() as connection:
            live = self.catalogue(connection)
            item = self._find(live, key)
            stamp = self._stamps(connection).get(item.id, _NO_STAMP)
        file_item = self._file_item(item.id)
        return _detail(item, file_item, stamp)

    # changing

    def update(
        self, key: str, *, changes: Mapping[str, Any], actor: str, action: str = "update"
    ) -> Tuple[Dict[str, Any], int]:
        """Change some editable fields of an item (and set its ``last_checked`` to today).

        Args:
            key: the item's id, name or alias.
            changes: field name → new value, in the shape of the item files (JSON).
            actor: who makes the change (staff username).
            action: the audit action (``update``).

        Returns:
            The item for the editor (see `get`) and the id of the audit row.

        Raises:
            ServiceNotFoundError: no such item.
            ServiceInvalidError: no field, a field that cannot be edited, or a value that breaks a rule.
            ServiceAliasClashError: an alias names another item.

        """
        unknown = [name for name in changes if name not in EDITABLE_FIELDS]
        if unknown:
            allowed = "、".join(FIELD_TEXT[f] for f in EDITABLE_FIELDS)
            raise ServiceInvalidError(
                f"以下内容不能在此修改：{'、'.join(unknown)}。"
                f"可以修改的有：{allowed}（字段名 {'、'.join(EDITABLE_FIELDS)}）。"
            )
        if not changes:
            raise ServiceInvalidError("请至少修改一项内容。")
        return self._change(key, lambda _: dict(changes), actor=actor, action=action)

    def add_alias(self, key: str, *, alias: Any, actor: str) -> Tuple[Dict[str, Any], int]:
        """Add one alias to an item (see `update` for what it returns and raises).

        The alias is added to the item's aliases as they are when the write lock is held, so two
        staff adding aliases at the same moment both keep theirs.
        """
        if not isinstance(alias, str) or not alias.strip():
            raise ServiceInvalidError("请填写要增加的别名。")
        added = alias.strip()

        def with_alias(item: ServiceItem) -> Dict[str, Any]:
            if normalise_key(added) in {normalise_key(a) for a in item.aliases}:
                raise ServiceInvalidError(f"“{added}”已是{item.name}的别名。")
            return {"aliases": [*item.aliases, added]}

        return self._change(key, with_alias, actor=actor, action="add_alias")

    def _change(
        self, key: str, changes_of: Callable[[ServiceItem], Dict[str, Any]], *, actor: str, action: str
    ) -> Tuple[Dict[str, Any], int]:
        """Apply ``changes_of(item as it is now)`` to an item inside the write lock (see `update`)."""
        with locked_write(self.engine, SERVICE_WRITE_LOCK_ID) as connection:
            edits = self.edits(connection)
            live = apply_edits(self.files(), edits)
            before_item = self._find(live, key)
            file_item = self._file_item(before_item.id)
            before_fields = edits.get(before_item.id, {})
            changes = changes_of(before_item)
            _check_new_aliases(changes.get("aliases"), file_item, before_item)
            merged = {**before_fields, **changes, "last_checked": self.today().isoformat()}
            after_item = apply_fields(file_item, merged)
            clashes = alias_clashes(live, after_item)
            if clashes:
                raise ServiceAliasClashError(clashes)
            values = item_json(after_item)
            after_fields = {name: values[name] for name in SNAPSHOT_FIELDS if name in merged}
            self._write(connection, after_item.id, after_fields, actor)
            audit_id = write_audit(
                connection, actor=actor, action=action, target_type=TARGET_TYPE, target_id=after_item.id,
                before=_snapshot(before_item, before_fields), after=_snapshot(after_item, after_fields),
            )  # fmt: skip
            stamp = self._stamps(connection)[after_item.id]
        return _detail(after_item, file_item, stamp), audit_id

    def revert(self, key: str, *, actor: str) -> Tuple[Dict[str, Any], int]:
        """Drop every staff edit of an item: it answers from its file again (undoable).

        Raises:
            ServiceNotFoundError: no such item.
            ServiceConflictError: staff have not edited it.

        """
        with locked_write(self.engine, SERVICE_WRITE_LOCK_ID) as connection:
            edits = self.edits(connection)
            before_item = self._find(apply_edits(self.files(), edits), key)
            before_fields = edits.get(before_item.id)
            if not before_fields:
                raise ServiceConflictError(f"{before_item.name}没有工作人员的修改，已是指南文件中的内容。")
            file_item = self._file_item(before_item.id)
            self._write(connection, file_item.id, {}, actor)
            audit_id = write_audit(
                connection, actor=actor, action="revert", target_type=TARGET_TYPE, target_id=file_item.id,
                before=_snapshot(before_item, before_fields), after=_snapshot(file_item, {}),
            )  # fmt: skip
            stamp = self._stamps(connection)[file_item.id]
        return _detail(file_item, file_item, stamp), audit_id

    def undo(self, audit_id: int, *, actor: str) -> Tuple[Dict[str, Any], int]:
        """Put an item back as it was before the change logged in audit row ``audit_id``.

        Only the newest change of an item can be undone (an older one would silently throw away the
        changes made after it); undoing an undo redoes the change.

        Returns:
            The item for the editor (see `get`) and the id of the new audit row.

        Raises:
            ServiceNotFoundError: no audit row has this id.
            ServiceConflictError: it is not a guide change, was undone already, the item changed
                since, or the earlier version no longer fits the item's file.
            ServiceAliasClashError: a restored alias now belongs to another item.

        """
        with locked_write(self.engine, SERVICE_WRITE_LOCK_ID) as connection:
            record = get_audit(connection, audit_id)
            if record is None:
                raise ServiceNotFoundError(f"未找到编号为 {audit_id} 的操作记录。")
            if record.target_type != TARGET_TYPE:
                raise ServiceConflictError("只能撤销对办事指南的修改。")
            if record.undone_by is not None:
                raise ServiceConflictError(f"该操作已被撤销过（撤销记录编号 {record.undone_by}）。")
            edits = self.edits(connection)
            live = apply_edits(self.files(), edits)
            current_item = self._find(live, record.target_id)
            current_fields = edits.get(current_item.id, {})
            if current_fields != dict((record.after or {}).get("edits") or {}):
                raise ServiceConflictError("该事项在此操作之后又被修改过，请先撤销之后的修改。")
            file_item = self._file_item(current_item.id)
            target_fields = dict((record.before or {}).get("edits") or {})
            try:
                target_item = apply_fields(file_item, target_fields)
            except ServiceInvalidError as exc:
                raise ServiceConflictError(
                    f"无法撤销：恢复后的内容已不符合指南文件的规则（{exc.message}）"
                ) from None
            clashes = alias_clashes(live, target_item)
            if clashes:
                raise ServiceAliasClashError(clashes)
            self._write(connection, file_item.id, target_fields, actor)
            new_id = write_audit(
                connection, actor=actor, action="undo", target_type=TARGET_TYPE, target_id=file_item.id,
                before=_snapshot(current_item, current_fields), after=_snapshot(target_item, target_fields),
            )  # fmt: skip
            connection.execute(
                update(metadata.tables["audit_log"])
                .where(metadata.tables["audit_log"].c.id == audit_id)
                .values(undone_by=new_id)
            )
            stamp = self._stamps(connection)[file_item.id]
        return _detail(target_item, file_item, stamp), new_id

    # helpers

    @staticmethod
    def _find(catalogue: Catalogue, key: str) -> ServiceItem:
        item = next((i for i in catalogue.items if i.id == key), None) or catalogue.get(key or "")
        if item is None:
            raise ServiceNotFoundError(f"未找到“{key}”对应的办事指南事项。")
        return item

    def _file_item(self, item_id: str) -> ServiceItem:
        item = next((i for i in self.files().items if i.id == item_id), None)
        if item is None:
            raise ServiceNotFoundError(f"指南文件中已没有编号为“{item_id}”的事项。")
        return item

    @staticmethod
    def _write(connection: Connection, item_id: str, fields: Dict[str, Any], actor: str) -> None:
        row = connection.execute(
            select(service_edits.c.version).where(service_edits.c.item_id == item_id)
        ).first()
        values = {"fields": fields, "updated_at": utc_now(), "updated_by": actor[:64]}
        if row is None:
            connection.execute(service_edits.insert().values(item_id=item_id, version=1, **values))
        else:
            connection.execute(
                update(service_edits)
                .where(service_edits.c.item_id == item_id)
                .values(version=int(row.version) + 1, **values)
            )

    @staticmethod
    def _stamps(connection: Connection) -> Dict[str, Dict[str, Any]]:
        rows = connection.execute(select(service_edits)).all()
        return {
            row.item_id: {
                "edited_fields": [f for f in EDITABLE_FIELDS if f in (row.fields or {})],
                "updated_at": row.updated_at.isoformat(timespec="seconds") + "Z",
                "updated_by": row.updated_by,
            }
            for row in rows
        }


_NO_STAMP: Dict[str, Any] = {"edited_fields": [], "updated_at": None, "updated_by": None}


def _detail(item: ServiceItem, file_item: ServiceItem, stamp: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "category": str(item.category),
        "summary": item.summary,
        "situations": [
            {"key": s.key, "question": s.question, "options": dict(s.options)} for s in item.situations
        ],
        "values": editable_values(item),
        "file_values": editable_values(file_item),
        **stamp,
    }
