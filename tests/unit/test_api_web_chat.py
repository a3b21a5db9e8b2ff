"""The web chat's api: history, idempotency, QR codes, signed users, ratings, tickets, headers.

Real Redis and SQLite; Rasa is replaced by a scripted stand-in on ``app.state.rasa``.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from fastapi.testclient import TestClient

from api.host_user import sign_user
from api.main import create_app
from api.routes.web import WEB_DIR
from bot.settings import Settings
from tests.conftest import free_port

ADMIN = {"Authorization": "Bearer admin-token-for-tests"}
SECRET = "host-secret-for-tests"


class ScriptedRasa:
    """Answers every message from a script and counts the calls."""

    def __init__(self) -> None:
        self.calls: List[str] = []
        self.next: List[Dict[str, Any]] = []

    async def send(self, sender: str, text: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        self.calls.append(text)
        return [dict(r, recipient_id=sender) for r in self.next] or [{"recipient_id": sender, "text": "好的"}]


@pytest.fixture
def app_client(redis_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, ScriptedRasa]]:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        admin_token="admin-token-for-tests",
        host_signing_secret=SECRET,
        allowed_origins="https://app.zhenghaoban.example,http://localhost:*",
    )
    rasa = ScriptedRasa()
    with TestClient(create_app(settings)) as client:
        client.app.state.rasa = rasa  # type: ignore[attr-defined]
        yield client, rasa


def new_sender(client: TestClient) -> str:
    return str(client.post("/api/session", json={}).json()["sender"])


def test_a_resent_message_is_answered_once(app_client: tuple[TestClient, ScriptedRasa]) -> None:
    client, rasa = app_client
    sender = new_sender(client)
    body = {"sender": sender, "message": "大厅几点上班", "message_id": "m-0000000001"}
    first = client.post("/api/chat", json=body)
    again = client.post("/api/chat", json=body)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert rasa.calls == ["大厅几点上班"]
    other = client.post("/api/chat", json={**body, "message_id": "m-0000000002"})
    assert other.status_code == 200 and len(rasa.calls) == 2
    assert client.post("/api/chat", json={**body, "message_id": "bad id!"}).status_code == 422


def test_history_is_masked_and_survives_a_reload(app_client: tuple[TestClient, ScriptedRasa]) -> None:
    client, rasa = app_client
    sender = new_sender(client)
    rasa.next = [{"text": "请输入预约人的姓名（需与身份证一致）。"}]
    client.post("/api/chat", json={"sender": sender, "message": "预约", "message_id": "m-1000000001"})
    rasa.next = [{"text": "请输入手机号码"}]
    client.post("/api/chat", json={"sender": sender, "message": "李明华", "message_id": "m-1000000002"})
    rasa.next = [{"text": "好的"}]
    client.post("/api/chat", json={"sender": sender, "message": "13867905678", "message_id": "m-1000000003"})
    client.post("/api/chat", json={"sender": sender, "message": "/greet", "display": "你好"})
    messages = client.post("/api/history", json={"sender": sender}).json()["messages"]
    mine = [m["text"] for m in messages if m["role"] == "me"]
    assert mine == ["预约", "李**", "138****5678", "你好"]
    assert "13867905678" not in str(messages) and "李明华" not in str(messages)
    assert client.post("/api/history", json={"sender": "not-a-session"}).status_code == 403


def test_booking_card_gets_a_qr_code(app_client: tuple[TestClient, ScriptedRasa]) -> None:
    client, rasa = app_client
    sender = new_sender(client)
    rasa.next = [
        {
            "text": "预约成功！预约号 ABCD2345",
            "custom": {
                "type": "booking",
                "code": "ABCD2345",
                "links": [{"title": "x", "url": "javascript:alert(1)"}],
            },
        }
    ]
    reply = client.post("/api/chat", json={"sender": sender, "message": "确认"}).json()
    custom = reply[0]["custom"]
    assert custom["qr"].startswith("data:image/svg+xml")
    assert custom["links"] == []  # only http(s) links reach the page
    history = client.post("/api/history", json={"sender": sender}).json()["messages"]
    assert history[-1]["custom"]["qr"] == custom["qr"]


def test_signed_users(app_client: tuple[TestClient, ScriptedRasa]) -> None:
    client, _ = app_client
    expires = int(time.time()) + 600
    good = {"user": "zhb-10086", "expires": expires, "signature": sign_user("zhb-10086", expires, SECRET)}
    ok = client.post("/api/session", json=good)
    assert ok.status_code == 200 and ok.json()["user"] == "zhb-10086"
    forged = client.post("/api/session", json={**good, "signature": sign_user("zhb-10086", expires, "wrong")})
    assert forged.status_code == 403 and "签名" in forged.json()["detail"]
    other_user = client.post("/api/session", json={**good, "user": "zhb-10087"})
    assert other_user.status_code == 403
    past = int(time.time()) - 5
    expired = client.post(
        "/api/session",
        json={"user": "zhb-10086", "expires": past, "signature": sign_user("zhb-10086", past, SECRET)},
    )
    assert expired.status_code == 401 and "过期" in expired.json()["detail"]
    assert client.post("/api/session", json={**good, "signature": "xyz"}).status_code == 400


def test_ratings_and_a_poor_rating_becomes_a_ticket(app_client: tuple[TestClient, ScriptedRasa]) -> None:
    client, rasa = app_client
    sender = new_sender(client)
    client.post("/api/chat", json={"sender": sender, "message": "我的手机13867905678，退休要带什么"})
    good = client.post(
        "/api/rating",
        json={"sender": sender, "level": 5, "item": "退休一件事", "topic": "guide", "context": "g1"},
    )
    assert good.status_code == 201 and good.json()["label"] == "非常满意" and "ticket" not in good.json()
    assert client.post("/api/rating", json={"sender": sender, "level": 5, "context": "g1"}).status_code == 409
    no_reason = client.post("/api/rating", json={"sender": sender, "level": "不满意", "context": "g2"})
    assert no_reason.status_code == 422
    poor = client.post(
        "/api/rating",
        json={
            "sender": sender,
            "level": "不满意",
            "item": "退休一件事",
            "context": "g2",
            "comment": "材料写得不清楚",
        },
    )
    assert poor.status_code == 201
    number = poor.json()["ticket"]
    assert number
    assert client.post("/api/rating", json={"sender": "nobody", "level": 5}).status_code == 403
    assert client.post("/api/rating", json={"sender": sender, "level": 9, "context": "g3"}).status_code == 422

    assert client.get("/api/admin/tickets").status_code == 401
    tickets = client.get("/api/admin/tickets", headers=ADMIN).json()
    ticket = next(t for t in tickets if t["number"] == number)
    assert ticket["kind"] == "rating" and "材料写得不清楚" in ticket["note"]
    assert "138****5678" in str(ticket["transcript"]) and "13867905678" not in str(ticket["transcript"])

    summary = client.get("/api/admin/ratings", headers=ADMIN).json()
    row = next(d for d in summary["days"] if d["item"] == "退休一件事")
    assert row["count"] == 2 and row["by_level"]["非常满意"] == 1 and row["by_level"]["不满意"] == 1
    assert row["poor"] == 1 and row["satisfied_share"] == 0.5

    taken = client.post(f"/api/admin/tickets/{number}/take", headers=ADMIN)
    assert taken.status_code == 200 and taken.json()["status"] == "taken"
    answered = client.post(
        f"/api/admin/tickets/{number}/answer", headers=ADMIN, json={"answer": "已更新材料说明"}
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    history = client.post("/api/history", json={"sender": sender}).json()["messages"]
    assert history[-1]["role"] == "staff" and history[-1]["text"] == "已更新材料说明"
    closed = client.post(f"/api/admin/tickets/{number}/close", headers=ADMIN)
    assert closed.json()["status"] == "closed"
    assert (
        client.post(f"/api/admin/tickets/{number}/answer", headers=ADMIN, json={"answer": "x"}).status_code
        == 409
    )
    assert client.get("/api/admin/tickets/RGNOSUCH", headers=ADMIN).status_code == 404


def test_pages_carry_a_strict_policy_and_cors_follows_the_list(
    app_client: tuple[TestClient, ScriptedRasa],
) -> None:
    client, _ = app_client
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'self' https://app.zhenghaoban.example http://localhost:*" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "<script>" not in page.text  # no inline script: everything is in /static/chat.js
    assert client.get("/static/chat.js").status_code == 200
    assert client.get("/static/../main.py").status_code == 404
    assert client.get("/demo/zhenghaoban").status_code == 200
    allowed = client.options(
        "/api/session",
        headers={"Origin": "https://app.zhenghaoban.example", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers.get("access-control-allow-origin") == "https://app.zhenghaoban.example"
    refused = client.options(
        "/api/session", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in refused.headers


def test_widget_is_small() -> None:
    size = len(gzip.compress((WEB_DIR / "widget.js").read_bytes(), 9))
    assert size < 30 * 1024, size


def test_a_poor_rating_of_an_faq_answer_puts_its_question_on_the_unanswered_list(
    app_client: tuple[TestClient, ScriptedRasa],
) -> None:
    client, rasa = app_client
    sender = new_sender(client)
    card = {"type": "faq", "id": "fuyin", "title": "复印", "source": "样例", "last_checked": "2026-11-01"}
    choices = [{"title": "大厅可以复印吗", "payload": "/faq"}, {"title": "大厅能停车吗", "payload": "/faq"}]
    rasa.next = [{"text": "您是不是想问：", "buttons": choices}]
    client.post("/api/chat", json={"sender": sender, "message": "我手机13867905678 大厅哪里能复印身份证"})
    rasa.next = [{"text": "一楼自助区可以复印。", "custom": card}]
    tapped = {"sender": sender, "message": "/faq", "display": "大厅可以复印吗"}
    assert client.post("/api/chat", json=tapped).status_code == 200
    rasa.next = []
    client.post("/api/chat", json={"sender": sender, "message": "谢谢"})

    unanswered = "/api/admin/unanswered"
    guide = {"sender": sender, "level": 1, "topic": "guide", "context": "guide:tuixiu", "comment": "太慢"}
    assert client.post("/api/rating", json=guide).status_code == 201
    assert client.get(unanswered, headers=ADMIN).json()["groups"] == []  # a guide's rating stays a ticket
    forged = {"sender": sender, "level": 1, "topic": "faq", "context": "faq:13867905678", "comment": "差"}
    assert client.post("/api/rating", json=forged).status_code == 201
    assert client.get(unanswered, headers=ADMIN).json()["groups"] == []  # no such answer in the chat

    poor = {"sender": sender, "level": 2, "topic": "faq", "context": "faq:fuyin", "comment": "答非所问"}
    assert client.post("/api/rating", json=poor).status_code == 201
    rows = client.get(unanswered, headers=ADMIN).json()["groups"]
    assert len(rows) == 1
    # the typed question, not the tapped choice nor the later 谢谢; masked
    assert rows[0]["text"] == "我手机138****5678 大厅哪里能复印身份证"
    assert rows[0]["reason"] == "poor_rating" and rows[0]["reason_text"] == "已回答，但市民评价不满意"
    assert rows[0]["best_match"] == "fuyin"
    other = new_sender(client)
    rasa.next = [{"text": "一楼自助区可以复印。", "custom": card}]
    client.post("/api/chat", json={"sender": other, "message": "复印在哪"})
    good = {"sender": other, "level": 5, "topic": "faq", "context": "faq:fuyin"}
    assert client.post("/api/rating", json=good).status_code == 201
    assert len(client.get(unanswered, headers=ADMIN).json()["groups"]) == 1
