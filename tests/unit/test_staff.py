"""Staff users on a real, migrated SQLite file: tokens, roles, deactivation and the 0002 migration."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.db import alembic_config, metadata, run_migrations
from bot.staff import (
    ROLES,
    InvalidStaffError,
    StaffExistsError,
    StaffNotFoundError,
    StaffStore,
    has_role,
    hash_token,
)
from tests.conftest import migrated_engine


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "staff.db"


@pytest.fixture
def engine(db_file: Path) -> Iterator[sa.engine.Engine]:
    engine = migrated_engine(db_file)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: sa.engine.Engine) -> StaffStore:
    return StaffStore(engine)


def test_a_created_user_authenticates_with_its_token_only(store: StaffStore) -> None:
    user, token = store.create(username="zhang.wei", display_name="张伟", role="staff")
    assert (user.username, user.display_name, user.role, user.active) == ("zhang.wei", "张伟", "staff", True)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    found = store.authenticate(token)
    assert found is not None and found.username == "zhang.wei" and found.role == "staff"
    assert store.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.authenticate("") is None
    assert store.authenticate(hash_token(token)) is None  # the stored digest is not a credential


def test_tokens_are_unique_and_stored_only_as_sha256(store: StaffStore, db_file: Path) -> None:
    tokens = [store.create(username=f"user{i}", display_name="李娜", role="viewer")[1] for i in range(5)]
    assert len(set(tokens)) == 5
    with sqlite3.connect(db_file) as connection:
        rows = connection.execute("SELECT username, token_hash FROM staff_users ORDER BY id").fetchall()
    for token, (_, stored) in zip(tokens, rows, strict=True):
        assert stored == hashlib.sha256(token.encode()).hexdigest()
        assert stored != token
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob("staff.db*"))
    assert not any(token.encode() in raw for token in tokens)


def test_deactivated_user_loses_access_but_stays_listed(store: StaffStore) -> None:
    _, token = store.create(username="wang", display_name="王芳", role="admin")
    store.create(username="liu", display_name="刘洋", role="viewer")
    gone = store.deactivate("wang")
    assert gone.active is False
    assert store.authenticate(token) is None
    listed = {u.username: u.active for u in store.list()}
    assert listed == {"wang": False, "liu": True}
    assert not any(hasattr(u, "token_hash") for u in store.list())


def test_deactivating_an_unknown_user_fails(store: StaffStore) -> None:
    with pytest.raises(StaffNotFoundError) as error:
        store.deactivate("nobody")
    assert "nobody" in error.value.message


def test_usernames_are_unique_even_after_deactivation(store: StaffStore) -> None:
    store.create(username="zhao", display_name="赵敏", role="staff")
    store.deactivate("zhao")
    with pytest.raises(StaffExistsError) as error:
        store.create(username="zhao", display_name="赵敏", role="staff")
    assert "已存在" in error.value.message


def test_a_username_differing_only_in_case_is_taken(store: StaffStore) -> None:
    store.create(username="zhangwei", display_name="张伟", role="staff")
    with pytest.raises(StaffExistsError) as error:
        store.create(username="ZhangWei", display_name="张伟", role="admin")
    assert "zhangwei" in error.value.message
    assert [u.username for u in store.list()] == ["zhangwei"]


@pytest.mark.parametrize(
    ("username", "display_name", "role"),
    [
        ("", "张伟", "staff"),
        ("a", "张伟", "staff"),
        ("张伟", "张伟", "staff"),
        ("has space", "张伟", "staff"),
        ("-dash", "张伟", "staff"),
        ("x" * 33, "张伟", "staff"),
        ("zhang", "", "staff"),
        ("zhang", "长" * 51, "staff"),
        ("zhang", "张伟", "root"),
        ("zhang", "张伟", "Admin"),
        ("seed", "样例导入", "staff"),  # the name the FAQ seed writes into updated_by
        ("SEED", "样例导入", "staff"),
    ],
)
def test_invalid_users_are_refused_in_chinese(
    store: StaffStore, username: str, display_name: str, role: str
) -> None:
    with pytest.raises(InvalidStaffError) as error:
        store.create(username=username, display_name=display_name, role=role)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.value.message)
    assert store.list() == []


def test_roles_are_ranked() -> None:
    assert ROLES == ("viewer", "staff", "admin")
    assert has_role("admin", "staff") and has_role("staff", "staff") and has_role("staff", "viewer")
    assert not has_role("viewer", "staff") and not has_role("staff", "admin")
    with pytest.raises(ValueError):
        has_role("root", "viewer")


def test_the_database_refuses_an_unknown_role(engine: sa.engine.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO staff_users (username, display_name, role, token_hash, active, created_at) "
                "VALUES ('x1', 'x', 'root', 'h', 1, '2026-01-01 00:00:00')"
            )


def _include_staff(obj: object, name: str, type_: str, reflected: bool, compare_to: object) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) == "staff_users"


def test_migration_builds_exactly_the_declared_table(engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _include_staff}
        )
        assert compare_metadata(context, metadata) == []
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert context.get_current_revision() == head  # later migrations (0003 …) chain on 0002
    uniques = {tuple(u["column_names"]) for u in sa.inspect(engine).get_unique_constraints("staff_users")}
    assert {("username",), ("token_hash",)} <= uniques


def test_downgrade_to_0001_drops_only_staff_users(db_file: Path, engine: sa.engine.Engine) -> None:
    url = f"sqlite:///{db_file}"
    with engine.connect() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_appointments")
        connection.commit()
    tables = set(sa.inspect(engine).get_table_names())
    assert "staff_users" not in tables and {"appointments", "slot_usage"} <= tables
    run_migrations(url)
    assert "staff_users" in set(sa.inspect(engine).get_table_names())
