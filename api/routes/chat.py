"""Chat sessions and turns: browser → api → Rasa → action server and back."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, StrictStr

from api.deps import RasaDep, SessionsDep, SettingsDep
from api.messages import clean_text, guard_payload
from api.rasa_client import RasaUnavailableError

router = APIRouter(prefix="/api", tags=["chat"])
logger = logging.getLogger(__name__)

MESSAGES_PER_MINUTE = 30


class SessionOut(BaseModel):
    """A new chat session."""

    sender: str = Field(..., description="会话编号，由服务端签发，后续聊天请求需携带")


class ChatIn(BaseModel):
    """One message from a citizen."""

    sender: StrictStr = Field(..., max_length=64, description="由 POST /api/session 签发的会话编号")
    message: StrictStr = Field(..., max_length=4000, description="用户输入的文字，最多500字")
    channel: Optional[StrictStr] = Field(None, max_length=20, description="web 或 widget")


class BotMessage(BaseModel):
    """One reply, in the shape of Rasa's REST channel."""

    recipient_id: str
    text: Optional[str] = None
    buttons: Optional[List[Dict[str, Any]]] = None
    custom: Optional[Dict[str, Any]] = None


@router.post("/session", response_model=SessionOut)
async def create_session(sessions: SessionsDep, request: Request) -> SessionOut:
    """Issue a new, unguessable session id. The body may be empty."""
    client = request.client.host if request.client else "unknown"
    if not await sessions.allow(f"session-ip:{client}", limit=300):
        raise HTTPException(status_code=429, detail="请求过于频繁，请稍后再试。")
    return SessionOut(sender=await sessions.issue())


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
    known, within_limit = await sessions.admit(body.sender, limit=MESSAGES_PER_MINUTE)
    if not known:
        raise HTTPException(status_code=403, detail="会话无效或已过期，请刷新页面重新开始对话。")
    if not within_limit:
        raise HTTPException(status_code=429, detail="您发送得太快了，请稍等片刻再发送。")
    text = guard_payload(text, request.app.state.intents)
    try:
        replies = await rasa.send(body.sender, text, {"channel": body.channel or "web"})
    except RasaUnavailableError as exc:
        logger.error("rasa unavailable: %s", exc)
        raise HTTPException(
            status_code=503, detail="高小新暂时无法回复，请稍后再试，或拨打12345热线咨询。"
        ) from exc
    if not replies:
        replies = [
            {
                "recipient_id": body.sender,
                "text": "抱歉，高小新暂时没有找到合适的回答，您可以换个说法再问问。",
            }
        ]
    return replies
