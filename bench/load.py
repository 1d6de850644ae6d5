"""The generated service under load: wrk on loopback against one uvicorn worker.

The app runs as its Dockerfile's CMD runs it (``uvicorn ... --factory --no-access-log
--proxy-headers``, one worker, the access line written by its own middleware as JSON to
stdout, here a file) with production settings, against PostgreSQL. Load only ever goes to
127.0.0.1, for a fixed duration per scenario, and wrk stops by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.common import BenchError, Measurement, Workspace, run
from bench.harness import POSTGRES_SERVER_URL, RunningServer, reachable, serve
from bench.projects import feature_name, project_with_features
from fastapi_forge.naming import feature_names

HOST = "127.0.0.1"
CONNECTIONS = 32
READ_TARGET_RPS = 1000.0
P99_TARGET_MS = 50.0
SEED_ROWS = 200
ORDER = {"title": "Bench order", "total": "12.50", "placed_at": None, "status": "new"}
EMAIL = "bench@example.com"
PASSWORD = "correct horse battery staple"  # noqa: S105 (a throwaway bench account)

_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s+(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Scenario:
    """One endpoint under load."""

    name: str
    method: str
    path: str
    authenticated: bool
    body: str | None = None


@dataclass(frozen=True)
class WrkResult:
    """What wrk reported for one scenario."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's ``--latency`` report."""
    latencies = {
        match[1]: float(match[2]) * _UNITS_MS[match[3]] for match in _LATENCY.finditer(output)
    }
    rps, total = _RPS.search(output), _TOTAL.search(output)
    if rps is None or total is None or set(latencies) != {"50", "99"}:
        raise BenchError(f"could not read wrk's report:\n{output}")
    non_2xx = _NON_2XX.search(output)
    sockets = _SOCKET.search(output)
    errors = int(non_2xx[1]) if non_2xx else 0
    errors += sum(int(value) for value in sockets.groups()) if sockets else 0
    return WrkResult(int(total[1]), float(rps[1]), latencies["50"], latencies["99"], errors)


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` so far (Linux ``/proc``).

    CPU per request is steadier than requests per second on a machine shared with other
    work: the server is CPU-bound, and its CPU time does not count time it was not given.
    """
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()
    ticks = int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return ticks / os.sysconf("SC_CLK_TCK")


def lua_script(scenario: Scenario, token: str) -> str:
    """The wrk script setting the method, body and headers of every request."""
    lines = [f'wrk.method = "{scenario.method}"']
    if scenario.authenticated:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    if scenario.body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append(f"wrk.body = [[{scenario.body}]]")
    return "\n".join(lines) + "\n"


def wrk(url: str, script: Path, seconds: int, connections: int) -> WrkResult:
    """Drive ``url`` for ``seconds`` with ``connections`` connections on one thread."""
    if not url.startswith(f"http://{HOST}:"):
        raise BenchError(f"load is only ever sent to {HOST}, not {url}")
    result = run(
        [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "5s",
            "--latency",
            "--script",
            script,
            url,
        ],
        timeout=seconds + 60,
    )
    return parse_wrk(result.stdout)


def measure(workspace: Workspace, *, seconds: int, warmup: int) -> list[Measurement]:
    """Run every scenario against a freshly migrated database; return the figures."""
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed; install it (apt-get install wrk) and rerun")
    if not reachable(POSTGRES_SERVER_URL, 5432):
        raise BenchError(
            f"PostgreSQL is not reachable at {POSTGRES_SERVER_URL}; start it or set "
            "FORGE_TEST_POSTGRES_URL"
        )
    project = project_with_features(workspace.folder("load"), 1, database="postgres")
    database_url, database = project.create_postgres_database(POSTGRES_SERVER_URL)
    try:
        env = project.app_env(database_url, ENVIRONMENT="production", ALLOWED_HOSTS=HOST)
        project.run("alembic", "upgrade", "head", env=env)
        command = [
            "uvicorn",
            f"{project.package}.main:create_app",
            "--factory",
            "--host",
            HOST,
            "--no-access-log",
            "--proxy-headers",
        ]
        log = workspace.root / "load-server.log"
        servers = serve(project, env, command, log_file=log)
        with contextlib.closing(servers):
            server = next(servers)
            return _drive(workspace, server, seconds=seconds, warmup=warmup, log=log)
    finally:
        project.drop_postgres_database(POSTGRES_SERVER_URL, database)


def _drive(
    workspace: Workspace, server: RunningServer, *, seconds: int, warmup: int, log: Path
) -> list[Measurement]:
    status, _ = server.post_json("/api/v1/auth/register", {"email": EMAIL, "password": PASSWORD})
    if status != 201:
        raise BenchError(f"registering the bench user answered {status}")
    token = server.login(EMAIL, PASSWORD)
    collection = f"/api/v1/{feature_names(feature_name(0)).plural_kebab}"
    row_id = ""
    for _ in range(SEED_ROWS):
        status, body = server.post_json(collection, ORDER, token)
        if status != 201 or not isinstance(body, dict):
            raise BenchError(f"seeding answered {status}: {body}")
        row_id = str(body["id"])

    scenarios = [
        Scenario("GET /health", "GET", "/health", authenticated=False),
        Scenario(f"GET {collection}/{{id}} (auth)", "GET", f"{collection}/{row_id}", True),
        Scenario(
            f"GET {collection}?page_size=20 (auth, list)",
            "GET",
            f"{collection}?page=1&page_size=20",
            True,
        ),
        Scenario(f"POST {collection} (auth, create)", "POST", collection, True, json.dumps(ORDER)),
    ]
    results: list[Measurement] = []
    for index, scenario in enumerate(scenarios):
        script = workspace.root / f"scenario-{index}.lua"
        script.write_text(lua_script(scenario, token), encoding="utf-8")
        url = server.base_url + scenario.path
        if warmup:
            wrk(url, script, warmup, CONNECTIONS)
        cpu_before = process_cpu_seconds(server.process.pid)
        report = wrk(url, script, seconds, CONNECTIONS)
        cpu_per_request_us = (
            1e6 * (process_cpu_seconds(server.process.pid) - cpu_before) / max(report.requests, 1)
        )
        is_read = index == 1
        detail = {
            "requests": report.requests,
            "p50_ms": report.p50_ms,
            "p99_ms": report.p99_ms,
            "errors": report.errors,
            "connections": CONNECTIONS,
            "seconds": seconds,
            "server_cpu_us_per_request": cpu_per_request_us,
        }
        results += [
            Measurement(
                "load",
                f"{scenario.name} req/s",
                report.rps,
                "req/s",
                f">= {READ_TARGET_RPS:g}" if is_read else "",
                report.rps >= READ_TARGET_RPS if is_read else None,
                detail,
            ),
            Measurement("load", f"{scenario.name} p50", report.p50_ms, "ms"),
            Measurement("load", f"{scenario.name} server CPU", cpu_per_request_us, "us/req"),
            Measurement(
                "load",
                f"{scenario.name} p99",
                report.p99_ms,
                "ms",
                f"< {P99_TARGET_MS:g}",
                report.p99_ms < P99_TARGET_MS,
            ),
            Measurement(
                "load", f"{scenario.name} errors", report.errors, "", "0", report.errors == 0
            ),
        ]
    results.append(
        Measurement("load", "server log lines", len(log.read_text().splitlines()), "lines")
    )
    return results
