"""Staff authentication and roles for ``/api/admin/``.

A request carries ``Authorization: Bearer <token>``, or the session cookie of the staff page
(:mod:`api.staff_sessions`, with a CSRF token for changes). The token is either ``ADMIN_TOKEN`` from the
settings (the admin role; for first setup and automation, ignored when empty) or the token of an
active staff user (:mod:`bot.staff`). Roles rank ``viewer`` < ``staff`` < ``admin``.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any, Callable, Optional

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.staff_sessions import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, StaffSessions
from bot.staff import ROLE_TEXT, ROLES, StaffStore, has_role

logger = logging.getLogger(__name__)
audit_logger = logging.getLogger("api.audit")
audit_logger.setLevel(logging.INFO)  # the audit trail is kept whatever the root level

ADMIN_TOKEN_USERNAME = "ADMIN_TOKEN"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="StaffToken",
    description="工作人员访问令牌：在请求头中携带 Authorization: Bearer <令牌>。",
)


@dataclass(frozen=True)
class Principal:
    """Who is making a staff request, and with which role."""

    username: str
    display_name: str
    role: str


def staff_store(request: Request) -> StaffStore:
    """Return the staff-user store on the app's database engine."""
    return StaffStore(request.app.state.engine)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def _is_admin_token(token: str, admin_token: str) -> bool:
    if not admin_token:
        return False
    return hmac.compare_digest(token.encode("utf-8"), admin_token.encode("utf-8"))


async def current_staff(
    request: Request,
    credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer),
    store: StaffStore = Depends(staff_store),
) -> Principal:
    """Return the staff member behind the request's bearer token or staff-page session cookie.

    A bearer token wins over a cookie. A cookie session must send its CSRF token
    (``X-CSRF-Token``) with every state-changing request (:mod:`api.staff_sessions`).

    Raises:
        HTTPException: 401 (with ``WWW-Authenticate: Bearer``) when the credential is missing, unknown,
            expired or belongs to a deactivated user; 403 when a cookie session's CSRF token is missing
            or wrong on a state-changing request.

    """
    if credentials is not None and credentials.credentials:
        token = credentials.credentials
        if _is_admin_token(token, request.app.state.settings.admin_token):
            return Principal(username=ADMIN_TOKEN_USERNAME, display_name="系统管理员", role="admin")
        user = await run_in_threadpool(store.authenticate, token)
        if user is None:
            logger.warning("rejected a staff credential on %s %s", request.method, request.url.path)
            raise _unauthorized("访问令牌无效或已停用，请核对后重试，或联系管理员重新开通。")
        return Principal(username=user.username, display_name=user.display_name, role=user.role)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise _unauthorized(
            "请先登录：请在工作人员页面登录，"
            "或在请求头中携带工作人员访问令牌（Authorization: Bearer <令牌>）。"
        )
    session = await StaffSessions(request.app.state.redis).get(cookie)
    user = await run_in_threadpool(store.get, session.username) if session is not None else None
    if session is None or user is None or not user.active:
        raise _unauthorized("登录已过期或账号已停用，请重新登录。")
    if request.method not in SAFE_METHODS and not hmac.compare_digest(
        request.headers.get(CSRF_HEADER, "").encode("utf-8"), session.csrf.encode("utf-8")
    ):
        logger.warning(
            "refused a request without a valid CSRF token on %s %s", request.method, request.url.path
        )
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="安全校验未通过（缺少或错误的 CSRF 令牌），请刷新页面后重试。",
        )
    return Principal(username=user.username, display_name=user.display_name, role=user.role)


def require_role(role: str) -> Callable[..., Principal]:
    """Return a dependency that admits staff whose role is at least ``role`` (else 403).

    Raises:
        ValueError: ``role`` is not one of :data:`bot.staff.ROLES`.

    """
    if role not in ROLES:
        raise ValueError(f"unknown role: {role}")

    def dependency(principal: Principal = Depends(current_staff)) -> Principal:
        if not has_role(principal.role, role):
            audit(principal, "forbidden", required=role)
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=(
                    f"您的账号权限为“{ROLE_TEXT[principal.role]}”，无权进行此操作"
                    f"（需要“{ROLE_TEXT[role]}”或更高权限），如有需要请联系管理员。"
                ),
            )
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency


def audit(principal: Principal, action: str, **details: Any) -> None:
    """Log one staff action: who, with which role, what. Callers pass no personal data."""
    extra = " ".join(f"{key}={value}" for key, value in details.items() if value is not None)
    audit_logger.info("staff=%s role=%s action=%s %s", principal.username, principal.role, action, extra)
