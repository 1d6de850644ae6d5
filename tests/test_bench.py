"""The benchmarks' own logic: reading wrk, fitting lines, naming features, loopback only.

The benchmarks themselves never run in the suite (see ``bench/``); what they compute from
their measurements is tested here.
"""

import os
import time
from pathlib import Path

import pytest

from bench.common import BenchError, Workspace
from bench.harness import clean_env
from bench.load import (
    Scenario,
    Tally,
    dockerfile_command,
    lua_script,
    minimal_command,
    parse_wrk,
    process_cpu_seconds,
    wrk,
)
from bench.peer import backend_copy
from bench.projects import feature_name
from bench.suite import fit
from fastapi_forge.naming import feature_names

WRK_REPORT = """\
Running 8s test @ http://127.0.0.1:8765/api/v1/orders/7e55f248
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    96.15ms   36.99ms 444.62ms   85.09%
    Req/Sec   335.16     92.45   505.00     65.00%
  Latency Distribution
     50%  830.00us
     75%  108.20ms
     90%  143.55ms
     99%    1.23s
  2674 requests in 8.02s, 2.01MB read
  Socket errors: connect 0, read 2, write 0, timeout 5
  Non-2xx or 3xx responses: 11
Requests/sec:    333.61
Transfer/sec:    256.40KB
"""


def test_wrk_report_is_read_with_units_and_errors() -> None:
    result = parse_wrk(WRK_REPORT)

    assert result.requests == 2674
    assert result.rps == pytest.approx(333.61)
    assert result.p50_ms == pytest.approx(0.83)
    assert result.p99_ms == pytest.approx(1230.0)
    assert result.errors == 2 + 5 + 11


def test_a_clean_wrk_report_has_no_errors() -> None:
    clean = "\n".join(
        line for line in WRK_REPORT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )

    assert parse_wrk(clean).errors == 0


def test_an_unreadable_wrk_report_is_a_bench_error() -> None:
    with pytest.raises(BenchError, match="could not read wrk's report"):
        parse_wrk("wrk: command failed\n")


def test_load_never_leaves_loopback(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match=r"only ever sent to 127\.0\.0\.1"):
        wrk("http://example.com/health", tmp_path / "none.lua", 1, 1)


def test_lua_script_sets_method_token_and_body() -> None:
    scenario = Scenario("create", "POST", "/api/v1/orders", authenticated=True, body='{"a": 1}')

    script = lua_script(scenario, "tok.en")

    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Authorization"] = "Bearer tok.en"' in script
    assert 'wrk.body = [[{"a": 1}]]' in script
    assert "Authorization" not in lua_script(Scenario("h", "GET", "/health", False), "x")


def test_fit_recovers_a_line_and_its_quality() -> None:
    slope, intercept, r_squared = fit([0, 1, 5, 20], [2.0, 2.5, 4.5, 12.0])

    assert slope == pytest.approx(0.5)
    assert intercept == pytest.approx(2.0)
    assert r_squared == pytest.approx(1.0)
    assert fit([0, 1, 2], [1.0, 3.0, 2.0])[2] < 0.5


def test_feature_names_are_distinct_and_valid() -> None:
    names = [feature_name(index) for index in range(200)]

    assert len(set(names)) == 200
    assert names[:3] == ["resource_b", "resource_c", "resource_d"]
    plurals = {feature_names(name).plural_snake for name in names}
    assert len(plurals) == 200


def test_cpu_time_of_a_process_is_read_from_proc() -> None:
    before = process_cpu_seconds(os.getpid())
    deadline = time.monotonic() + 10
    after = before
    while after == before and time.monotonic() < deadline:
        sum(index * index for index in range(10_000))  # burn CPU until a clock tick shows
        after = process_cpu_seconds(os.getpid())

    assert after > before >= 0
    assert after - before < 1


def test_nox_session_variables_never_reach_the_generated_project(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", "/somewhere/.nox/bench")
    monkeypatch.setenv("UV_PYTHON", "/somewhere/.nox/bench")
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/.nox/bench")
    monkeypatch.setenv("KEEP_ME", "1")

    env = clean_env(EXTRA="2")

    assert not {"UV_PROJECT_ENVIRONMENT", "UV_PYTHON", "VIRTUAL_ENV"} & set(env)
    assert env["KEEP_ME"] == "1"
    assert env["EXTRA"] == "2"


def test_update_bench_makes_an_older_project_forge_can_update(tmp_path: Path) -> None:
    """The older project of ``bench update`` is consistent (its records agree) and exactly
    its rewritten files are left for the update to replace."""
    import subprocess

    from typer.testing import CliRunner

    import fastapi_forge
    from bench.update import _make_older
    from fastapi_forge.cli import app
    from fastapi_forge.engine.status import project_status
    from tests.helpers.tree import LOCAL

    root = tmp_path / "shop"
    assert CliRunner().invoke(app, ["new", "shop", str(root), "-q", *LOCAL]).exit_code == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=root, check=True)

    changed = _make_older(root)

    status = project_status(root, forge_version=fastapi_forge.__version__)
    assert status.problems == []
    assert status.changed == []
    os.chdir(root)
    try:
        result = CliRunner().invoke(app, ["update", "--no-branch", "--json"])
    finally:
        os.chdir(tmp_path)
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.stdout)
    assert [entry["action"] for entry in report["files"]] == ["updated"] * changed
    assert changed == 4  # main.py and the routers of auth, health and users


CMD = (
    'CMD ["uvicorn", "shop.main:create_app", "--factory", "--host", "0.0.0.0", "--port", '
    '"8000", "--no-access-log", "--http", "h11"]'
)


def test_the_generated_app_runs_as_its_dockerfile_cmd_on_loopback(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM python\n{CMD}\n", encoding="utf-8")
    command = dockerfile_command(tmp_path)
    assert command == [
        "uvicorn",
        "shop.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--no-access-log",
        "--http",
        "h11",
    ]


def test_a_dockerfile_without_an_exec_form_cmd_is_a_bench_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python\nCMD uvicorn app\n", encoding="utf-8")
    with pytest.raises(BenchError, match="no exec-form CMD"):
        dockerfile_command(tmp_path)


def test_the_minimal_app_runs_under_the_same_command(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"{CMD}\n", encoding="utf-8")
    command = minimal_command(dockerfile_command(tmp_path))
    assert command[1] == "minimal_app:create_app"
    assert command[2:-2] == dockerfile_command(tmp_path)[2:]
    assert command[-2] == "--app-dir"
    assert (Path(command[-1]) / "minimal_app.py").is_file()


def test_cpu_per_request_and_rate_add_up_over_rounds() -> None:
    tally = Tally(requests=4000, cpu_seconds=2.0, seconds=20.0)
    assert tally.cpu_us_per_request == pytest.approx(500.0)
    assert tally.rps == pytest.approx(200.0)


def test_a_peer_that_is_not_the_full_stack_template_is_a_bench_error(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match=r"no backend/app/main\.py"):
        backend_copy(Workspace(tmp_path / "scratch"), str(tmp_path))
