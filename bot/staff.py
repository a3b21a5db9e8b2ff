"""Staff users of the hall and their access tokens, kept in SQL.

A token is random (``secrets.token_urlsafe(32)``, 256 bits), shown once when the user is created and
stored only as its SHA-256 digest: a token that cannot be guessed needs no slow password hash, and a
digest found in the database cannot be turned back into a working credential.

Roles, from least to most: ``viewer`` (reads appointments), ``staff`` (also checks people in and marks
no-shows), ``admin`` (also manages staff users).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional, Tuple

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, Integer, String, Table, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db import metadata

ROLES = ("viewer", "staff", "admin")
ROLE_TEXT = {"viewer": "查看", "staff": "窗口工作人员", "admin": "管理员"}
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$")
MAX_DISPLAY_NAME = 50
TOKEN_BYTES = 32

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(32), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint("role IN ('viewer', 'staff', 'admin')", name="role"),
)


class StaffError(Exception):
    """Base class of staff-user failures; ``message`` is Chinese text for the staff member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidStaffError(StaffError):
    """A username, display name or role that breaks the rules."""


class StaffExistsError(StaffError):
    """The username is already taken (by an active or a deactivated user)."""

    def __init__(self, username: str) -> None:
        super().__init__(f"用户名“{username}”已存在，请换一个用户名。")


class StaffNotFoundError(StaffError):
    """No staff user has this username."""

    def __init__(self, username: str) -> None:
        super().__init__(f"未找到用户名为“{username}”的工作人员账号。")


@dataclass(frozen=True)
class StaffUser:
    """A staff user as shown to people: never the token or its digest."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    created_at: datetime


def role_rank(role: str) -> int:
    """Return the rank of ``role`` (viewer 0, staff 1, admin 2).

    Raises:
        ValueError: ``role`` is not one of :data:`ROLES`.

    """
    return ROLES.index(role)


def has_role(role: str, required: str) -> bool:
    """Tell whether ``role`` is at least ``required``."""
    return role_rank(role) >= role_rank(required)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """Return a new random access token (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _validate(username: str, display_name: str, role: str) -> Tuple[str, str]:
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise InvalidStaffError(
            "用户名须为2至32位英文字母、数字或“_ . -”，并以字母或数字开头，例如 zhang.wei。"
        )
    if not display_name or len(display_name) > MAX_DISPLAY_NAME:
        raise InvalidStaffError(f"请填写显示名称（不超过{MAX_DISPLAY_NAME}个字）。")
    if role not in ROLES:
        raise InvalidStaffError("角色须为 viewer（查看）、staff（窗口工作人员）或 admin（管理员）之一。")
    return username, display_name


class StaffStore:
    """Creates, lists, deactivates and authenticates staff users.

    Args:
        engine: an engine from :func:`bot.db.make_engine` (schema created by ``run_migrations``).

    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, *, username: str, display_name: str, role: str) -> Tuple[StaffUser, str]:
        """Create an active user and return it with its token, the only time the token is seen.

        Raises:
            InvalidStaffError: the username, display name or role breaks the rules.
            StaffExistsError: the username is taken.

        """
        username, display_name = _validate(username, display_name, role)
        token = new_token()
        values = {
            "username": username,
            "display_name": display_name,
            "role": role,
            "token_hash": hash_token(token),
            "active": True,
            "created_at": _utc_now(),
        }
        try:
            with self.engine.begin() as connection:
                new_id = connection.execute(staff_users.insert().values(**values)).inserted_primary_key[0]
        except IntegrityError:
            raise StaffExistsError(username) from None
        return _user({"id": new_id, **values}), token

    def get(self, username: str) -> Optional[StaffUser]:
        """Return the user with this username, active or not, or ``None``."""
        query = select(staff_users).where(staff_users.c.username == (username or "").strip())
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _user(row._mapping) if row is not None else None

    def list(self) -> List[StaffUser]:
        """Return every user, active or not, in order of creation."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(staff_users).order_by(staff_users.c.id)).all()
        return [_user(row._mapping) for row in rows]

    def deactivate(self, username: str) -> StaffUser:
        """Turn a user's token off for good (the row stays, for the record).

        Raises:
            StaffNotFoundError: no user has this username.

        """
        username = (username or "").strip()
        with self.engine.begin() as connection:
            connection.execute(
                update(staff_users).where(staff_users.c.username == username).values(active=False)
            )
        user = self.get(username)
        if user is None:
            raise StaffNotFoundError(username)
        return user

    def authenticate(self, token: str) -> Optional[StaffUser]:
        """Return the active user holding ``token``, or ``None``."""
        if not token or len(token) > 512:
            return None
        query = select(staff_users).where(
            staff_users.c.token_hash == hash_token(token), staff_users.c.active.is_(True)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _user(row._mapping) if row is not None else None


def _user(row: object) -> StaffUser:
    mapping = dict(row)  # type: ignore[call-overload]
    return StaffUser(
        id=int(mapping["id"]),
        username=mapping["username"],
        display_name=mapping["display_name"],
        role=mapping["role"],
        active=bool(mapping["active"]),
        created_at=mapping["created_at"],
    )
