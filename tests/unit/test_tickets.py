"""Hand-over tickets, opening hours, masking, the honest 转人工 action and the signed host user."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.handoff as handoff
from actions.hall import ActionHallInfo
from api.host_user import SignedUserError, sign_user, verify_user
from bot.db import metadata
from bot.ratings import RatingStore, is_poor, level_from
from bot.tickets import (
    TicketError,
    TicketKind,
    TicketStore,
    TranscriptLine,
    describe_opening,
    is_staffed,
    mask_known,
    next_opening,
)
from tests.conftest import migrated_engine

MONDAY_10 = datetime(2026, 11, 30, 10, 0)  # a Monday
MONDAY_NOON = datetime(2026, 11, 30, 12, 30)
SATURDAY = datetime(2026, 12, 5, 15, 0)


@pytest.fixture
def store(tmp_path: Path) -> TicketStore:
    return TicketStore(migrated_engine(tmp_path / "t.db"))


def test_opening_hours_follow_the_booking_rules() -> None:
    assert is_staffed(MONDAY_10)
    assert not is_staffed(MONDAY_NOON)
    assert not is_staffed(SATURDAY)
    assert next_opening(MONDAY_NOON) == datetime(2026, 11, 30, 13, 0)
    monday = next_opening(SATURDAY)
    assert monday is not None and monday.date() == date(2026, 12, 7)
    assert describe_opening(datetime(2026, 12, 1, 9, 0), date(2026, 11, 30)) == "明天09:00"
    assert describe_opening(datetime(2026, 12, 7, 9, 0), date(2026, 12, 5)) == "12月7日（周一）09:00"


def test_mask_known_masks_patterns_and_the_conversations_own_values() -> None:
    text = "我叫王小明，电话13867905678，身份证110105199001011234"
    masked = mask_known(text, names=["王小明"], phones=["13867905678"])
    assert "王小明" not in masked and "王**" in masked
    assert "13867905678" not in masked and "138****5678" in masked
    assert "19900101" not in masked


def test_ticket_lifecycle(store: TicketStore) -> None:
    ticket = store.create(
        kind=TicketKind.HANDOFF,
        session_id="s1",
        transcript=[TranscriptLine("citizen", "转人工")],
        within_hours=True,
        item="退休一件事",
        note="电话 13867905678",
        now=MONDAY_10,
    )
    assert ticket.number.startswith("RG") and ticket.status == "open" and ticket.status_text == "待处理"
    assert ticket.note == "电话 138****5678"
    assert [t.number for t in store.list(status="open")] == [ticket.number]  # type: ignore[arg-type]
    taken = store.take(ticket.number, staff="zhang", now=MONDAY_10)
    assert taken.status == "taken" and taken.taken_by == "zhang"
    with pytest.raises(TicketError):
        store.take(ticket.number, staff="li")
    with pytest.raises(TicketError):
        store.answer(ticket.number, staff="zhang", text="  ")
    answered = store.answer(ticket.number, staff="zhang", text="请带身份证原件")
    assert answered.status == "answered" and answered.answer == "请带身份证原件"
    closed = store.close(ticket.number)
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(TicketError):
        store.answer(ticket.number, staff="zhang", text="再补充")


def test_ratings_levels_and_summary(tmp_path: Path) -> None:
    assert (
        level_from("基本满意") == 3
        and level_from(5) == 5
        and level_from("6") is None
        and level_from(True) is None
    )
    assert is_poor(2) and is_poor(1) and not is_poor(3)
    ratings = RatingStore(migrated_engine(tmp_path / "r.db"))
    ratings.add(level=5, item="退休一件事", now=MONDAY_10)
    ratings.add(level=4, item="退休一件事", now=MONDAY_10)
    ratings.add(level=1, item="退休一件事", comment="等太久 13867905678", now=MONDAY_10)
    ratings.add(level=3, item=None, now=SATURDAY)
    rows = ratings.summary()
    assert [(r.day, r.item) for r in rows] == [(date(2026, 12, 5), ""), (date(2026, 11, 30), "退休一件事")]
    retire = rows[1]
    assert retire.count == 3 and retire.poor == 1 and retire.satisfied_share == round(2 / 3, 3)
    assert retire.by_level["非常不满意"] == 1
    assert ratings.summary(start=date(2026, 12, 1))[0].item == ""
    with pytest.raises(ValueError):
        ratings.add(level=0)


def tracker_with(
    events: list, slots: Dict[str, Any], intent: str = "request_human", text: str = "转人工"
) -> Tracker:
    return Tracker(
        sender_id="session-abc",
        slots=slots,
        latest_message={"intent": {"name": intent}, "text": text, "metadata": {"channel": "widget"}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize("now, staffed", [(MONDAY_10, True), (SATURDAY, False)])
async def test_handoff_creates_a_masked_ticket_and_never_pretends_a_transfer(
    store: TicketStore, monkeypatch: pytest.MonkeyPatch, now: datetime, staffed: bool, domain: Dict[str, Any]
) -> None:
    monkeypatch.setattr(handoff, "get_engine", lambda: store.engine)
    monkeypatch.setattr(handoff, "local_now", lambda *a: now)
    events = [
        {"event": "user", "text": "我叫王小明，手机13867905678"},
        {"event": "bot", "text": "请输入18位身份证号"},
        {"event": "user", "text": "/request_human"},
    ]
    tracker = tracker_with(events, {"person_name": "王小明", "phone": "13867905678", "service": "退休一件事"})
    dispatcher = CollectingDispatcher()
    for action in (handoff.ActionHandoff(), ActionHallInfo()):  # the old model still calls action_hall_info
        dispatcher = CollectingDispatcher()
        assert await action.run(dispatcher, tracker, domain) == []
        message = dispatcher.messages[0]
        assert "正在为您转接" not in message["text"] and "工单号" in message["text"]
        assert message["custom"]["type"] == "handoff" and message["custom"]["staffed"] is staffed
        assert ("非办公时间" in message["text"]) is not staffed
        assert "12345" in message["text"] and "帮办代办" in message["text"]
    tickets = store.list()
    assert len(tickets) == 2
    ticket = tickets[0]
    assert (
        ticket.session_id == "session-abc" and ticket.item == "退休一件事" and ticket.within_hours is staffed
    )
    assert ticket.channel == "widget"
    transcript = " ".join(line.text for line in ticket.transcript)
    assert "王小明" not in transcript and "13867905678" not in transcript and "138****5678" in transcript


async def test_handoff_without_a_database_still_gives_the_phone_lines(
    monkeypatch: pytest.MonkeyPatch, domain: Dict[str, Any]
) -> None:
    def broken() -> Any:
        raise RuntimeError("database down")

    monkeypatch.setattr(handoff, "get_engine", broken)
    dispatcher = CollectingDispatcher()
    await handoff.ActionHandoff().run(dispatcher, tracker_with([], {}), domain)
    assert "没有创建成功" in dispatcher.messages[0]["text"] and "12345" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["custom"]["ticket"] is None


def test_signed_user_verification() -> None:
    sig = sign_user("u1", 2_000, "k")
    assert verify_user("u1", 2_000, sig, secret="k", max_age_seconds=3600, now=1_000) == "u1"
    cases = [
        (dict(secret=""), 403),
        (dict(signature="zz"), 400),
        (dict(now=2_000), 401),
        (dict(now=-10_000), 400),
        (dict(user="u2"), 403),
    ]
    for change, status in cases:
        args: Dict[str, Any] = dict(
            user="u1", expires=2_000, signature=sig, secret="k", max_age_seconds=3600, now=1_000
        )
        args.update(change)
        with pytest.raises(SignedUserError) as refused:
            verify_user(args.pop("user"), args.pop("expires"), args.pop("signature"), **args)
        assert refused.value.status == status and refused.value.message


def test_migration_builds_exactly_the_declared_tables(tmp_path: Path) -> None:
    def ours(obj: object, name: str, type_: str, reflected: bool, compare_to: object) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return getattr(table, "name", name) in {"tickets", "ratings"}

    engine = migrated_engine(tmp_path / "m.db")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": ours})
        assert compare_metadata(context, metadata) == []


@pytest.mark.parametrize(
    "text",
    ["有没有能打的号码", "咨询电话是多少", "人工客服电话是多少", "能跟窗口的人通个电话不", "有座机号码吗"],
)
@pytest.mark.parametrize("now, staffed", [(MONDAY_10, True), (SATURDAY, False)])
async def test_a_question_for_a_number_gets_the_numbers_and_no_ticket(
    store: TicketStore,
    monkeypatch: pytest.MonkeyPatch,
    domain: Dict[str, Any],
    text: str,
    now: datetime,
    staffed: bool,
) -> None:
    events, message = await hand_over(store, monkeypatch, domain, text, now)
    assert events == []
    hall = handoff.get_hall()
    assert hall.consultation_phone in message["text"] and "12345" in message["text"]
    assert ("非办公时间" in message["text"]) is not staffed and "工单" not in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/request_human"]
    assert message["custom"]["topic"] == "request_human" and message["custom"]["ticket"] is None
    assert store.list() == [], "no ticket for staff to answer"


@pytest.mark.parametrize("text", ["12345号码是多少", "便民热线的电话给我一个"])
async def test_a_question_for_the_hotlines_number_gets_its_entry_then_the_numbers(
    store: TicketStore, monkeypatch: pytest.MonkeyPatch, domain: Dict[str, Any], text: str
) -> None:
    monkeypatch.setattr(handoff, "get_engine", lambda: store.engine)
    monkeypatch.setattr(handoff, "local_now", lambda *a: MONDAY_10)
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionHandoff().run(dispatcher, tracker_with([], {}, text=text), domain)
    hall = handoff.get_hall()
    entry, numbers = dispatcher.messages
    assert entry["custom"]["type"] == "faq" and entry["custom"]["id"] == hall.hotline_faq
    assert "12345" in entry["text"] and "来源" in entry["text"]
    assert hall.consultation_phone in numbers["text"] and numbers["custom"]["ticket"] is None
    assert events == [] and store.list() == []


@pytest.mark.parametrize(
    "text",
    [
        "转人工",
        "让懂行的工作人员给我回个电话",
        "请安排工作人员联系我 电话13703718852",
        "我的手机号13867905678 有人能回电不",
    ],
)
async def test_a_request_for_a_person_or_a_call_back_opens_a_ticket(
    store: TicketStore, monkeypatch: pytest.MonkeyPatch, domain: Dict[str, Any], text: str
) -> None:
    _, message = await hand_over(store, monkeypatch, domain, text, MONDAY_10)
    assert "工单号" in message["text"] and len(store.list()) == 1


async def hand_over(
    store: TicketStore, monkeypatch: pytest.MonkeyPatch, domain: Dict[str, Any], text: str, now: datetime
) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """Run the hand-over action on ``text`` at ``now``; its events and its first message."""
    monkeypatch.setattr(handoff, "get_engine", lambda: store.engine)
    monkeypatch.setattr(handoff, "local_now", lambda *a: now)
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionHandoff().run(dispatcher, tracker_with([], {}, text=text), domain)
    return events, dispatcher.messages[0]
