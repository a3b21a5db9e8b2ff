"""Chat sessions and turns: browser → api → Rasa → action server and back.

A turn may carry the client's ``message_id``: the same id sent again (a retry after a lost
response on a flaky mobile network) gets the first answer back instead of a second turn. Each
session keeps a masked transcript, so a reload shows the conversation again (``POST /api/history``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, StrictInt, StrictStr

from api.cards import asks_for_name, bot_entries, decorate, user_entry
from api.deps import RasaDep, SessionsDep, SettingsDep
from api.host_user import SignedUserError, verify_user
from api.messages import BACKEND_UNAVAILABLE, clean_text, guard_payload
from api.rasa_client import RasaUnavailableError
from bot.logs import REQUEST_ID

router = APIRouter(prefix="/api", tags=["chat"])
logger = logging.getLogger(__name__)

MESSAGES_PER_MINUTE = 30
PENDING_WAIT_SECONDS = 8.0
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SessionIn(BaseModel):
    """Optional: the 郑好办 host's signed user, to bind to the new session."""

    user: Optional[StrictStr] = Field(None, max_length=64, description="郑好办用户编号")
    expires: Optional[StrictInt] = Field(None, description="签名到期时间（Unix 秒）")
    signature: Optional[StrictStr] = Field(None, max_length=128, description="HMAC-SHA256 签名（十六进制）")


class SessionOut(BaseModel):
    """A new chat session."""

    sender: str = Field(..., description="会话编号，由服务端签发，后续聊天请求需携带")
    user: Optional[str] = Field(None, description="已验证的郑好办用户编号（如有）")


class ChatIn(BaseModel):
    """One message from a citizen."""

    sender: StrictStr = Field(..., max_length=64, description="由 POST /api/session 签发的会话编号")
    message: StrictStr = Field(..., max_length=4000, description="用户输入的文字，最多500字")
    channel: Optional[StrictStr] = Field(None, max_length=20, description="web 或 widget")
    message_id: Optional[StrictStr] = Field(
        None, max_length=64, description="客户端为每条消息生成的编号；重发同一编号不会重复处理"
    )
    display: Optional[StrictStr] = Field(None, max_length=100, description="按钮消息在对话记录中显示的文字")


class HistoryIn(BaseModel):
    """Which session's transcript, from which entry on."""

    sender: StrictStr = Field(..., max_length=64)
    after: int = Field(0, ge=0, description="从第几条开始（用于轮询新消息）")


class BotMessage(BaseModel):
    """One reply, in the shape of Rasa's REST channel."""

    recipient_id: str
    text: Optional[str] = None
    buttons: Optional[List[Dict[str, Any]]] = None
    custom: Optional[Dict[str, Any]] = None


class HistoryOut(BaseModel):
    """The masked transcript of a session."""

    messages: List[Dict[str, Any]]
    next: int = Field(..., description="下一次轮询时的 after 值")


@router.post("/session", response_model=SessionOut, response_model_exclude_none=True)
async def create_session(
    sessions: SessionsDep, request: Request, body: Optional[SessionIn] = None
) -> SessionOut:
    """Issue a new, unguessable session id. The body may be empty, or carry the host's signed user."""
    settings = request.app.state.settings
    client = request.client.host if request.client else "unknown"
    bucket = f"session-ip:{client}"
    # settings.sessions_per_minute: generous, as a hall's shared Wi-Fi shows many citizens as one
    # address; 0 turns the limit off (a harness playing hundreds of conversations from one address)
    limit = settings.sessions_per_minute
    if limit > 0 and not await sessions.allow(bucket, limit=limit):
        wait = await sessions.retry_after(bucket)
        raise HTTPException(
            status_code=429, detail="请求过于频繁，请稍后再试。", headers={"Retry-After": str(wait)}
        )
    user = None
    if body is not None and (body.user or body.signature or body.expires is not None):
        try:
            user = verify_user(
                body.user or "",
                body.expires or 0,
                body.signature or "",
                secret=settings.host_signing_secret,
                max_age_seconds=settings.signed_user_max_age_seconds,
            )
        except SignedUserError as exc:
            logger.warning("refused a signed host user: %s", exc.message)
            raise HTTPException(status_code=exc.status, detail=exc.message) from exc
    return SessionOut(sender=await sessions.issue(user), user=user)


@router.post("/history", response_model=HistoryOut)
async def history(body: HistoryIn, sessions: SessionsDep) -> HistoryOut:
    """The session's conversation so far (personal data masked), to show again after a reload."""
    entries, total = await sessions.transcript(body.sender, body.after)
    if total == 0:
        known, _ = await sessions.user_of(body.sender)
        if not known:
            raise HTTPException(status_code=403, detail="会话无效或已过期，请刷新页面重新开始对话。")
    for entry in entries:
        if entry.get("custom"):
            entry["custom"] = decorate([{"custom": entry["custom"]}])[0]["custom"]
    return HistoryOut(messages=entries, next=total)


async def _previous_answer(sessions: Any, body: ChatIn) -> Optional[List[Dict[str, Any]]]:
    """Wait briefly for the first request with this message id to finish, and return its replies."""
    loop = asyncio.get_running_loop()
    end = loop.time() + PENDING_WAIT_SECONDS
    while loop.time() < end:
        await asyncio.sleep(0.25)
        admission = await sessions.begin_turn(body.sender, 10_000, body.message_id)
        if admission.previous is not None:
            return admission.previous
        if admission.claimed:  # the first request failed and let go: answer this one instead
            await sessions.abandon_turn(body.sender, body.message_id)
            return None
    raise HTTPException(status_code=409, detail="这条消息正在处理中，请稍候。")


@router.post("/chat", response_model=List[BotMessage], response_model_exclude_none=True)
async def chat(
    body: ChatIn, sessions: SessionsDep, rasa: RasaDep, settings: SettingsDep, request: Request
) -> List[Dict[str, Any]]:
    """Send one message to 高小新 and return its replies."""
    text = clean_text(body.message)
    if not text:
        raise HTTPException(status_code=422, detail="消息内容不能为空，请输入您要咨询的问题。")
    if len(text) > settings.max_message_chars:
        raise HTTPException(
            status_code=422,
            detail=f"消息太长了，请控制在{settings.max_message_chars}字以内，或分几次发送。",
        )
    if body.message_id is not None and not MESSAGE_ID.match(body.message_id):
        raise HTTPException(status_code=422, detail="消息编号格式不正确。")
    admission = await sessions.begin_turn(body.sender, MESSAGES_PER_MINUTE, body.message_id)
    if not admission.known:
        raise HTTPException(status_code=403, detail="会话无效或已过期，请刷新页面重新开始对话。")
    if not admission.within_limit:
        raise HTTPException(status_code=429, detail="您发送得太快了，请稍等片刻再发送。")
    if admission.previous is not None:
        return admission.previous
    if not admission.claimed:
        previous = await _previous_answer(sessions, body)
        if previous is not None:
            return previous
        admission = await sessions.begin_turn(body.sender, 10_000, body.message_id)
        if not admission.claimed:
            raise HTTPException(status_code=409, detail="这条消息正在处理中，请稍候。")
    text = guard_payload(text, request.app.state.intents)
    metadata: Dict[str, Any] = {"channel": body.channel or "web", "request_id": REQUEST_ID.get()}
    if admission.user:
        metadata["user"] = admission.user
    try:
        replies = await rasa.send(body.sender, text, metadata)
    except RasaUnavailableError as exc:
        logger.error("rasa unavailable: %s", exc)
        await sessions.abandon_turn(body.sender, body.message_id)
        raise HTTPException(status_code=503, detail=BACKEND_UNAVAILABLE) from exc
    except BaseException:
        await sessions.abandon_turn(body.sender, body.message_id)
        raise
    if not replies:
        replies = [
            {
                "recipient_id": body.sender,
                "text": "抱歉，高小新暂时没有找到合适的回答，您可以换个说法再问问。",
            }
        ]
    shown = clean_text(body.display or "") or ("" if text.startswith("/") else text)
    entries = ([user_entry(shown, is_name=admission.asks_name)] if shown else []) + bot_entries(replies)
    replies = decorate(replies)
    await sessions.finish_turn(body.sender, body.message_id, replies, entries, asks_for_name(replies))
    return replies
