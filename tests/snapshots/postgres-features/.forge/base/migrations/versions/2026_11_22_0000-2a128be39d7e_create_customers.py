"""Create customers.

Revision ID: 2a128be39d7e
Revises: 0001
Create Date: 2026-11-22 00:00:00+0000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2a128be39d7e"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the customers table."""
    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_customers_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_customers_name")),
    )
    op.create_index(op.f("ix_customers_owner_id"), "customers", ["owner_id"], unique=False)
    op.create_index(op.f("ix_customers_email"), "customers", ["email"], unique=False)


def downgrade() -> None:
    """Drop the customers table."""
    op.drop_index(op.f("ix_customers_email"), table_name="customers")
    op.drop_index(op.f("ix_customers_owner_id"), table_name="customers")
    op.drop_table("customers")
