"""Shared dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from api.auth import Principal, current_staff, require_role, staff_store
from api.rasa_client import RasaClient
from api.sessions import SessionStore
from bot.appointments import BookingService
from bot.catalogue import Catalogue, get_catalogue
from bot.settings import Settings, get_settings
from bot.staff import StaffStore


def _rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def _sessions(request: Request) -> SessionStore:
    return request.app.state.sessions


def booking_service(request: Request) -> BookingService:
    """Return the app's booking service (built at start-up on the app's engine)."""
    return request.app.state.bookings


def catalogue() -> Catalogue:
    """Return the 办事指南 catalogue."""
    return get_catalogue()


SettingsDep = Annotated[Settings, Depends(get_settings)]
RasaDep = Annotated[RasaClient, Depends(_rasa)]
SessionsDep = Annotated[SessionStore, Depends(_sessions)]
BookingServiceDep = Annotated[BookingService, Depends(booking_service)]
CatalogueDep = Annotated[Catalogue, Depends(catalogue)]
StaffStoreDep = Annotated[StaffStore, Depends(staff_store)]

CurrentStaff = Annotated[Principal, Depends(current_staff)]
"""Any valid staff credential (401 without one)."""
RequireViewer = Annotated[Principal, Depends(require_role("viewer"))]
RequireStaff = Annotated[Principal, Depends(require_role("staff"))]
"""The ``staff`` role or higher (403 for a viewer)."""
RequireAdmin = Annotated[Principal, Depends(require_role("admin"))]
"""The ``admin`` role (403 for others)."""


ROW_ID_MAX = 2**63 - 1
"""The largest id a row of SQLite or PostgreSQL (``BIGINT``) can hold."""
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="记录编号（正整数）")]
"""The id of an audit row or an unanswered group in a path: a larger number is refused with 422, not
passed to the database, which cannot hold it."""
