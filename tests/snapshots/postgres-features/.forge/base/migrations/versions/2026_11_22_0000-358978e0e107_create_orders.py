"""Create orders.

Revision ID: 358978e0e107
Revises: 2a128be39d7e
Create Date: 2026-11-22 00:00:00+0000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "358978e0e107"
down_revision: str | Sequence[str] | None = "2a128be39d7e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the orders table."""
    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("total", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("rush", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tracking", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "paid",
                "shipped",
                name="orders_status",
                native_enum=False,
                length=7,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("tags", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint('length("title") >= 2', name=op.f("ck_orders_title_min_length")),
        sa.CheckConstraint('"quantity" >= 0', name=op.f("ck_orders_quantity_ge")),
        sa.CheckConstraint('"quantity" <= 1000', name=op.f("ck_orders_quantity_le")),
        sa.CheckConstraint('"weight" > 0.0', name=op.f("ck_orders_weight_gt")),
        sa.CheckConstraint('"weight" < 500.5', name=op.f("ck_orders_weight_lt")),
        sa.CheckConstraint('"total" >= 0', name=op.f("ck_orders_total_ge")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_orders_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_orders_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("owner_id", "title", name=op.f("uq_orders_title")),
        sa.UniqueConstraint("owner_id", "tracking", name=op.f("uq_orders_tracking")),
    )
    op.create_index(op.f("ix_orders_owner_id"), "orders", ["owner_id"], unique=False)
    op.create_index(op.f("ix_orders_quantity"), "orders", ["quantity"], unique=False)
    op.create_index(op.f("ix_orders_due_on"), "orders", ["due_on"], unique=False)
    op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"], unique=False)


def downgrade() -> None:
    """Drop the orders table."""
    op.drop_index(op.f("ix_orders_customer_id"), table_name="orders")
    op.drop_index(op.f("ix_orders_due_on"), table_name="orders")
    op.drop_index(op.f("ix_orders_quantity"), table_name="orders")
    op.drop_index(op.f("ix_orders_owner_id"), table_name="orders")
    op.drop_table("orders")
