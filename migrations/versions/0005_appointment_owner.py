"""Bookings made by a signed-in 郑好办 user remember that user (as a keyed hash), so the user can
list them without a 预约号.

Revision ID: 0005_appointment_owner
Revises: 0004_tickets_ratings
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_appointment_owner"
down_revision = "0004_tickets_ratings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("owner_hash", sa.String(64), nullable=True))
    op.create_index("ix_appointments_owner_hash", "appointments", ["owner_hash"])


def downgrade() -> None:
    op.drop_index("ix_appointments_owner_hash", table_name="appointments")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("owner_hash")
