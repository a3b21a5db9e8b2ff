"""A question on the staff's list may also be one whose FAQ answer the citizen rated 差评.

Revision ID: 0008_unanswered_poor_rating
Revises: 0007_unanswered_reason
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0008_unanswered_poor_rating"
down_revision = "0007_unanswered_reason"
branch_labels = None
depends_on = None

NAME = "ck_unanswered_questions_reason"


def upgrade() -> None:
    """Allow ``reason = 'poor_rating'``."""
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_constraint(NAME, type_="check")
        batch.create_check_constraint(NAME, "reason IN ('unanswered', 'choices', 'unsure', 'poor_rating')")


def downgrade() -> None:
    """Count the groups rated 差评 as unsure answers again, and restore the narrower check."""
    op.execute("UPDATE unanswered_questions SET reason = 'unsure' WHERE reason = 'poor_rating'")
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_constraint(NAME, type_="check")
        batch.create_check_constraint(NAME, "reason IN ('unanswered', 'choices', 'unsure')")
