"""Alembic migrations: they build exactly the declared schema, run once, and the constraints hold."""

from __future__ import annotations

import threading
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

import bot.catalogue.edits  # noqa: F401  (registers the service_edits table)
import bot.staff  # noqa: F401  (registers the staff_users table on the shared metadata)
from bot.appointments.store import appointments, slot_usage
from bot.db import alembic_config, metadata, run_migrations

OWN_TABLES = {"appointments", "slot_usage", "staff_users", "service_edits"}


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def include_own(obj: object, name: str, type_: str, reflected: bool, compare_to: object) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) in OWN_TABLES


def row(code: str, id_hash: str, status: str = "booked", day: date = date(2026, 9, 29)) -> dict:
    now = datetime(2026, 9, 28, 2, 0)
    return {
        "confirmation_code": code, "item_id": "enterprise_opening", "item_name": "开办企业一件事",
        "window_number": "1", "day": day, "slot_start": time(9), "status": status, "name_masked": "张*",
        "phone_hash": "h", "phone_masked": "139****0001", "id_hash": id_hash, "id_masked": "4101**",
        "idempotency_key": None, "created_at": now, "updated_at": now,
    }  # fmt: skip


def test_migrated_schema_matches_the_tables_in_code(engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_own}
        )
        assert compare_metadata(context, metadata) == []
        assert context.get_current_revision() == head_revision()
    indexes = {ix["name"]: ix for ix in sa.inspect(engine).get_indexes("appointments")}
    assert indexes["uq_appointments_active_person_item_day"]["unique"]


def test_migrating_again_changes_nothing(db_url: str, engine: sa.engine.Engine) -> None:
    with engine.begin() as c:
        c.execute(appointments.insert().values(**row("AAAAAAAA", "p1")))
    run_migrations(db_url)
    with engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(appointments)).scalar() == 1


def test_downgrade_and_upgrade_again(db_url: str, engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        config = alembic_config(db_url)
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        connection.commit()
    assert not {"appointments", "slot_usage", "service_edits"} & set(sa.inspect(engine).get_table_names())
    run_migrations(db_url)
    assert {"appointments", "slot_usage", "service_edits"} <= set(sa.inspect(engine).get_table_names())


def test_processes_starting_together_migrate_once(db_url: str, engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        config = alembic_config(db_url)
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        connection.commit()
    errors: list = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            run_migrations(db_url)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [
            head_revision()
        ]


def test_one_active_booking_per_person_item_and_day_in_the_database(engine: sa.engine.Engine) -> None:
    with engine.begin() as c:
        c.execute(appointments.insert().values(**row("AAAAAAAA", "person-1")))
        c.execute(appointments.insert().values(**row("BBBBBBBB", "person-1", status="cancelled")))
        c.execute(appointments.insert().values(**row("CCCCCCCC", "person-1", day=date(2026, 9, 30))))
        c.execute(appointments.insert().values(**row("DDDDDDDD", "person-2")))
    with pytest.raises(IntegrityError):
        with engine.begin() as c:
            c.execute(appointments.insert().values(**row("EEEEEEEE", "person-1")))


def test_codes_keys_statuses_and_usage_are_checked_by_the_database(engine: sa.engine.Engine) -> None:
    with engine.begin() as c:
        c.execute(appointments.insert().values(**row("AAAAAAAA", "p1") | {"idempotency_key": "k"}))
    bad_rows = [
        row("AAAAAAAA", "p2"),
        row("BBBBBBBB", "p3") | {"idempotency_key": "k"},
        row("CCCCCCCC", "p4", status="lost"),
    ]
    for bad in bad_rows:
        with pytest.raises(IntegrityError):
            with engine.begin() as c:
                c.execute(appointments.insert().values(**bad))
    with pytest.raises(IntegrityError):
        with engine.begin() as c:
            c.execute(
                slot_usage.insert().values(
                    window_number="1", day=date(2026, 9, 29), slot_start=time(9), used=-1
                )
            )
