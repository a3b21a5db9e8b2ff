"""Retention purge, and a citizen's booking data exported and erased on request (SQLite, real migrations)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from api.main import create_app
from bot import pii
from bot.appointments.store import appointments, slot_usage
from bot.db import make_engine, run_migrations
from bot.ratings import ratings
from bot.retention import RetentionPolicy, erase_person, export_person, main, purge
from bot.settings import Settings
from bot.tickets import tickets
from bot.unanswered import unanswered_questions
from tests.conftest import free_port

KEY = "retention-test-key"
NOW = datetime(2026, 11, 30, 12, 0)
PHONE, OTHER_PHONE = "13867905678", "13900001111"
ID_NUMBER = "11010519491231002X"


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'retention.db'}"
    engine = make_engine(url)
    run_migrations(url, engine)
    return engine


def add_appointment(engine: Engine, code: str, day: date, phone: str = PHONE, status: str = "booked") -> None:
    with engine.begin() as c:
        c.execute(
            insert(appointments).values(
                confirmation_code=code,
                item_id="retire",
                item_name="退休一件事",
                window_number="A1",
                day=day,
                slot_start=time(9, 0),
                status=status,
                name_masked="张*",
                phone_hash=pii.keyed_hash(phone, KEY),
                phone_masked=pii.mask_mobile(phone),
                id_hash=pii.keyed_hash(ID_NUMBER if phone == PHONE else "x" + code, KEY),
                id_masked="110105********002X",
                created_at=datetime.combine(day, time(8)) - timedelta(days=3),
                updated_at=datetime.combine(day, time(8)) - timedelta(days=3),
            )
        )
        if status == "booked":
            c.execute(insert(slot_usage).values(window_number="A1", day=day, slot_start=time(9, 0), used=1))


def add_ticket(engine: Engine, number: str, created: datetime, closed: Any) -> None:
    with engine.begin() as c:
        c.execute(
            insert(tickets).values(
                number=number,
                kind="handoff",
                status="closed" if closed else "open",
                session_id="s",
                within_hours=True,
                transcript="[]",
                created_at=created,
                closed_at=closed,
            )
        )


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def test_purge_deletes_only_records_past_their_period(engine: Engine) -> None:
    add_appointment(engine, "OLD001", NOW.date() - timedelta(days=200), status="checked_in")
    add_appointment(engine, "NEW001", NOW.date() - timedelta(days=10), status="checked_in")
    add_ticket(engine, "T1", NOW - timedelta(days=500), NOW - timedelta(days=400))  # closed long ago
    add_ticket(engine, "T2", NOW - timedelta(days=500), NOW - timedelta(days=30))  # closed recently
    add_ticket(engine, "T3", NOW - timedelta(days=800), None)  # never closed, past twice the period
    with engine.begin() as c:
        for key, seen in (("old", NOW - timedelta(days=100)), ("new", NOW - timedelta(days=1))):
            c.execute(
                insert(unanswered_questions).values(
                    group_key=key,
                    text_masked=key,
                    count=1,
                    first_seen=seen,
                    last_seen=seen,
                    examples=[],
                    status="open",
                )
            )
        for days in (800, 5):
            c.execute(
                insert(ratings).values(
                    day=NOW.date(), item="", level=5, created_at=NOW - timedelta(days=days)
                )
            )
    policy = RetentionPolicy()
    expected = {"appointments": 1, "tickets": 2, "unanswered": 1, "ratings": 1}
    assert purge(engine, policy, now=NOW, dry_run=True) == expected
    assert count(engine, appointments) == 2  # a dry run deletes nothing
    assert purge(engine, policy, now=NOW) == expected
    with engine.connect() as c:
        assert c.execute(select(appointments.c.confirmation_code)).scalars().all() == ["NEW001"]
        assert c.execute(select(tickets.c.number)).scalars().all() == ["T2"]
    assert count(engine, unanswered_questions) == 1 and count(engine, ratings) == 1
    assert purge(engine, policy, now=NOW) == dict.fromkeys(expected, 0)


def test_export_and_erase_one_person(engine: Engine) -> None:
    day = NOW.date() + timedelta(days=3)
    add_appointment(engine, "MINE01", day)
    add_appointment(engine, "THEIRS", day + timedelta(days=1), phone=OTHER_PHONE)
    found = export_person(engine, pii_key=KEY, phone="138 6790 5678")
    assert [r["confirmation_code"] for r in found] == ["MINE01"]
    assert found[0]["phone_masked"] == "138****5678" and PHONE not in str(found)
    assert export_person(engine, pii_key=KEY, id_number=ID_NUMBER)[0]["confirmation_code"] == "MINE01"
    assert export_person(engine, pii_key=KEY, phone=PHONE, id_number="110105198001010016") == []
    with pytest.raises(ValueError):
        export_person(engine, pii_key=KEY)
    assert erase_person(engine, pii_key=KEY, phone=PHONE) == 1
    with engine.connect() as c:
        assert c.execute(select(appointments.c.confirmation_code)).scalars().all() == ["THEIRS"]
        used = c.execute(select(slot_usage.c.used).where(slot_usage.c.day == day)).scalar_one()
    assert used == 0  # the place is free again


def test_staff_endpoints_need_the_roles_and_never_echo_personal_data(
    engine: Engine, redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'retention.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        pii_key=KEY,
        admin_token="admin-token-for-tests",
    )
    add_appointment(engine, "MINE01", NOW.date() + timedelta(days=3))
    admin = {"Authorization": "Bearer admin-token-for-tests"}
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/admin/privacy/export", json={"phone": PHONE}).status_code == 401
        exported = client.post("/api/admin/privacy/export", json={"phone": PHONE}, headers=admin)
        assert exported.status_code == 200 and PHONE not in exported.text
        assert exported.json()["appointments"][0]["confirmation_code"] == "MINE01"
        bad = client.post("/api/admin/privacy/export", json={"phone": "12"}, headers=admin)
        assert bad.status_code == 422
        erased = client.post("/api/admin/privacy/erase", json={"phone": PHONE}, headers=admin)
        assert erased.json() == {"deleted": 1}
    assert PHONE not in caplog.text


def test_command_prints_the_counts(engine: Engine, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'retention.db'}")
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        assert main(["--dry-run"]) == 0
    finally:
        get_settings.cache_clear()
    assert "将删除：预约 0 条" in capsys.readouterr().out
