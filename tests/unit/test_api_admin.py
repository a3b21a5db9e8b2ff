"""Staff endpoints on the real app: credentials, roles, staff users, appointments, CSV and the audit log."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Dict, Iterator, List, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.admin import CSV_HEADERS, csv_cell
from bot import pii
from bot.appointments import Booking, BookingService
from bot.appointments.store import appointments
from bot.settings import PROJECT_ROOT, Settings
from tests.conftest import Clock

ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef"
MONDAY = datetime(2026, 9, 28, 10, 0)  # bookable: 9-29, 9-30, 10-8, 10-9, 10-10
TUESDAY = date(2026, 9, 29)
WEDNESDAY = date(2026, 9, 30)
COMPANY = "开办企业一件事"
RESTAURANT = "开办餐饮店一件事"
HAN = re.compile(r"[\u4e00-\u9fff]")


def id_number(seq: int) -> str:
    first17 = f"41010219900101{seq:03d}"
    return first17 + pii.id_check_char(first17)


def phone(seq: int) -> str:
    return f"139{seq:08d}"


def auth(token: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN = auth(ADMIN_TOKEN)


def make_client(redis_url: str, db_file: Path, admin_token: str = ADMIN_TOKEN) -> TestClient:
    settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{db_file}",
        admin_token=admin_token,
        pii_key="admin-test-key",
    )
    return TestClient(create_app(settings))


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "admin.db"


@pytest.fixture
def client(redis_url: str, db_file: Path) -> Iterator[TestClient]:
    with make_client(redis_url, db_file) as test_client:
        service(test_client).clock = Clock(MONDAY)
        yield test_client


def service(client: TestClient) -> BookingService:
    return cast(FastAPI, client.app).state.bookings


def book(
    client: TestClient, seq: int, *, item: str = COMPANY, day: date = TUESDAY, at: time = time(9)
) -> Booking:
    names = ["张三", "李四", "王五", "赵六"]
    return service(client).book(
        item_name=item,
        day=day,
        slot_start=at,
        name=names[(seq - 1) % 4],
        phone=phone(seq),
        id_number=id_number(seq),
    )


def create_staff(client: TestClient, username: str, role: str) -> str:
    response = client.post(
        "/api/admin/staff",
        json={"username": username, "display_name": "测试人员", "role": role},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


ADMIN_ENDPOINTS = [
    ("get", "/api/admin/appointments"),
    ("get", "/api/admin/appointments.csv"),
    ("post", "/api/admin/appointments/ABCDEFGH/check-in"),
    ("post", "/api/admin/appointments/ABCDEFGH/no-show"),
    ("get", "/api/admin/staff"),
    ("post", "/api/admin/staff"),
    ("delete", "/api/admin/staff/someone"),
]


# -- credentials ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ADMIN_ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {ADMIN_TOKEN}"},
        {"Authorization": ADMIN_TOKEN},
        auth(ADMIN_TOKEN + "x"),
    ],
    ids=["none", "empty", "wrong", "basic-scheme", "no-scheme", "longer"],
)
def test_every_admin_endpoint_refuses_a_missing_or_wrong_credential(
    client: TestClient, method: str, path: str, headers: Dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers, json={"username": "x1", "display_name": "x"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert HAN.search(response.json()["detail"])


def test_admin_token_has_the_admin_role(client: TestClient) -> None:
    assert client.get("/api/admin/staff", headers=ADMIN).status_code == 200
    assert client.get("/api/admin/appointments", headers=ADMIN).status_code == 200


def test_an_empty_admin_token_setting_admits_nobody(redis_url: str, db_file: Path) -> None:
    with make_client(redis_url, db_file, admin_token="") as empty:
        for headers in ({"Authorization": "Bearer "}, auth(""), auth("''")):
            assert empty.get("/api/admin/staff", headers=headers).status_code == 401


ROLE_MATRIX = {
    ("get", "/api/admin/appointments"): "viewer",
    ("get", "/api/admin/appointments.csv"): "viewer",
    ("post", "/api/admin/appointments/ABCDEFGH/check-in"): "staff",
    ("post", "/api/admin/appointments/ABCDEFGH/no-show"): "staff",
    ("get", "/api/admin/staff"): "admin",
    ("post", "/api/admin/staff"): "admin",
    ("delete", "/api/admin/staff/someone"): "admin",
}


@pytest.mark.parametrize("role", ["viewer", "staff", "admin"])
def test_roles_open_exactly_their_endpoints(client: TestClient, role: str) -> None:
    token = create_staff(client, f"user-{role}", role)
    rank = ["viewer", "staff", "admin"]
    for (method, path), needed in ROLE_MATRIX.items():
        body = {"username": f"new-{role}", "display_name": "新同事", "role": "viewer"}
        response = client.request(method, path, headers=auth(token), json=body)
        if rank.index(role) >= rank.index(needed):
            # allowed: the answer is about the request itself (e.g. 404 for the made-up code), never 401/403
            assert response.status_code not in (401, 403), (role, path, response.text)
        else:
            assert response.status_code == 403, (role, path)
            assert "无权" in response.json()["detail"]


# -- staff users ----------------------------------------------------------------------------------


def test_staff_user_lifecycle(client: TestClient) -> None:
    created = client.post(
        "/api/admin/staff", json={"username": "li.na", "display_name": "李娜", "role": "staff"}, headers=ADMIN
    )
    assert created.status_code == 201
    body = created.json()
    token = body.pop("token")
    assert body["username"] == "li.na" and body["role"] == "staff" and body["active"] is True
    assert created.headers["cache-control"] == "no-store"
    assert client.get("/api/admin/appointments", headers=auth(token)).status_code == 200

    listed = client.get("/api/admin/staff", headers=ADMIN).json()
    assert [u["username"] for u in listed] == ["li.na"]
    assert set(listed[0]) == {"username", "display_name", "role", "role_text", "active", "created_at"}
    assert token not in str(listed) and hashlib.sha256(token.encode()).hexdigest() not in str(listed)

    gone = client.delete("/api/admin/staff/li.na", headers=ADMIN)
    assert gone.status_code == 200 and gone.json()["active"] is False
    refused = client.get("/api/admin/appointments", headers=auth(token))
    assert refused.status_code == 401 and "停用" in refused.json()["detail"]
    assert client.get("/api/admin/staff", headers=ADMIN).json()[0]["active"] is False


def test_the_token_is_never_stored_in_plain(client: TestClient, db_file: Path) -> None:
    token = create_staff(client, "zhou", "viewer")
    with sqlite3.connect(db_file) as connection:
        rows = connection.execute("SELECT * FROM staff_users").fetchall()
    assert len(rows) == 1
    assert hashlib.sha256(token.encode()).hexdigest() in rows[0]
    assert token not in rows[0]
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    assert b"zhou" in raw  # the files do hold the row ...
    assert token.encode() not in raw  # ... but never the token


def test_creating_staff_refuses_duplicates_and_bad_input_in_chinese(client: TestClient) -> None:
    create_staff(client, "sun", "viewer")
    duplicate = client.post(
        "/api/admin/staff", json={"username": "sun", "display_name": "孙", "role": "viewer"}, headers=ADMIN
    )
    assert duplicate.status_code == 409 and "已存在" in duplicate.json()["detail"]
    for body in (
        {"username": "qian", "display_name": "钱", "role": "root"},
        {"username": "钱", "display_name": "钱", "role": "staff"},
        {"username": "qian", "display_name": " ", "role": "staff"},
        {"username": "qian", "role": "staff"},
    ):
        response = client.post("/api/admin/staff", json=body, headers=ADMIN)
        assert response.status_code == 422, body
        assert HAN.search(response.json()["detail"])
    assert [u["username"] for u in client.get("/api/admin/staff", headers=ADMIN).json()] == ["sun"]


def test_deactivating_an_unknown_user_is_404(client: TestClient) -> None:
    response = client.delete("/api/admin/staff/nobody", headers=ADMIN)
    assert response.status_code == 404 and "未找到" in response.json()["detail"]


# -- appointments ---------------------------------------------------------------------------------


@pytest.fixture
def booked(client: TestClient) -> List[Booking]:
    restaurant_window = service(client).config.windows_for(RESTAURANT)[0].number
    assert restaurant_window not in {w.number for w in service(client).config.windows_for(COMPANY)}
    return [
        book(client, 1, at=time(9)),
        book(client, 2, at=time(13)),
        book(client, 3, day=WEDNESDAY, at=time(10)),
        book(client, 4, item=RESTAURANT, at=time(9, 30)),
    ]


def test_list_shows_masked_data_in_time_order(client: TestClient, booked: List[Booking]) -> None:
    response = client.get("/api/admin/appointments", headers=ADMIN)
    assert response.status_code == 200
    rows = response.json()
    assert [r["code"] for r in rows] == [booked[0].code, booked[3].code, booked[1].code, booked[2].code]
    first = rows[0]
    assert first["name_masked"] == "张*" and first["phone_masked"] == pii.mask_mobile(phone(1))
    assert first["id_masked"] == pii.mask_id_number(id_number(1))
    assert (first["date"], first["start"], first["end"], first["status"]) == (
        "2026-09-29",
        "09:00",
        "09:30",
        "booked",
    )
    text = response.text
    for seq in (1, 2, 3, 4):
        assert phone(seq) not in text and id_number(seq) not in text
    assert not any(name in text for name in ("张三", "李四", "王五", "赵六"))


def test_list_filters_by_date_window_and_status(client: TestClient, booked: List[Booking]) -> None:
    def codes(**params: str) -> List[str]:
        response = client.get("/api/admin/appointments", params=params, headers=ADMIN)
        assert response.status_code == 200, response.text
        return [r["code"] for r in response.json()]

    assert codes(date="2026-09-30") == [booked[2].code]
    assert set(codes(date="2026-09-29")) == {booked[0].code, booked[1].code, booked[3].code}
    assert codes(window=booked[3].window_number) == [booked[3].code]
    assert codes(date="2026-10-08") == []
    service(client).mark(code=booked[1].code, status="checked_in")
    assert codes(status="checked_in") == [booked[1].code]
    assert codes(date="2026-09-29", status="booked") == [booked[0].code, booked[3].code]


@pytest.mark.parametrize(("params", "word"), [({"date": "9/29"}, "日期"), ({"status": "done"}, "状态")])
def test_list_refuses_bad_filters_in_chinese(client: TestClient, params: Dict[str, str], word: str) -> None:
    response = client.get("/api/admin/appointments", params=params, headers=ADMIN)
    assert response.status_code == 422 and word in response.json()["detail"]


def test_check_in_and_no_show_transitions(client: TestClient, booked: List[Booking]) -> None:
    staff = auth(create_staff(client, "desk1", "staff"))
    checked = client.post(f"/api/admin/appointments/{booked[0].code.lower()}/check-in", headers=staff)
    assert checked.status_code == 200
    assert checked.json()["status"] == "checked_in" and checked.json()["status_text"] == "已签到"
    missed = client.post(f"/api/admin/appointments/{booked[1].code}/no-show", headers=staff)
    assert missed.status_code == 200 and missed.json()["status"] == "no_show"

    again = client.post(f"/api/admin/appointments/{booked[0].code}/check-in", headers=staff)
    assert again.status_code == 409 and "已签到" in again.json()["detail"]
    flip = client.post(f"/api/admin/appointments/{booked[1].code}/check-in", headers=staff)
    assert flip.status_code == 409 and "未到场" in flip.json()["detail"]
    service(client).cancel(code=booked[2].code, phone=phone(3))
    cancelled = client.post(f"/api/admin/appointments/{booked[2].code}/no-show", headers=staff)
    assert cancelled.status_code == 409 and "已取消" in cancelled.json()["detail"]

    statuses = {r["code"]: r["status"] for r in client.get("/api/admin/appointments", headers=staff).json()}
    assert statuses == {
        booked[0].code: "checked_in",
        booked[1].code: "no_show",
        booked[2].code: "cancelled",
        booked[3].code: "booked",
    }


@pytest.mark.parametrize("code", ["ABCDEFGH", "NOPE", "ABCDEFG0"])
def test_marking_an_unknown_code_is_404_in_chinese(client: TestClient, code: str) -> None:
    response = client.post(f"/api/admin/appointments/{code}/check-in", headers=ADMIN)
    assert response.status_code == 404 and "预约号" in response.json()["detail"]


# -- CSV ------------------------------------------------------------------------------------------


def read_csv(response_content: bytes) -> List[List[str]]:
    assert response_content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response_content[3:].decode("utf-8"))))


def test_csv_export_is_excel_ready_and_masked(client: TestClient, booked: List[Booking]) -> None:
    viewer = auth(create_staff(client, "viewer1", "viewer"))
    response = client.get("/api/admin/appointments.csv", params={"date": "2026-09-29"}, headers=viewer)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = read_csv(response.content)
    assert (
        rows[0]
        == list(CSV_HEADERS)
        == ["预约号", "事项", "窗口", "日期", "时段", "状态", "姓名", "手机", "身份证号"]
    )
    assert [r[0] for r in rows[1:]] == [booked[0].code, booked[3].code, booked[1].code]
    first = rows[1]
    assert first[1] == COMPANY and first[2].startswith(f"{booked[0].window_number}号窗口")
    assert first[3:] == [
        "2026-09-29",
        "09:00-09:30",
        "已预约",
        "张*",
        pii.mask_mobile(phone(1)),
        pii.mask_id_number(id_number(1)),
    ]
    text = response.content.decode("utf-8")
    assert phone(1) not in text and id_number(1) not in text and "张三" not in text


def test_csv_neutralises_formula_injection_from_booking_data(client: TestClient) -> None:
    """Stored values that start like a formula (an older row, an import) never reach Excel as one.

    The booking service refuses such names (``bot.pii.name_error``), so the rows are altered in
    the database, as any other writer could leave them.
    """
    starts = [time(9), time(9, 30), time(10), time(10, 30)]
    codes = []
    for seq in range(1, 5):
        codes.append(
            service(client)
            .book(
                item_name=COMPANY,
                day=TUESDAY,
                slot_start=starts[seq - 1],
                name="张三",
                phone=phone(seq),
                id_number=id_number(seq),
            )
            .code
        )
    engine = service(client).store.engine
    with engine.begin() as connection:
        for code, value in zip(codes, ["=HYPERLINK", "+SUM", "-CMD", "@IMPORT"], strict=True):
            connection.execute(
                appointments.update()
                .where(appointments.c.confirmation_code == code)
                .values(name_masked=value)
            )
    rows = read_csv(client.get("/api/admin/appointments.csv", headers=ADMIN).content)
    names = sorted(r[6] for r in rows[1:])
    assert names == ["'+SUM", "'-CMD", "'=HYPERLINK", "'@IMPORT"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("张*", "张*"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_csv_cell_prefixes_formula_starts(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_csv_refuses_bad_filters(client: TestClient) -> None:
    response = client.get("/api/admin/appointments.csv", params={"date": "2026-02-30"}, headers=ADMIN)
    assert response.status_code == 422 and "日期" in response.json()["detail"]


# -- audit log and OpenAPI -----------------------------------------------------------------------


def test_admin_actions_are_logged_without_personal_data(
    client: TestClient, booked: List[Booking], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api.audit")
    token = create_staff(client, "desk2", "staff")
    client.post(f"/api/admin/appointments/{booked[0].code}/check-in", headers=auth(token))
    client.get("/api/admin/appointments.csv", headers=auth(token))
    client.get("/api/admin/staff", headers=auth(token))  # forbidden, and logged as such
    lines = [r.getMessage() for r in caplog.records if r.name == "api.audit"]
    assert any("staff=ADMIN_TOKEN" in line and "create_staff" in line and "desk2" in line for line in lines)
    assert any("staff=desk2" in line and "check-in" in line and booked[0].code in line for line in lines)
    assert any("staff=desk2" in line and "export_appointments" in line for line in lines)
    assert any("staff=desk2" in line and "forbidden" in line for line in lines)
    everything = " ".join(r.getMessage() for r in caplog.records)
    assert token not in everything and ADMIN_TOKEN not in everything
    assert phone(1) not in everything and id_number(1) not in everything


def test_openapi_lists_the_admin_paths_with_bearer_security(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/admin/appointments", "get"),
        ("/api/admin/appointments.csv", "get"),
        ("/api/admin/appointments/{code}/check-in", "post"),
        ("/api/admin/appointments/{code}/no-show", "post"),
        ("/api/admin/staff", "get"),
        ("/api/admin/staff", "post"),
        ("/api/admin/staff/{username}", "delete"),
    ]:
        assert method in paths[path], path
        assert paths[path][method]["security"] == [{"StaffToken": []}]
    assert spec["components"]["securitySchemes"]["StaffToken"]["scheme"] == "bearer"


def test_the_audit_trail_is_written_even_when_nothing_else_configured_logging() -> None:
    # as under uvicorn, which configures only its own loggers: building the app is all there is
    script = (
        "import api.main  # noqa: F401\n"
        "from api.auth import Principal, audit\n"
        "audit(Principal('desk9', '窗口', 'staff'), 'check-in', code='ABCDEFGH', note='13912345678')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "[api.audit]" in line]
    assert len(lines) == 1
    assert "staff=desk9 role=staff action=check-in code=ABCDEFGH" in lines[0]
    assert "139****5678" in lines[0] and "13912345678" not in lines[0]
