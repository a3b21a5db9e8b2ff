"""FAQ entries, unanswered questions and the audit log on real SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.audit  # noqa: F401  (registers audit_log)
import bot.staff  # noqa: F401  (registers staff_users)
from bot import faq
from bot.db import make_engine, metadata
from bot.faq import FaqStore
from bot.faq_db import (
    MAX_QUESTIONS,
    FaqClashError,
    FaqConflictError,
    FaqInvalidError,
    FaqRepository,
    export_to_folder,
    seed_from_folder,
)
from bot.faq_entries import load_entries
from bot.settings import PROJECT_ROOT
from bot.unanswered import UnansweredStore, group_key

OWN_TABLES = {"faq_entries", "unanswered_questions", "audit_log", "staff_users"}


def include_own(obj: object, name: str, type_: str, reflected: bool, compare_to: object) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) in OWN_TABLES


def seed_folder(folder: Path, count: int = 5) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        entry = {
            "id": f"topic_{n}",
            "title": f"第{n}号话题",
            "questions": [f"第{n}号问题怎么办", f"关于话题{n}的问题"],
            "answer": f"第{n}号答案。\n第二行。",
            "source": "样例来源",
            "last_checked": date(2026, 11, 30),
        }
        write_seed(folder, entry)
    return folder


def read_seed(folder: Path, entry_id: str) -> Dict[str, Any]:
    """The seed file of ``entry_id``, as a dict."""
    return yaml.safe_load((folder / f"{entry_id}.yml").read_text(encoding="utf-8"))


def write_seed(folder: Path, entry: Dict[str, Any]) -> None:
    """Write ``entry`` as its seed file (``<id>.yml``), as a release would change it."""
    (folder / f"{entry['id']}.yml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")


def test_migrated_schema_matches_the_tables_in_code(engine: sa.engine.Engine) -> None:
    import bot.faq_db  # noqa: F401
    import bot.unanswered  # noqa: F401

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_own}
        )
        assert compare_metadata(context, metadata) == []


def test_seeding_is_idempotent_and_safe_from_several_replicas(
    engine: sa.engine.Engine, db_url: str, tmp_path: Path
) -> None:
    folder = seed_folder(tmp_path / "faq")
    counts: List[int] = []
    errors: List[BaseException] = []

    def replica() -> None:
        own = make_engine(db_url)
        try:
            counts.append(seed_from_folder(own, folder))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(counts) == [0, 0, 0, 5]
    repo = FaqRepository(engine)
    assert [e["id"] for e in repo.list()] == [f"topic_{n}" for n in range(5)]
    # a deleted entry stays deleted when the api starts again; a new file is imported
    repo.delete("topic_1", actor="tester")
    seed_folder(tmp_path / "faq", count=6)
    assert seed_from_folder(engine, folder) == 1
    assert "topic_1" not in {e["id"] for e in repo.list()}


def test_a_changed_seed_file_refreshes_only_what_staff_never_touched(
    engine: sa.engine.Engine, tmp_path: Path
) -> None:
    from bot.audit import list_audit

    folder = seed_folder(tmp_path / "faq", 3)
    seed_from_folder(engine, folder)
    repo = FaqRepository(engine)
    repo.update("topic_1", changes={"answer": "工作人员改过的答案。"}, actor="staff")
    repo.delete("topic_2", actor="staff")
    for n in range(3):  # a release adds a way of asking to every file
        entry = read_seed(folder, f"topic_{n}")
        entry["questions"].append(f"新版本里话题{n}的问法")
        write_seed(folder, entry)

    assert seed_from_folder(engine, folder) == 1
    assert "新版本里话题0的问法" in repo.get("topic_0")["questions"]
    assert repo.get("topic_1")["answer"] == "工作人员改过的答案。"  # the staff's version stays
    assert "新版本里话题1的问法" not in repo.get("topic_1")["questions"]
    assert "topic_2" not in {e["id"] for e in repo.list()}  # deleted by staff: stays deleted
    history = list_audit(engine, target_type="faq", target_id="topic_0")
    [refresh] = [r for r in history if r.action == "refresh"]
    assert refresh.actor == "seed" and "新版本里话题0的问法" not in refresh.before["questions"]
    assert seed_from_folder(engine, folder) == 0  # nothing changed since

    repo.undo(refresh.id, actor="admin")  # staff undo the refresh: their decision then stands
    assert "新版本里话题0的问法" not in repo.get("topic_0")["questions"]
    assert seed_from_folder(engine, folder) == 0


def test_a_refresh_that_would_clash_with_a_staff_entry_is_left_out(
    engine: sa.engine.Engine, tmp_path: Path
) -> None:
    folder = seed_folder(tmp_path / "faq", 1)
    seed_from_folder(engine, folder)
    repo = FaqRepository(engine)
    repo.create(data={"id": "staff_topic", "questions": ["工作人员加的问法"], "answer": "答"}, actor="staff")
    entry = read_seed(folder, "topic_0")
    entry["questions"].append("工作人员加的问法")
    write_seed(folder, entry)
    assert seed_from_folder(engine, folder) == 0
    assert "工作人员加的问法" not in repo.get("topic_0")["questions"]


def test_a_question_moved_between_seed_files_moves_and_an_older_file_takes_nothing_back(
    engine: sa.engine.Engine, tmp_path: Path
) -> None:
    folder = seed_folder(tmp_path / "faq", 2)
    seed_from_folder(engine, folder)
    repo = FaqRepository(engine)
    first, second = read_seed(folder, "topic_0"), read_seed(folder, "topic_1")
    moved = first["questions"].pop()
    second["questions"].append(moved)
    for entry in (first, second):  # the donor and the recipient, in either file order
        write_seed(folder, entry)
    assert seed_from_folder(engine, folder) == 2
    assert moved in repo.get("topic_1")["questions"] and moved not in repo.get("topic_0")["questions"]

    older = {**second, "questions": ["旧版本的问法"], "last_checked": date(2026, 11, 1)}
    write_seed(folder, older)
    assert seed_from_folder(engine, folder) == 0
    assert moved in repo.get("topic_1")["questions"]


def test_changes_clashes_and_undo(engine: sa.engine.Engine, tmp_path: Path) -> None:
    seed_from_folder(engine, seed_folder(tmp_path / "faq", 2))
    repo = FaqRepository(engine)
    created, create_audit = repo.create(
        data={"questions": ["新问题 A", "新问题A？"], "answer": "答"}, actor="a"
    )
    assert created["questions"] == ["新问题 A"]  # the same question twice is kept once
    with pytest.raises(FaqClashError) as clash:
        repo.create(data={"questions": ["第0号问题怎么办！"], "answer": "答"}, actor="a")
    assert clash.value.clashes[0].entry_id == "topic_0"
    with pytest.raises(FaqClashError):
        repo.update(created["id"], changes={"questions": ["第1号话题"]}, actor="a")  # another entry's title

    _, delete_audit = repo.delete("topic_0", actor="a")
    again, _ = repo.create(data={"questions": ["第0号问题怎么办"], "answer": "新的答"}, actor="a")
    with pytest.raises(FaqClashError):  # its questions now belong to the new entry
        repo.undo(delete_audit, actor="admin")
    repo.delete(again["id"], actor="a")
    restored, _ = repo.undo(delete_audit, actor="admin")
    assert restored["deleted"] is False and repo.get("topic_0")["answer"].startswith("第0号答案")
    with pytest.raises(FaqConflictError):
        repo.undo(delete_audit, actor="admin")
    gone, _ = repo.undo(create_audit, actor="admin")
    assert gone["deleted"] is True


def test_the_store_follows_the_table(
    engine: sa.engine.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faq, "RELOAD_CHECK_SECONDS", 0.0)
    folder = seed_folder(tmp_path / "faq", 2)
    store = FaqStore(folder, engine=engine)
    assert {e.id for e in store.current().entries} == {"topic_0", "topic_1"}  # empty table: the folder
    seed_from_folder(engine, folder)
    repo = FaqRepository(engine)
    created, _ = repo.create(data={"questions": ["公积金怎么提取"], "answer": "到5号窗口。"}, actor="a")
    index = store.current()
    assert index.search("公积金怎么提取")[0].entry.id == created["id"]
    assert store.current() is index  # nothing changed: the same index, not rebuilt
    repo.update(created["id"], changes={"answer": "到6号窗口。"}, actor="a")
    assert store.current().get(created["id"]).answer == "到6号窗口。"  # type: ignore[union-attr]
    repo.delete(created["id"], actor="a")
    assert store.current().get(created["id"]) is None


def test_export_writes_the_table_back_as_reviewable_files(engine: sa.engine.Engine, tmp_path: Path) -> None:
    folder = seed_folder(tmp_path / "faq", 3)
    seed_from_folder(engine, folder)
    repo = FaqRepository(engine)
    created, _ = repo.create(
        data={"id": "fund", "questions": ["公积金: 怎么取?"], "answer": "第一行\n第二行"}, actor="a"
    )
    repo.delete("topic_2", actor="a")
    out = tmp_path / "out"
    (out).mkdir()
    (out / "topic_2.yml").write_text("old", encoding="utf-8")
    (out / "unknown.yml").write_text("keep", encoding="utf-8")
    written, removed = export_to_folder(engine, out)
    assert {p.name for p in written} == {"topic_0.yml", "topic_1.yml", "fund.yml"}
    assert [p.name for p in removed] == ["topic_2.yml"]
    (out / "unknown.yml").unlink()
    exported = {e.id: e for e in load_entries(out)}
    assert {e.id: e for e in repo.active_entries()} == exported
    assert (out / "fund.yml").read_text(encoding="utf-8").startswith("# 本文件")
    assert export_to_folder(engine, out) == ([], [])  # unchanged: nothing rewritten


TWENTY_WAYS = [
    "公积金怎么提取", "公积金怎么提取？", "公积金怎么提取?", "公积金 怎么提取",
    "请问公积金怎么提取", "请问，公积金怎么提取？", "你好，公积金怎么提取", "您好 公积金怎么提取呢",
    "公积金怎么提取啊", "公积金怎么提取呀", "公积金怎么提取吗", "公积金怎么提取？？",
    "公积金，怎么提取", "ＧＪＪ公积金怎么提取"[3:], "  公积金怎么提取  ", "公积金怎么提取。",
    "公积金怎么提取！", "请问一下公积金怎么提取", "想问一下公积金怎么提取", "公积金怎么提取呢？",
]  # fmt: skip


def test_twenty_ways_of_typing_one_question_are_one_row(engine: sa.engine.Engine) -> None:
    assert len({group_key(t) for t in TWENTY_WAYS}) == 1
    store = UnansweredStore(engine)
    ids = set()
    for text in TWENTY_WAYS:
        ids.add(store.record(text))
    groups = store.list()
    assert len(ids) == 1 and len(groups) == 1
    assert groups[0].count == 20 and len(groups[0].examples) == 5


def test_concurrent_records_are_all_counted_and_masked(engine: sa.engine.Engine, db_url: str) -> None:
    errors: List[BaseException] = []

    def ask(n: int) -> None:
        own = make_engine(db_url)
        try:
            for _ in range(5):
                UnansweredStore(own).record(f"我的手机号1381234{n:04d}，身份证410102199001011234怎么查社保")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    groups = UnansweredStore(engine).list()
    assert sum(g.count for g in groups) == 30
    with engine.connect() as connection:
        dump: Dict[str, object] = {
            "rows": [
                dict(r._mapping) for r in connection.execute(sa.text("SELECT * FROM unanswered_questions"))
            ]
        }
    assert "13812340001" not in str(dump) and "410102199001011234" not in str(dump)
    assert "138****0001" in str(dump)


def test_staff_can_change_every_seed_entry(engine: sa.engine.Engine) -> None:
    """Every entry of ``data/faq`` takes a new answer and one more way of asking: each change checks
    the whole entry, the questions it already holds included (the seed entries hold dozens)."""
    seed_from_folder(engine, PROJECT_ROOT / "data" / "faq")
    repo = FaqRepository(engine)
    entries = repo.list()
    assert len(entries) >= 40
    for entry in entries:
        changed, _ = repo.update(
            entry["id"], changes={"answer": entry["answer"] + "（已核实）"}, actor="staff"
        )
        assert changed["answer"].endswith("（已核实）")
    largest = max(entries, key=lambda e: len(e["questions"]))
    added, _ = repo.add_question(largest["id"], question="这一条能再加一种问法吗 第一百零一问", actor="staff")
    assert len(added["questions"]) == len(largest["questions"]) + 1
    pasted = [f"第{n}种问法 粘贴进来的" for n in range(MAX_QUESTIONS + 1)]
    with pytest.raises(FaqInvalidError, match="问法过多"):
        repo.update(largest["id"], changes={"questions": pasted}, actor="staff")
    assert repo.get(largest["id"])["questions"] == added["questions"]  # nothing stored is altered
