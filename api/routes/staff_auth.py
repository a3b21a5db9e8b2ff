"""Sign-in for the staff page: username and password → an HttpOnly session cookie and a CSRF token.

``POST /api/admin/login`` is the only staff endpoint open without a credential. Five wrong passwords
in a row lock the account for 15 minutes (:class:`bot.staff.PasswordSignIn`). An admin sets a staff
member's password with ``PUT /api/admin/staff/{username}/password``; bearer tokens keep working.
"""

from __future__ import annotations

import time
from typing import Any, Dict

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictStr

from api.auth import audit
from api.deps import CurrentStaff, RequireAdmin
from api.staff_sessions import COOKIE_PATH, SESSION_COOKIE, StaffSessions
from bot.staff import ROLE_TEXT, LockedOutError, PasswordSignIn, StaffError, StaffNotFoundError

router = APIRouter(prefix="/api/admin", tags=["admin: sign-in"])

LOGIN_ATTEMPTS_PER_MINUTE = 30  # per client address, whatever the username (password spraying)
WRONG_PASSWORD = "用户名或密码不正确，请核对后重试（连续输错5次将锁定15分钟）。"


class LoginIn(BaseModel):
    """A sign-in attempt."""

    username: StrictStr = Field("", max_length=64)
    password: StrictStr = Field("", max_length=256)


class PasswordIn(BaseModel):
    """A new password."""

    password: StrictStr = Field("", max_length=256)


def _sign_in(request: Request) -> PasswordSignIn:
    return PasswordSignIn(request.app.state.engine)


def _secure_cookie(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.settings.env != "local"


def _who(username: str, display_name: str, role: str) -> Dict[str, Any]:
    return {"username": username, "display_name": display_name, "role": role, "role_text": ROLE_TEXT[role]}


@router.post("/login", response_model=None, summary="工作人员登录")
async def login(body: LoginIn, request: Request) -> Any:
    """Check the password; on success set the session cookie and return the CSRF token."""
    client = request.client.host if request.client else "unknown"
    if not await request.app.state.sessions.allow(f"login-ip:{client}", limit=LOGIN_ATTEMPTS_PER_MINUTE):
        return JSONResponse({"detail": "登录尝试过于频繁，请一分钟后再试。"}, status_code=429)
    try:
        user = await run_in_threadpool(_sign_in(request).verify, body.username, body.password)
    except LockedOutError as exc:
        return JSONResponse({"detail": exc.message}, status_code=429, headers={"Retry-After": "900"})
    if user is None:
        return JSONResponse({"detail": WRONG_PASSWORD}, status_code=401)
    cookie, session = await StaffSessions(request.app.state.redis).create(user.username)
    response = JSONResponse(
        {
            **_who(user.username, user.display_name, user.role),
            "csrf_token": session.csrf,
            "expires_in": int(session.expires_at - time.time()),
        }
    )
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(session.expires_at - time.time()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure_cookie(request),
    )
    audit(_principal(user.username, user.display_name, user.role), "login")
    return response


def _principal(username: str, display_name: str, role: str) -> Any:
    from api.auth import Principal

    return Principal(username=username, display_name=display_name, role=role)


@router.post("/logout", response_model=None, summary="退出登录")
async def logout(request: Request, response: Response, who: CurrentStaff) -> Dict[str, Any]:
    """End the page's session (a bearer token is not affected)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    await StaffSessions(request.app.state.redis).end(cookie)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    audit(who, "logout")
    return {"detail": "您已退出登录。"}


@router.get("/me", response_model=None, summary="当前登录的工作人员")
async def me(request: Request, who: CurrentStaff) -> Dict[str, Any]:
    """Return who is signed in, and the CSRF token of a cookie session (for a reloaded page)."""
    body = _who(who.username, who.display_name, who.role)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and not request.headers.get("authorization"):
        session = await StaffSessions(request.app.state.redis).get(cookie)
        if session is not None:
            body["csrf_token"] = session.csrf
    return body


@router.put("/staff/{username}/password", response_model=None, summary="设置工作人员登录密码")
def set_password(username: str, body: PasswordIn, request: Request, who: RequireAdmin) -> Dict[str, Any]:
    """Set (or reset) a staff member's password and lift a lockout (admin only)."""
    try:
        user = _sign_in(request).set_password(username, body.password)
    except StaffNotFoundError as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    except StaffError as exc:
        raise HTTPException(status_code=422, detail=exc.message) from None
    audit(who, "set_password", staff=user.username)
    return {"detail": f"已为“{user.display_name}”设置登录密码。", "username": user.username}
