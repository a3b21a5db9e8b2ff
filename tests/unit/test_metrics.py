"""Metrics, request ids, JSON logs and the public edge of the api (real Redis, a stand-in for Rasa)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.metrics import FALLBACK_TEXTS, REGISTRY
from api.rasa_client import RasaUnavailableError
from api.security import client_address, parse_networks
from bot.channel import SERVICE_APOLOGY
from bot.logs import REQUEST_ID, JsonFormatter, RequestIdFilter
from bot.pii import PiiMaskingFilter
from bot.settings import Settings
from tests.conftest import free_port


class StandInRasa:
    """Answers each turn with the next prepared replies, and remembers the metadata it got."""

    def __init__(self) -> None:
        self.replies: List[Any] = []
        self.metadata: List[Dict[str, Any]] = []

    async def send(self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None) -> Any:
        self.metadata.append(dict(metadata or {}))
        answer = self.replies.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return [{"recipient_id": sender, **r} for r in answer]

    async def ping(self) -> None:
        return None


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture()
def settings(redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'metrics.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        action_url=f"http://127.0.0.1:{free_port()}",
    )


def test_turn_outcomes_bookings_and_request_id_are_counted(settings: Settings) -> None:
    rasa = StandInRasa()
    before = {
        o: value("gxx_chat_turns_total", outcome=o)
        for o in ("answered", "fallback", "apology", "unavailable")
    }
    bookings = value("gxx_bookings_total")
    with TestClient(create_app(settings)) as client:
        client.app.state.rasa = rasa  # type: ignore[attr-defined]
        sender = client.post("/api/session").json()["sender"]
        rasa.replies = [
            [{"text": "已为您预约", "custom": {"type": "booking", "code": "ABC123"}}],
            [{"text": next(iter(FALLBACK_TEXTS))}],
            [{"text": SERVICE_APOLOGY}],
            RasaUnavailableError("down"),
        ]
        first = client.post(
            "/api/chat", json={"sender": sender, "message": "约一下"}, headers={"X-Request-ID": "turn-0001"}
        )
        assert first.status_code == 200 and first.headers["X-Request-ID"] == "turn-0001"
        assert rasa.metadata[0]["request_id"] == "turn-0001"
        assert client.post("/api/chat", json={"sender": sender, "message": "啊"}).status_code == 200
        assert client.post("/api/chat", json={"sender": sender, "message": "查"}).status_code == 200
        down = client.post("/api/chat", json={"sender": sender, "message": "你好"})
        assert down.status_code == 503 and "12345" in down.json()["detail"]
        assert len(rasa.metadata[1]["request_id"]) == 32  # a new id when the caller sent none
        text = client.get("/metrics").text
    assert "gxx_http_request_duration_seconds_bucket" in text and "gxx_chat_turn_duration_seconds" in text
    for outcome in before:
        assert value("gxx_chat_turns_total", outcome=outcome) == before[outcome] + 1, outcome
    assert value("gxx_bookings_total") == bookings + 1
    assert value("gxx_http_requests_total", method="POST", route="/api/chat", status="503") >= 1


def test_metrics_need_the_token_when_one_is_set(settings: Settings) -> None:
    settings.metrics_token = "scrape-me"
    with TestClient(create_app(settings)) as client:
        assert client.get("/metrics").status_code == 403
        ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert ok.status_code == 200 and "gxx_errors_total" in ok.text
    with TestClient(create_app(settings.copy(update={"metrics_token": ""})), client=("1.2.3.4", 1)) as c:
        assert c.get("/metrics").status_code == 403  # a public address without a token


def test_json_logs_carry_the_request_id_and_mask_personal_data() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiMaskingFilter())
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("gxx.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    token = REQUEST_ID.set("turn-42")
    try:
        logger.warning("booking for %s", "13867905678")
    finally:
        REQUEST_ID.reset(token)
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["request_id"] == "turn-42" and entry["level"] == "WARNING"
    assert "13867905678" not in entry["message"] and "5678" in entry["message"]


def test_client_address_believes_only_trusted_proxies() -> None:
    proxies = parse_networks("10.0.0.0/8, 127.0.0.1, not-an-address")
    assert len(proxies) == 2
    assert client_address("10.1.2.3", "198.51.100.7", proxies) == "198.51.100.7"
    assert client_address("10.1.2.3", "1.1.1.1, 198.51.100.7, 10.0.0.5", proxies) == "198.51.100.7"
    assert client_address("203.0.113.4", "198.51.100.7", proxies) == "203.0.113.4"  # not a proxy
    assert client_address("10.1.2.3", "198.51.100.7", []) == "10.1.2.3"  # none configured


def test_edge_headers_body_limit_and_rate_limit(settings: Settings) -> None:
    settings.client_requests_per_minute = 3
    settings.max_body_bytes = 2048
    settings.trusted_proxies = "203.0.113.1"
    with TestClient(create_app(settings), client=("203.0.113.1", 1)) as client:
        health = client.get("/healthz")
        assert "default-src 'none'" in health.headers["Content-Security-Policy"]
        assert health.headers["X-Content-Type-Options"] == "nosniff"
        assert health.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in health.headers
        tls = client.get(
            "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"}
        )
        assert tls.headers["Strict-Transport-Security"].startswith("max-age=")
        page = client.get("/")
        assert "default-src 'none'" not in page.headers.get("Content-Security-Policy", "")
        big = client.post(
            "/api/session", content=b"{" + b" " * 4096 + b"}", headers={"Content-Type": "application/json"}
        )
        assert big.status_code == 413 and "太大" in big.json()["detail"]
        citizen = {"X-Forwarded-For": "198.51.100.2"}
        statuses = [client.post("/api/session", headers=citizen).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        other = client.post("/api/session", headers={"X-Forwarded-For": "198.51.100.3"})
        assert other.status_code == 200  # each citizen has a window of their own


async def test_the_action_server_logs_each_action_under_the_turns_request_id(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import rasa_sdk.executor as executor
    import rasa_sdk.interfaces as interfaces
    from rasa_sdk import Action

    from bot import logs

    # undone after the test: the patches below are installed on rasa_sdk's classes
    monkeypatch.setattr(interfaces.Tracker, "from_dict", interfaces.Tracker.__dict__["from_dict"])
    monkeypatch.setattr(
        executor.ActionExecutor, "validate_events", executor.ActionExecutor.__dict__["validate_events"]
    )
    monkeypatch.setattr(interfaces.Tracker, "_gxx_request_id", False, raising=False)
    logs._bind_request_ids_in_action_server()
    seen: List[str] = []

    class Probe(Action):
        def name(self) -> str:
            return "action_probe"

        async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> List[Dict[str, Any]]:
            seen.append(REQUEST_ID.get())
            return []

    runner = executor.ActionExecutor()
    runner.register_action(Probe())
    call = {
        "next_action": "action_probe",
        "tracker": {
            "sender_id": "s",
            "slots": {},
            "events": [],
            "latest_message": {"metadata": {"request_id": "rid-0042"}},
        },
        "domain": {},
    }
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="gxx.actions"):
        await runner.run(call)
    assert seen == ["rid-0042"]
    assert any(r.getMessage() == "ran action_probe" and r.request_id == "rid-0042" for r in caplog.records)
