"""Public catalogue and free appointment slots (no personal data here)."""

from __future__ import annotations

import datetime as dt
import re
from typing import List, Optional

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from api.deps import BookingServiceDep, CatalogueDep
from bot.appointments import BookingService, DayNotBookableError, UnknownItemError

router = APIRouter(prefix="/api/services", tags=["services"])

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NEAREST_DAYS = 3
NOT_OFFERED = "该事项暂不提供预约办理，请直接到大厅综合窗口办理或咨询"
FULL = "当天各时段的预约名额均已约满"
FAR_AHEAD_DAYS = 366


def parse_day(text: str) -> dt.date:
    """Read a ``YYYY-MM-DD`` query value.

    Raises:
        HTTPException: 422 with a Chinese reason when ``text`` is not a real calendar date.

    """
    value = (text or "").strip()
    try:
        if not _ISO_DAY.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(
            status_code=422, detail="日期格式不正确，请按“年-月-日”填写，例如 2026-10-09。"
        ) from None


class ServiceItemOut(BaseModel):
    """One "一件事一次办" item of the catalogue."""

    id: str = Field(..., description="事项编号")
    name: str = Field(..., description="事项标准名称")
    category: str = Field(..., description="个人 或 企业")
    appointment: bool = Field(..., description="是否可在线预约到大厅窗口办理")


class SlotOut(BaseModel):
    """A slot with free places at one window."""

    start: str = Field(..., description="开始时间，如 09:00")
    end: str = Field(..., description="结束时间，如 09:30")
    window: str = Field(..., description="窗口号")
    remaining: int = Field(..., description="剩余名额")


class SlotsOut(BaseModel):
    """The free slots of one item on one day."""

    item: str = Field(..., description="事项标准名称")
    item_id: str
    date: dt.date
    bookable: bool = Field(..., description="当天是否可预约该事项")
    reason: Optional[str] = Field(None, description="不可预约的原因")
    message: Optional[str] = Field(None, description="不可预约时给办事群众的完整提示")
    slots: List[SlotOut]
    nearest_days: List[dt.date] = Field(..., description="最近的可预约日期")


def _far_ahead(bookings: BookingService, day: dt.date) -> Optional[str]:
    """Say "beyond the horizon" for a day more than a year ahead, without asking the calendar."""
    if (day - bookings.now().date()).days <= FAR_AHEAD_DAYS:
        return None
    return f"超过可预约范围（最多可预约未来{bookings.config.rules.max_working_days_ahead}个工作日）"


@router.get("", response_model=List[ServiceItemOut])
def list_services(catalogue: CatalogueDep, bookings: BookingServiceDep) -> List[ServiceItemOut]:
    """Every item of the catalogue, and whether it can be booked at a window."""
    return [
        ServiceItemOut(
            id=item.id,
            name=item.name,
            category=str(getattr(item.category, "value", item.category)),
            appointment=bool(item.appointment and bookings.config.windows_for(item.name)),
        )
        for item in catalogue
    ]


@router.get("/{item}/slots", response_model=SlotsOut)
def item_slots(
    catalogue: CatalogueDep,
    bookings: BookingServiceDep,
    item: str = Path(..., max_length=100, description="事项编号或标准名称（URL 编码）"),
    day_text: str = Query(..., alias="date", max_length=20, description="日期，格式 YYYY-MM-DD"),
) -> SlotsOut:
    """Free slots of an item on a day; a closed day answers ``bookable: false`` with the reason."""
    found = catalogue.get(item)
    if found is None:
        shown = item.strip()[:40]
        raise HTTPException(status_code=404, detail=f"未找到事项“{shown}”，请核对事项名称或编号。")
    day = parse_day(day_text)
    nearest = bookings.bookable_days(NEAREST_DAYS)
    result = SlotsOut(
        item=found.name,
        item_id=found.id,
        date=day,
        bookable=False,
        reason=None,
        message=None,
        slots=[],
        nearest_days=nearest,
    )
    if not found.appointment:
        result.reason, result.nearest_days = NOT_OFFERED, []
        return result
    reason = _far_ahead(bookings, day) or bookings.check_day(day)
    if reason is None:
        try:
            slots = bookings.available_slots(found.name, day)
        except UnknownItemError:
            result.reason, result.nearest_days = NOT_OFFERED, []
            return result
        result.slots = [
            SlotOut(start=f"{s.start:%H:%M}", end=f"{s.end:%H:%M}", window=s.window, remaining=s.remaining)
            for s in slots
        ]
        if result.slots:
            result.bookable = True
            return result
        reason = FULL
    result.reason = reason
    suggestions = [d for d in nearest if d != day]
    result.message = DayNotBookableError(day, reason, suggestions).message
    result.nearest_days = suggestions
    return result
