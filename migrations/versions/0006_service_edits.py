"""Staff edits of the 办事指南: per item, the fields staff changed over its file (bot/catalogue/edits.py).

Revision ID: 0006_service_edits
Revises: 0005_appointment_owner
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_service_edits"
down_revision = "0005_appointment_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of guide edits."""
    op.create_table(
        "service_edits",
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_service_edits"),
    )


def downgrade() -> None:
    """Drop the table of guide edits (the items answer from their files again)."""
    op.drop_table("service_edits")
