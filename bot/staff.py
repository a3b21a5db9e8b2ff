"""Staff users of the hall and their access tokens, kept in SQL.

A user may also have a password (argon2id, :class:`PasswordSignIn`) for the staff page, with a
lockout after repeated wrong ones.

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
from datetime import datetime, timedelta, timezone
from typing import Callable, List, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db import metadata

ROLES = ("viewer", "staff", "admin")
ROLE_TEXT = {"viewer": "查看", "staff": "窗口工作人员", "admin": "管理员"}
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$")
RESERVED_USERNAMES = frozenset({"seed"})
"""Names the system writes into ``updated_by`` itself (``bot.faq_db.SEED_ACTOR``): no account may take one."""
MAX_DISPLAY_NAME = 50
TOKEN_BYTES = 32
PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 128
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
_DUMMY_HASH = _hasher.hash("not-a-real-password")

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
    # sign-in with a password for the staff page (migration 0003); the token above keeps working
    Column("password_hash", String(200), nullable=True),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime, nullable=True),
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
    """The username is already taken (by an active or a deactivated user), in any case of its letters."""

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
    if username.lower() in RESERVED_USERNAMES:
        raise InvalidStaffError(f"用户名“{username}”为系统保留（记录样例数据的导入），请换一个。")
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
                # "ZhangWei" beside "zhangwei": two accounts a person cannot tell apart
                same = select(staff_users.c.username).where(
                    func.lower(staff_users.c.username) == username.lower()
                )
                taken = connection.execute(same).scalar()
                if taken is not None:
                    raise StaffExistsError(taken)
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


class InvalidPasswordError(InvalidStaffError):
    """A password that breaks the rules."""

    def __init__(self) -> None:
        super().__init__(
            f"密码长度须为{PASSWORD_MIN_CHARS}至{PASSWORD_MAX_CHARS}位，建议同时包含字母和数字。"
        )


class LockedOutError(StaffError):
    """Too many wrong passwords: sign-in is refused until ``until`` (UTC)."""

    def __init__(self, until: datetime) -> None:
        minutes = max(1, int((until - _utc_now()).total_seconds() // 60) + 1)
        super().__init__(
            f"密码连续输错{MAX_FAILED_LOGINS}次，账号已暂时锁定，请约{minutes}分钟后再试，或联系管理员。"
        )
        self.until = until


class PasswordSignIn:
    """Passwords of staff users (argon2id) and the lockout after repeated wrong ones.

    After ``MAX_FAILED_LOGINS`` wrong passwords in a row, sign-in is refused for
    ``LOCKOUT_MINUTES`` minutes, even with the right password.

    Args:
        engine: the engine of the staff users' database.
        clock: returns the current UTC time (naive); tests pass a settable one.

    """

    def __init__(self, engine: Engine, clock: Optional[Callable[[], datetime]] = None) -> None:
        self.engine = engine
        self.clock = clock or _utc_now

    def set_password(self, username: str, password: str) -> StaffUser:
        """Set (or replace) a user's password and lift any lockout.

        Raises:
            InvalidPasswordError: the password is too short or too long.
            StaffNotFoundError: no user has this username.

        """
        if not isinstance(password, str) or not PASSWORD_MIN_CHARS <= len(password) <= PASSWORD_MAX_CHARS:
            raise InvalidPasswordError()
        username = (username or "").strip()
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(staff_users)
                .where(staff_users.c.username == username)
                .values(password_hash=_hasher.hash(password), failed_logins=0, locked_until=None)
            ).rowcount
        if not changed:
            raise StaffNotFoundError(username)
        return StaffStore(self.engine).get(username)  # type: ignore[return-value]

    def verify(self, username: str, password: str) -> Optional[StaffUser]:
        """Return the active user if the password is right, else ``None``; count wrong ones.

        Raises:
            LockedOutError: the account is locked (or this wrong password locked it).

        """
        now = self.clock()
        query = select(staff_users).where(staff_users.c.username == (username or "").strip()[:64])
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None or not row.active or not row.password_hash or not isinstance(password, str):
            _burn_time(password)
            return None
        if row.locked_until is not None and row.locked_until > now:
            raise LockedOutError(row.locked_until)
        try:
            _hasher.verify(row.password_hash, password[: PASSWORD_MAX_CHARS + 1])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            self._count_failure(int(row.id), now)
            return None
        values: dict = {"failed_logins": 0, "locked_until": None}
        if _hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = _hasher.hash(password)
        with self.engine.begin() as connection:
            connection.execute(update(staff_users).where(staff_users.c.id == row.id).values(**values))
        return _user(row._mapping)

    def _count_failure(self, user_id: int, now: datetime) -> None:
        table = staff_users
        with self.engine.begin() as connection:
            connection.execute(
                update(table).where(table.c.id == user_id).values(failed_logins=table.c.failed_logins + 1)
            )
            query = select(table.c.failed_logins).where(table.c.id == user_id)
            failed = connection.execute(query).scalar_one()
            until = None
            if failed >= MAX_FAILED_LOGINS:
                until = now + timedelta(minutes=LOCKOUT_MINUTES)
                connection.execute(
                    update(table).where(table.c.id == user_id).values(failed_logins=0, locked_until=until)
                )
        if until is not None:  # raised after the commit, so the lockout is kept
            raise LockedOutError(until)
        return None


def _burn_time(password: object) -> None:
    """Spend about as long as a real check, so unknown usernames cannot be told apart by timing."""
    try:
        _hasher.verify(_DUMMY_HASH, password if isinstance(password, str) else "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


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
