"""Staff-edited content: FAQ entries, questions 高小新 could not answer, and the audit log.

Revision ID: 0003_staff_content
Revises: 0002_staff_users
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_staff_content"
down_revision = "0002_staff_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the content tables and add password sign-in columns to staff_users."""
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("source", sa.String(500), nullable=True),
        sa.Column("last_checked", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name="pk_faq_entries"),
    )
    op.create_index("ix_faq_entries_updated_at", "faq_entries", ["updated_at"])
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("group_key", sa.String(200), nullable=False),
        sa.Column("text_masked", sa.Text(), nullable=False),
        sa.Column("best_match", sa.String(64), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolved_faq_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_unanswered_questions"),
        sa.UniqueConstraint("group_key", name="uq_unanswered_questions_group_key"),
        sa.CheckConstraint(
            "status IN ('open', 'resolved', 'ignored')", name="ck_unanswered_questions_status"
        ),
    )
    op.create_index(
        "ix_unanswered_questions_status_last_seen", "unanswered_questions", ["status", "last_seen"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id"])
    # Staff sign-in with a password (the bearer tokens of 0002 keep working).
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Drop what upgrade() created."""
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
        batch.drop_column("password_hash")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_unanswered_questions_status_last_seen", table_name="unanswered_questions")
    op.drop_table("unanswered_questions")
    op.drop_index("ix_faq_entries_updated_at", table_name="faq_entries")
    op.drop_table("faq_entries")
