"""Staff edits of the guide items on a real SQLite file and a real PostgreSQL: overrides, rules, undo,
the live catalogue that picks them up, and the staff API on each database."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from rasa.shared.nlu.training_data.message import Message

from api.main import create_app
from bot.audit import audit_log, list_audit
from bot.catalogue import get_catalogue
from bot.catalogue.edits import (
    ServiceAliasClashError,
    ServiceConflictError,
    ServiceEditRepository,
    ServiceInvalidError,
    ServiceNotFoundError,
    service_edits,
)
from bot.catalogue.live import LiveCatalogue, forget_live_catalogues
from bot.catalogue.loader import load_catalogue
from bot.nlu.service_linker import ServiceIndex, ServiceLinker
from bot.settings import PROJECT_ROOT, Settings

SERVICES = PROJECT_ROOT / "data" / "services"
EDIT_DAY = date(2026, 12, 1)
NEW_ALIAS = "添丁手续"  # names no item and describes none before it is added
NEW_FEE = "收取工本费10元（测试收费）"
ADMIN_TOKEN = "service-edits-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the item files (some tests change them)."""
    target = tmp_path / "data" / "services"
    shutil.copytree(SERVICES, target)
    return target


@pytest.fixture
def repo(engine: sa.engine.Engine, folder: Path) -> ServiceEditRepository:
    return ServiceEditRepository(engine, folder, today=lambda: EDIT_DAY)


def audit_rows(engine: sa.engine.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one())


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> float:
    """Poll ``condition`` until it holds; return how long it took (fails after ``seconds``)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "not seen in time"
        time.sleep(0.05)
    return time.monotonic() - started


# -- overrides ----------------------------------------------------------------------------------


def test_an_edit_overrides_the_file_and_sets_the_check_date(
    repo: ServiceEditRepository, folder: Path
) -> None:
    file_item = load_catalogue(folder).get("restaurant")
    assert file_item is not None and file_item.fee != NEW_FEE
    assert repo.revision() == (0, 0)
    before_text = (folder / "restaurant.yml").read_text(encoding="utf-8")

    item, audit_id = repo.update("restaurant", changes={"fee": f"  {NEW_FEE} "}, actor="li.na")

    assert item["values"]["fee"] == NEW_FEE  # cleaned like the files
    assert item["file_values"]["fee"] == file_item.fee
    assert item["values"]["last_checked"] == "2026-12-01" and item["edited_fields"] == ["fee"]
    assert item["updated_by"] == "li.na" and audit_id > 0
    live = repo.catalogue().get("开办餐饮店一件事")
    assert live is not None and live.fee == NEW_FEE and live.last_checked == EDIT_DAY
    assert live.materials == file_item.materials  # untouched fields follow the file
    assert repo.revision() == (1, 1)
    assert (folder / "restaurant.yml").read_text(encoding="utf-8") == before_text  # the seed is untouched
    assert repo.edits() == {"restaurant": {"fee": NEW_FEE, "last_checked": "2026-12-01"}}


def test_every_editable_field_can_be_changed(repo: ServiceEditRepository) -> None:
    current = repo.get("newborn")["values"]
    changes: Dict[str, Any] = {
        "materials": [
            *current["materials"],
            {
                "name": "监护人户口簿",
                "form": "复印件",
                "count": 2,
                "exempt": None,
                "note": "测试",
                "when": {},
            },
        ],
        "time_limit": {"legal": "10个工作日", "promised": "1个工作日"},
        "fee": "不收费（测试）",
        "conditions": ["新生儿父母一方为高新区户籍。"],
        "window": {"number": "9", "name": "测试窗口", "floor": "一楼"},
        "online": {
            "channels": ["郑好办APP高新分厅"],
            "full_online": False,
            "instant_approval": True,
            "note": None,
        },
        "aliases": [*current["aliases"][:6], NEW_ALIAS],
    }
    item, _ = repo.update("新生儿出生一件事", changes=changes, actor="li.na")
    catalogue = repo.catalogue()
    live = catalogue.get("newborn")
    assert live is not None
    assert live.materials[-1].name == "监护人户口簿" and live.materials[-1].count == 2
    assert (live.time_limit.promised, live.fee, live.window.label) == (
        "1个工作日",
        "不收费（测试）",
        "一楼 9号窗口（测试窗口）",
    )
    assert live.online.instant_approval is True and live.conditions == ["新生儿父母一方为高新区户籍。"]
    assert catalogue.get(NEW_ALIAS) is live
    assert catalogue.get(current["aliases"][-1]) is None  # a dropped alias no longer names it
    assert sorted(item["edited_fields"]) == sorted(changes)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"fee": "   "}, "收费：不能为空"),
        ({"fee": None}, "收费：不能为空"),
        ({"materials": []}, "材料：至少需要 1 项"),
        ({"materials": [{"name": "身份证", "form": "原件", "count": 0}]}, "材料第1项的份数：不能小于 1"),
        ({"materials": [{"name": "身份证", "form": "扫描件", "count": 1}]}, "材料第1项的提交形式：只能是"),
        ({"materials": [{"name": "证", "form": "原件", "count": 1, "when": {"x": "y"}}]}, "不存在的情形"),
        ({"time_limit": {"legal": "5个工作日"}}, "时限的承诺时限：缺少必填字段"),
        ({"window": {"number": "21", "name": "综合窗口", "floor": "一楼"}}, "窗口号须在 1 到 20 之间"),
        (
            {"online": {"channels": ["郑好办"], "full_online": "是", "instant_approval": False}},
            "只能填写 true 或 false",
        ),
        ({"conditions": "只要一条"}, "条件：须为列表"),
        ({"aliases": ["宝宝出生", "孩子出生"]}, "别名：至少需要 6 项"),
        ({"aliases": [f"别名{i}" for i in range(16)]}, "别名：最多 15 项"),
        ({"aliases": ["宝宝 出生", "a2", "a3", "a4", "a5", "a6"]}, "别名第1项：格式不正确：不能包含空格"),
        ({"aliases": ["新生儿出生", "a2", "a3", "a4", "a5", "a6"]}, "与事项名称重复"),
        ({"aliases": ["宝宝出生", "孩子出生", "上户口", "新生儿落户", "小孩落户", "娃"]}, "别名“娃”过短"),
        ({"aliases": ["宝宝出生", "孩子出生", "上户口", "新生儿落户", "小孩落户", "123"]}, "须含汉字或字母"),
        ({"aliases": ["宝宝出生", "孩子出生", "上户口", "新生儿落户", "小孩落户", "坐月子"]}, "群众常用说法"),
        ({"summary": "新的简介"}, "不能在此修改：summary"),
        ({"last_checked": "2020-01-01"}, "不能在此修改：last_checked"),
        ({}, "请至少修改一项内容"),
    ],
)
def test_a_bad_edit_is_refused_in_chinese_and_nothing_is_stored(
    repo: ServiceEditRepository, engine: sa.engine.Engine, changes: Dict[str, Any], reason: str
) -> None:
    with pytest.raises(ServiceInvalidError) as refused:
        repo.update("newborn", changes=changes, actor="li.na")
    assert reason in refused.value.message and refused.value.status_code == 422
    assert repo.revision() == (0, 0) and audit_rows(engine) == 0


def test_an_alias_another_item_uses_is_a_conflict_naming_that_item(
    repo: ServiceEditRepository, engine: sa.engine.Engine
) -> None:
    with pytest.raises(ServiceAliasClashError) as named:
        repo.add_alias("restaurant", alias="上户口", actor="li.na")
    assert named.value.status_code == 409 and "新生儿出生一件事" in named.value.message
    assert [(c.alias, c.item_id) for c in named.value.clashes] == [("上户口", "newborn")]
    with pytest.raises(ServiceAliasClashError) as as_term:  # an everyday term of 新生儿出生 (群众常用说法)
        repo.add_alias("restaurant", alias="坐月子", actor="li.na")
    assert "群众常用说法" in as_term.value.message and "新生儿出生一件事" in as_term.value.message
    with pytest.raises(ServiceAliasClashError):  # another item's own name, in other spacing and quotes
        repo.add_alias("restaurant", alias="“退休一件事”", actor="li.na")
    with pytest.raises(ServiceInvalidError, match="已是"):
        repo.add_alias("newborn", alias="上户口", actor="li.na")
    assert repo.revision() == (0, 0) and audit_rows(engine) == 0


def test_unknown_items_and_audit_rows_are_not_found(repo: ServiceEditRepository) -> None:
    for call in (
        lambda: repo.get("no_such_item"),
        lambda: repo.update("no_such_item", changes={"fee": "x"}, actor="a"),
        lambda: repo.revert("no_such_item", actor="a"),
        lambda: repo.undo(999, actor="a"),
    ):
        with pytest.raises(ServiceNotFoundError) as missing:
            call()
        assert missing.value.status_code == 404


# -- audit and undo -------------------------------------------------------------------------------


def test_every_change_is_audited_with_before_and_after(
    repo: ServiceEditRepository, engine: sa.engine.Engine
) -> None:
    file_fee = repo.get("restaurant")["values"]["fee"]
    _, audit_id = repo.update("restaurant", changes={"fee": NEW_FEE}, actor="li.na")
    record = list_audit(engine, target_type="service", target_id="restaurant")[0]
    assert (record.id, record.actor, record.action, record.action_text) == (
        audit_id,
        "li.na",
        "update",
        "修改",
    )
    assert record.before is not None and record.after is not None
    assert record.before["values"]["fee"] == file_fee and record.before["edits"] == {}
    assert record.after["values"]["fee"] == NEW_FEE and record.after["name"] == "开办餐饮店一件事"
    assert record.after["edits"] == {"fee": NEW_FEE, "last_checked": "2026-12-01"}


def test_undo_restores_each_change_newest_first(
    repo: ServiceEditRepository, engine: sa.engine.Engine
) -> None:
    file_fee = repo.get("newborn")["values"]["fee"]
    _, fee_audit = repo.update("newborn", changes={"fee": NEW_FEE}, actor="li.na")
    _, alias_audit = repo.add_alias("newborn", alias=NEW_ALIAS, actor="li.na")
    assert repo.catalogue().get(NEW_ALIAS) is not None

    with pytest.raises(ServiceConflictError, match="又被修改过"):
        repo.undo(fee_audit, actor="admin")
    undone, undo_audit = repo.undo(alias_audit, actor="admin")
    assert NEW_ALIAS not in undone["values"]["aliases"] and undone["values"]["fee"] == NEW_FEE
    assert repo.catalogue().get(NEW_ALIAS) is None
    with pytest.raises(ServiceConflictError, match="已被撤销过"):
        repo.undo(alias_audit, actor="admin")
    redone, _ = repo.undo(undo_audit, actor="admin")  # undoing the undo redoes the change
    assert NEW_ALIAS in redone["values"]["aliases"]

    reverted, revert_audit = repo.revert("newborn", actor="li.na")
    assert reverted["values"]["fee"] == file_fee and reverted["edited_fields"] == []
    assert repo.edits() == {} and repo.catalogue().get(NEW_ALIAS) is None
    with pytest.raises(ServiceConflictError, match="没有工作人员的修改"):
        repo.revert("newborn", actor="li.na")
    back, _ = repo.undo(revert_audit, actor="admin")
    assert back["values"]["fee"] == NEW_FEE and NEW_ALIAS in back["values"]["aliases"]
    actions = [r.action for r in list_audit(engine, target_type="service", target_id="newborn")]
    assert actions == ["undo", "revert", "undo", "undo", "add_alias", "update"]
    assert repo.revision()[1] == len(actions)  # every write moves the fingerprint


def test_undo_refuses_a_faq_change(repo: ServiceEditRepository, engine: sa.engine.Engine) -> None:
    from bot.faq_db import FaqRepository

    _, faq_audit = FaqRepository(engine).create(
        data={"questions": ["能停车吗"], "answer": "能。"}, actor="li.na"
    )
    with pytest.raises(ServiceConflictError, match="办事指南"):
        repo.undo(faq_audit, actor="admin")


def test_an_undo_whose_alias_another_item_took_meanwhile_is_refused(repo: ServiceEditRepository) -> None:
    _, added = repo.add_alias("newborn", alias=NEW_ALIAS, actor="li.na")
    _, removed = repo.undo(added, actor="admin")
    repo.add_alias("restaurant", alias=NEW_ALIAS, actor="wang.wu")
    with pytest.raises(ServiceAliasClashError, match="开办餐饮店一件事"):
        repo.undo(removed, actor="admin")


def test_concurrent_edits_of_one_item_are_all_kept(engine: sa.engine.Engine, folder: Path) -> None:
    repo = ServiceEditRepository(engine, folder, today=lambda: EDIT_DAY)
    aliases = ["测试别名甲", "测试别名乙", "测试别名丙", "测试别名丁"]
    barrier = threading.Barrier(len(aliases))
    errors: list = []

    def add(alias: str) -> None:
        barrier.wait()
        try:
            repo.add_alias("residence_permit", alias=alias, actor="li.na")
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(a,)) for a in aliases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    kept = repo.get("residence_permit")["values"]["aliases"]
    assert set(aliases) <= set(kept)
    assert repo.revision() == (1, len(aliases))


# -- the live catalogue ---------------------------------------------------------------------------


def test_an_edit_that_no_longer_fits_its_file_answers_from_the_file(
    repo: ServiceEditRepository, engine: sa.engine.Engine, folder: Path
) -> None:
    repo.add_alias("newborn", alias=NEW_ALIAS, actor="li.na")
    repo.update("restaurant", changes={"fee": NEW_FEE}, actor="li.na")
    # someone later gives another item the same alias in its file
    veteran = folder / "veteran.yml"
    veteran.write_text(
        veteran.read_text(encoding="utf-8").replace("aliases: [", f"aliases: [{NEW_ALIAS}, ", 1)
    )
    # and a stored value breaks the rules (written by hand into the table)
    with engine.begin() as connection:
        connection.execute(
            service_edits.update().where(service_edits.c.item_id == "restaurant").values(fields={"fee": ""})
        )
    live = repo.catalogue()
    found = live.get(NEW_ALIAS)
    assert found is not None and found.id == "veteran"
    assert NEW_ALIAS not in live.get("newborn").aliases  # type: ignore[union-attr]
    assert live.get("restaurant").fee == load_catalogue(folder).get("restaurant").fee  # type: ignore[union-attr]


def test_the_live_catalogue_rereads_only_after_a_change(
    engine: sa.engine.Engine, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.catalogue.live.RELOAD_CHECK_SECONDS", 0.0)
    live = LiveCatalogue(folder, engine=engine)
    first = live.current()
    assert live.current() is first  # nothing changed: the same catalogue, no rebuild
    ServiceEditRepository(engine, folder, today=lambda: EDIT_DAY).update(
        "restaurant", changes={"fee": NEW_FEE}, actor="li.na"
    )
    second = live.current()
    assert second is not first and second.get("restaurant").fee == NEW_FEE  # type: ignore[union-attr]
    assert live.current() is second


def test_the_live_catalogue_waits_for_the_check_interval(engine: sa.engine.Engine, folder: Path) -> None:
    live = LiveCatalogue(folder, engine=engine)  # the real interval: a few seconds
    first = live.current()
    ServiceEditRepository(engine, folder).update("restaurant", changes={"fee": NEW_FEE}, actor="li.na")
    assert live.current() is first  # not looked at again within the interval
    live.refresh_soon()
    assert live.current().get("restaurant").fee == NEW_FEE  # type: ignore[union-attr]


def test_a_broken_database_keeps_the_files(folder: Path, tmp_path: Path) -> None:
    broken = sa.create_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}", future=True)  # no tables
    live = LiveCatalogue(folder, engine=broken)
    assert len(live.current()) == len(load_catalogue(folder))


@pytest.fixture
def configured(engine: sa.engine.Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.engine.Engine]:
    """Make ``engine`` the process's configured database, with a check on every call."""
    monkeypatch.setattr("bot.db.configured_engine", lambda: engine)
    monkeypatch.setattr("bot.catalogue.live.RELOAD_CHECK_SECONDS", 0.0)
    forget_live_catalogues()
    yield engine
    forget_live_catalogues()


def test_the_nlu_index_links_an_alias_staff_add(configured: sa.engine.Engine, folder: Path) -> None:
    text = f"{NEW_ALIAS}要带什么材料"
    linker = ServiceLinker(ServiceLinker.get_default_config() | {"catalogue_dir": str(folder)})
    assert ServiceIndex.for_folder(str(folder)).find(text) == []
    assert ServiceIndex.for_folder(str(folder)) is ServiceIndex.for_folder(
        str(folder)
    )  # shared while unchanged

    ServiceEditRepository(configured, folder).add_alias("newborn", alias=NEW_ALIAS, actor="li.na")
    took = wait_for(lambda: bool(ServiceIndex.for_folder(str(folder)).find(text)))
    print(f"\nalias linked by the NLU index {took:.2f} s after the edit")
    message = Message(data={"text": text, "intent": {"name": "ask_materials"}, "intent_ranking": []})
    linker.process([message])
    assert [(e["value"], e["start"], e["end"]) for e in message.get("entities")] == [
        ("新生儿出生一件事", 0, len(NEW_ALIAS))
    ]


def test_get_catalogue_answers_from_the_edits(
    configured: sa.engine.Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, folder: Path
) -> None:
    monkeypatch.setenv("GXX_DATA_DIR", str(folder.parent))
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        assert get_catalogue().get("restaurant").fee != NEW_FEE  # type: ignore[union-attr]
        ServiceEditRepository(configured, folder).update(
            "restaurant", changes={"fee": NEW_FEE}, actor="li.na"
        )
        wait_for(lambda: get_catalogue().get("restaurant").fee == NEW_FEE)  # type: ignore[union-attr]
    finally:
        get_settings.cache_clear()


# -- the staff API on this database ---------------------------------------------------------------


@pytest.fixture
def client(db_url: str, redis_url: str, folder: Path) -> Iterator[TestClient]:
    settings = Settings(
        redis_url=redis_url, database_url=db_url, admin_token=ADMIN_TOKEN, pii_key="k", data_dir=folder.parent
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_staff_api_edits_undoes_and_refuses_on_this_database(client: TestClient) -> None:
    listed = client.get("/api/admin/services", headers=ADMIN).json()
    assert listed["count"] == len(load_catalogue(SERVICES))
    changed = client.patch("/api/admin/services/restaurant", json={"fee": NEW_FEE}, headers=ADMIN)
    assert changed.status_code == 200, changed.text
    added = client.post("/api/admin/services/newborn/aliases", json={"alias": NEW_ALIAS}, headers=ADMIN)
    assert added.status_code == 200 and NEW_ALIAS in added.json()["values"]["aliases"]
    clash = client.post("/api/admin/services/restaurant/aliases", json={"alias": NEW_ALIAS}, headers=ADMIN)
    assert clash.status_code == 409 and clash.json()["clashes"][0]["item_name"] == "新生儿出生一件事"
    bad = client.patch("/api/admin/services/restaurant", json={"window": {"number": "99"}}, headers=ADMIN)
    assert bad.status_code == 422 and "窗口" in bad.json()["detail"]
    undone = client.post(f"/api/admin/audit/{added.json()['audit_id']}/undo", headers=ADMIN)
    assert undone.status_code == 200 and NEW_ALIAS not in undone.json()["values"]["aliases"]
    got = client.get("/api/admin/services/restaurant", headers=ADMIN).json()
    assert got["values"]["fee"] == NEW_FEE and got["edited_fields"] == ["fee"]


# -- writing the edits back to the files for review (make catalogue-export) ----------------------------


def test_export_writes_the_edited_fields_into_the_file_and_keeps_the_rest(
    repo: ServiceEditRepository, engine: sa.engine.Engine, folder: Path
) -> None:
    from bot.catalogue_export import export_to_folder

    before = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.yml")}
    repo.update("退休一件事", changes={"fee": NEW_FEE}, actor="tester")
    repo.add_alias("退休一件事", alias=NEW_ALIAS, actor="tester")
    live = repo.catalogue().get("退休一件事")

    assert export_to_folder(engine, folder) == [folder / "retirement.yml"]

    text = (folder / "retirement.yml").read_text(encoding="utf-8")
    exported = load_catalogue(folder).get("退休一件事")
    assert exported is not None and live is not None
    assert (exported.fee, exported.aliases, exported.last_checked) == (NEW_FEE, live.aliases, EDIT_DAY)
    assert exported == live, "the file now says what citizens are told"
    # the rest of the file stays as staff wrote it: comments, order, one-line lists
    old_lines, new_lines = before["retirement.yml"].splitlines(), text.splitlines()
    changed = [n for n, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert [old_lines[n].split(":")[0] for n in changed] == ["aliases", "fee", "last_checked"]
    assert all(
        before[name] == path.read_text(encoding="utf-8")
        for name, path in ((p.name, p) for p in folder.glob("*.yml") if p.name != "retirement.yml")
    )
    assert export_to_folder(engine, folder) == [], "a second export has nothing to write"


def test_every_item_file_survives_the_export_round_trip_unchanged() -> None:
    """The export rewrites only edited fields: reading and writing a file back changes no byte."""
    import io

    from bot.catalogue_export import yaml_round_trip

    yaml = yaml_round_trip()
    for path in sorted(SERVICES.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        out = io.StringIO()
        yaml.dump(yaml.load(text), out)
        assert out.getvalue() == text, path.name
