"""Chat admission: only issued sessions, and a per-session rate limit (real Redis, Rasa absent)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
import redis
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.chat import MESSAGES_PER_MINUTE
from api.sessions import KEY_PREFIX
from bot.settings import Settings
from tests.conftest import free_port


def test_rate_limit_per_session(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'chat.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
    )
    with TestClient(create_app(settings)) as client:
        sender = client.post("/api/session").json()["sender"]
        other = client.post("/api/session").json()["sender"]
        statuses = [
            client.post("/api/chat", json={"sender": sender, "message": "你好"}).status_code
            for _ in range(MESSAGES_PER_MINUTE + 1)
        ]
        assert statuses[:-1] == [503] * MESSAGES_PER_MINUTE  # admitted; Rasa is deliberately absent
        assert statuses[-1] == 429
        limited = client.post("/api/chat", json={"sender": sender, "message": "你好"})
        assert "太快" in limited.json()["detail"]
        assert client.post("/api/chat", json={"sender": other, "message": "你好"}).status_code == 503
        assert client.post("/api/chat", json={"sender": "forged", "message": "你好"}).status_code == 403


@pytest.mark.parametrize("configured", [None, 5])
def test_too_many_new_sessions_from_one_address_are_told_when_to_come_back(
    redis_url: str, tmp_path: Path, configured: Optional[int]
) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'chat.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        **({} if configured is None else {"sessions_per_minute": configured}),
    )
    limit = settings.sessions_per_minute
    assert limit == (300 if configured is None else configured)
    # the address's window, emptied before and after: the other tests share this Redis and address
    window = redis.Redis.from_url(redis_url)
    bucket = f"{KEY_PREFIX}:rate:session-ip:testclient"
    window.delete(bucket)
    try:
        with TestClient(create_app(settings)) as client:
            statuses = [client.post("/api/session").status_code for _ in range(limit)]
            assert statuses == [200] * limit
            refused = client.post("/api/session")
            assert refused.status_code == 429 and "频繁" in refused.json()["detail"]
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
    finally:
        window.delete(bucket)
        window.close()


def test_sessions_per_minute_zero_turns_the_limit_off(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'chat.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        sessions_per_minute=0,
    )
    # the address has already used up any minute's worth of sessions
    window = redis.Redis.from_url(redis_url)
    bucket = f"{KEY_PREFIX}:rate:session-ip:testclient"
    window.set(bucket, 10**6, ex=60)
    try:
        with TestClient(create_app(settings)) as client:
            senders = [client.post("/api/session").json().get("sender") for _ in range(5)]
            assert all(senders) and len(set(senders)) == 5
    finally:
        window.delete(bucket)
        window.close()


def test_redis_away_is_a_503_in_chinese_not_a_crash(redis_url: str, tmp_path: Path) -> None:
    """Sessions live in Redis: while it restarts the api says so (the fault test restarts a real one)."""
    settings = Settings(
        redis_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        database_url=f"sqlite:///{tmp_path / 'chat.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for response in (
            client.post("/api/session"),
            client.post("/api/chat", json={"sender": "x" * 32, "message": "你好"}),
        ):
            assert response.status_code == 503, response.text
            assert "12345" in response.json()["detail"] and response.headers["Retry-After"] == "5"
