"""The Prometheus alert rules in ops/prometheus/alerts.yml: valid, and only about metrics
(and routes) the app really exports."""

import re
from pathlib import Path
from typing import Any

import yaml

from .conftest import AppFactory, client_for

ALERTS_FILE = Path(__file__).resolve().parents[1] / "ops" / "prometheus" / "alerts.yml"
# PromQL words that are not metric names: keywords and aggregation modifiers.
PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring"}
IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def load_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    assert set(document) == {"groups"}
    rules: list[dict[str, Any]] = []
    for group in document["groups"]:
        assert isinstance(group["name"], str)
        assert group["name"]
        assert isinstance(group["rules"], list)
        assert group["rules"]
        rules += group["rules"]
    return rules


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads (functions, keywords and labels left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in IDENTIFIER.finditer(text):
        following = text[match.end() :].lstrip()
        if match.group() in PROMQL_KEYWORDS or following.startswith("("):
            continue
        if re.fullmatch(r"\d", text[match.start() - 1 : match.start()] or " "):
            continue  # a number's exponent or unit, such as 1e3
        names.add(match.group())
    return names


def test_the_metric_name_parser_sees_through_functions_and_labels() -> None:
    expr = 'histogram_quantile(0.99, sum by (le) (rate(a_bucket{route!~"/x|y"}[5m]))) > b'
    assert metric_names(expr) == {"a_bucket", "b"}


def test_alert_rules_have_the_prometheus_shape() -> None:
    rules = load_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    assert {"HighErrorRate", "HighLatencyP99", "NotReady"} <= set(names)
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
        assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", rule["alert"])
        assert isinstance(rule["expr"], str)
        assert rule["expr"].strip()
        assert re.fullmatch(r"\d+[smhd]", rule["for"])
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]


async def test_alert_rules_use_only_metrics_and_routes_the_app_exports(
    app_factory: AppFactory,
) -> None:
    app = app_factory()  # a fresh app: its own registry
    async with client_for(app) as client:
        await client.get("/health")
        await client.get("/ready")
        exported = (await client.get("/metrics")).text
    lines = [line for line in exported.splitlines() if not line.startswith("#")]
    samples = {line.split("{")[0].split(" ")[0] for line in lines}
    for rule in load_rules():
        used = metric_names(rule["expr"])
        assert used, rule["alert"]
        assert used <= samples, f"{rule['alert']} reads {used - samples}, not in /metrics"
        for route in re.findall(r'route="([^"]+)"', rule["expr"]):
            # The route label of a request /metrics counted: a real route, spelt as exported.
            assert f'route="{route}"' in exported, f"{rule['alert']} names {route}, not a route"
