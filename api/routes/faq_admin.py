"""Staff endpoints for what 高小新 knows: FAQ entries, unanswered questions and the audit log.

Roles: ``viewer`` reads, ``staff`` adds, edits and deletes entries and handles unanswered questions,
``admin`` may also undo any FAQ change, or guide change (`api.routes.service_admin`), from the audit
log. Every change writes the audit log (:mod:`bot.audit`) in the same transaction. The action server
answers a new or changed entry within seconds (it re-reads the table, see :class:`bot.faq.FaqStore`);
nothing is restarted.

Refusals carry a Chinese reason in ``detail``; a way of asking that already belongs to another entry
is refused with 409 and the clashes listed in ``clashes``.
"""

from __future__ import annotations

from typing import Annotated, Any, Dict, List, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Extra, Field, StrictStr

from api.auth import audit
from api.deps import RequireAdmin, RequireStaff, RequireViewer, RowId
from api.routes.service_admin import undo_service_change
from bot.audit import AuditRecord, list_audit, read_audit
from bot.catalogue.edits import TARGET_TYPE as SERVICE_TARGET
from bot.faq_db import FaqClashError, FaqEditError, FaqInvalidError, FaqRepository
from bot.unanswered import UnansweredNotFoundError, UnansweredStatus, UnansweredStore

router = APIRouter(prefix="/api/admin", tags=["admin: FAQ"])


def _repository(request: Request) -> FaqRepository:
    return FaqRepository(request.app.state.engine)


def _unanswered(request: Request) -> UnansweredStore:
    return UnansweredStore(request.app.state.engine)


FaqRepositoryDep = Annotated[FaqRepository, Depends(_repository)]
UnansweredDep = Annotated[UnansweredStore, Depends(_unanswered)]


# -- models -------------------------------------------------------------------------------------


class FaqIn(BaseModel):
    """A new (or wholly replaced) FAQ entry. Missing fields are refused with a Chinese reason."""

    questions: List[StrictStr] = Field(default_factory=list, description="市民的几种问法（至少一种）")
    answer: StrictStr = Field("", description="答案")
    title: Optional[StrictStr] = Field(None, description="标题；不填时用第一种问法")
    source: Optional[StrictStr] = Field(None, description="来源，如“高新区政务服务中心服务规范”")
    last_checked: Optional[Any] = Field(None, description="核实日期 YYYY-MM-DD，不晚于今天；不填时为今天")
    id: Optional[StrictStr] = Field(
        None, description="编号（英文字母、数字、下划线，不超过64个字符）；不填时自动生成"
    )


class FaqPatch(BaseModel):
    """Some fields of an entry; the others stay as they are."""

    questions: Optional[List[StrictStr]] = None
    answer: Optional[StrictStr] = None
    title: Optional[StrictStr] = None
    source: Optional[StrictStr] = None
    last_checked: Optional[Any] = Field(None, description="核实日期 YYYY-MM-DD；改了答案而不填时为今天")

    class Config:
        extra = Extra.forbid  # "foo": a field no entry has is refused, not taken for a change


class ToFaqIn(BaseModel):
    """Turn an unanswered question into a new entry: the answer, and optionally more ways of asking."""

    answer: StrictStr = Field("", description="答案")
    questions: Optional[List[StrictStr]] = Field(None, description="问法；不填时用该未答问题的文字")
    title: Optional[StrictStr] = None
    source: Optional[StrictStr] = None


class AddQuestionIn(BaseModel):
    """Add an unanswered question as a way of asking to an existing entry."""

    faq_id: StrictStr = Field("", description="已有常见问题条目的编号")
    question: Optional[StrictStr] = Field(None, description="问法；不填时用该未答问题的文字")


# -- helpers ------------------------------------------------------------------------------------


def _problem(exc: Exception) -> JSONResponse:
    status = getattr(exc, "status_code", 404)
    body: Dict[str, Any] = {"detail": getattr(exc, "message", str(exc))}
    if isinstance(exc, FaqClashError):
        body["clashes"] = [
            {"question": c.question, "entry_id": c.entry_id, "entry_title": c.entry_title}
            for c in exc.clashes
        ]
    return JSONResponse(body, status_code=status)


def _with_audit(entry: Dict[str, Any], audit_id: int) -> Dict[str, Any]:
    return {**entry, "audit_id": audit_id}


def _audit_out(record: AuditRecord) -> Dict[str, Any]:
    return {
        "id": record.id,
        "at": record.at.isoformat(timespec="seconds") + "Z",
        "actor": record.actor,
        "action": record.action,
        "action_text": record.action_text,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "before": record.before,
        "after": record.after,
        "undone_by": record.undone_by,
    }


# -- FAQ entries --------------------------------------------------------------------------------


@router.get("/faq", response_model=None, summary="常见问题条目列表")
def list_faq(
    who: RequireViewer,
    faq: FaqRepositoryDep,
    include_deleted: bool = Query(False, description="是否包含已删除的条目"),
    q: Optional[str] = Query(None, max_length=100, description="按标题、问法或答案筛选"),
) -> Dict[str, Any]:
    """Return the entries, sorted by id."""
    entries = faq.list(include_deleted=include_deleted)
    if q and q.strip():
        needle = q.strip().lower()
        entries = [
            e
            for e in entries
            if needle in e["title"].lower()
            or needle in e["answer"].lower()
            or any(needle in x.lower() for x in e["questions"])
        ]
    return {"entries": entries, "count": len(entries)}


@router.get("/faq/{entry_id}", response_model=None, summary="一个常见问题条目")
def get_faq(entry_id: str, who: RequireViewer, faq: FaqRepositoryDep) -> Any:
    """Return one entry (404 when it does not exist or was deleted)."""
    try:
        return faq.get(entry_id)
    except FaqEditError as exc:
        return _problem(exc)


@router.post("/faq", response_model=None, status_code=201, summary="新增常见问题条目")
def create_faq(body: FaqIn, who: RequireStaff, faq: FaqRepositoryDep) -> Any:
    """Create an entry; citizens get its answer within a minute, without a restart."""
    try:
        entry, audit_id = faq.create(data=body.dict(), actor=who.username)
    except FaqEditError as exc:
        return _problem(exc)
    audit(who, "faq_create", faq=entry["id"])
    return _with_audit(entry, audit_id)


@router.put("/faq/{entry_id}", response_model=None, summary="修改常见问题条目（整体替换）")
def replace_faq(entry_id: str, body: FaqIn, who: RequireStaff, faq: FaqRepositoryDep) -> Any:
    """Replace the questions, answer, title, source and check date of an entry."""
    changes = body.dict(exclude={"id"})
    try:
        entry, audit_id = faq.update(entry_id, changes=changes, actor=who.username)
    except FaqEditError as exc:
        return _problem(exc)
    audit(who, "faq_update", faq=entry_id)
    return _with_audit(entry, audit_id)


@router.patch("/faq/{entry_id}", response_model=None, summary="修改常见问题条目（部分字段）")
def patch_faq(entry_id: str, body: FaqPatch, who: RequireStaff, faq: FaqRepositoryDep) -> Any:
    """Change only the fields sent; a request that sends none is refused (422), changing nothing."""
    changes = body.dict(exclude_unset=True)
    if not changes:
        return JSONResponse({"detail": "请至少修改一项内容。"}, status_code=422)
    try:
        entry, audit_id = faq.update(entry_id, changes=changes, actor=who.username)
    except FaqEditError as exc:
        return _problem(exc)
    audit(who, "faq_update", faq=entry_id)
    return _with_audit(entry, audit_id)


@router.delete("/faq/{entry_id}", response_model=None, summary="删除常见问题条目（可撤销）")
def delete_faq(entry_id: str, who: RequireStaff, faq: FaqRepositoryDep) -> Any:
    """Mark an entry deleted; an admin can undo it from the audit log."""
    try:
        entry, audit_id = faq.delete(entry_id, actor=who.username)
    except FaqEditError as exc:
        return _problem(exc)
    audit(who, "faq_delete", faq=entry_id)
    return _with_audit(entry, audit_id)


# -- audit log ----------------------------------------------------------------------------------


@router.get("/audit", response_model=None, summary="操作记录")
def list_audit_log(
    request: Request,
    who: RequireViewer,
    target_type: Optional[str] = Query(None, description="faq、service（办事指南）或 unanswered"),
    target_id: Optional[str] = Query(None, max_length=64),
    limit: int = Query(100, ge=1, le=500),
) -> Dict[str, Any]:
    """Return the newest changes first."""
    records = list_audit(request.app.state.engine, target_type=target_type, target_id=target_id, limit=limit)
    return {"records": [_audit_out(r) for r in records]}


@router.post("/audit/{audit_id}/undo", response_model=None, summary="撤销一次修改（常见问题或办事指南）")
def undo_change(audit_id: RowId, request: Request, who: RequireAdmin, faq: FaqRepositoryDep) -> Any:
    """Put the entry or guide item back as it was before that change (its newest change only)."""
    record = read_audit(request.app.state.engine, audit_id)
    if record is not None and record.target_type == SERVICE_TARGET:
        return undo_service_change(request, audit_id, who)
    try:
        entry, new_audit_id = faq.undo(audit_id, actor=who.username)
    except FaqEditError as exc:
        return _problem(exc)
    audit(who, "faq_undo", audit=audit_id, faq=entry["id"])
    return _with_audit(entry, new_audit_id)


# -- unanswered questions -----------------------------------------------------------------------

STATUS_FILTER = {"open": "open", "resolved": "resolved", "ignored": "ignored", "all": None}


@router.get("/unanswered", response_model=None, summary="高小新未能回答的问题（已脱敏、已归并）")
def list_unanswered(
    who: RequireViewer,
    store: UnansweredDep,
    status: str = Query("open", description="open（待处理）/ resolved / ignored / all"),
    limit: int = Query(200, ge=1, le=1000),
) -> Any:
    """Return the groups, the most asked first: masked text, count, examples, first and last time."""
    if status not in STATUS_FILTER:
        return JSONResponse({"detail": "状态只能是 open、resolved、ignored 或 all 之一。"}, status_code=422)
    return {"groups": [g.as_dict() for g in store.list(status=STATUS_FILTER[status], limit=limit)]}


@router.post(
    "/unanswered/{group_id}/to-faq", response_model=None, status_code=201, summary="转为新的常见问题"
)
def unanswered_to_faq(
    group_id: RowId, body: ToFaqIn, who: RequireStaff, store: UnansweredDep, faq: FaqRepositoryDep
) -> Any:
    """Create an entry whose ways of asking are the question (and its examples unless given)."""
    try:
        group = store.get(group_id)
        questions = body.questions if body.questions else [group.text, *group.examples]
        entry, audit_id = faq.create(
            data={"questions": questions, "answer": body.answer, "title": body.title, "source": body.source},
            actor=who.username,
        )
        store.set_status(group_id, status=UnansweredStatus.RESOLVED, actor=who.username, faq_id=entry["id"])
    except (FaqEditError, UnansweredNotFoundError) as exc:
        return _problem(exc)
    audit(who, "unanswered_to_faq", unanswered=group_id, faq=entry["id"])
    return _with_audit(entry, audit_id)


@router.post("/unanswered/{group_id}/add-question", response_model=None, summary="作为已有条目的新问法")
def unanswered_add_question(
    group_id: RowId, body: AddQuestionIn, who: RequireStaff, store: UnansweredDep, faq: FaqRepositoryDep
) -> Any:
    """Add the question as a way of asking to an existing entry."""
    try:
        group = store.get(group_id)
        if not body.faq_id.strip():
            raise FaqInvalidError("请选择要加入问法的常见问题条目。")
        entry, audit_id = faq.add_question(
            body.faq_id.strip(), question=body.question or group.text, actor=who.username
        )
        store.set_status(group_id, status=UnansweredStatus.RESOLVED, actor=who.username, faq_id=entry["id"])
    except (FaqEditError, UnansweredNotFoundError) as exc:
        return _problem(exc)
    audit(who, "unanswered_add_question", unanswered=group_id, faq=entry["id"])
    return _with_audit(entry, audit_id)


@router.post("/unanswered/{group_id}/ignore", response_model=None, summary="忽略未答问题")
def unanswered_ignore(group_id: RowId, who: RequireStaff, store: UnansweredDep) -> Any:
    """Hide a group (it opens again if citizens keep asking it)."""
    try:
        group = store.set_status(group_id, status=UnansweredStatus.IGNORED, actor=who.username)
    except UnansweredNotFoundError as exc:
        return _problem(exc)
    audit(who, "unanswered_ignore", unanswered=group_id)
    return group.as_dict()
