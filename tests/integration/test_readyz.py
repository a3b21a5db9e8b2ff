"""Readiness names exactly what is down (real Redis and SQLite; Rasa and actions deliberately absent)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from bot.settings import Settings
from tests.conftest import free_port


def test_readyz_names_the_failed_dependencies(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'ready.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        action_url=f"http://127.0.0.1:{free_port()}",
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["actions", "rasa"]
    assert body["checks"]["sql"] == "ok" and body["checks"]["redis"] == "ok"


def test_readyz_reports_redis_down(tmp_path: Path) -> None:
    settings = Settings(
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        database_url=f"sqlite:///{tmp_path / 'ready.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        action_url=f"http://127.0.0.1:{free_port()}",
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and "redis" in response.json()["failed"]


def test_unknown_sender_and_rasa_down_are_not_5xx_for_bad_input(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
    )
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/chat", json={"sender": "forged", "message": "你好"}).status_code == 403
        sender = client.post("/api/session").json()["sender"]
        down = client.post("/api/chat", json={"sender": sender, "message": "你好"})
        assert down.status_code == 503 and "12345" in down.json()["detail"]
