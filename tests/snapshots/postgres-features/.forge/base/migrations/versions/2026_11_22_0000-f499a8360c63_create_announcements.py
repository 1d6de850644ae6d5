"""Create announcements.

Revision ID: f499a8360c63
Revises: 358978e0e107
Create Date: 2026-11-22 00:00:00+0000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f499a8360c63"
down_revision: str | Sequence[str] | None = "358978e0e107"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the announcements table."""
    op.create_table(
        "announcements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("headline", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.CheckConstraint(
            'length("headline") >= 3', name=op.f("ck_announcements_headline_min_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )


def downgrade() -> None:
    """Drop the announcements table."""
    op.drop_table("announcements")
