"""The staff API for FAQ entries, unanswered questions, the audit log and sign-in, on the real app.

Real SQLite and a real Redis (the ``redis_url`` fixture); the app is started with its lifespan, so
migrations and the seed import run as in production.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, Iterator, List, Tuple, cast

import pytest
import redis
import yaml
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.staff_auth import LOGIN_ATTEMPTS_PER_MINUTE
from api.sessions import KEY_PREFIX
from api.staff_sessions import CSRF_HEADER, SESSION_COOKIE
from bot.faq import FaqStore
from bot.settings import Settings
from bot.staff import PasswordSignIn
from bot.unanswered import UnansweredStore

ADMIN_TOKEN = "faq-admin-token-for-tests-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
HAN = re.compile(r"[\u4e00-\u9fff]")
PASSWORD = "Gaoxin-2026-staff"

SEED = [
    {
        "id": "office_hours_seed",
        "title": "大厅办公时间",
        "questions": ["大厅几点开门", "周末上班吗"],
        "answer": "工作日 9:00—17:00。",
        "source": "样例",
        "last_checked": "2026-11-30",
    },
    {
        "id": "parking_seed",
        "title": "停车",
        "questions": ["大厅能停车吗", "停车场在哪"],
        "answer": "大厅东侧有免费停车场。",
        "source": "样例",
        "last_checked": "2026-11-30",
    },
]


def write_seed(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for entry in SEED:
        (folder / f"{entry['id']}.yml").write_text(
            yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8"
        )


def auth(token: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write_seed(folder / "faq")
    return folder


@pytest.fixture
def client(redis_url: str, tmp_path: Path, data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'faq.db'}",
        admin_token=ADMIN_TOKEN,
        pii_key="faq-test-key",
        data_dir=data_dir,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def create_staff(client: TestClient, username: str, role: str) -> str:
    response = client.post(
        "/api/admin/staff",
        json={"username": username, "display_name": "测试人员", "role": role},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


@pytest.fixture
def tokens(client: TestClient) -> Dict[str, str]:
    return {role: create_staff(client, f"{role}1", role) for role in ("viewer", "staff", "admin")}


def new_entry(client: TestClient, headers: Dict[str, str], **body: object) -> Dict[str, object]:
    payload = {
        "questions": ["社保卡丢了怎么补办", "社保卡挂失"],
        "answer": "携带身份证到3号窗口办理。",
        **body,
    }
    response = client.post("/api/admin/faq", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


# -- every admin endpoint refuses missing credentials and too small roles -------------------------

SAMPLE_PARAMS = {
    "entry_id": "parking_seed",
    "audit_id": "1",
    "group_id": "1",
    "username": "someone",
    "item_id": "newborn",
}
OPEN_ENDPOINTS = {("POST", "/api/admin/login")}


def admin_routes() -> List[Tuple[str, str, str]]:
    """(method, path, required role) of every staff route of the app, found by walking its routes."""
    app = create_app(Settings(admin_token=ADMIN_TOKEN))
    found = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/admin"):
            continue
        names = [getattr(d.call, "__name__", "") for d in route.dependant.dependencies]
        role = next((n.removeprefix("require_") for n in names if n.startswith("require_")), "viewer")
        path = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "ABCDEFGH"), route.path)
        for method in sorted(route.methods):
            if (method, route.path) not in OPEN_ENDPOINTS:
                found.append((method, path, role))
    return found


ADMIN_ROUTES = admin_routes()


def test_the_route_walk_finds_the_faq_endpoints() -> None:
    paths = {(m, p) for m, p, _ in ADMIN_ROUTES}
    assert ("POST", "/api/admin/faq") in paths
    assert ("POST", "/api/admin/audit/1/undo") in paths
    assert ("GET", "/api/admin/unanswered") in paths
    assert dict(((m, p), r) for m, p, r in ADMIN_ROUTES)[("POST", "/api/admin/audit/1/undo")] == "admin"


def test_the_route_walk_finds_the_guide_endpoints_with_their_roles() -> None:
    roles = {(m, p): r for m, p, r in ADMIN_ROUTES}
    assert roles[("GET", "/api/admin/services")] == "viewer"
    assert roles[("GET", "/api/admin/services/newborn")] == "viewer"
    assert roles[("PATCH", "/api/admin/services/newborn")] == "staff"
    assert roles[("POST", "/api/admin/services/newborn/aliases")] == "staff"
    assert roles[("DELETE", "/api/admin/services/newborn/edits")] == "staff"


@pytest.mark.parametrize(("method", "path", "role"), ADMIN_ROUTES)
def test_every_admin_endpoint_needs_a_credential(
    client: TestClient, method: str, path: str, role: str
) -> None:
    for headers in ({}, auth("wrong-token"), {"Authorization": ADMIN_TOKEN}):
        response = client.request(method, path, headers=headers, json={})
        assert response.status_code == 401, (headers, response.text)
        assert HAN.search(response.json()["detail"])
    client.cookies.set(SESSION_COOKIE, "not-a-session", path="/api/admin")
    response = client.request(method, path, json={})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "role"), [r for r in ADMIN_ROUTES if r[2] != "viewer"])
def test_every_admin_endpoint_refuses_too_small_a_role(
    client: TestClient, tokens: Dict[str, str], method: str, path: str, role: str
) -> None:
    smaller = {"staff": ["viewer"], "admin": ["viewer", "staff"]}[role]
    for name in smaller:
        response = client.request(method, path, headers=auth(tokens[name]), json={})
        assert response.status_code == 403, (name, response.text)
        assert HAN.search(response.json()["detail"])


# -- FAQ entries --------------------------------------------------------------------------------


def test_seed_files_are_imported_at_start_up_once(client: TestClient, tokens: Dict[str, str]) -> None:
    listed = client.get("/api/admin/faq", headers=auth(tokens["viewer"])).json()
    assert {e["id"] for e in listed["entries"]} == {"office_hours_seed", "parking_seed"}
    assert listed["entries"][0]["updated_by"] == "seed"


def test_staff_create_read_update_delete(client: TestClient, tokens: Dict[str, str]) -> None:
    staff = auth(tokens["staff"])
    created = new_entry(client, staff, title="社保卡补办")
    entry_id = cast(str, created["id"])
    assert re.fullmatch(r"faq_[0-9a-f]{8}", entry_id)
    assert created["source"] and created["last_checked"]
    assert (
        client.get(f"/api/admin/faq/{entry_id}", headers=auth(tokens["viewer"])).json()["title"]
        == "社保卡补办"
    )

    patched = client.patch(
        f"/api/admin/faq/{entry_id}", json={"answer": "到3号或4号窗口办理。"}, headers=staff
    )
    assert patched.status_code == 200 and patched.json()["questions"] == ["社保卡丢了怎么补办", "社保卡挂失"]
    replaced = client.put(
        f"/api/admin/faq/{entry_id}", json={"questions": ["社保卡补办"], "answer": "新答案"}, headers=staff
    )
    assert replaced.status_code == 200 and replaced.json()["questions"] == ["社保卡补办"]

    deleted = client.delete(f"/api/admin/faq/{entry_id}", headers=staff)
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert client.get(f"/api/admin/faq/{entry_id}", headers=staff).status_code == 404
    listed = client.get("/api/admin/faq?include_deleted=true", headers=staff).json()["entries"]
    assert any(e["id"] == entry_id and e["deleted"] for e in listed)

    actions = [r["action"] for r in client.get("/api/admin/audit", headers=staff).json()["records"]]
    assert actions[:4] == ["delete", "update", "update", "create"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"questions": [], "answer": "答"}, "问法"),
        ({"questions": ["  ", ""], "answer": "答"}, "问法"),
        ({"answer": "答"}, "问法"),
        ({"questions": ["怎么办"], "answer": "  "}, "答案"),
        ({"questions": ["怎么办"]}, "答案"),
        ({"questions": ["问" * 101], "answer": "答"}, "过长"),
        ({"questions": ["怎么办"], "answer": "答" * 2001}, "过长"),
        ({"questions": ["怎么办"], "answer": "答", "id": "中文编号"}, "id"),
        ({"questions": ["？？！"], "answer": "答"}, "实际内容"),
    ],
)
def test_bad_entries_are_refused_with_a_chinese_reason(
    client: TestClient, tokens: Dict[str, str], body: Dict[str, object], reason: str
) -> None:
    response = client.post("/api/admin/faq", json=body, headers=auth(tokens["staff"]))
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"] and HAN.search(response.json()["detail"])


def test_unknown_ids_are_404_with_a_reason(client: TestClient, tokens: Dict[str, str]) -> None:
    staff = auth(tokens["staff"])
    for method, path in [
        ("get", "/api/admin/faq/nope"),
        ("patch", "/api/admin/faq/nope"),
        ("delete", "/api/admin/faq/nope"),
        ("post", "/api/admin/unanswered/999/to-faq"),
    ]:
        response = client.request(method, path, json={"answer": "答"}, headers=staff)
        assert response.status_code == 404 and HAN.search(response.json()["detail"]), (path, response.text)
    assert client.post("/api/admin/audit/999/undo", headers=ADMIN).status_code == 404


def test_a_question_of_another_entry_is_refused_with_the_clash(
    client: TestClient, tokens: Dict[str, str]
) -> None:
    response = client.post(
        "/api/admin/faq",
        json={"questions": ["新问题", "大厅能停车吗？"], "answer": "答"},
        headers=auth(tokens["staff"]),
    )
    assert response.status_code == 409
    body = response.json()
    assert "停车" in body["detail"]
    assert body["clashes"] == [
        {"question": "大厅能停车吗？", "entry_id": "parking_seed", "entry_title": "停车"}
    ]
    taken = client.post(
        "/api/admin/faq", json={"id": "parking_seed", "questions": ["别的"], "answer": "答"}, headers=ADMIN
    )
    assert taken.status_code == 409


def test_undo_restores_each_change_and_only_admins_may(client: TestClient, tokens: Dict[str, str]) -> None:
    staff = auth(tokens["staff"])
    created = new_entry(client, staff)
    entry_id = created["id"]
    edited = client.patch(f"/api/admin/faq/{entry_id}", json={"answer": "改过的答案"}, headers=staff).json()
    assert client.post(f"/api/admin/audit/{edited['audit_id']}/undo", headers=staff).status_code == 403
    # the older change cannot be undone while a newer one stands
    stale = client.post(f"/api/admin/audit/{created['audit_id']}/undo", headers=auth(tokens["admin"]))
    assert stale.status_code == 409 and HAN.search(stale.json()["detail"])

    undone = client.post(f"/api/admin/audit/{edited['audit_id']}/undo", headers=auth(tokens["admin"]))
    assert undone.status_code == 200 and undone.json()["answer"] == created["answer"]
    again = client.post(f"/api/admin/audit/{edited['audit_id']}/undo", headers=ADMIN)
    assert again.status_code == 409

    deleted = client.delete(f"/api/admin/faq/{entry_id}", headers=staff).json()
    restored = client.post(f"/api/admin/audit/{deleted['audit_id']}/undo", headers=ADMIN)
    assert restored.status_code == 200 and restored.json()["deleted"] is False
    assert client.get(f"/api/admin/faq/{entry_id}", headers=staff).status_code == 200
    # undoing the creation takes the entry away again
    records = client.get(f"/api/admin/audit?target_type=faq&target_id={entry_id}", headers=staff).json()[
        "records"
    ]
    assert [r["action"] for r in records] == ["undo", "delete", "undo", "update", "create"]
    assert client.post(f"/api/admin/audit/{records[0]['id']}/undo", headers=ADMIN).json()["deleted"] is True


# -- unanswered questions -----------------------------------------------------------------------


def test_unanswered_rows_become_entries_or_new_ways_of_asking(
    client: TestClient, tokens: Dict[str, str]
) -> None:
    store = UnansweredStore(cast(FastAPI, client.app).state.engine)
    for text in [
        "公积金怎么提取？",
        "请问公积金怎么提取",
        "公积金 怎么提取吗",
        "我的手机13867905678能查公积金吗",
    ]:
        store.record(text)
    store.record("大厅里能不能停车呀", best_match="parking_seed")
    groups = client.get("/api/admin/unanswered", headers=auth(tokens["viewer"])).json()["groups"]
    assert groups[0]["count"] == 3 and groups[0]["masked"] is True
    assert len(groups[0]["examples"]) == 3
    assert not any("13867905678" in str(g) for g in groups)
    assert any("138****5678" in g["text"] for g in groups)

    staff = auth(tokens["staff"])
    fund = groups[0]
    made = client.post(
        f"/api/admin/unanswered/{fund['id']}/to-faq", json={"answer": "携带身份证到5号窗口。"}, headers=staff
    )
    assert made.status_code == 201, made.text
    assert "公积金怎么提取？" in made.json()["questions"]
    parking = next(g for g in groups if g["best_match"] == "parking_seed")
    added = client.post(
        f"/api/admin/unanswered/{parking['id']}/add-question", json={"faq_id": "parking_seed"}, headers=staff
    )
    assert added.status_code == 200 and "大厅里能不能停车呀" in added.json()["questions"]
    still_open = client.get("/api/admin/unanswered", headers=staff).json()["groups"]
    assert {g["id"] for g in still_open}.isdisjoint({fund["id"], parking["id"]})
    missing = client.post(f"/api/admin/unanswered/{parking['id']}/add-question", json={}, headers=staff)
    assert missing.status_code == 422


# -- sign-in, CSRF and lockout --------------------------------------------------------------------


def staff_with_password(client: TestClient, username: str, role: str = "staff") -> None:
    create_staff(client, username, role)
    response = client.put(f"/api/admin/staff/{username}/password", json={"password": PASSWORD}, headers=ADMIN)
    assert response.status_code == 200, response.text


def test_sign_in_sets_a_strict_http_only_cookie_and_needs_csrf_for_changes(client: TestClient) -> None:
    staff_with_password(client, "li.na")
    response = client.post("/api/admin/login", json={"username": "li.na", "password": PASSWORD})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Max-Age=" in cookie and "Path=/api/admin" in cookie
    csrf = response.json()["csrf_token"]
    assert client.get("/api/admin/faq").status_code == 200  # reading needs no CSRF token
    assert client.get("/api/admin/me").json()["csrf_token"] == csrf

    body = {"questions": ["营业执照丢了怎么办"], "answer": "登报声明后补领。"}
    refused = client.post("/api/admin/faq", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert client.post("/api/admin/faq", json=body, headers={CSRF_HEADER: "wrong"}).status_code == 403
    accepted = client.post("/api/admin/faq", json=body, headers={CSRF_HEADER: csrf})
    assert accepted.status_code == 201, accepted.text

    assert client.post("/api/admin/logout", headers={CSRF_HEADER: csrf}).status_code == 200
    client.cookies.set(SESSION_COOKIE, response.cookies[SESSION_COOKIE], path="/api/admin")
    assert client.get("/api/admin/faq").status_code == 401  # the session ended on the server too


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(client: TestClient) -> None:
    staff_with_password(client, "wang.wu")
    for _ in range(4):
        wrong = client.post("/api/admin/login", json={"username": "wang.wu", "password": "wrong-password"})
        assert wrong.status_code == 401 and HAN.search(wrong.json()["detail"])
    locked = client.post("/api/admin/login", json={"username": "wang.wu", "password": "wrong-password"})
    assert locked.status_code == 429 and "锁定" in locked.json()["detail"]
    right_but_locked = client.post("/api/admin/login", json={"username": "wang.wu", "password": PASSWORD})
    assert right_but_locked.status_code == 429

    engine = cast(FastAPI, client.app).state.engine
    later = PasswordSignIn(engine, clock=lambda: datetime.utcnow() + timedelta(minutes=16))
    assert later.verify("wang.wu", PASSWORD) is not None
    assert (
        client.post("/api/admin/login", json={"username": "wang.wu", "password": PASSWORD}).status_code == 200
    )


def test_unknown_users_and_short_passwords(client: TestClient) -> None:
    unknown = client.post("/api/admin/login", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401
    create_staff(client, "zhao.liu", "viewer")
    short = client.put("/api/admin/staff/zhao.liu/password", json={"password": "short"}, headers=ADMIN)
    assert short.status_code == 422 and "密码" in short.json()["detail"]
    no_password_yet = client.post("/api/admin/login", json={"username": "zhao.liu", "password": PASSWORD})
    assert no_password_yet.status_code == 401


def test_bearer_tokens_keep_working_and_need_no_csrf(client: TestClient, tokens: Dict[str, str]) -> None:
    new_entry(client, auth(tokens["staff"]))
    assert client.get("/api/admin/me", headers=auth(tokens["viewer"])).json()["role"] == "viewer"


# -- the page -----------------------------------------------------------------------------------


def test_the_staff_page_is_served_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/admin")
    assert page.status_code == 200 and "高小新" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/admin.js").status_code == 200
    assert client.get("/admin.css").status_code == 200
    script = client.get("/admin.js").text
    assert "innerHTML" not in script  # bot and citizen text goes in as text only


# -- live answers -------------------------------------------------------------------------------


def test_a_new_entry_is_answered_by_the_database_store(
    client: TestClient, tokens: Dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.faq.RELOAD_CHECK_SECONDS", 0.0)
    store = FaqStore(tmp_path / "empty", engine=cast(FastAPI, client.app).state.engine)
    assert {e.id for e in store.current().entries} == {"office_hours_seed", "parking_seed"}
    created = new_entry(client, auth(tokens["staff"]))
    assert store.current().search("社保卡丢了怎么补办")[0].entry.id == created["id"]


def test_too_many_sign_ins_from_one_address_are_refused(client: TestClient, redis_url: str) -> None:
    key = f"{KEY_PREFIX}:rate:login-ip:testclient"
    store = redis.Redis.from_url(redis_url)
    try:
        store.set(key, LOGIN_ATTEMPTS_PER_MINUTE, ex=60)
        refused = client.post("/api/admin/login", json={"username": "nobody", "password": PASSWORD})
        assert refused.status_code == 429 and "频繁" in refused.json()["detail"]
    finally:
        store.delete(key)
        store.close()


# -- bad input the staff pages never send, from scripts and integrations -----------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/admin/audit/99999999999999999999/undo"),
        ("post", "/api/admin/audit/9223372036854775808/undo"),
        ("post", "/api/admin/unanswered/99999999999999999999/to-faq"),
        ("post", "/api/admin/unanswered/99999999999999999999/add-question"),
        ("post", "/api/admin/unanswered/99999999999999999999/ignore"),
        ("post", "/api/admin/audit/0/undo"),
    ],
)
def test_an_id_no_row_can_have_is_refused_with_a_reason(
    client: TestClient, tokens: Dict[str, str], method: str, path: str
) -> None:
    body = (
        {"answer": "答", "faq_id": "parking_seed"} if "unanswered" in path and "ignore" not in path else None
    )
    response = getattr(client, method)(path, json=body, headers=auth(tokens["admin"]))
    assert response.status_code == 422, response.text
    assert "不能" in response.json()["detail"] and HAN.search(response.json()["detail"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"last_checked": 20261201}, "核实日期格式"),  # a number read as seconds since 1970
        ({"last_checked": "2099-01-01"}, "不能晚于今天"),
        ({"last_checked": "12/01/2026"}, "核实日期格式"),
        ({"id": "a" * 65}, "不超过64个字符"),
        ({"id": "with space"}, "编号"),
    ],
)
def test_a_new_entry_with_a_bad_date_or_id_is_refused(
    client: TestClient, tokens: Dict[str, str], body: Dict[str, object], reason: str
) -> None:
    payload = {"questions": ["大厅有没有自动售货机"], "answer": "有。", **body}
    response = client.post("/api/admin/faq", json=payload, headers=auth(tokens["staff"]))
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]
    listed = client.get("/api/admin/faq", headers=auth(tokens["staff"])).json()
    assert not any("自动售货机" in q for e in listed["entries"] for q in e["questions"])


def test_a_patch_that_changes_nothing_is_refused_and_leaves_the_entry_as_it_was(
    client: TestClient, tokens: Dict[str, str]
) -> None:
    staff = auth(tokens["staff"])
    before = client.get("/api/admin/faq/parking_seed", headers=staff).json()
    for body in ({"foo": "bar"}, {}):
        response = client.patch("/api/admin/faq/parking_seed", json=body, headers=staff)
        assert response.status_code == 422, response.text
        assert HAN.search(response.json()["detail"])
    assert (
        "foo" in client.patch("/api/admin/faq/parking_seed", json={"foo": 1}, headers=staff).json()["detail"]
    )
    assert client.get("/api/admin/faq/parking_seed", headers=staff).json() == before  # still the seed's


def test_a_corrected_answer_is_dated_today_in_the_halls_time_zone(
    client: TestClient, tokens: Dict[str, str]
) -> None:
    from bot.settings import hall_today

    staff = auth(tokens["staff"])
    changed = client.patch(
        "/api/admin/faq/parking_seed", json={"answer": "大厅东侧有停车场，限时免费。"}, headers=staff
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["last_checked"] == hall_today().isoformat() != "2026-11-30"
    kept = client.patch(
        "/api/admin/faq/office_hours_seed", json={"questions": ["大厅几点开门", "几点下班"]}, headers=staff
    )
    assert kept.json()["last_checked"] == "2026-11-30"  # a new way of asking checks no answer
