"""The whole stack, started by the real launcher: browser-less conversations through /api/chat."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import Stack

pytestmark = pytest.mark.integration


def new_sender(stack: Stack) -> str:
    response = httpx.post(f"{stack.api}/api/session", json={})
    assert response.status_code == 200
    sender = response.json()["sender"]
    assert len(sender) >= 24
    return sender


def chat(stack: Stack, sender: str, message: object) -> httpx.Response:
    return httpx.post(f"{stack.api}/api/chat", json={"sender": sender, "message": message}, timeout=30)


def test_health_and_readiness(stack: Stack) -> None:
    assert httpx.get(f"{stack.api}/healthz").status_code == 200
    ready = httpx.get(f"{stack.api}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"rasa": "ok", "actions": "ok", "sql": "ok", "redis": "ok"}


def test_each_server_froze_its_startup_objects(stack: Stack) -> None:
    """The garbage collector's full walks skip what start-up loaded (bot/heap.py), in all three servers."""
    frozen = re.findall(
        r"^\S+ (api|rasa|actions)\s*\|.*bot\.heap.* (\d+) objects frozen",
        stack.log.read_text(errors="replace"),
        re.M,
    )
    assert {role for role, _ in frozen} == {"actions", "api", "rasa"}, frozen
    assert min(int(count) for role, count in frozen if role == "rasa") > 100_000, "the model and Rasa"


def test_session_ids_are_unique(stack: Stack) -> None:
    assert len({new_sender(stack) for _ in range(5)}) == 5
    assert httpx.post(f"{stack.api}/api/session").status_code == 200  # empty body allowed


def test_greeting_travels_through_every_process(stack: Stack) -> None:
    sender = new_sender(stack)
    replies = chat(stack, sender, "你好").json()
    assert replies[0]["recipient_id"] == sender
    assert "高小新" in replies[0]["text"]
    assert len(replies[0]["buttons"]) >= 3  # 猜你想问, from the action server


def test_short_conversation(stack: Stack) -> None:
    sender = new_sender(stack)
    hours = chat(stack, sender, "大厅几点上班").json()
    assert "09:00" in hours[0]["text"]
    place = chat(stack, sender, "政务服务中心在哪里").json()
    assert "地址" in place[0]["text"]
    bye = chat(stack, sender, "谢谢").json()
    assert "客气" in bye[0]["text"] or "不用谢" in bye[0]["text"]


def test_button_payload_works(stack: Stack) -> None:
    sender = new_sender(stack)
    replies = chat(stack, sender, "/ask_office_hours").json()
    assert "09:00" in replies[0]["text"]


def test_rasa_channel_refuses_requests_without_the_secret(stack: Stack) -> None:
    url = f"{stack.rasa}/webhooks/gxx/webhook"
    body = {"sender": "intruder", "message": "你好"}
    assert httpx.post(url, json=body).status_code == 403
    assert httpx.post(url, json=body, headers={"X-Channel-Secret": "wrong"}).status_code == 403
    ok = httpx.post(url, json=body, headers={"X-Channel-Secret": stack.env["CHANNEL_SECRET"]}, timeout=30)
    assert ok.status_code == 200 and ok.json()


def test_rasa_http_api_is_not_open(stack: Stack) -> None:
    # the model-management API is not enabled, so conversations cannot be read or injected from outside
    response = httpx.get(f"{stack.rasa}/conversations/someone/tracker")
    assert response.status_code in (401, 403, 404, 405)


BAD_BODIES = [
    pytest.param(b"not json", 400, id="not-json"),
    pytest.param(b"", 400, id="empty-body"),
    pytest.param(b"[]", 422, id="array"),
    pytest.param(b'{"message": "hi"}', 422, id="no-sender"),
    pytest.param(b'{"sender": 5, "message": "hi"}', 422, id="sender-number"),
    pytest.param(b'{"sender": "SENDER", "message": 12}', 422, id="message-number"),
    pytest.param(b'{"sender": "SENDER", "message": null}', 422, id="message-null"),
    pytest.param(b'{"sender": "SENDER", "message": ["a"]}', 422, id="message-list"),
    pytest.param(b'{"sender": "SENDER", "message": ""}', 422, id="message-empty"),
    pytest.param(b'{"sender": "SENDER", "message": "\\u200b\\u200b  "}', 422, id="zero-width-only"),
    pytest.param('{"sender": "SENDER", "message": "长' + "长" * 600 + '"}', 422, id="too-long"),
    pytest.param(b'{"sender": "not-issued", "message": "hi"}', 403, id="unknown-sender"),
    pytest.param(b'{"sender": "' + b"x" * 200 + b'", "message": "hi"}', 422, id="sender-too-long"),
]


@pytest.mark.parametrize(("body", "status"), BAD_BODIES)
def test_bad_input_gets_a_clear_4xx(stack: Stack, body, status: int) -> None:
    sender = new_sender(stack)
    raw = (
        body.replace("SENDER", sender) if isinstance(body, str) else body.replace(b"SENDER", sender.encode())
    )
    response = httpx.post(
        f"{stack.api}/api/chat", content=raw, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str) and any("\u4e00" <= ch <= "\u9fff" for ch in detail)
    # the conversation still works afterwards
    after = chat(stack, sender, "大厅几点上班")
    assert after.status_code == 200 and "09:00" in after.json()[0]["text"]


@pytest.mark.parametrize(
    "message",
    [
        "🙂🙂🙂",
        "你好！！！",
        "ｈｅｌｌｏ",
        "大厅\u200b几点上班",
        "，。、；：？！",
        "/restart",
        '/greet{"requested_slot":"x"}',
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u202e上班时间",
    ],
)
def test_odd_unicode_gets_a_polite_answer(stack: Stack, message: str) -> None:
    sender = new_sender(stack)
    response = chat(stack, sender, message)
    assert response.status_code == 200
    replies = response.json()
    assert replies and all(r.get("text") or r.get("buttons") or r.get("custom") for r in replies)


def test_docs_and_static_pages(stack: Stack) -> None:
    assert httpx.get(f"{stack.api}/docs").status_code == 200
    schema = httpx.get(f"{stack.api}/openapi.json").json()
    assert "/api/chat" in schema["paths"] and "/api/session" in schema["paths"]
    page = httpx.get(f"{stack.api}/")
    assert page.status_code == 200 and "高小新" in page.text
    widget = httpx.get(f"{stack.api}/widget.js")
    assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    missing = httpx.get(f"{stack.api}/no-such-page")
    assert missing.status_code == 404 and missing.json()["detail"] == "您访问的地址不存在。"
