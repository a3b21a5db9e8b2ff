"""Why a question is on the staff's list: not answered, only choices offered, or answered unsure.

Revision ID: 0007_unanswered_reason
Revises: 0006_service_edits
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_unanswered_reason"
down_revision = "0006_service_edits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``reason``; the groups recorded before were all questions left unanswered."""
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(
            sa.Column("reason", sa.String(16), nullable=False, server_default="unanswered")
        )
        batch.create_check_constraint("ck_unanswered_questions_reason", "reason IN ('unanswered', 'choices', 'unsure')")


def downgrade() -> None:
    """Drop ``reason`` (the list shows every group as unanswered again)."""
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_constraint("ck_unanswered_questions_reason", type_="check")
        batch.drop_column("reason")
