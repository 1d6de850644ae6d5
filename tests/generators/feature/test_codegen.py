"""The per-kind rules table of ``codegen``: one rules object per field kind, and what
:func:`field_code` makes of each kind's answers."""

import ast

import pytest

from fastapi_forge.generators.feature.codegen import (
    RULES,
    Column,
    FieldCode,
    KindRules,
    RefCode,
    field_code,
)
from fastapi_forge.generators.feature.fields import FieldKind, parse_fields

REF = RefCode(plural_snake="customers", singular_snake="customer", singular_pascal="Customer")

# kind -> (a field of that kind, its model line, its migration column, filter parameters)
EXPECTED = {
    "str": (
        "title:str:max=80",
        "title: Mapped[str] = mapped_column(String(80), nullable=False)",
        "sa.Column('title', sa.String(length=80), nullable=False)",
        ["title"],
    ),
    "text": (
        "notes:text?",
        "notes: Mapped[str | None] = mapped_column(Text, nullable=True)",
        "sa.Column('notes', sa.Text(), nullable=True)",
        [],
    ),
    "int": (
        "quantity:int:ge=0",
        "quantity: Mapped[int] = mapped_column(Integer, nullable=False)",
        "sa.Column('quantity', sa.Integer(), nullable=False)",
        ["quantity_min", "quantity_max"],
    ),
    "float": (
        "weight:float",
        "weight: Mapped[float] = mapped_column(Double, nullable=False)",
        "sa.Column('weight', sa.Double(), nullable=False)",
        ["weight_min", "weight_max"],
    ),
    "decimal": (
        "total:decimal:digits=10:places=3",
        "total: Mapped[Decimal] = mapped_column(Numeric(10, 3), nullable=False)",
        "sa.Column('total', sa.Numeric(precision=10, scale=3), nullable=False)",
        ["total_min", "total_max"],
    ),
    "bool": (
        "active:bool",
        "active: Mapped[bool] = mapped_column(Boolean, nullable=False)",
        "sa.Column('active', sa.Boolean(), nullable=False)",
        ["active"],
    ),
    "date": (
        "due:date",
        "due: Mapped[dt.date] = mapped_column(Date, nullable=False)",
        "sa.Column('due', sa.Date(), nullable=False)",
        ["due_min", "due_max"],
    ),
    "datetime": (
        "shipped_at:datetime?",
        "shipped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)",
        "sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True)",
        ["shipped_at_min", "shipped_at_max"],
    ),
    "uuid": (
        "external_id:uuid:unique",
        "external_id: Mapped[UUID] = mapped_column(Uuid, unique=True, nullable=False)",
        "sa.Column('external_id', sa.Uuid(), nullable=False)",
        ["external_id"],
    ),
    "enum": (
        "status:enum=new,paid",
        "status: Mapped[OrderStatus] = mapped_column(Enum(OrderStatus, name='orders_status', "
        "native_enum=False, length=4, create_constraint=True, validate_strings=True, "
        "values_callable=enum_values), nullable=False)",
        "sa.Column('status', sa.Enum('new', 'paid', name='orders_status', native_enum=False, "
        "length=4, create_constraint=True), nullable=False)",
        ["status"],
    ),
    "json": (
        "extra:json?",
        "extra: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)",
        "sa.Column('extra', sa.JSON(none_as_null=True), nullable=True)",
        [],
    ),
    "ref": (
        "customer:ref=customers",
        "customer_id: Mapped[UUID] = mapped_column(ForeignKey('customers.id', "
        "ondelete='RESTRICT'), index=True, nullable=False)",
        "sa.Column('customer_id', sa.Uuid(), nullable=False)",
        ["customer_id"],
    ),
}


def _code(text: str, *, owned: bool = False) -> FieldCode:
    (spec,) = parse_fields([text])
    return field_code(
        spec,
        table="orders",
        singular_pascal="Order",
        ref=REF if spec.kind == "ref" else None,
        owned=owned,
    )


def test_every_kind_has_its_rules() -> None:
    # refs has no column of its own: codegen._link_code describes its association table.
    assert set(RULES) == {kind.value for kind in FieldKind} - {"refs"}
    assert set(EXPECTED) == set(RULES)
    for rules in RULES.values():
        assert isinstance(rules, KindRules)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_kind_gives_its_column_and_filters(kind: str) -> None:
    text, model_line, migration_column, params = EXPECTED[kind]
    code = _code(text)
    assert code.kind == kind
    assert code.model_line == model_line
    assert code.migration_column == migration_column
    assert [flt.param for flt in code.filters] == params
    assert code.sortable is (kind != "json")


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_kinds_literals_are_python(kind: str) -> None:
    """Examples, refused values and probes are Python source (made with repr), never JSON."""
    code = _code(EXPECTED[kind][0])
    ast.parse(code.example.replace("await ", ""), mode="eval")
    assert code.invalid, "every kind has values the API must refuse"
    for label, value in code.invalid:
        assert label.isidentifier()
        ast.parse(value, mode="eval")
    if code.probe is not None:
        assert isinstance(ast.parse(code.probe, mode="eval").body, ast.Lambda)
    for line in (code.model_line, code.create_line, code.update_line, code.read_line):
        ast.parse(line)


def test_number_bounds_are_check_constraints_and_refused_values() -> None:
    code = _code("quantity:int:ge=1:lt=100")
    assert code.check_constraints == [
        ("quantity_ge", '"quantity" >= 1'),
        ("quantity_lt", '"quantity" < 100'),
    ]
    labels = [label for label, _ in code.invalid]
    assert "below_ge" in labels
    assert "not_below_lt" in labels
    assert "above_int32" not in labels  # the upper bound already refuses it


def test_a_text_minimum_is_a_check_and_a_refused_value() -> None:
    code = _code("code:str:min=3")
    assert code.check_constraints == [("code_min_length", 'length("code") >= 3')]
    assert ("too_short", repr("xx")) in code.invalid


def test_unique_in_an_owned_table_is_per_owner() -> None:
    code = _code("sku:str:unique", owned=True)
    assert code.unique_constraint == ("uq_orders_sku", ["owner_id", "sku"])
    assert "unique=True" not in code.model_line


def test_the_enum_rules_name_members_and_class() -> None:
    code = _code("status:enum=new,paid")
    assert code.enum_class == "OrderStatus"
    assert code.enum_members == [("NEW", "'new'"), ("PAID", "'paid'")]
    assert code.create_line == "status: OrderStatus"


def test_rules_answer_from_the_column_alone() -> None:
    (spec,) = parse_fields(["total:decimal:digits=6:places=1"])
    column = Column(spec=spec, table="orders", enum_class=None, ref=None)
    rules = RULES["decimal"]
    assert rules.model_type(column) == "Numeric(6, 1)"
    assert rules.read_type(column) == "Decimal"
    assert rules.filter(column) is not None


def test_refs_is_an_association_table_a_relationship_and_a_list_of_ids() -> None:
    [spec] = parse_fields(["tags:refs=tags"])
    tag = RefCode(plural_snake="tags", singular_snake="tag", singular_pascal="Tag", owned=False)
    code = field_code(
        spec, table="orders", singular_pascal="Order", ref=tag, singular_snake="order"
    )
    assert code.name == "tag_ids"
    assert code.link is not None
    assert (code.link.table, code.link.own_column, code.link.other_column) == (
        "orders_tags",
        "order_id",
        "tag_id",
    )
    assert code.link.pk == "pk_orders_tags"
    assert "relationship(secondary=ORDERS_TAGS, lazy='selectin')" in code.model_line
    assert "def tag_ids(self) -> list[UUID]:" in code.model_line
    assert code.read_line == "tag_ids: list[UUID]"
    assert [f.param for f in code.filters] == ["tag_id"]
    assert code.filters[0].criterion == "{model}.tags.any(id=filters.tag_id)"
    assert not code.sortable
    assert code.example == "[str((await create_tag(session)).id)]"
