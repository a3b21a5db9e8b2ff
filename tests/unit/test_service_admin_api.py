"""The staff API for the 办事指南 on the real app: real SQLite and Redis, every route, rules, audit and undo,
and the guide action answering from what staff published."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any, Dict, Iterator, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.guide import ActionGuide
from api.main import create_app
from api.staff_sessions import CSRF_HEADER
from bot.catalogue import get_catalogue, load_catalogue
from bot.catalogue.edits import hall_today
from bot.hall import get_hall
from bot.settings import PROJECT_ROOT, Settings, get_settings
from bot.staff import PasswordSignIn

ADMIN_TOKEN = "service-admin-token-for-tests-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
HAN = re.compile(r"[\u4e00-\u9fff]")
SERVICES = PROJECT_ROOT / "data" / "services"
NEW_FEE = "按规定收取工本费10元（测试）"
NEW_ALIAS = "添丁手续"


def auth(token: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SERVICES, folder / "services")
    (folder / "faq").mkdir()
    return folder


@pytest.fixture
def client(redis_url: str, tmp_path: Path, data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{tmp_path / 'services.db'}",
        admin_token=ADMIN_TOKEN,
        pii_key="service-test-key",
        data_dir=data_dir,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def tokens(client: TestClient) -> Dict[str, str]:
    made = {}
    for role in ("viewer", "staff", "admin"):
        response = client.post(
            "/api/admin/staff",
            json={"username": f"{role}1", "display_name": "测试人员", "role": role},
            headers=ADMIN,
        )
        assert response.status_code == 201, response.text
        made[role] = response.json()["token"]
    return made


def patch(client: TestClient, token: str, item: str, body: Dict[str, Any]) -> Any:
    return client.patch(f"/api/admin/services/{item}", json=body, headers=auth(token))


# -- reading --------------------------------------------------------------------------------------


def test_viewers_list_and_read_items(client: TestClient, tokens: Dict[str, str]) -> None:
    viewer = auth(tokens["viewer"])
    listed = client.get("/api/admin/services", headers=viewer).json()
    assert listed["count"] == len(load_catalogue(SERVICES)) == len(listed["items"])
    first = listed["items"][0]
    assert {"id", "name", "aliases", "fee", "last_checked", "edited_fields", "updated_at"} <= set(first)
    assert first["edited_fields"] == [] and first["updated_by"] is None
    found = client.get("/api/admin/services?q=上户口", headers=viewer).json()["items"]
    assert [i["id"] for i in found] == ["newborn"]

    item = client.get("/api/admin/services/newborn", headers=viewer).json()
    assert item["name"] == "新生儿出生一件事" and item["values"] == item["file_values"]
    assert set(item["values"]) == {
        "materials", "time_limit", "fee", "conditions", "window", "online", "aliases", "last_checked"
    }  # fmt: skip
    assert item["situations"] and item["situations"][0]["options"]
    by_name = client.get("/api/admin/services/新生儿出生一件事", headers=viewer).json()
    assert by_name["id"] == "newborn"


def test_unknown_items_are_404_in_chinese(client: TestClient, tokens: Dict[str, str]) -> None:
    staff = auth(tokens["staff"])
    for method, path, body in [
        ("get", "/api/admin/services/nothing_here", None),
        ("patch", "/api/admin/services/nothing_here", {"fee": "不收费"}),
        ("post", "/api/admin/services/nothing_here/aliases", {"alias": "随便"}),
        ("delete", "/api/admin/services/nothing_here/edits", None),
    ]:
        response = client.request(method, path, json=body, headers=staff)
        assert response.status_code == 404, (path, response.text)
        assert HAN.search(response.json()["detail"])


# -- editing --------------------------------------------------------------------------------------


def test_staff_edit_a_field_and_the_check_date_becomes_today(
    client: TestClient, tokens: Dict[str, str]
) -> None:
    response = patch(client, tokens["staff"], "restaurant", {"fee": NEW_FEE})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["values"]["fee"] == NEW_FEE and body["file_values"]["fee"] != NEW_FEE
    assert body["values"]["last_checked"] == hall_today().isoformat()
    assert body["edited_fields"] == ["fee"] and body["updated_by"] == "staff1" and body["audit_id"] > 0
    listed = client.get("/api/admin/services", headers=auth(tokens["viewer"])).json()["items"]
    row = next(i for i in listed if i["id"] == "restaurant")
    assert row["fee"] == NEW_FEE and row["edited_fields"] == ["fee"] and row["updated_at"].endswith("Z")


def test_every_field_of_the_page_is_accepted(client: TestClient, tokens: Dict[str, str]) -> None:
    values = client.get("/api/admin/services/newborn", headers=ADMIN).json()["values"]
    values["materials"][0]["count"] = 3
    values["time_limit"]["promised"] = "当场办结"
    values["conditions"].append("测试条件。")
    values["window"] = {"number": "12", "name": "测试窗口", "floor": "三楼"}
    values["online"]["full_online"] = not values["online"]["full_online"]
    values["aliases"].append(NEW_ALIAS)
    values.pop("last_checked")
    values["fee"] = NEW_FEE
    response = patch(client, tokens["staff"], "newborn", values)
    assert response.status_code == 200, response.text
    assert response.json()["values"] | {"last_checked": None} == values | {"last_checked": None}
    assert sorted(response.json()["edited_fields"]) == sorted(values)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"fee": ""}, "收费：不能为空"),
        ({"materials": [{"name": "身份证", "form": "原件", "count": 100}]}, "材料第1项的份数：不能大于 99"),
        ({"materials": [{"name": "身份证", "form": "原件", "count": "两份"}]}, "份数：须为整数"),
        ({"window": {"number": "0", "name": "综合窗口", "floor": "一楼"}}, "窗口的窗口号"),
        ({"window": "8号窗口"}, "窗口"),
        ({"time_limit": {"legal": "", "promised": "3个工作日"}}, "时限的法定时限：不能为空"),
        (
            {"online": {"channels": [], "full_online": True, "instant_approval": False}},
            "网办的办理渠道：至少需要 1 项",
        ),
        ({"aliases": ["开饭馆", "开餐馆", "开饭店"]}, "别名：至少需要 6 项"),
        ({"aliases": ["开饭馆", "开餐馆", "开饭店", "开餐厅", "开小吃店", "饭"]}, "过短"),
        ({"aliases": "上户口"}, "别名：须为列表"),
        ({"name": "新名字一件事"}, "不能在此修改：name"),
        ({}, "请至少修改一项内容"),
        # from scripts and integrations, which the page's own limits do not stop
        ({"fee": "收" * 501}, "收费：不超过 500 个字"),
        ({"fee": 123}, "收费：须为文字"),
        ({"conditions": ["年满60周岁", 60]}, "须为文字"),
        (
            {"materials": [{"name": "身份证", "form": "原件", "count": 1, "note": "备" * 501}]},
            "不超过 500 个字",
        ),
    ],
)
def test_a_bad_edit_gets_422_in_chinese_and_nothing_changes(
    client: TestClient, tokens: Dict[str, str], body: Dict[str, Any], reason: str
) -> None:
    before = client.get("/api/admin/services/restaurant", headers=ADMIN).json()
    response = patch(client, tokens["staff"], "restaurant", body)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"] and HAN.search(response.json()["detail"])
    assert client.get("/api/admin/services/restaurant", headers=ADMIN).json() == before
    assert client.get("/api/admin/audit?target_type=service", headers=ADMIN).json()["records"] == []


def test_a_body_that_is_not_an_object_is_refused_in_chinese(
    client: TestClient, tokens: Dict[str, str]
) -> None:
    response = client.patch("/api/admin/services/restaurant", json=["fee"], headers=auth(tokens["staff"]))
    assert response.status_code == 422 and HAN.search(response.json()["detail"])
    response = client.post("/api/admin/services/newborn/aliases", json={}, headers=auth(tokens["staff"]))
    assert response.status_code == 422 and "别名" in response.json()["detail"]


def test_an_alias_longer_than_a_phrase_is_refused(client: TestClient, tokens: Dict[str, str]) -> None:
    response = client.post(
        "/api/admin/services/retirement/aliases", json={"alias": "养老" * 100}, headers=auth(tokens["staff"])
    )
    assert response.status_code == 422, response.text
    assert "不超过 30 个字" in response.json()["detail"]
    assert "养老养老" not in "".join(
        client.get("/api/admin/services/retirement", headers=ADMIN).json()["values"]["aliases"]
    )


def test_an_alias_another_item_uses_gets_409_naming_it(client: TestClient, tokens: Dict[str, str]) -> None:
    response = client.post(
        "/api/admin/services/restaurant/aliases", json={"alias": "上户口"}, headers=auth(tokens["staff"])
    )
    assert response.status_code == 409
    body = response.json()
    assert "新生儿出生一件事" in body["detail"]
    assert body["clashes"] == [{"alias": "上户口", "item_id": "newborn", "item_name": "新生儿出生一件事"}]
    aliases = client.get("/api/admin/services/restaurant", headers=ADMIN).json()["values"]["aliases"]
    in_list = patch(client, tokens["staff"], "restaurant", {"aliases": [*aliases, "开公司"]})
    assert in_list.status_code == 409 and "开办企业一件事" in in_list.json()["detail"]


def test_adding_an_alias_links_it_in_the_app_at_once(client: TestClient, tokens: Dict[str, str]) -> None:
    added = client.post(
        "/api/admin/services/newborn/aliases", json={"alias": f" {NEW_ALIAS} "}, headers=auth(tokens["staff"])
    )
    assert added.status_code == 200, added.text
    assert added.json()["values"]["aliases"][-1] == NEW_ALIAS
    again = client.post("/api/admin/services/newborn/aliases", json={"alias": NEW_ALIAS}, headers=ADMIN)
    assert again.status_code == 422 and "已是" in again.json()["detail"]
    found = client.get(f"/api/admin/services/{NEW_ALIAS}", headers=ADMIN).json()
    assert found["id"] == "newborn"


# -- audit and undo -------------------------------------------------------------------------------


def test_changes_are_audited_and_admins_undo_them(client: TestClient, tokens: Dict[str, str]) -> None:
    staff, admin = auth(tokens["staff"]), auth(tokens["admin"])
    file_fee = client.get("/api/admin/services/restaurant", headers=staff).json()["values"]["fee"]
    edited = patch(client, tokens["staff"], "restaurant", {"fee": NEW_FEE}).json()
    records = client.get("/api/admin/audit?target_type=service", headers=staff).json()["records"]
    assert len(records) == 1
    record = records[0]
    assert (record["id"], record["actor"], record["action_text"], record["target_id"]) == (
        edited["audit_id"], "staff1", "修改", "restaurant"
    )  # fmt: skip
    assert record["before"]["values"]["fee"] == file_fee and record["after"]["values"]["fee"] == NEW_FEE
    assert record["at"].endswith("Z")

    assert client.post(f"/api/admin/audit/{edited['audit_id']}/undo", headers=staff).status_code == 403
    undone = client.post(f"/api/admin/audit/{edited['audit_id']}/undo", headers=admin)
    assert undone.status_code == 200, undone.text
    assert undone.json()["values"]["fee"] == file_fee and undone.json()["edited_fields"] == []
    twice = client.post(f"/api/admin/audit/{edited['audit_id']}/undo", headers=admin)
    assert twice.status_code == 409 and "撤销过" in twice.json()["detail"]

    # revert to the file, and undo the revert
    patch(client, tokens["staff"], "restaurant", {"fee": NEW_FEE})
    reverted = client.delete("/api/admin/services/restaurant/edits", headers=staff)
    assert reverted.status_code == 200 and reverted.json()["values"]["fee"] == file_fee
    nothing = client.delete("/api/admin/services/restaurant/edits", headers=staff)
    assert nothing.status_code == 409 and HAN.search(nothing.json()["detail"])
    back = client.post(f"/api/admin/audit/{reverted.json()['audit_id']}/undo", headers=ADMIN)
    assert back.status_code == 200 and back.json()["values"]["fee"] == NEW_FEE
    actions = [
        r["action_text"]
        for r in client.get("/api/admin/audit?target_type=service", headers=staff).json()["records"]
    ]
    assert actions == ["撤销", "恢复为指南文件", "修改", "撤销", "修改"]


def test_the_faq_undo_still_works_beside_guide_undo(client: TestClient, tokens: Dict[str, str]) -> None:
    created = client.post(
        "/api/admin/faq",
        json={"questions": ["大厅有饮水机吗"], "answer": "有。"},
        headers=auth(tokens["staff"]),
    ).json()
    undone = client.post(f"/api/admin/audit/{created['audit_id']}/undo", headers=ADMIN)
    assert undone.status_code == 200 and undone.json()["deleted"] is True


def test_a_signed_in_page_needs_the_csrf_token_to_edit(client: TestClient) -> None:
    client.post(
        "/api/admin/staff", json={"username": "li.na", "display_name": "李娜", "role": "staff"}, headers=ADMIN
    )
    PasswordSignIn(cast(FastAPI, client.app).state.engine).set_password("li.na", "Gaoxin-2026-staff")
    login = client.post("/api/admin/login", json={"username": "li.na", "password": "Gaoxin-2026-staff"})
    assert login.status_code == 200
    assert client.get("/api/admin/services/newborn").status_code == 200  # reading needs no token
    refused = client.patch("/api/admin/services/newborn", json={"fee": NEW_FEE})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    accepted = client.patch(
        "/api/admin/services/newborn",
        json={"fee": NEW_FEE},
        headers={CSRF_HEADER: login.json()["csrf_token"]},
    )
    assert accepted.status_code == 200 and accepted.json()["updated_by"] == "li.na"


# -- what citizens get ----------------------------------------------------------------------------


def guide_tracker(intent: str, text: str, entities: list) -> Tracker:
    return Tracker(
        sender_id="service-edit-test",
        slots={},
        latest_message={"intent": {"name": intent, "confidence": 0.9}, "text": text, "entities": entities},
        events=[{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def live_app_catalogue(client: TestClient, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let get_catalogue() read the app's database and data folder, checking on every call."""
    engine = cast(FastAPI, client.app).state.engine
    monkeypatch.setattr("bot.db.configured_engine", lambda: engine)
    monkeypatch.setattr("bot.catalogue.live.RELOAD_CHECK_SECONDS", 0.0)
    shutil.copy(PROJECT_ROOT / "data" / "hall.yml", data_dir / "hall.yml")
    monkeypatch.setenv("GXX_DATA_DIR", str(data_dir))
    caches = (get_settings, get_catalogue, get_hall)
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


async def test_the_guide_action_answers_with_what_staff_published(
    client: TestClient, tokens: Dict[str, str], live_app_catalogue: None
) -> None:
    assert patch(client, tokens["staff"], "restaurant", {"fee": NEW_FEE}).status_code == 200
    assert (
        client.post(
            "/api/admin/services/newborn/aliases", json={"alias": NEW_ALIAS}, headers=auth(tokens["staff"])
        ).status_code
        == 200
    )
    deadline = time.monotonic() + 30
    while get_catalogue().get(NEW_ALIAS) is None or get_catalogue().get("restaurant").fee != NEW_FEE:  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the live catalogue did not pick up the edits"
        time.sleep(0.05)

    entities = [{"entity": "service", "value": "开办餐饮店一件事", "extractor": "ServiceLinker"}]
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, guide_tracker("ask_fee", "开饭店收费吗", entities), {})
    reply = dispatcher.messages[0]
    assert NEW_FEE in reply["text"]
    assert reply["custom"]["last_checked"] == hall_today().isoformat()

    # NLU found no item (the alias had not reached Rasa yet): the action links the typed alias itself
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, guide_tracker("ask_materials", f"{NEW_ALIAS}要带什么", []), {})
    assert dispatcher.messages[0]["custom"]["item_id"] == "newborn"
