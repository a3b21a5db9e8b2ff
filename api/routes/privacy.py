"""A citizen's booking data on request (PIPL): staff export it and delete it.

The citizen asks at the hall or by phone and proves who they are; staff then look the bookings up
by the phone number and/or ID number given at booking. Both are matched through the keyed hashes
and never logged or stored. Export needs the ``staff`` role, deletion ``admin``; both are audited.
"""

from __future__ import annotations

import asyncio
from typing import Callable, Dict, List, Optional, TypeVar

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, StrictStr

from api.auth import audit
from api.deps import RequireAdmin, RequireStaff
from bot.retention import erase_person, export_person

T = TypeVar("T")

router = APIRouter(prefix="/api/admin/privacy", tags=["admin"])


class PersonIn(BaseModel):
    """Whose data: the phone number and/or the ID number given at booking (both must match if both given)."""

    phone: Optional[StrictStr] = Field(None, max_length=20, description="预约时登记的手机号")
    id_number: Optional[StrictStr] = Field(None, max_length=20, description="预约时登记的身份证号")


class ExportOut(BaseModel):
    """The person's appointments as stored (personal data masked)."""

    appointments: List[Dict[str, str]]


class ErasedOut(BaseModel):
    """How many appointments were deleted."""

    deleted: int


async def _for_person(operation: Callable[..., T], body: PersonIn, request: Request) -> T:
    """Run a privacy operation on the citizen named by phone and/or ID number; 422 with the reason."""
    state = request.app.state
    try:
        return await asyncio.to_thread(
            operation,
            state.engine,
            pii_key=state.settings.pii_key,
            phone=body.phone,
            id_number=body.id_number,
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.post("/export", response_model=ExportOut)
async def export(body: PersonIn, who: RequireStaff, request: Request) -> ExportOut:
    """Export one citizen's appointments (个人信息查阅、复制)."""
    found = await _for_person(export_person, body, request)
    audit(who, "privacy_export", count=len(found))
    return ExportOut(appointments=found)


@router.post("/erase", response_model=ErasedOut)
async def erase(body: PersonIn, who: RequireAdmin, request: Request) -> ErasedOut:
    """Delete one citizen's appointments (个人信息删除); an active booking frees its place."""
    deleted = await _for_person(erase_person, body, request)
    audit(who, "privacy_erase", count=deleted)
    return ErasedOut(deleted=deleted)
