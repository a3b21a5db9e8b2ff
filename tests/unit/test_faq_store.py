"""The FAQ store's reloading (folder and database), and what ``action_faq`` records when it cannot answer."""

from __future__ import annotations

import os
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.faq import ActionFaq
from actions.guide import ActionGuide
from bot import faq
from bot.faq import UNSURE_SCORE, FaqAnswer, FaqMatch, FaqStore, decide
from bot.faq_db import FaqRepository, question_key
from bot.faq_entries import FaqEntry
from bot.unanswered import UnansweredStore, group_key
from tests.conftest import PARKING_ENTRY, make_tracker, migrated_engine


def write_entry(folder: Path, entry_id: str, questions: list, answer: str = "答案。") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = {
        "id": entry_id,
        "title": questions[0],
        "questions": questions,
        "answer": answer,
        "source": "样例",
        "last_checked": date(2026, 11, 30),
    }
    path = folder / f"{entry_id}.yml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    stamp = time.time() + 1 + len(os.listdir(folder))
    os.utime(path, (stamp, stamp))


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faq, "RELOAD_CHECK_SECONDS", 0.0)


def test_file_only_store_rereads_a_changed_folder(tmp_path: Path) -> None:
    folder = tmp_path / "faq"
    write_entry(folder, "parking", ["大厅能停车吗"])
    store = FaqStore(folder)
    assert [e.id for e in store.current().entries] == ["parking"]
    write_entry(folder, "hours", ["大厅几点开门"])
    assert {e.id for e in store.current().entries} == {"parking", "hours"}


def test_a_broken_file_keeps_the_last_good_entries(tmp_path: Path) -> None:
    folder = tmp_path / "faq"
    write_entry(folder, "parking", ["大厅能停车吗"])
    store = FaqStore(folder)
    store.current()
    (folder / "broken.yml").write_text("id: [unclosed", encoding="utf-8")
    assert [e.id for e in store.current().entries] == ["parking"]
    assert store.error and "broken.yml" in store.error


def test_the_store_waits_for_the_database_file_to_appear(tmp_path: Path) -> None:
    folder = tmp_path / "faq"
    write_entry(folder, "parking", ["大厅能停车吗"])
    engines: Dict[str, Engine] = {}
    store = FaqStore(folder, engine_factory=lambda: engines.get("db"))
    assert [e.id for e in store.current().entries] == ["parking"]
    engine = migrated_engine(tmp_path / "late.db")
    FaqRepository(engine).create(
        data={"id": "fund", "questions": ["公积金怎么提取"], "answer": "5号窗口"}, actor="t"
    )
    engines["db"] = engine
    assert [e.id for e in store.current().entries] == ["fund"]


def test_keys_ignore_width_case_spaces_punctuation_and_fillers() -> None:
    assert question_key("ＡＢＣ 营业执照，怎么办？") == "abc营业执照怎么办"
    assert group_key("请问营业执照怎么办呢？") == group_key("营业执照 怎么办") == "营业执照怎么办"
    assert group_key("吗") == "吗"  # nothing but a filler: kept, not emptied


# -- action_faq records what it could not answer --------------------------------------------------


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    engine = migrated_engine(tmp_path / "bot.db")
    folder = tmp_path / "faq"
    write_entry(folder, "parking", ["大厅能停车吗", "停车场在哪里"], answer="大厅东侧有停车场。")
    write_entry(folder, "hours", ["大厅几点开门", "周末上班吗"], answer="工作日9点。")
    monkeypatch.setattr("bot.faq_db.configured_engine", lambda: engine)
    monkeypatch.setattr(faq, "_stores", {})
    monkeypatch.setattr(faq, "get_faq_store", lambda: FaqStore(folder, engine=engine))
    monkeypatch.setattr("actions.faq.get_faq_store", lambda: FaqStore(folder, engine=engine))
    monkeypatch.setattr("actions.guide.get_faq_store", lambda: FaqStore(folder, engine=engine))
    return engine


#: the one response ``action_faq`` utters from the domain
DOMAIN: Dict[str, Any] = {"responses": {"utter_default": [{"text": "没听懂"}]}}


async def run_faq(text: str, domain: Dict[str, Any] = DOMAIN) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, make_tracker("nlu_fallback", text=text), domain)
    return dispatcher


def decide_as(answer: str, monkeypatch: pytest.MonkeyPatch, where: str = "actions.faq.decide") -> None:
    """Make retrieval answer, offer choices or give nothing (its scoring is tested elsewhere)."""

    def fixed(matches: Any, *args: Any, **kwargs: Any) -> FaqAnswer:
        entries = [m.entry for m in matches]
        if answer in ("answer", "unsure"):
            return FaqAnswer(entries[0], score=0.9 if answer == "answer" else UNSURE_SCORE - 0.05)
        return FaqAnswer(None, tuple(entries[:2]) if answer == "choices" else (), score=0.1)

    monkeypatch.setattr(where, fixed)


async def test_unanswered_and_near_miss_questions_are_recorded_masked(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    decide_as("answer", monkeypatch)
    answered = await run_faq("大厅能停车吗")
    assert answered.messages[0]["custom"]["type"] == "faq"
    assert UnansweredStore(engine).list() == []

    decide_as("nothing", monkeypatch)
    nothing = await run_faq("我的电话13867905678，量子力学怎么学？")
    assert nothing.messages[0]["response"] == "utter_default"
    await run_faq("请问 我的电话13867905678 量子力学怎么学")
    decide_as("choices", monkeypatch)
    near = await run_faq("停车收费吗")
    assert near.messages[0]["buttons"]
    groups = {g.text: g for g in UnansweredStore(engine).list()}
    assert groups["我的电话138****5678，量子力学怎么学？"].count == 2
    assert groups["停车收费吗"].best_match in {"parking", "hours"}
    assert "13867905678" not in repr(groups)

    decide_as("nothing", monkeypatch)
    await run_faq("/faq")  # a button payload is not a question
    assert sum(g.count for g in UnansweredStore(engine).list()) == 3


async def test_an_answer_the_index_was_unsure_of_is_given_and_put_on_the_list(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    decide_as("unsure", monkeypatch)
    answered = await run_faq("车能停哪儿")
    assert answered.messages[0]["custom"]["type"] == "faq", "the citizen still gets the answer"
    decide_as("choices", monkeypatch)
    await run_faq("停车收费吗")
    decide_as("nothing", monkeypatch)
    await run_faq("量子力学怎么学")
    groups = {g.text: g.as_dict() for g in UnansweredStore(engine).list()}
    unsure = groups["车能停哪儿"]
    assert unsure["reason"] == "unsure" and unsure["reason_text"] == "已回答，但把握不大"
    assert unsure["best_match"] == answered.messages[0]["custom"]["id"]
    assert groups["停车收费吗"]["reason"] == "choices"
    assert groups["量子力学怎么学"]["reason"] == "unanswered"
    # the same question left unanswered later: one group, its latest reason
    await run_faq("车能停哪儿")
    again = {g.text: g for g in UnansweredStore(engine).list()}["车能停哪儿"]
    assert again.count == 2 and again.reason == "unanswered"


@pytest.mark.parametrize(("answer", "recorded"), [("unsure", True), ("answer", False)])
async def test_a_hall_wide_guide_answer_retrieval_was_unsure_of_is_put_on_the_list(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, answer: str, recorded: bool
) -> None:
    """ "大厅停车要交钱不" asks ask_fee of no item: answered from the FAQ, checked by staff when unsure."""
    decide_as(answer, monkeypatch, where="bot.guide.decide")
    tracker = make_tracker("ask_fee", text="大厅停车要交钱不")
    tracker.latest_message["intent_ranking"] = [
        {"name": "ask_fee", "confidence": 0.6},
        {"name": "faq", "confidence": 0.3},
    ]
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["custom"]["type"] == "faq", "the citizen gets the answer either way"
    groups = {g.text: g for g in UnansweredStore(engine).list()}
    assert ("大厅停车要交钱不" in groups) is recorded
    if recorded:
        assert groups["大厅停车要交钱不"].reason == "unsure"
        assert groups["大厅停车要交钱不"].best_match == dispatcher.messages[0]["custom"]["id"]


def test_an_answer_is_unsure_below_the_unsure_score() -> None:
    entry = PARKING_ENTRY
    assert decide([FaqMatch(entry, UNSURE_SCORE - 0.01)]).unsure
    assert not decide([FaqMatch(entry, UNSURE_SCORE)]).unsure
    assert decide([FaqMatch(entry, UNSURE_SCORE)]).score == UNSURE_SCORE
    assert not decide([FaqMatch(entry, 0.1)]).unsure, "no answer given: nothing to be unsure of"


async def test_a_database_failure_never_takes_the_reply_away(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database down")

    monkeypatch.setattr(UnansweredStore, "record", broken)
    decide_as("nothing", monkeypatch)
    dispatcher = await run_faq("量子力学怎么学")
    assert dispatcher.messages and dispatcher.messages[0].get("response") == "utter_default"


def test_a_background_store_answers_from_the_old_index_while_it_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "faq"
    write_entry(folder, "parking", ["大厅能停车吗"])
    store = FaqStore(folder, background=True)
    first = store.current()  # the first index is built before the call returns
    assert [e.id for e in first.entries] == ["parking"]
    release = threading.Event()
    original = faq.FaqIndex

    def slow_index(entries: Any, **options: Any) -> Any:
        release.wait(10)
        return original(entries, **options)

    monkeypatch.setattr(faq, "FaqIndex", slow_index)
    write_entry(folder, "hours", ["大厅几点开门"])
    assert store.current() is first  # still building: the old index answers at once
    release.set()
    end = time.monotonic() + 10
    while {e.id for e in store.current().entries} != {"parking", "hours"}:
        assert time.monotonic() < end
        time.sleep(0.01)


def sample_entry(entry_id: str, questions: list) -> FaqEntry:
    return FaqEntry(
        id=entry_id,
        title=questions[0],
        questions=questions,
        answer="样例答案。",
        source="样例",
        last_checked=date(2026, 12, 5),
    )


@pytest.mark.parametrize("text", ["窗口会不会多收钱", "会不会额外收费"])
def test_a_yes_or_no_form_is_no_evidence_for_the_entry_that_asks_with_it(text: str) -> None:
    """One entry asks "会不会泄露", the other about fees without 会不会: a fee question asked with 会不会
    is the fee entry's (`bot.faq.YES_NO_FORMS`)."""
    privacy = sample_entry("yinsi", ["住址电话会不会外传", "上传的照片会不会留着", "个人资料会不会给别人看"])
    fee = sample_entry("mianfei", ["办事收费吗", "大厅办业务要交钱不", "窗口乱收费咋办", "手续费多少"])
    assert faq.FaqIndex([privacy, fee]).search(text)[0].entry.id == "mianfei"
    assert faq.without_yes_no_forms("有没有停车场 是不是免费") == " 停车场  免费"
    # nothing left once the forms are out: no entry ("有没有？" is not a question about anything)
    assert faq.FaqIndex([privacy, fee]).search("有没有？") == []


def test_a_message_without_chinese_matches_only_words_and_numbers_the_entries_ask_about() -> None:
    """ "654321" and keyboard mashing ("zxcv5678") are no question; "12345" is the hotline's number and
    WiFi a word of the convenience entry, which their questions hold, and a question in English that
    shares a word with them is compared as any other."""
    hotline = sample_entry("rexian12345", ["12345热线是干啥的", "政务热线电话多少"])
    fee = sample_entry("mianfei", ["办事收费吗", "大厅办业务要交钱不"])
    wifi = sample_entry("bianmin", ["大厅有WiFi没", "能复印不"])
    index = faq.FaqIndex([hotline, fee, wifi])
    assert index.search("123456") == [] and index.search("110？") == []
    assert index.search("zxcv5678") == [] and index.search("asdfgh!!") == []
    assert index.search("zxcv 1234") == []
    assert index.search("12345")[0].entry.id == "rexian12345"
    assert index.search("WIFI??")[0].entry.id == "bianmin"
    assert index.search("is there wifi in the hall")[0].entry.id == "bianmin"
