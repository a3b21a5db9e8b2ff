"""Staff endpoints: appointments (list, check-in, no-show, CSV export) and staff users.

Every route needs a staff credential (see :mod:`api.auth`); every action is written to the audit
log with who did it and what, never with personal data. Appointments carry masked personal data only.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Annotated, Iterable, List, Optional

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field, StrictStr

from api.auth import Principal, audit
from api.deps import BookingServiceDep, RequireAdmin, RequireStaff, RequireViewer, StaffStoreDep
from api.routes.services import parse_day
from bot.appointments import (
    Booking,
    BookingError,
    BookingService,
    BusyError,
    NotActiveError,
    NotFoundError,
)
from bot.appointments.codes import normalize_code
from bot.appointments.models import STATUS_TEXT
from bot.staff import ROLE_TEXT, StaffError, StaffExistsError, StaffNotFoundError, StaffUser

router = APIRouter(prefix="/api/admin", tags=["admin"])

CSV_HEADERS = ("预约号", "事项", "窗口", "日期", "时段", "状态", "姓名", "手机", "身份证号")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MARKS = {"check-in": "checked_in", "no-show": "no_show"}


# -- models -------------------------------------------------------------------------------------


class AppointmentOut(BaseModel):
    """A booking as staff see it: personal data masked."""

    code: str = Field(..., description="预约号")
    item_id: str
    item_name: str = Field(..., description="事项")
    window: str = Field(..., description="窗口号")
    window_name: str
    date: date
    start: str = Field(..., description="时段开始，如 09:00")
    end: str = Field(..., description="时段结束，如 09:30")
    status: str = Field(..., description="booked / cancelled / checked_in / no_show")
    status_text: str = Field(..., description="状态（中文）")
    name_masked: str
    phone_masked: str
    id_masked: str

    @classmethod
    def of(cls, booking: Booking) -> AppointmentOut:
        """Build the view of ``booking``."""
        return cls(
            code=booking.code,
            item_id=booking.item_id,
            item_name=booking.item_name,
            window=booking.window_number,
            window_name=booking.window_name,
            date=booking.day,
            start=f"{booking.slot_start:%H:%M}",
            end=f"{booking.slot_end:%H:%M}",
            status=booking.status,
            status_text=booking.status_text,
            name_masked=booking.name_masked,
            phone_masked=booking.phone_masked,
            id_masked=booking.id_masked,
        )


class StaffIn(BaseModel):
    """A new staff user."""

    username: StrictStr = Field(..., max_length=64, description="登录用户名：英文字母、数字或 _ . -")
    display_name: StrictStr = Field(..., max_length=100, description="显示名称，如 张伟")
    role: StrictStr = Field("staff", max_length=16, description="viewer / staff / admin")


class StaffOut(BaseModel):
    """A staff user; never its token or the token's digest."""

    username: str
    display_name: str
    role: str
    role_text: str
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: StaffUser) -> StaffOut:
        """Build the view of ``user``."""
        return cls(
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            role_text=ROLE_TEXT[user.role],
            active=user.active,
            created_at=user.created_at,
        )


class StaffCreated(StaffOut):
    """A new staff user with its token, shown only this once."""

    token: str = Field(..., description="访问令牌，仅在创建时显示一次，请妥善保存")


# -- appointments -------------------------------------------------------------------------------


def _filtered(
    bookings: BookingService, day_text: Optional[str], window: Optional[str], status: Optional[str]
) -> List[Booking]:
    day = parse_day(day_text) if day_text else None
    if status and status not in STATUS_TEXT:
        allowed = "、".join(f"{key}（{text}）" for key, text in STATUS_TEXT.items())
        raise HTTPException(status_code=422, detail=f"状态只能是以下之一：{allowed}。")
    return bookings.list(day=day, window=(window or "").strip() or None, status=status or None)


DayQuery = Annotated[Optional[str], Query(alias="date", max_length=20, description="日期，格式 YYYY-MM-DD")]
WindowQuery = Annotated[Optional[str], Query(max_length=8, description="窗口号")]
StatusQuery = Annotated[
    Optional[str], Query(max_length=16, description="booked / cancelled / checked_in / no_show")
]


@router.get("/appointments", response_model=List[AppointmentOut])
def list_appointments(
    who: RequireViewer,
    bookings: BookingServiceDep,
    day_text: DayQuery = None,
    window: WindowQuery = None,
    status: StatusQuery = None,
) -> List[AppointmentOut]:
    """Appointments filtered by day, window and status, in time order (viewer or higher)."""
    found = _filtered(bookings, day_text, window, status)
    audit(who, "list_appointments", date=day_text, window=window, status=status, count=len(found))
    return [AppointmentOut.of(booking) for booking in found]


def csv_cell(value: object) -> str:
    """Return ``value`` as a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def bookings_csv(found: Iterable[Booking]) -> bytes:
    """Return the bookings as CSV: UTF-8 with a BOM (so Excel reads Chinese), Chinese headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    for b in found:
        row = (
            b.code,
            b.item_name,
            f"{b.window_number}号窗口（{b.window_name}）" if b.window_name else f"{b.window_number}号窗口",
            b.day.isoformat(),
            f"{b.slot_start:%H:%M}-{b.slot_end:%H:%M}",
            b.status_text,
            b.name_masked,
            b.phone_masked,
            b.id_masked,
        )
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@router.get(
    "/appointments.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "预约名单（CSV，UTF-8 带 BOM）"}},
)
def export_appointments(
    who: RequireViewer,
    bookings: BookingServiceDep,
    day_text: DayQuery = None,
    window: WindowQuery = None,
    status: StatusQuery = None,
) -> Response:
    """The same list as a CSV file for Excel, masked personal data only (viewer or higher)."""
    found = _filtered(bookings, day_text, window, status)
    audit(who, "export_appointments", date=day_text, window=window, status=status, count=len(found))
    name = f"appointments-{parse_day(day_text).isoformat() if day_text else 'all'}.csv"
    return Response(
        content=bookings_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _mark(who: Principal, bookings: BookingService, code: str, action: str) -> AppointmentOut:
    status = MARKS[action]
    normalized = normalize_code(code)
    if normalized is None:
        raise HTTPException(status_code=404, detail="预约号格式不正确（应为8位字母或数字），请核对后重试。")
    try:
        booking = bookings.mark(code=normalized, status=status)
    except NotFoundError:
        raise HTTPException(
            status_code=404, detail=f"未找到预约号为 {normalized} 的预约，请核对后重试。"
        ) from None
    except NotActiveError:
        current = bookings.store.get_by_code(normalized)
        now_text = STATUS_TEXT.get(current.status, current.status) if current else "未知"
        raise HTTPException(
            status_code=409,
            detail=f"预约 {normalized} 当前状态为“{now_text}”，不能再登记为“{STATUS_TEXT[status]}”。",
        ) from None
    except BusyError as error:
        raise HTTPException(status_code=503, detail=error.message) from None
    except BookingError as error:
        raise HTTPException(status_code=409, detail=error.message) from None
    audit(who, action, code=normalized)
    return AppointmentOut.of(booking)


@router.post("/appointments/{code}/check-in", response_model=AppointmentOut)
def check_in(code: str, who: RequireStaff, bookings: BookingServiceDep) -> AppointmentOut:
    """Record that the person arrived (staff or higher)."""
    return _mark(who, bookings, code, "check-in")


@router.post("/appointments/{code}/no-show", response_model=AppointmentOut)
def no_show(code: str, who: RequireStaff, bookings: BookingServiceDep) -> AppointmentOut:
    """Record that the person did not come (staff or higher)."""
    return _mark(who, bookings, code, "no-show")


# -- staff users --------------------------------------------------------------------------------


@router.post("/staff", response_model=StaffCreated, status_code=201)
def create_staff(body: StaffIn, who: RequireAdmin, store: StaffStoreDep, response: Response) -> StaffCreated:
    """Create a staff user; the answer holds its token, shown only this once (admin)."""
    try:
        user, token = store.create(username=body.username, display_name=body.display_name, role=body.role)
    except StaffExistsError as error:
        raise HTTPException(status_code=409, detail=error.message) from None
    except StaffError as error:
        raise HTTPException(status_code=422, detail=error.message) from None
    audit(who, "create_staff", username=user.username, role=user.role)
    response.headers["Cache-Control"] = "no-store"
    return StaffCreated(**StaffOut.of(user).dict(), token=token)


@router.get("/staff", response_model=List[StaffOut])
def list_staff(who: RequireAdmin, store: StaffStoreDep) -> List[StaffOut]:
    """Every staff user, active or not, without tokens (admin)."""
    audit(who, "list_staff")
    return [StaffOut.of(user) for user in store.list()]


@router.delete("/staff/{username}", response_model=StaffOut)
def deactivate_staff(username: str, who: RequireAdmin, store: StaffStoreDep) -> StaffOut:
    """Deactivate a staff user: its token stops working at once (admin)."""
    try:
        user = store.deactivate(username)
    except StaffNotFoundError as error:
        raise HTTPException(status_code=404, detail=error.message) from None
    audit(who, "deactivate_staff", username=user.username)
    return StaffOut.of(user)
