"""The --field spec language: every accepted form and every refusal."""

import ast
import re
import shlex
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.codegen import field_code
from fastapi_forge.generators.feature.fields import (
    DEFAULT_FIELDS,
    FIELD_LANGUAGE_HELP,
    RESERVED_FIELD_NAMES,
    FieldKind,
    FieldSpec,
    parse_fields,
)

K = FieldKind


def parse_one(spec: str) -> FieldSpec:
    (parsed,) = parse_fields([spec])
    return parsed


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("name:str", {"kind": K.STR, "max_length": 255}),
        ("name:str?", {"kind": K.STR, "max_length": 255, "optional": True}),
        ("name:str:max=120", {"kind": K.STR, "max_length": 120}),
        ("name:str:min=2", {"kind": K.STR, "min_length": 2, "max_length": 255}),
        ("name:str:min=3:max=3", {"kind": K.STR, "min_length": 3, "max_length": 3}),
        (
            "name:str:min=300:max=10485760",
            {"kind": K.STR, "min_length": 300, "max_length": 10485760},
        ),
        ("name:str:unique", {"kind": K.STR, "max_length": 255, "unique": True}),
        ("name:str:index", {"kind": K.STR, "max_length": 255, "index": True}),
        (
            "name:str:unique:index",
            {"kind": K.STR, "max_length": 255, "unique": True, "index": True},
        ),
        (
            "name:str:default=Jane Doe",
            {"kind": K.STR, "max_length": 255, "default": "Jane Doe", "has_default": True},
        ),
        (
            "name:text:default=",
            {"kind": K.TEXT, "default": "", "has_default": True},
        ),
        (
            "name:str?:min=2:default=ab",
            {
                "kind": K.STR,
                "optional": True,
                "min_length": 2,
                "max_length": 255,
                "default": "ab",
                "has_default": True,
            },
        ),
        ("notes:text", {"kind": K.TEXT}),
        ("notes:text?", {"kind": K.TEXT, "optional": True}),
        ("notes:text:max=5000:min=1", {"kind": K.TEXT, "max_length": 5000, "min_length": 1}),
        (
            "notes:text:index:default=none yet",
            {"kind": K.TEXT, "index": True, "default": "none yet", "has_default": True},
        ),
        ("quantity:int", {"kind": K.INT}),
        ("quantity:int:ge=0", {"kind": K.INT, "ge": 0}),
        (
            "quantity:int:gt=-5:lt=5:default=-4",
            {"kind": K.INT, "gt": -5, "lt": 5, "default": -4, "has_default": True},
        ),
        ("quantity:int:ge=1:le=1", {"kind": K.INT, "ge": 1, "le": 1}),
        ("quantity:int:gt=1:lt=3", {"kind": K.INT, "gt": 1, "lt": 3}),
        (
            "quantity:int?:unique:index",
            {"kind": K.INT, "optional": True, "unique": True, "index": True},
        ),
        ("ratio:float", {"kind": K.FLOAT}),
        (
            "ratio:float:gt=0:lt=1e3:default=2.5",
            {"kind": K.FLOAT, "gt": 0.0, "lt": 1000.0, "default": 2.5, "has_default": True},
        ),
        ("ratio:float:ge=0.5:le=0.5", {"kind": K.FLOAT, "ge": 0.5, "le": 0.5}),
        ("ratio:float:ge=-.5", {"kind": K.FLOAT, "ge": -0.5}),
        ("price:decimal", {"kind": K.DECIMAL, "max_digits": 12, "decimal_places": 2}),
        (
            "price:decimal:gt=0",
            {"kind": K.DECIMAL, "gt": Decimal(0), "max_digits": 12, "decimal_places": 2},
        ),
        (
            "price:decimal:digits=5:places=3:default=12.345:le=20",
            {
                "kind": K.DECIMAL,
                "le": Decimal(20),
                "default": Decimal("12.345"),
                "has_default": True,
                "max_digits": 5,
                "decimal_places": 3,
            },
        ),
        (
            "price:decimal:digits=38:places=37",
            {"kind": K.DECIMAL, "max_digits": 38, "decimal_places": 37},
        ),
        ("price:decimal:places=1", {"kind": K.DECIMAL, "max_digits": 12, "decimal_places": 1}),
        (
            "price:decimal:default=1.50",
            {
                "kind": K.DECIMAL,
                "default": Decimal("1.50"),
                "has_default": True,
                "max_digits": 12,
                "decimal_places": 2,
            },
        ),
        ("active:bool", {"kind": K.BOOL}),
        (
            "active:bool:default=true:index",
            {"kind": K.BOOL, "default": True, "has_default": True, "index": True},
        ),
        (
            "active:bool?:default=FALSE",
            {"kind": K.BOOL, "optional": True, "default": False, "has_default": True},
        ),
        ("due_on:date", {"kind": K.DATE}),
        (
            "due_on:date:default=2024-02-29:unique",
            {"kind": K.DATE, "default": date(2024, 2, 29), "has_default": True, "unique": True},
        ),
        ("paid_at:datetime?:index", {"kind": K.DATETIME, "optional": True, "index": True}),
        ("token:uuid:unique", {"kind": K.UUID, "unique": True}),
        (
            "status:enum=pending,paid,shipped",
            {"kind": K.ENUM, "enum_values": ("pending", "paid", "shipped")},
        ),
        ("status:enum=pending?", {"kind": K.ENUM, "optional": True, "enum_values": ("pending",)}),
        (
            "status:enum=a,b?:default=b:index",
            {
                "kind": K.ENUM,
                "optional": True,
                "enum_values": ("a", "b"),
                "default": "b",
                "has_default": True,
                "index": True,
            },
        ),
        (
            "status:enum=in_stock,out_of_stock_2",
            {"kind": K.ENUM, "enum_values": ("in_stock", "out_of_stock_2")},
        ),
        ("tags:json", {"kind": K.JSON}),
        ("tags:json?", {"kind": K.JSON, "optional": True}),
        ("customer:ref=customers", {"kind": K.REF, "ref_target": "customers"}),
        ("customer:ref=customer?", {"kind": K.REF, "ref_target": "customer", "optional": True}),
        (
            "customer:ref=Customers:unique:index",
            {"kind": K.REF, "ref_target": "Customers", "unique": True, "index": True},
        ),
        ("  name:str  ", {"kind": K.STR, "max_length": 255}),
        ("x2:int", {"kind": K.INT}),
        ("external_id:str", {"kind": K.STR, "max_length": 255}),
        ("a" * 40 + ":int", {"kind": K.INT}),
    ],
)
def test_accepted_specs_are_parsed(spec: str, expected: dict[str, Any]) -> None:
    name = spec.strip().split(":", 1)[0]

    assert parse_one(spec) == FieldSpec(name=name, spec=spec, **expected)


@pytest.mark.parametrize(
    ("spec", "column_name"),
    [("customer:ref=customers", "customer_id"), ("name:str", "name"), ("ref:str", "ref")],
)
def test_a_refs_column_ends_in_id(spec: str, column_name: str) -> None:
    assert parse_one(spec).column_name == column_name


def test_fields_keep_their_order() -> None:
    specs = ["b:int", "a:str", "c:ref=customers"]

    assert [field.name for field in parse_fields(specs)] == ["b", "a", "c"]


def test_no_specs_give_no_fields() -> None:
    assert parse_fields([]) == ()


def test_the_default_fields_are_valid() -> None:
    assert DEFAULT_FIELDS == ("name:str",)
    assert parse_fields(DEFAULT_FIELDS) == (
        FieldSpec(name="name", kind=K.STR, spec="name:str", max_length=255),
    )


def test_there_are_thirteen_kinds() -> None:
    assert [kind.value for kind in FieldKind] == [
        "str",
        "text",
        "int",
        "float",
        "decimal",
        "bool",
        "date",
        "datetime",
        "uuid",
        "enum",
        "json",
        "ref",
        "refs",
    ]


def test_refs_is_a_list_of_ids_named_after_one_row() -> None:
    (tags, categories) = parse_fields(["tags:refs=tags", "categories:refs=category"])
    assert tags.kind is FieldKind.REFS
    assert tags.ref_target == "tags"
    assert (tags.column_name, tags.item_name) == ("tag_ids", "tag")
    assert categories.column_name == "category_ids"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("tags:refs=", "refs needs the feature it points to"),
        ("tags:refs=tags?", "a refs field is a list, never null"),
        ("tag_ids:refs=tags", "name a refs field after the rows"),
        ("tags:refs=tags:unique", "unique"),
    ],
)
def test_refs_refusals(spec: str, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        parse_fields([spec])


def test_the_help_example_is_valid() -> None:
    example = FIELD_LANGUAGE_HELP.split("Example:", 1)[1]
    specs = shlex.split(example)[1::2]

    fields = parse_fields(specs)

    assert [field.kind for field in fields] == [
        K.STR,
        K.DECIMAL,
        K.INT,
        K.ENUM,
        K.TEXT,
        K.DATE,
        K.JSON,
        K.REF,
    ]
    assert shlex.split(example)[::2] == ["--field"] * 8


def test_the_help_documents_every_kind_and_modifier() -> None:
    for word in [
        *(kind.value for kind in FieldKind if kind not in {K.ENUM, K.REF}),
        "enum=a,b,c",
        "ref=FEATURE",
        "?",
        "min=N",
        "max=N",
        "ge=X",
        "gt=X",
        "le=X",
        "lt=X",
        "digits=N",
        "places=N",
        "unique",
        "index",
        "default=VALUE",
    ]:
        assert word in FIELD_LANGUAGE_HELP
    # Rich markup in `--help` would swallow square-bracketed words.
    assert "[" not in FIELD_LANGUAGE_HELP


@pytest.mark.parametrize(
    ("spec", "problem", "fix"),
    [
        # the spec's shape
        ("", "empty field spec", "e.g. --field name:str"),
        ("  ", "empty field spec", "e.g. --field name:str"),
        ("name", "the type is missing", "e.g. name:str"),
        (":str", "the name is missing", "e.g. name:str"),
        # the name
        ("Name:str", "must be snake_case", "e.g. name:str"),
        ("unitPrice:int", "must be snake_case", "e.g. unit_price:int"),
        ("unit-price:int", "must be snake_case", "e.g. unit_price:int"),
        ("2fa:bool", "must be snake_case", "e.g. unit_price:bool"),
        ("prix_é:int", "must be snake_case", "e.g. prix:int"),
        ("_secret:str", "starting with '_' is private", "e.g. secret:str"),
        ("__:str", "starting with '_' is private", "e.g. name:str"),
        ("a" * 41 + ":str", "41 characters long, the limit is 40", "use a shorter name"),
        ("class:str", "'class' is a Python keyword", "e.g. kind:str"),
        ("import:str", "'import' is a Python keyword", "e.g. import_value:str"),
        ("id:uuid", "every model already has 'id'", "e.g. code:uuid"),
        ("created_at:datetime", "every model already has 'created_at'", "e.g. opened_at:datetime"),
        ("updated_at:datetime", "every model already has 'updated_at'", "e.g. changed_at:datetime"),
        ("owner_id:uuid", "every model already has 'owner_id'", "e.g. assignee:uuid"),
        ("owner:ref=users", "every model already has 'owner'", "e.g. assignee:ref=users"),
        ("metadata:json", "'metadata' would shadow an attribute", "e.g. meta:json"),
        ("registry:str", "'registry' would shadow an attribute", "e.g. registry_value:str"),
        ("json:json", "'json' would shadow an attribute", "e.g. payload:json"),
        ("schema:str", "'schema' would shadow an attribute", "e.g. schema_name:str"),
        ("model_number:str", "'model_number' would shadow an attribute", "e.g. number_model:str"),
        ("model_:str", "'model_' would shadow an attribute", "e.g. kind_model:str"),
        ("model_config:json", "'model_config' would shadow an attribute", "e.g. config_model:json"),
        ("customer_id:ref=customers", "name a ref without '_id'", "e.g. customer:ref=customers"),
        (
            "customer_id:ref=customers?:index",
            "name a ref without '_id'",
            "e.g. customer:ref=customers?:index",
        ),
        # the type
        ("name:string", "unknown field type 'string'", "did you mean str?"),
        ("name:integer", "unknown field type 'integer'", "did you mean int?"),
        ("name:boolean", "unknown field type 'boolean'", "did you mean bool?"),
        ("name:timestamp", "unknown field type 'timestamp'", "did you mean datetime?"),
        ("name:dict", "unknown field type 'dict'", "did you mean json?"),
        ("name:textt", "unknown field type 'textt'", "did you mean text?"),
        ("name:Enum=a", "unknown field type 'Enum'", "did you mean enum=a,b,c?"),
        ("name:STR", "unknown field type 'STR'", "did you mean str?"),
        ("name:str??", "unknown field type 'str?'", "did you mean str?"),
        ("name:", "unknown field type in", "use one of: str, text, int, float, decimal, bool"),
        (
            "name:blob",
            "unknown field type 'blob'",
            "use one of: str, text, int, float, decimal, bool, date, datetime, uuid, json, "
            "enum=a,b,c, ref=FEATURE",
        ),
        ("name:str=3", "the type str takes no '='", "e.g. name:str"),
        ("name:int=3?", "the type int takes no '='", "e.g. name:int?"),
        ("status:enum", "an enum needs its values", "e.g. status:enum=pending,paid,shipped"),
        ("status:enum=", "an enum needs its values", "e.g. status:enum=pending,paid,shipped"),
        ("status:enum=?", "an enum needs its values", "e.g. status:enum=pending,paid,shipped"),
        (
            "status:enum=a,,b",
            "enum value '' must be lower-case snake_case",
            "e.g. status:enum=pending,paid,shipped",
        ),
        (
            "status:enum=a,",
            "enum value '' must be lower-case snake_case",
            "e.g. status:enum=pending,paid,shipped",
        ),
        (
            "status:enum=Paid",
            "enum value 'Paid' must be lower-case snake_case",
            "e.g. status:enum=pending,paid,shipped",
        ),
        (
            "status:enum=a b",
            "enum value 'a b' must be lower-case snake_case",
            "e.g. status:enum=pending,paid,shipped",
        ),
        (
            "status:enum=1st",
            "enum value '1st' must be lower-case snake_case",
            "e.g. status:enum=pending,paid,shipped",
        ),
        ("status:enum=" + "v" * 64, "longer than 63 characters", "use a shorter value"),
        ("status:enum=a,b,a", "enum value 'a' is listed twice", "e.g. status:enum=a,b"),
        ("customer:ref", "ref needs the feature it points to", "e.g. customer:ref=customers"),
        ("customer:ref=", "ref needs the feature it points to", "e.g. customer:ref=customers"),
        ("customer:ref=?", "ref needs the feature it points to", "e.g. customer:ref=customers"),
        # modifiers in general
        (
            "name:str:maxx=3",
            "unknown modifier 'maxx'",
            "did you mean max? str fields take min, max, unique, index, default",
        ),
        ("name:str:uniq", "unknown modifier 'uniq'", "did you mean unique?"),
        (
            "name:str:nullable",
            "unknown modifier 'nullable'",
            "str fields take min, max, unique, index, default",
        ),
        ("name:str::max=3", "a modifier is empty", "remove the extra ':'"),
        ("name:str:", "a modifier is empty", "remove the extra ':'"),
        ("name:str:max=3:max=4", "max is given twice", "keep one"),
        ("name:str:unique:unique", "unique is given twice", "keep one"),
        ("name:str:unique=true", "unique takes no value", "e.g. name:str:unique"),
        ("name:str:index=1", "index takes no value", "e.g. name:str:index"),
        ("name:str:max", "max needs a value", "e.g. name:str:max=120"),
        ("name:str:default", "default needs a value", "e.g. name:str:default=VALUE"),
        ("price:decimal:gt", "gt needs a value", "e.g. price:decimal:gt=0"),
        # modifiers that do not apply
        (
            "quantity:int:max=3",
            "max does not apply to int fields",
            "int fields take ge, gt, le, lt, unique, index, default",
        ),
        (
            "name:str:ge=1",
            "ge does not apply to str fields",
            "str fields take min, max, unique, index, default",
        ),
        ("quantity:int:digits=3", "digits does not apply to int fields", "int fields take ge"),
        ("ratio:float:places=3", "places does not apply to float fields", "float fields take ge"),
        (
            "notes:text:unique",
            "unique does not apply to text fields",
            "text fields take min, max, index, default",
        ),
        ("tags:json:unique", "unique does not apply to json fields", "json fields take max"),
        ("tags:json:index", "index does not apply to json fields", "json fields take max"),
        (
            "active:bool:unique",
            "unique does not apply to bool fields",
            "bool fields take index, default",
        ),
        (
            "status:enum=a,b:unique",
            "unique does not apply to enum fields",
            "enum fields take index, default",
        ),
        (
            "due_on:date:ge=2024-01-01",
            "ge does not apply to date fields",
            "date fields take unique, index, default",
        ),
        (
            "paid_at:datetime:default=now",
            "default does not apply to datetime fields",
            "datetime fields take unique, index",
        ),
        (
            "token:uuid:default=0",
            "default does not apply to uuid fields",
            "uuid fields take unique, index",
        ),
        ("tags:json:default={}", "default does not apply to json fields", "json fields take max"),
        (
            "customer:ref=customers:default=1",
            "default does not apply to ref fields",
            "ref fields take unique, index",
        ),
        (
            "customer:ref=customers:max=3",
            "max does not apply to ref fields",
            "ref fields take unique, index",
        ),
        # lengths
        ("name:str:max=x", "max must be a whole number", "e.g. name:str:max=120"),
        ("name:str:max=-1", "max must be a whole number", "e.g. name:str:max=120"),
        ("name:str:min=1.5", "min must be a whole number", "e.g. name:str:min=1"),
        ("name:str:max=0", "max must be between 1 and 10485760", "e.g. name:str:max=255"),
        ("name:str:max=10485761", "max must be between 1 and 10485760", "e.g. name:str:max=255"),
        ("notes:text:max=0", "max must be between 1 and 10485760", "e.g. notes:text:max=255"),
        ("name:str:min=0", "min must be at least 1", "drop min=0"),
        (
            "name:str:min=256",
            "min=256 is above the default max of 255",
            "give max too, e.g. name:str:min=256:max=256",
        ),
        ("name:str:min=5:max=3", "min=5 is above max=3", "make min at most max"),
        ("notes:text:max=3:min=5", "min=5 is above max=3", "make min at most max"),
        # bounds
        ("quantity:int:ge=1.5", "ge must be a whole number", "e.g. quantity:int:ge=0"),
        ("quantity:int:le=ten", "le must be a whole number", "e.g. quantity:int:le=100"),
        ("quantity:int:lt=", "lt must be a whole number", "e.g. quantity:int:lt=100"),
        ("price:decimal:gt=abc", "gt must be a number", "e.g. price:decimal:gt=0"),
        ("price:decimal:gt=NaN", "gt must be a number", "e.g. price:decimal:gt=0"),
        ("price:decimal:gt=1_000", "gt must be a number", "e.g. price:decimal:gt=0"),
        (
            "price:decimal:gt=1e99999999999999999999",
            "gt is out of range",
            "e.g. price:decimal:gt=0",
        ),
        ("ratio:float:gt=inf", "gt must be a number", "e.g. ratio:float:gt=0"),
        ("ratio:float:lt=1e999", "lt is out of range", "e.g. ratio:float:lt=100"),
        ("quantity:int:ge=1:gt=0", "ge and gt are both given", "keep one of ge/gt"),
        ("quantity:int:le=1:lt=2", "le and lt are both given", "keep one of le/lt"),
        (
            "quantity:int:ge=2:le=1",
            "ge=2 and le=1 leave no value allowed",
            "e.g. quantity:int:ge=0:le=100",
        ),
        (
            "quantity:int:gt=1:lt=2",
            "gt=1 and lt=2 leave no value allowed",
            "e.g. quantity:int:gt=0:lt=100",
        ),
        (
            "quantity:int:gt=1:le=1",
            "gt=1 and le=1 leave no value allowed",
            "e.g. quantity:int:gt=0:le=100",
        ),
        (
            "ratio:float:ge=2:le=1",
            "ge=2.0 and le=1.0 leave no value allowed",
            "e.g. ratio:float:ge=0:le=100",
        ),
        (
            "ratio:float:gt=1:le=1",
            "gt=1.0 and le=1.0 leave no value allowed",
            "e.g. ratio:float:gt=0:le=100",
        ),
        (
            "ratio:float:ge=1:lt=1",
            "ge=1.0 and lt=1.0 leave no value allowed",
            "e.g. ratio:float:ge=0:lt=100",
        ),
        (
            "price:decimal:gt=5:lt=5.0",
            "gt=5 and lt=5.0 leave no value allowed",
            "e.g. price:decimal:gt=0:lt=100",
        ),
        # decimal size
        ("price:decimal:digits=x", "digits must be a whole number", "e.g. price:decimal:digits=12"),
        (
            "price:decimal:digits=39",
            "digits must be between 2 and 38",
            "e.g. price:decimal:digits=12",
        ),
        (
            "price:decimal:digits=1:places=0",
            "digits must be between 2 and 38",
            "e.g. price:decimal:digits=12",
        ),
        (
            "price:decimal:places=0",
            "places must be at least 1",
            "use an int field for whole numbers",
        ),
        (
            "price:decimal:places=12",
            "places=12 must be less than digits=12",
            "e.g. price:decimal:digits=22:places=12",
        ),
        (
            "price:decimal:digits=2",
            "places=2 must be less than digits=2",
            "e.g. price:decimal:digits=12:places=2",
        ),
        # defaults
        (
            "name:str:default=abc:max=2",
            "the default is longer than max=2",
            "use a shorter default or a larger max",
        ),
        (
            "name:str:min=3:default=ab",
            "the default is shorter than min=3",
            "use a longer default or a smaller min",
        ),
        (
            "notes:text:max=2:default=abc",
            "the default is longer than max=2",
            "use a shorter default or a larger max",
        ),
        ("quantity:int:default=x", "default must be a whole number", "e.g. quantity:int:default=0"),
        (
            "quantity:int:default=1.0",
            "default must be a whole number",
            "e.g. quantity:int:default=0",
        ),
        (
            "quantity:int:default=5:le=4",
            "the default 5 breaks le=4",
            "use a default within the bounds",
        ),
        (
            "quantity:int:ge=0:default=-1",
            "the default -1 breaks ge=0",
            "use a default within the bounds",
        ),
        (
            "quantity:int:gt=0:default=0",
            "the default 0 breaks gt=0",
            "use a default within the bounds",
        ),
        (
            "ratio:float:lt=1:default=1",
            "the default 1 breaks lt=1.0",
            "use a default within the bounds",
        ),
        ("ratio:float:default=", "default must be a number", "e.g. ratio:float:default=0"),
        (
            "price:decimal:default=1.234",
            "the default 1.234 does not fit digits=12, places=2",
            "use a smaller default or raise digits/places",
        ),
        (
            "price:decimal:digits=4:default=100",
            "the default 100 does not fit digits=4, places=2",
            "use a smaller default or raise digits/places",
        ),
        (
            "price:decimal:gt=0:default=0",
            "the default 0 breaks gt=0",
            "use a default within the bounds",
        ),
        (
            "active:bool:default=yes",
            "must be true or false, not 'yes'",
            "e.g. active:bool:default=false",
        ),
        (
            "active:bool:default=1",
            "must be true or false, not '1'",
            "e.g. active:bool:default=false",
        ),
        (
            "due_on:date:default=20240131",
            "the default '20240131' is not a date written YYYY-MM-DD",
            "e.g. due_on:date:default=2024-01-31",
        ),
        (
            "due_on:date:default=2024-02-30",
            "the default '2024-02-30' is not a date",
            "e.g. due_on:date:default=2024-01-31",
        ),
        (
            "due_on:date:default=today",
            "the default 'today' is not a date",
            "e.g. due_on:date:default=2024-01-31",
        ),
        (
            "status:enum=a,b:default=c",
            "the default 'c' is not one of the values a, b",
            "e.g. status:enum=a,b:default=a",
        ),
        (
            "status:enum=a,b:default=A",
            "the default 'A' is not one of the values a, b",
            "e.g. status:enum=a,b:default=a",
        ),
    ],
)
def test_refused_specs_say_what_is_wrong_and_how_to_fix_it(
    spec: str, problem: str, fix: str
) -> None:
    with pytest.raises(UserError) as caught:
        parse_fields([spec])

    message = str(caught.value)
    assert repr(spec) in message or not spec.strip()
    assert problem in message
    assert fix in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("specs", "problem", "fix"),
    [
        (
            ["name:str", "name:text"],
            "duplicate field 'name' in 'name:text' (already given as 'name:str')",
            "give each --field a different name",
        ),
        (
            ["name:str", "price:int", "name:str"],
            "duplicate field 'name' in 'name:str'",
            "give each --field a different name",
        ),
        (
            ["customer:ref=customers", "customer:str"],
            "duplicate field 'customer' in 'customer:str'",
            "give each --field a different name",
        ),
        (
            ["customer:ref=customers", "customer_id:int"],
            "duplicate field 'customer_id': 'customer_id:int' and 'customer:ref=customers' "
            "both use it",
            "rename one of them",
        ),
        (
            ["customer_id:int", "customer:ref=customers"],
            "duplicate field 'customer_id': 'customer:ref=customers' and 'customer_id:int' "
            "both use it",
            "rename one of them",
        ),
        (
            ["customer:ref=customers", "customer:ref=clients"],
            "duplicate field 'customer' in 'customer:ref=clients'",
            "give each --field a different name",
        ),
    ],
)
def test_names_and_columns_are_not_shared(specs: list[str], problem: str, fix: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_fields(specs)

    message = str(caught.value)
    assert problem in message
    assert fix in message


def test_the_first_invalid_spec_is_reported() -> None:
    with pytest.raises(UserError, match="'b:string'"):
        parse_fields(["a:str", "b:string", "c:nope"])


@pytest.mark.parametrize(
    "spec",
    [
        "unitPrice:int",
        "unit-price:int",
        "_secret:str",
        "class:str",
        "id:uuid",
        "owner:ref=users",
        "metadata:json",
        "json:json",
        "model_number:str",
        "model_:str",
        "customer_id:ref=customers",
        "customer_id:ref=customers?:index",
        "name:str=3",
        "status:enum",
        "status:enum=a,b,a",
        "customer:ref",
        "name:str:unique=true",
        "name:str:max",
        "name:str:max=x",
        "name:str:max=0",
        "name:str:min=256",
        "quantity:int:ge=1.5",
        "price:decimal:gt=abc",
        "quantity:int:gt=1:lt=2",
        "ratio:float:ge=1:lt=1",
        "price:decimal:places=12",
        "price:decimal:digits=2",
        "active:bool:default=yes",
        "due_on:date:default=today",
        "status:enum=a,b:default=c",
        "quantity:int:default=x",
    ],
)
def test_every_suggested_spec_is_accepted(spec: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_fields([spec])
    suggestion = re.split(r"e\.g\. ", str(caught.value))[-1]

    assert parse_fields([suggestion])


def test_reserved_names_cover_the_base_classes() -> None:
    assert {"id", "created_at", "updated_at", "owner_id", "owner", "metadata", "registry"} <= (
        RESERVED_FIELD_NAMES
    )


# Issue 10: each was accepted and gave a project that failed its checks (or crashed forge).
@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("port:int:default=3000000000", "outside the range of int, which is 32-bit"),
        ("port:int:default=-2147483649", "outside the range of int, which is 32-bit"),
        ("port:int:ge=3000000000", "ge=3000000000 is outside the range of int"),
        ("port:int:le=-3000000000", "le=-3000000000 is outside the range of int"),
        ("port:int:gt=2147483647", "leave no 32-bit value allowed"),
        ("port:int:lt=-2147483648", "leave no 32-bit value allowed"),
        ("label:str:default=", "the default is empty, but a str has at least one character"),
        ("label:str:default=a\x00b", "NUL"),
        ("price:decimal:digits=3:places=2:ge=1000", "no number with digits=3 and places=2"),
        ("price:decimal:digits=3:places=2:lt=-9.99", "no number with digits=3 and places=2"),
        ("price:decimal:ge=0.001:le=0.009", "in steps of 0.01"),
        ("price:decimal:gt=0.001:lt=0.01", "in steps of 0.01"),
    ],
)
def test_defaults_and_bounds_are_checked_against_the_types_range(spec: str, problem: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_fields([spec])

    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "spec",
    [
        "port:int:default=2147483647",
        "port:int:ge=-2147483648:le=2147483647",
        "notes:text:default=",
        "price:decimal:digits=3:places=2:le=9.99",
        "price:decimal:digits=3:places=2:gt=9.98",
        "type:str",
        "match:str",
        "case:int",
    ],
)
def test_values_at_the_edge_of_the_range_are_accepted(spec: str) -> None:
    assert parse_fields([spec])


@pytest.mark.parametrize("places", range(26, 38))
def test_many_decimal_places_do_not_crash(places: int) -> None:
    """decimal:places>=28 used to raise InvalidOperation (the 28-digit default context)."""
    spec = parse_fields([f"ratio:decimal:digits=38:places={places}:ge=0:default=1.5"])[0]

    code = field_code(spec, table="things", singular_pascal="Thing", ref=None)

    example = Decimal(ast.literal_eval(code.example))
    assert example.as_tuple().exponent == -places
    assert len(example.as_tuple().digits) <= 38
