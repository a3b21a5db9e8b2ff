"""Hand-over tickets and 好差评 ratings: the citizen's rating, and what staff see and do.

- ``POST /api/rating`` (public, bound to a chat session): one rating per finished matter; a 差评
  (不满意 or 非常不满意) with what went wrong opens a follow-up ticket.
- ``/api/admin/tickets``: list, read, take, answer (the answer appears in the citizen's chat), close.
- ``/api/admin/ratings``: ratings aggregated per day and per item.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, Field, StrictStr

from api.auth import audit
from api.deps import RequireStaff, RequireViewer, SessionsDep
from api.messages import clean_text
from bot.ratings import LEVELS, RatingStore, is_poor, level_from
from bot.tickets import (
    Ticket,
    TicketError,
    TicketKind,
    TicketNotFoundError,
    TicketStatus,
    TicketStore,
    TranscriptLine,
    is_staffed,
    mask_known,
)
from bot.unanswered import UnansweredReason, UnansweredStore

public = APIRouter(prefix="/api", tags=["rating"])
staff = APIRouter(prefix="/api/admin", tags=["tickets"])

logger = logging.getLogger(__name__)
ROLE_OF_ENTRY = {"me": "citizen", "bot": "bot", "staff": "staff"}


def _tickets(request: Request) -> TicketStore:
    return TicketStore(request.app.state.engine)


def _ratings(request: Request) -> RatingStore:
    return RatingStore(request.app.state.engine)


class RatingIn(BaseModel):
    """A citizen's 好差评 rating of one finished matter."""

    sender: StrictStr = Field(..., max_length=64, description="会话编号")
    level: Any = Field(
        ..., description="评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意（或中文）"
    )
    item: Optional[StrictStr] = Field(None, max_length=100, description="所评价的事项名称")
    topic: Optional[StrictStr] = Field(None, max_length=32, description="guide、booking 或 faq")
    context: Optional[StrictStr] = Field(None, max_length=100, description="同一办结事项只评价一次的标识")
    comment: Optional[StrictStr] = Field(None, max_length=1000, description="不满意的原因")
    channel: Optional[StrictStr] = Field(None, max_length=20)


class RatingOut(BaseModel):
    """The stored rating, and the follow-up ticket of a 差评."""

    id: int
    level: int
    label: str
    ticket: Optional[str] = None
    message: str


class TicketOut(BaseModel):
    """A ticket as staff see it (personal data masked)."""

    number: str
    kind: str
    kind_text: str
    status: str
    status_text: str
    item: Optional[str]
    channel: Optional[str]
    user_id: Optional[str]
    within_hours: bool
    note: Optional[str]
    created_at: str
    taken_by: Optional[str]
    answer: Optional[str]
    answered_by: Optional[str]
    answered_at: Optional[str]
    closed_at: Optional[str]
    transcript: List[Dict[str, str]]


class AnswerIn(BaseModel):
    """A staff member's answer to the citizen."""

    answer: StrictStr = Field(..., max_length=1000, description="答复内容（将显示在群众的对话中）")


def _out(ticket: Ticket) -> TicketOut:
    def iso(value: Any) -> Optional[str]:
        return value.isoformat() if value is not None else None

    return TicketOut(
        number=ticket.number,
        kind=ticket.kind,
        kind_text=ticket.kind_text,
        status=ticket.status,
        status_text=ticket.status_text,
        item=ticket.item,
        channel=ticket.channel,
        user_id=ticket.user_id,
        within_hours=ticket.within_hours,
        note=ticket.note,
        created_at=ticket.created_at.isoformat(),
        taken_by=ticket.taken_by,
        answer=ticket.answer,
        answered_by=ticket.answered_by,
        answered_at=iso(ticket.answered_at),
        closed_at=iso(ticket.closed_at),
        transcript=[{"role": line.role, "text": line.text} for line in ticket.transcript],
    )


def rated_question(entries: List[Dict[str, Any]], faq_id: str) -> Optional[str]:
    """The citizen's question that 高小新 answered with FAQ entry ``faq_id``, from a transcript.

    The citizen's line just before the latest answer with that entry's card; when that line was a
    tapped "您是不是想问" choice (a button title of the reply before it), the typed line before
    that. ``None`` when the transcript holds no such answer (the id then came from the page only).
    """
    answered = [
        n
        for n, e in enumerate(entries)
        if e.get("role") == "bot" and (e.get("custom") or {}).get("type") == "faq"
        and (e.get("custom") or {}).get("id") == faq_id
    ]  # fmt: skip
    if not answered:
        return None
    for n in range(answered[-1] - 1, -1, -1):
        entry, before = entries[n], entries[n - 1] if n else {}
        text = str(entry.get("text") or "")
        if entry.get("role") != "me" or not text:
            continue
        offered = (
            {str(b.get("title")) for b in before.get("buttons") or []}
            if before.get("role") == "bot"
            else set()
        )
        if text not in offered:
            return text
    return None


@public.post(
    "/rating", response_model=RatingOut, status_code=status.HTTP_201_CREATED, response_model_exclude_none=True
)
async def rate(body: RatingIn, sessions: SessionsDep, request: Request) -> RatingOut:
    """Rate a finished matter on the national five levels; a 差评 opens a follow-up ticket."""
    level = level_from(body.level)
    if level is None:
        raise HTTPException(
            status_code=422, detail="请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意。"
        )
    known, user = await sessions.user_of(body.sender)
    if not known:
        raise HTTPException(status_code=403, detail="会话无效或已过期，请刷新页面后再评价。")
    if not await sessions.allow(f"rating:{body.sender}", limit=10):
        raise HTTPException(status_code=429, detail="评价提交过于频繁，请稍后再试。")
    comment = clean_text(body.comment or "")
    if is_poor(level) and not comment:
        raise HTTPException(status_code=422, detail="请告诉我们哪里让您不满意，以便工作人员跟进改进。")
    context = clean_text(body.context or "") or f"{body.topic or ''}:{body.item or ''}"
    if not await sessions.claim_once(f"rated:{body.sender}:{context}"):
        raise HTTPException(status_code=409, detail="您已经评价过这项服务了，感谢您的反馈。")
    ratings, tickets = _ratings(request), _tickets(request)
    rating = await asyncio.to_thread(
        ratings.add, level=level, item=body.item, topic=body.topic, channel=body.channel, comment=comment
    )
    number = None
    if is_poor(level):
        entries, _ = await sessions.transcript(body.sender)
        lines = [
            TranscriptLine(ROLE_OF_ENTRY.get(str(e.get("role")), "bot"), mask_known(str(e.get("text") or "")))
            for e in entries
            if e.get("text")
        ]
        ticket = await asyncio.to_thread(
            tickets.create,
            kind=TicketKind.RATING,
            session_id=body.sender,
            transcript=lines,
            within_hours=is_staffed(),
            item=body.item,
            channel=body.channel,
            user_id=user,
            note=f"【{LEVELS[level]}】{comment}",
        )
        number = ticket.number
        await asyncio.to_thread(ratings.attach_ticket, rating.id, number)
        faq_id = context.removeprefix("faq:") if body.topic == "faq" and context.startswith("faq:") else ""
        question = rated_question(entries, faq_id) if faq_id else None
        if question:
            # the FAQ answer did not help: its question goes on the staff's unanswered list
            try:
                await asyncio.to_thread(
                    UnansweredStore(request.app.state.engine).record,
                    question,
                    best_match=faq_id,
                    reason=UnansweredReason.POOR_RATING,
                )
            except Exception:  # noqa: BLE001 - the rating and its ticket are stored; the list is extra
                logger.warning("could not put a poorly rated FAQ question on the list", exc_info=True)
        message = (
            f"非常抱歉让您不满意。已为您登记回访工单，工单号 {number}，工作人员会在办公时间内核实处理，"
            "并在此对话中回复您。"
        )
    else:
        message = "感谢您的评价！"
    return RatingOut(id=rating.id, level=level, label=LEVELS[level], ticket=number, message=message)


@staff.get("/tickets", response_model=List[TicketOut])
async def list_tickets(
    principal: RequireViewer,
    request: Request,
    status_filter: Optional[TicketStatus] = Query(
        None, alias="status", description="open/taken/answered/closed"
    ),
) -> List[TicketOut]:
    """Hand-over and follow-up tickets, newest first."""
    found = await asyncio.to_thread(_tickets(request).list, status=status_filter)
    return [_out(t) for t in found]


@staff.get("/tickets/{number}", response_model=TicketOut)
async def get_ticket(number: str, principal: RequireViewer, request: Request) -> TicketOut:
    """One ticket with its masked transcript."""
    try:
        return _out(await asyncio.to_thread(_tickets(request).get, number))
    except TicketNotFoundError as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc


@staff.post("/tickets/{number}/take", response_model=TicketOut)
async def take_ticket(number: str, principal: RequireStaff, request: Request) -> TicketOut:
    """Take the ticket (处理中)."""
    try:
        ticket = await asyncio.to_thread(_tickets(request).take, number, staff=principal.username)
    except TicketNotFoundError as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    except TicketError as exc:
        raise HTTPException(status_code=409, detail=exc.message) from exc
    audit(principal, "ticket_take", ticket=ticket.number)
    return _out(ticket)


@staff.post("/tickets/{number}/answer", response_model=TicketOut)
async def answer_ticket(
    number: str, body: AnswerIn, principal: RequireStaff, request: Request, sessions: SessionsDep
) -> TicketOut:
    """Answer the citizen: the answer is stored and shown in the citizen's chat."""
    try:
        ticket = await asyncio.to_thread(
            _tickets(request).answer, number, staff=principal.username, text=body.answer
        )
    except TicketNotFoundError as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    except TicketError as exc:
        raise HTTPException(status_code=409 if "关闭" in exc.message else 422, detail=exc.message) from exc
    await sessions.append(
        ticket.session_id,
        [
            {
                "role": "staff",
                "text": ticket.answer or "",
                "custom": {"type": "staff_answer", "ticket": ticket.number},
            }
        ],
    )
    audit(principal, "ticket_answer", ticket=ticket.number)
    return _out(ticket)


@staff.post("/tickets/{number}/close", response_model=TicketOut)
async def close_ticket(number: str, principal: RequireStaff, request: Request) -> TicketOut:
    """Close the ticket (已关闭)."""
    try:
        ticket = await asyncio.to_thread(_tickets(request).close, number)
    except TicketNotFoundError as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    audit(principal, "ticket_close", ticket=ticket.number)
    return _out(ticket)


@staff.get("/ratings")
async def rating_summary(
    principal: RequireViewer,
    request: Request,
    start: Optional[date] = Query(None, alias="from", description="起始日期 YYYY-MM-DD"),
    end: Optional[date] = Query(None, alias="to", description="截止日期 YYYY-MM-DD"),
) -> Dict[str, Any]:
    """好差评 ratings aggregated per day and item: counts per level, average, share 满意 or better."""
    rows = await asyncio.to_thread(_ratings(request).summary, start=start, end=end)
    return {
        "levels": [LEVELS[level] for level in sorted(LEVELS, reverse=True)],
        "days": [
            {
                "day": r.day.isoformat(),
                "item": r.item or "（综合）",
                "count": r.count,
                "by_level": r.by_level,
                "average": r.average,
                "satisfied_share": r.satisfied_share,
                "poor": r.poor,
            }
            for r in rows
        ],
    }
