"""Appointments and slot usage.

Revision ID: 0001_appointments
Revises:
Create Date: 2026-01-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_appointments"
down_revision = None
branch_labels = None
depends_on = None

ACTIVE_ONLY = "status = 'booked'"


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("confirmation_code", sa.String(16), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("item_name", sa.String(100), nullable=False),
        sa.Column("window_number", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot_start", sa.Time(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("name_masked", sa.String(64), nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("phone_masked", sa.String(32), nullable=False),
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("id_masked", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_appointments"),
        sa.UniqueConstraint("confirmation_code", name="uq_appointments_confirmation_code"),
        sa.UniqueConstraint("idempotency_key", name="uq_appointments_idempotency_key"),
        sa.CheckConstraint(
            "status IN ('booked', 'cancelled', 'checked_in', 'no_show')", name="ck_appointments_status"
        ),
    )
    op.create_index("ix_appointments_day_window", "appointments", ["day", "window_number"])
    op.create_index(
        "uq_appointments_active_person_item_day",
        "appointments",
        ["id_hash", "item_id", "day"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_ONLY),
        postgresql_where=sa.text(ACTIVE_ONLY),
    )
    op.create_table(
        "slot_usage",
        sa.Column("window_number", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot_start", sa.Time(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("window_number", "day", "slot_start", name="pk_slot_usage"),
        sa.CheckConstraint("used >= 0", name="ck_slot_usage_used_not_negative"),
    )


def downgrade() -> None:
    op.drop_table("slot_usage")
    op.drop_index("uq_appointments_active_person_item_day", table_name="appointments")
    op.drop_index("ix_appointments_day_window", table_name="appointments")
    op.drop_table("appointments")
