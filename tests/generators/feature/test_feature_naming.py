"""Feature-name validation and the singular, plural, class, URL and title names derived from it."""

import pytest

from fastapi_forge.errors import UserError
from fastapi_forge.naming import (
    MAX_FEATURE_NAME_LENGTH,
    RESERVED_FEATURE_NAMES,
    FeatureNames,
    check_not_existing,
    feature_names,
)

ORDER_ITEM = "order_item|order_items|OrderItem|OrderItems|order-items|Order item|Order items"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("order", "order|orders|Order|Orders|orders|Order|Orders"),
        ("orders", "order|orders|Order|Orders|orders|Order|Orders"),
        ("Orders", "order|orders|Order|Orders|orders|Order|Orders"),
        ("  orders ", "order|orders|Order|Orders|orders|Order|Orders"),
        ("category", "category|categories|Category|Categories|categories|Category|Categories"),
        ("categories", "category|categories|Category|Categories|categories|Category|Categories"),
        ("person", "person|people|Person|People|people|Person|People"),
        ("people", "person|people|Person|People|people|Person|People"),
        ("status", "status|statuses|Status|Statuses|statuses|Status|Statuses"),
        ("statuses", "status|statuses|Status|Statuses|statuses|Status|Statuses"),
        ("address", "address|addresses|Address|Addresses|addresses|Address|Addresses"),
        ("addresses", "address|addresses|Address|Addresses|addresses|Address|Addresses"),
        ("order-items", ORDER_ITEM),
        ("order_items", ORDER_ITEM),
        ("order items", ORDER_ITEM),
        ("Order Items", ORDER_ITEM),
        ("order--items", ORDER_ITEM),
        ("order-item", ORDER_ITEM),
        ("OrderItem", ORDER_ITEM),
        ("OrderItems", ORDER_ITEM),
        ("orderItems", ORDER_ITEM),
        ("ORDER_ITEMS", ORDER_ITEM),
        (
            "line item statuses",
            "line_item_status|line_item_statuses|LineItemStatus|LineItemStatuses"
            "|line-item-statuses|Line item status|Line item statuses",
        ),
        ("APIKeys", "api_key|api_keys|APIKey|APIKeys|api-keys|API key|API keys"),
        ("api-keys", "api_key|api_keys|ApiKey|ApiKeys|api-keys|API key|API keys"),
        # Found by issue 10: the old inflector (inflection) got every one of these wrong.
        ("campus", "campus|campuses|Campus|Campuses|campuses|Campus|Campuses"),
        ("cafes", "cafe|cafes|Cafe|Cafes|cafes|Cafe|Cafes"),
        ("cookies", "cookie|cookies|Cookie|Cookies|cookies|Cookie|Cookies"),
        ("criteria", "criterion|criteria|Criterion|Criteria|criteria|Criterion|Criteria"),
        ("virus", "virus|viruses|Virus|Viruses|viruses|Virus|Viruses"),
        ("leaves", "leaf|leaves|Leaf|Leaves|leaves|Leaf|Leaves"),
        ("FAQs", "faq|faqs|FAQ|FAQs|faqs|FAQ|FAQs"),
        ("SKUs", "sku|skus|SKU|SKUs|skus|SKU|SKUs"),
        ("IDs", "id|ids|ID|IDs|ids|ID|IDs"),
        # Found by a new-user trial: a lone acronym typed in capitals stays one, IoT is a
        # word, and dice and salmon are their own plurals.
        ("FAQ", "faq|faqs|FAQ|FAQs|faqs|FAQ|FAQs"),
        ("SKU", "sku|skus|SKU|SKUs|skus|SKU|SKUs"),
        ("ORDERS", "order|orders|Order|Orders|orders|Order|Orders"),
        (
            "IoTDevices",
            "iot_device|iot_devices|IoTDevice|IoTDevices|iot-devices|IoT device|IoT devices",
        ),
        ("dice", "dice|dice|Dice|Dice|dice|Dice|Dice"),
        ("salmon", "salmon|salmon|Salmon|Salmon|salmon|Salmon|Salmon"),
        (
            "OAuthClients",
            "oauth_client|oauth_clients|OAuthClient|OAuthClients|oauth-clients"
            "|OAuth client|OAuth clients",
        ),
        ("software", "software|software|Software|Software|software|Software|Software"),
        ("indices", "index|indices|Index|Indices|indices|Index|Indices"),
        ("analysis", "analysis|analyses|Analysis|Analyses|analyses|Analysis|Analyses"),
        # Ordinary words, though their singular is a keyword: it never stands alone.
        ("returns", "return|returns|Return|Returns|returns|Return|Returns"),
        ("classes", "class|classes|Class|Classes|classes|Class|Classes"),
        ("cases", "case|cases|Case|Cases|cases|Case|Cases"),
        ("matches", "match|matches|Match|Matches|matches|Match|Matches"),
        ("imports", "import|imports|Import|Imports|imports|Import|Imports"),
        ("yields", "yield|yields|Yield|Yields|yields|Yield|Yields"),
        ("raises", "raise|raises|Raise|Raises|raises|Raise|Raises"),
        ("passes", "pass|passes|Pass|Passes|passes|Pass|Passes"),
        ("news", "news|news|News|News|news|News|News"),
        ("series", "series|series|Series|Series|series|Series|Series"),
        ("sheep", "sheep|sheep|Sheep|Sheep|sheep|Sheep|Sheep"),
        (
            "breaking-news",
            "breaking_news|breaking_news|BreakingNews|BreakingNews"
            "|breaking-news|Breaking news|Breaking news",
        ),
        ("orders-v2", "orders_v2|orders_v2|OrdersV2|OrdersV2|orders-v2|Orders v2|Orders v2"),
        ("logging", "logging|loggings|Logging|Loggings|loggings|Logging|Loggings"),
        ("json", "json|jsons|Json|Jsons|jsons|JSON|Jsons"),
        ("invoices", "invoice|invoices|Invoice|Invoices|invoices|Invoice|Invoices"),
        (
            "b" * 39 + "s",
            "|".join(
                [
                    "b" * 39,
                    "b" * 39 + "s",
                    "B" + "b" * 38,
                    "B" + "b" * 38 + "s",
                    "b" * 39 + "s",
                    "B" + "b" * 38,
                    "B" + "b" * 38 + "s",
                ]
            ),
        ),
    ],
)
def test_accepted_names_give_every_form(raw: str, expected: str) -> None:
    names = feature_names(raw)

    assert names == FeatureNames(raw, *expected.split("|"))


@pytest.mark.parametrize(
    ("raw", "uncountable"), [("news", True), ("sheep", True), ("orders", False)]
)
def test_uncountable_names_are_flagged(raw: str, uncountable: bool) -> None:
    assert feature_names(raw).is_uncountable is uncountable


@pytest.mark.parametrize(
    ("raw", "problem", "fix"),
    [
        ("", "feature name is empty", "try a name such as 'orders'"),
        ("   ", "feature name is empty", "try a name such as 'orders'"),
        ("1orders", "must start with a letter", "try a name such as 'orders'"),
        ("-orders", "must start with a letter", "try a name such as 'orders'"),
        ("_orders", "must start with a letter", "try a name such as 'orders'"),
        ("orders-", "must end with a letter or digit", "try 'orders'"),
        ("orders_ ", "must end with a letter or digit", "try 'orders'"),
        ("orders!", "'!' is not allowed", "try a name such as 'orders'"),
        ("order.items", "'.' is not allowed", "try a name such as 'orders'"),
        ("cafés", "'é' is not allowed", "try a name such as 'orders'"),
        ("none", "class name 'None' is a Python keyword", "such as 'shop-nones'"),
        ("True", "class name 'True' is a Python keyword", "such as 'shop-trues'"),
        (
            "users",
            "'user' is reserved for the generated project's built-in 'user' feature",
            "such as 'shop-users'",
        ),
        (
            "user",
            "'user' is reserved for the generated project's built-in 'user' feature",
            "such as 'shop-users'",
        ),
        ("auth", "'auth' is reserved", "such as 'shop-auths'"),
        ("health", "'health' is reserved", "such as 'shop-healths'"),
        (
            "core",
            "'core' is reserved for the generated project's own 'core' package",
            "such as 'shop-cores'",
        ),
        ("shared", "'shared' is reserved", "such as 'shop-shareds'"),
        ("feature", "'features' is reserved", "such as 'shop-features'"),
        ("features", "'features' is reserved", "such as 'shop-features'"),
        ("registry", "'registry' is reserved", "such as 'shop-registries'"),
        ("registries", "'registry' is reserved", "such as 'shop-registries'"),
        ("main", "'main' is reserved", "such as 'shop-mains'"),
        ("manage", "'manage' is reserved", "such as 'shop-manages'"),
        ("test", "'tests' is reserved", "such as 'shop-tests'"),
        ("tests", "'tests' is reserved", "such as 'shop-tests'"),
        ("migration", "'migrations' is reserved", "such as 'shop-migrations'"),
        (
            "b" * MAX_FEATURE_NAME_LENGTH + "s",
            "is 41 characters long, the limit is 40",
            "use a shorter name",
        ),
        (
            "b" * MAX_FEATURE_NAME_LENGTH,
            "is 41 characters long, the limit is 40",
            "use a shorter name",
        ),
        ("b" * 39 + "x", "is 42 characters long, the limit is 40", "use a shorter name"),
    ],
)
def test_refused_names_say_what_is_wrong_and_how_to_fix_it(
    raw: str, problem: str, fix: str
) -> None:
    with pytest.raises(UserError) as caught:
        feature_names(raw)

    message = str(caught.value)
    assert repr(raw) in message or not raw.strip()
    assert problem in message
    assert fix in message
    assert "\n" not in message


def test_every_suggested_name_is_accepted() -> None:
    for raw in ["none", "users", "health", "tests", "registry", "orders-"]:
        with pytest.raises(UserError) as caught:
            feature_names(raw)
        suggestion = str(caught.value).rsplit("'", 2)[1]
        assert feature_names(suggestion).original == suggestion


@pytest.mark.parametrize(
    "name",
    [
        "users",
        "user",
        "auth",
        "health",
        "core",
        "shared",
        "features",
        "registry",
        "main",
        "manage",
        "tests",
        "migrations",
    ],
)
def test_the_generated_projects_own_names_are_reserved(name: str) -> None:
    assert name in RESERVED_FEATURE_NAMES


@pytest.mark.parametrize("raw", ["orders", "order", "Order", "order-items", "OrderItem"])
def test_an_existing_feature_is_refused(raw: str) -> None:
    existing = {"orders", "order_items"}

    with pytest.raises(UserError) as caught:
        check_not_existing(feature_names(raw), existing)

    message = str(caught.value)
    assert "already exists in features/" in message
    assert "choose another name, or pass --force" in message


@pytest.mark.parametrize("raw", ["orders", "order"])
def test_existing_is_also_checked_by_feature_names(raw: str) -> None:
    with pytest.raises(UserError, match="feature 'orders' already exists"):
        feature_names(raw, existing=["orders"])


@pytest.mark.parametrize("existing", [(), ["invoices", "order_items"], {"order"}])
def test_a_new_feature_is_accepted(existing: tuple[str, ...] | list[str] | set[str]) -> None:
    names = feature_names("orders", existing=existing)

    check_not_existing(names, existing)
    assert names.plural_snake == "orders"


@pytest.mark.parametrize(
    ("raw", "singular", "plural", "expected"),
    [
        ("campus", None, "campi", "campus|campi|Campus|Campi|campi|Campus|Campi"),
        ("campi", "campus", None, "campus|campi|Campus|Campi|campi|Campus|Campi"),
        (
            "staff",
            "staff-member",
            None,
            "staff_member|staff|StaffMember|Staff|staff|Staff member|Staff",
        ),
        ("data", "data", "data", "data|data|Data|Data|data|Data|Data"),
        ("FAQ", None, "FAQ-entries", "faq|faq_entries|FAQ|FAQEntries|faq-entries|FAQ|FAQ entries"),
    ],
)
def test_stated_singular_and_plural_are_used(
    raw: str, singular: str | None, plural: str | None, expected: str
) -> None:
    names = feature_names(raw, singular=singular, plural=plural)

    assert names == FeatureNames(raw, *expected.split("|"))


@pytest.mark.parametrize(
    ("raw", "singular", "plural", "problem"),
    [
        ("orders", "customer", "customers", "is neither the singular 'customer' nor the plural"),
        ("orders", "", None, "the --singular is empty"),
        ("orders", None, "órdenes", "invalid --plural 'órdenes': 'ó' is not allowed"),
        ("lambda", "lambda", "lambda", "its package name 'lambda' is a Python keyword"),
    ],
)
def test_stated_forms_are_validated(
    raw: str, singular: str | None, plural: str | None, problem: str
) -> None:
    with pytest.raises(UserError) as caught:
        feature_names(raw, singular=singular, plural=plural)

    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)
