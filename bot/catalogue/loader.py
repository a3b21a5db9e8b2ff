"""Load ``data/services/*.yml`` into a `Catalogue`, reporting every problem with its file and line."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic.error_wrappers import ErrorWrapper

from bot.catalogue.collection import Catalogue, normalise_key
from bot.catalogue.english import name_key
from bot.catalogue.models import ConsistencyError, ServiceItem

Location = tuple[Any, ...]

_MESSAGES = {
    "value_error.missing": "缺少必填字段",
    "value_error.extra": "不认识的字段（字段名可能写错了）",
    "type_error.none.not_allowed": "不能为空",
    "value_error.any_str.min_length": "不能为空",
    "value_error.strictbool": "只能填写 true 或 false",
    "type_error.integer": "须为整数",
    "type_error.str": "须为文字",
    "type_error.list": "须为列表",
    "type_error.dict": "须为键值对",
    "value_error.date": "须为日期，例如 2026-11-26",
}
_FORMAT_HINTS = {
    "id": "只能使用小写英文字母、数字和下划线，并以字母开头",
    "key": "只能使用小写英文字母、数字和下划线，并以字母开头",
    "when": "只能使用小写英文字母、数字和下划线，并以字母开头",
    "options": "只能使用小写英文字母、数字和下划线，并以字母开头",
    "name": "须以“一件事”结尾，且不含空格",
    "aliases": "不能包含空格",
    "everyday_terms": "不能包含空格",
    "english_names": "只能使用英文字母，词与词之间用一个空格、连字符（-）或撇号（'）隔开",
    "hotline": "格式如 0371-67991101",
    "number": '须为 1 到 20 的数字（用引号括起来，如 "8"）',
}


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so that pydantic checks them with a clear message."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    """One problem found in the catalogue data."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class CatalogueError(Exception):
    """The catalogue data is invalid; the message lists every problem as ``file:line: message``."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"办事指南数据有 {len(problems)} 处错误：\n{lines}")


@dataclass
class _Source:
    path: Path
    root: yaml.Node

    def line(self, location: Location) -> int:
        """1-based line of the deepest node along ``location`` (the key's line for a mapping entry)."""
        node, line = self.root, self.root.start_mark.line + 1
        for step in location:
            if isinstance(node, yaml.MappingNode):
                pair = next((p for p in node.value if _scalar(p[0]) == str(step)), None)
                if pair is None:
                    break
                line, node = pair[0].start_mark.line + 1, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def problem(self, location: Location, message: str) -> Problem:
        where = _format_location(location)
        return Problem(self.path, self.line(location), f"{where}：{message}" if where else message)


def load_catalogue(directory: Path) -> Catalogue:
    """Validate every ``*.yml`` file of ``directory`` and build the catalogue.

    Raises:
        CatalogueError: listing every problem found (YAML syntax, schema, cross-references,
            an id that differs from its file stem, a name or alias used by two items).

    """
    directory = Path(directory)
    files = sorted(p for p in directory.glob("*.y*ml") if not p.name.startswith("."))
    if not files:
        raise CatalogueError([Problem(directory, 0, "目录不存在或没有任何 .yml 办事指南文件")])
    problems: list[Problem] = []
    loaded: list[tuple[_Source, ServiceItem]] = []
    for path in files:
        source, data = _read(path, problems)
        if source is None:
            continue
        item = _validate(source, data, problems)
        if item is not None:
            loaded.append((source, item))
    problems.extend(_duplicates(loaded))
    if problems:
        raise CatalogueError(problems)
    return Catalogue([item for _, item in loaded])


FilesStamp = tuple[tuple[str, int, int], ...]


def files_stamp(directory: Path) -> FilesStamp:
    """Return the version of the item files of ``directory``: each file's name, modification time and size."""
    stamp = []
    for path in sorted(Path(directory).glob("*.y*ml")):
        if not path.name.startswith("."):
            status = path.stat()
            stamp.append((path.name, status.st_mtime_ns, status.st_size))
    return tuple(stamp)


_loaded: dict[Path, tuple[FilesStamp, Catalogue]] = {}
_loaded_lock = threading.Lock()


def load_catalogue_files(directory: Path, stamp: FilesStamp | None = None) -> Catalogue:
    """Return `load_catalogue` of ``directory``, read again only when its files changed.

    Args:
        directory: the folder of the item files.
        stamp: its `files_stamp`, when the caller has it already.

    Raises:
        CatalogueError: as `load_catalogue`.

    """
    key = Path(directory).resolve()
    stamp = files_stamp(key) if stamp is None else stamp
    with _loaded_lock:
        known = _loaded.get(key)
    if known is not None and known[0] == stamp:
        return known[1]
    catalogue = load_catalogue(key)
    with _loaded_lock:
        _loaded[key] = (stamp, catalogue)
    return catalogue


def _read(path: Path, problems: list[Problem]) -> tuple[_Source | None, Any]:
    try:
        loader = _Loader(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(Problem(path, line, f"YAML 格式错误：{exc.problem or exc}"))
        return None, None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(Problem(path, 1, f"无法读取文件：{exc}"))
        return None, None
    if root is None or not isinstance(data, dict):
        problems.append(Problem(path, 1, "文件内容须为一个事项的键值对（id、name、aliases …）"))
        return None, None
    source = _Source(path, root)
    problems.extend(_duplicate_keys(source, root))
    return source, data


def validation_problems(exc: ValidationError) -> list[tuple[Location, str]]:
    """Return the problems of a `ServiceItem` validation error as (path inside the item, Chinese message).

    The path is a tuple of field names and list indexes, e.g. ``("materials", 1, "count")``.
    """
    problems: list[tuple[Location, str]] = []
    for wrapper in exc.raw_errors:
        if isinstance(wrapper, ErrorWrapper) and isinstance(wrapper.exc, ConsistencyError):
            problems.extend(wrapper.exc.problems)
    for error in exc.errors():
        if error["type"] != "value_error." + ConsistencyError.code:
            problems.append((_field_location(error["loc"]), _message(error)))
    return problems


def _validate(source: _Source, data: dict[str, Any], problems: list[Problem]) -> ServiceItem | None:
    try:
        item = ServiceItem.parse_obj(data)
    except ValidationError as exc:
        problems.extend(source.problem(loc, msg) for loc, msg in validation_problems(exc))
        return None
    if item.id != source.path.stem:
        problems.append(source.problem(("id",), f"id “{item.id}” 须与文件名 “{source.path.stem}” 一致"))
    return item


def _duplicates(loaded: list[tuple[_Source, ServiceItem]]) -> list[Problem]:
    """Names, aliases and English names (and short names) each name one item; no everyday term another.

    Every id an item ``specialises`` is another item's, listed once, and that item does not
    specialise it in turn.
    """
    problems: list[Problem] = []
    # a name's key: its folded letters; an English name's, its stems ("open a pharmacy" and
    # "Opening the Pharmacy" are one name)
    owners: dict[str | tuple[str, ...], tuple[_Source, ServiceItem, Location]] = {}
    for source, item in loaded:
        forms: list[tuple[str | tuple[str, ...], str, Location]] = [
            (normalise_key(form), form, location)
            for form, location in [
                (item.id, ("id",)),
                (item.name, ("name",)),
                (item.short_name, ("name",)),
                *((alias, ("aliases", index)) for index, alias in enumerate(item.aliases)),
            ]
        ]
        forms += [(name_key(name), name, ("english_names", i)) for i, name in enumerate(item.english_names)]
        for key, form, location in forms:
            owner = owners.setdefault(key, (source, item, location))
            if owner[1] is item:
                continue
            first = f"{owner[0].path}:{owner[0].line(owner[2])}"
            problems.append(
                source.problem(location, f"“{form}”已被 {owner[1].name}（{first}）使用，不能重复")
            )
    specialised = {item.id: set(item.specialises) for _, item in loaded}
    for source, item in loaded:
        for index, broader in enumerate(item.specialises):
            if broader == item.id or broader not in specialised:
                problems.append(
                    source.problem(("specialises", index), f"“{broader}”不是目录中另一个事项的编号（id）")
                )
            elif item.specialises.index(broader) != index:
                problems.append(source.problem(("specialises", index), f"“{broader}”重复出现"))
            elif item.id in specialised[broader]:
                problems.append(
                    source.problem(
                        ("specialises", index),
                        f"“{broader}”也把本事项列为更宽泛的事项，两个事项不能互为特定情形",
                    )
                )
        for index, term in enumerate(item.everyday_terms):
            named = owners.get(normalise_key(term))
            if named is not None and named[1] is not item:
                first = f"{named[0].path}:{named[0].line(named[2])}"
                problems.append(
                    source.problem(
                        ("everyday_terms", index), f"说法“{term}”是 {named[1].name}（{first}）的名称或别名"
                    )
                )
    return problems


def _duplicate_keys(source: _Source, node: yaml.Node) -> list[Problem]:
    """PyYAML silently keeps the last of two equal keys; report them instead."""
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in seen:
                problems.append(Problem(source.path, key_node.start_mark.line + 1, f"字段 “{key}” 重复出现"))
            seen.add(key or "")
            problems.extend(_duplicate_keys(source, value_node))
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            problems.extend(_duplicate_keys(source, child))
    return problems


def _scalar(node: yaml.Node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _field_location(loc: tuple[Any, ...]) -> Location:
    return tuple(step for step in loc if step not in ("__root__", "__key__"))


def _format_location(location: Location) -> str:
    text = ""
    for step in location:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "type_error.enum":
        allowed = "、".join(str(v.value) for v in error["ctx"]["enum_values"])
        return f"只能是：{allowed}"
    if kind in ("value_error.list.min_items", "value_error.list.max_items"):
        limit = error["ctx"]["limit_value"]
        return f"至少需要 {limit} 项" if kind.endswith("min_items") else f"最多 {limit} 项"
    if kind in ("value_error.number.not_ge", "value_error.number.not_le"):
        limit = error["ctx"]["limit_value"]
        return f"不能小于 {limit}" if kind.endswith("not_ge") else f"不能大于 {limit}"
    if kind == "value_error.any_str.max_length":
        return f"不超过 {error['ctx']['limit_value']} 个字"
    if kind == "value_error.str.regex":
        hints = (_FORMAT_HINTS[step] for step in reversed(error["loc"]) if step in _FORMAT_HINTS)
        return f"格式不正确：{next(hints, '请对照其他事项的写法')}"
    return _MESSAGES.get(kind, error["msg"])
