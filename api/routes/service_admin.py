"""Staff endpoints for the 办事指南: view an item and edit its 材料、时限、收费、条件、窗口、网办 and aliases.

Roles: ``viewer`` reads, ``staff`` edits, ``admin`` may also undo a change from the audit log
(``POST /api/admin/audit/{id}/undo``, in ``api/routes/faq_admin.py``). Edits are stored in SQL as
overrides of the item files (`bot.catalogue.edits`), each with an audit row; the action server and
Rasa pick them up within seconds (`bot.catalogue.live`), without a restart.

Refusals carry a Chinese reason in ``detail``: 404 for an unknown item, 422 for a value that breaks
the rules of the guide files (nothing is stored), 409 for an alias another item already uses (the
items in ``clashes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Dict, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Extra, Field

from api.auth import Principal, audit
from api.deps import RequireStaff, RequireViewer
from bot.catalogue.edits import ServiceAliasClashError, ServiceEditError, ServiceEditRepository
from bot.catalogue.live import live_catalogue

router = APIRouter(prefix="/api/admin/services", tags=["admin: 办事指南"])


def _folder(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir) / "services"


def _repository(request: Request) -> ServiceEditRepository:
    return ServiceEditRepository(request.app.state.engine, _folder(request))


ServiceEditsDep = Annotated[ServiceEditRepository, Depends(_repository)]


class ServicePatch(BaseModel):
    """The fields to change, in the shape of the item files; fields not sent stay as they are.

    Every edit also sets 核对日期 (``last_checked``) to today.
    """

    materials: Optional[Any] = Field(
        None,
        description="材料：列表，每项 {name, form（原件/复印件/原件及复印件/电子件）, count（1–99）, "
        "exempt（免证办/电子证照/免提交，可空）, note（可空）, when（适用情形，可空）}",
    )
    time_limit: Optional[Any] = Field(None, description="时限：{legal（法定时限）, promised（承诺时限）}")
    fee: Optional[Any] = Field(None, description="收费，如“不收费”")
    conditions: Optional[Any] = Field(None, description="办理条件：文字列表，至少一条")
    window: Optional[Any] = Field(None, description="窗口：{number（1–20）, name（窗口名称）, floor（楼层）}")
    online: Optional[Any] = Field(
        None,
        description="网办：{channels（渠道列表）, full_online（是否全程网办）, "
        "instant_approval（是否秒批）, note（说明，可空）}",
    )
    aliases: Optional[Any] = Field(
        None, description="别名：6–15 个，不含空格，不能与其他事项的名称、别名或常用说法重复"
    )

    class Config:
        extra = Extra.allow  # an unknown field is refused by the repository, with a Chinese reason


class AliasIn(BaseModel):
    """One alias to add."""

    alias: Optional[Any] = Field(None, description="新别名，如“小孩落户”")


def _problem(exc: ServiceEditError) -> JSONResponse:
    body: Dict[str, Any] = {"detail": exc.message}
    if isinstance(exc, ServiceAliasClashError):
        body["clashes"] = [
            {"alias": c.alias, "item_id": c.item_id, "item_name": c.item_name} for c in exc.clashes
        ]
    return JSONResponse(body, status_code=exc.status_code)


def _published(request: Request, item: Dict[str, Any], audit_id: int) -> Dict[str, Any]:
    live_catalogue(_folder(request)).refresh_soon()  # this process answers from the edit at once
    return {**item, "audit_id": audit_id}


@router.get("", response_model=None, summary="办事指南事项列表")
def list_services(
    who: RequireViewer,
    services: ServiceEditsDep,
    q: Optional[str] = Query(None, max_length=100, description="按名称或别名筛选"),
) -> Dict[str, Any]:
    """Return every item with its aliases, fee, check date and who last edited it, in catalogue order."""
    items = services.list()
    if q and q.strip():
        needle = q.strip().lower()
        items = [
            i for i in items if needle in i["name"].lower() or any(needle in a.lower() for a in i["aliases"])
        ]
    return {"items": items, "count": len(items)}


@router.get("/{item_id}", response_model=None, summary="一个办事指南事项（供编辑）")
def get_service(item_id: str, who: RequireViewer, services: ServiceEditsDep) -> Any:
    """Return one item: its editable fields as citizens get them, the same in the file, and who edited it."""
    try:
        return services.get(item_id)
    except ServiceEditError as exc:
        return _problem(exc)


@router.patch("/{item_id}", response_model=None, summary="修改办事指南事项")
def patch_service(
    item_id: str, body: ServicePatch, request: Request, who: RequireStaff, services: ServiceEditsDep
) -> Any:
    """Change the fields sent; citizens get the new guide within a minute, without a restart."""
    try:
        item, audit_id = services.update(item_id, changes=body.dict(exclude_unset=True), actor=who.username)
    except ServiceEditError as exc:
        return _problem(exc)
    _log(who, "service_update", item)
    return _published(request, item, audit_id)


@router.post("/{item_id}/aliases", response_model=None, summary="为办事指南事项增加一个别名")
def add_alias(
    item_id: str, body: AliasIn, request: Request, who: RequireStaff, services: ServiceEditsDep
) -> Any:
    """Add one alias; a message naming it links to the item within a minute, without retraining."""
    try:
        item, audit_id = services.add_alias(item_id, alias=body.alias, actor=who.username)
    except ServiceEditError as exc:
        return _problem(exc)
    _log(who, "service_add_alias", item)
    return _published(request, item, audit_id)


@router.delete("/{item_id}/edits", response_model=None, summary="恢复为指南文件中的内容（可撤销）")
def revert_service(item_id: str, request: Request, who: RequireStaff, services: ServiceEditsDep) -> Any:
    """Drop every staff edit of the item; an admin can undo this from the audit log."""
    try:
        item, audit_id = services.revert(item_id, actor=who.username)
    except ServiceEditError as exc:
        return _problem(exc)
    _log(who, "service_revert", item)
    return _published(request, item, audit_id)


def undo_service_change(request: Request, audit_id: int, who: Principal) -> Any:
    """Undo one guide change logged in the audit log (the caller checked the admin role)."""
    try:
        item, new_audit_id = _repository(request).undo(audit_id, actor=who.username)
    except ServiceEditError as exc:
        return _problem(exc)
    audit(who, "service_undo", audit=audit_id, service=item["id"])
    return _published(request, item, new_audit_id)


def _log(who: Principal, action: str, item: Dict[str, Any]) -> None:
    audit(who, action, service=item["id"])
