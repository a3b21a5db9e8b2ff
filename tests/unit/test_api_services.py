"""Public catalogue and slot endpoints on the real app (real SQLite, real Redis, the hall's real rules)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Iterator, cast
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from bot import pii
from bot.appointments import BookingService
from bot.appointments.store import slot_usage
from bot.catalogue import get_catalogue
from bot.settings import Settings
from tests.conftest import Clock

MONDAY = datetime(2026, 9, 28, 10, 0)  # bookable: 9-29, 9-30, 10-8, 10-9, 10-10 (调休 Saturday)
TUESDAY = date(2026, 9, 29)
COMPANY = "开办企业一件事"
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def client(redis_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        redis_url=redis_url, database_url=f"sqlite:///{tmp_path / 'api.db'}", pii_key="services-test-key"
    )
    with TestClient(create_app(settings)) as test_client:
        bookings(test_client).clock = Clock(MONDAY)
        yield test_client


def bookings(client: TestClient) -> BookingService:
    return cast(FastAPI, client.app).state.bookings


def slots(client: TestClient, item: str, day: str) -> dict:
    response = client.get(f"/api/services/{quote(item)}/slots", params={"date": day})
    assert response.status_code == 200, response.text
    return response.json()


def test_services_lists_the_whole_catalogue(client: TestClient) -> None:
    response = client.get("/api/services")
    assert response.status_code == 200
    items = {entry["id"]: entry for entry in response.json()}
    catalogue = get_catalogue()
    assert set(items) == {item.id for item in catalogue}
    for item in catalogue:
        entry = items[item.id]
        assert entry["name"] == item.name
        assert entry["category"] in ("个人", "企业")
        expected = bool(item.appointment and bookings(client).config.windows_for(item.name))
        assert entry["appointment"] is expected
    assert items["enterprise_opening"] == {
        "id": "enterprise_opening",
        "name": COMPANY,
        "category": "企业",
        "appointment": True,
    }


def test_open_day_lists_every_slot_of_every_window_serving_the_item(client: TestClient) -> None:
    config = bookings(client).config
    windows = config.windows_for(COMPANY)
    body = slots(client, "enterprise_opening", TUESDAY.isoformat())
    assert body["item"] == COMPANY and body["date"] == "2026-09-29"
    assert body["bookable"] is True and body["reason"] is None
    expected = [
        {
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "window": window.number,
            "remaining": config.capacity(window),
        }
        for start, end in config.slots()
        for window in windows
    ]
    assert body["slots"] == expected
    assert body["nearest_days"] == ["2026-09-29", "2026-09-30", "2026-10-08"]


def test_item_by_canonical_name_and_remaining_places_follow_bookings(client: TestClient) -> None:
    first17 = "41010219900101001"
    booked = bookings(client).book(
        item_name=COMPANY,
        day=TUESDAY,
        slot_start=datetime(2026, 9, 29, 9, 30).time(),
        name="张三",
        phone="13900000001",
        id_number=first17 + pii.id_check_char(first17),
    )
    body = slots(client, COMPANY, TUESDAY.isoformat())
    config = bookings(client).config
    by_key = {(s["start"], s["window"]): s["remaining"] for s in body["slots"]}
    window = config.window(booked.window_number)
    assert window is not None
    assert by_key[("09:30", booked.window_number)] == config.capacity(window) - 1
    assert by_key[("09:00", booked.window_number)] == config.capacity(window)
    text = str(body)
    assert "张" not in text and "13900000001" not in text and booked.code not in text


def test_a_full_day_is_not_bookable(client: TestClient) -> None:
    config = bookings(client).config
    rows = [
        {"window_number": w.number, "day": TUESDAY, "slot_start": start, "used": config.capacity(w)}
        for w in config.windows_for(COMPANY)
        for start in config.slot_starts()
    ]
    with cast(FastAPI, client.app).state.engine.begin() as connection:
        connection.execute(slot_usage.insert(), rows)
    body = slots(client, COMPANY, TUESDAY.isoformat())
    assert body["bookable"] is False and body["slots"] == []
    assert "约满" in body["reason"]
    assert body["nearest_days"] == ["2026-09-30", "2026-10-08"]


@pytest.mark.parametrize(
    ("day", "reason_part"),
    [
        ("2026-10-03", "国庆节"),
        ("2026-10-17", "周末"),
        ("2026-09-25", "过去"),
        ("2026-09-28", "当天不可预约"),
        ("2026-10-20", "超过可预约范围"),
        ("9999-12-31", "超过可预约范围"),
    ],
)
def test_closed_days_answer_200_with_the_reason_and_the_nearest_days(
    client: TestClient, day: str, reason_part: str
) -> None:
    body = slots(client, COMPANY, day)
    assert body["bookable"] is False and body["slots"] == []
    assert reason_part in body["reason"]
    assert body["nearest_days"] == ["2026-09-29", "2026-09-30", "2026-10-08"]
    assert "9月29日" in body["message"] and body["message"].startswith("抱歉")


@pytest.mark.parametrize("item", ["no_such_item", "不存在的事项", "x" * 100])
def test_unknown_item_is_404_in_chinese(client: TestClient, item: str) -> None:
    response = client.get(f"/api/services/{quote(item)}/slots", params={"date": "2026-09-29"})
    assert response.status_code == 404
    assert "未找到事项" in response.json()["detail"]


@pytest.mark.parametrize("day", ["2026-13-01", "2026-02-30", "tomorrow", "2026-9-29", "20260929", " "])
def test_bad_date_is_422_in_chinese(client: TestClient, day: str) -> None:
    response = client.get("/api/services/enterprise_opening/slots", params={"date": day})
    assert response.status_code == 422
    assert "日期格式不正确" in response.json()["detail"]


def test_missing_date_is_422_in_chinese(client: TestClient) -> None:
    response = client.get("/api/services/enterprise_opening/slots")
    assert response.status_code == 422
    assert HAN.search(response.json()["detail"]) and "date" in response.json()["detail"]


def test_openapi_lists_the_public_paths(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "get" in paths["/api/services"]
    assert "get" in paths["/api/services/{item}/slots"]
    assert "security" not in paths["/api/services/{item}/slots"]["get"]
