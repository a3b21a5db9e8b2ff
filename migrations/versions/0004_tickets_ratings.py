"""Hand-over tickets (转人工 / 差评回访) and 好差评 ratings.

Revision ID: 0004_tickets_ratings
Revises: 0003_staff_content
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_tickets_ratings"
down_revision = "0003_staff_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("item", sa.String(100), nullable=True),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("within_hours", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("taken_by", sa.String(32), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(32), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("number", name="uq_tickets_number"),
        sa.CheckConstraint("status IN ('open', 'taken', 'answered', 'closed')", name="ck_tickets_status"),
        sa.CheckConstraint("kind IN ('handoff', 'rating')", name="ck_tickets_kind"),
    )
    op.create_index("ix_tickets_session_id", "tickets", ["session_id"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("item", sa.String(100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(32), nullable=True),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("ticket_number", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ratings"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="ck_ratings_level"),
    )
    op.create_index("ix_ratings_day", "ratings", ["day"])


def downgrade() -> None:
    op.drop_index("ix_ratings_day", table_name="ratings")
    op.drop_table("ratings")
    op.drop_index("ix_tickets_session_id", table_name="tickets")
    op.drop_table("tickets")
