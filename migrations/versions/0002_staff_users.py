"""Staff users and their hashed access tokens.

Revision ID: 0002_staff_users
Revises: 0001_appointments
Create Date: 2026-01-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_staff_users"
down_revision = "0001_appointments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("username", name="uq_staff_users_username"),
        sa.UniqueConstraint("token_hash", name="uq_staff_users_token_hash"),
        sa.CheckConstraint("role IN ('viewer', 'staff', 'admin')", name="ck_staff_users_role"),
    )


def downgrade() -> None:
    op.drop_table("staff_users")
