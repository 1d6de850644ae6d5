"""The generated service under load, beside the minimum same-work app, in the same run.

wrk on loopback drives one uvicorn worker per app. The generated app runs as its
Dockerfile's ``CMD`` runs it (the command is read from the generated Dockerfile; only the
host becomes 127.0.0.1 and the port a free one), with production settings, against
PostgreSQL, its access line written as JSON to stdout (here a file). The minimal app
(:mod:`bench.minimal_app`: FastAPI, asyncpg, PyJWT) runs under the same command and
interpreter, on the same database and table, for the same token.

For authenticated read by id, list (20 per page) and create, the two apps take turns
(``rounds`` runs each, alternating which goes first) so that the machine's load weighs on
both alike. The primary figure is server CPU per request, read from ``/proc`` of each
server process: on a shared machine it is far steadier than requests per second. Load only
ever goes to 127.0.0.1, for a fixed duration per run, and wrk stops by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import BenchError, Measurement, Workspace, median, run
from bench.harness import POSTGRES_SERVER_URL, RunningServer, reachable, serve
from bench.peer import ITEM as PEER_ITEM
from bench.peer import Peer
from bench.peer import start as start_peer
from bench.projects import feature_name, project_with_features
from fastapi_forge.naming import feature_names

HOST = "127.0.0.1"
CONNECTIONS = 32
READ_TARGET_RPS = 1000.0
P99_TARGET_MS = 50.0
CPU_RATIO_TARGET = 1.5
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


def dockerfile_command(project_root: Path) -> list[str]:
    """The generated Dockerfile's ``CMD``, bound to :data:`HOST` (the port is added later)."""
    for line in (project_root / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("CMD ["):
            command: list[str] = json.loads(line.removeprefix("CMD "))
            break
    else:
        raise BenchError(f"no exec-form CMD in {project_root / 'Dockerfile'}")
    args: list[str] = []
    skip = False
    for index, part in enumerate(command):
        if skip:
            skip = False
            continue
        if part == "--port":
            skip = True
            continue
        args.append(HOST if index and command[index - 1] == "--host" else part)
    if "--host" not in args:
        args += ["--host", HOST]
    return args


def minimal_command(generated: list[str]) -> list[str]:
    """The generated command with the app swapped for :mod:`bench.minimal_app`."""
    factory = next(part for part in generated if part.endswith(":create_app"))
    app_dir = str(Path(__file__).parent)
    return [
        *(("minimal_app:create_app" if part == factory else part) for part in generated),
        "--app-dir",
        app_dir,
    ]


@dataclass(frozen=True)
class App:
    """One served app and the paths of its three requests."""

    name: str
    server: RunningServer
    read: str
    page: str
    create: str
    token: str


def measure(
    workspace: Workspace, *, seconds: int, warmup: int, rounds: int, peer: str | None = None
) -> list[Measurement]:
    """Run every scenario on the generated app and the minimal app (and the peer), interleaved."""
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed; install it (apt-get install wrk) and rerun")
    if not reachable(POSTGRES_SERVER_URL, 5432):
        raise BenchError(
            f"PostgreSQL is not reachable at {POSTGRES_SERVER_URL}; start it or set "
            "FORGE_TEST_POSTGRES_URL"
        )
    project = project_with_features(workspace.folder("load"), 1, database="postgres")
    database_url, database = project.create_postgres_database(POSTGRES_SERVER_URL)
    peer_database = ""
    try:
        env = project.app_env(database_url, ENVIRONMENT="production", ALLOWED_HOSTS=HOST)
        project.run("alembic", "upgrade", "head", env=env)
        command = dockerfile_command(project.root)
        plural = feature_names(feature_name(0))
        minimal_env = {
            "MINIMAL_DATABASE_URL": database_url.replace("+asyncpg", ""),
            "MINIMAL_JWT_SECRET": env[f"{project.env_prefix}JWT_SECRET"],
            "MINIMAL_JWT_ISSUER": project.root.name,
            "MINIMAL_TABLE": plural.plural_snake,
        }
        log = workspace.root / "load-server.log"
        with contextlib.ExitStack() as stack:
            servers = serve(project, env, command, log_file=log)
            stack.callback(servers.close)
            generated_server = next(servers)
            minimal_servers = serve(
                project,
                minimal_env,
                minimal_command(command),
                log_file=workspace.root / "minimal-server.log",
            )
            stack.callback(minimal_servers.close)
            minimal_server = next(minimal_servers)
            running_peer = None
            if peer is not None:
                running_peer = start_peer(workspace, peer, project, command)
                peer_database = running_peer.database
                stack.callback(running_peer.servers.close)
            return _drive(
                workspace,
                generated_server,
                minimal_server,
                running_peer,
                collection=f"/api/v1/{plural.plural_kebab}",
                seconds=seconds,
                warmup=warmup,
                rounds=rounds,
                log=log,
            )
    finally:
        project.drop_postgres_database(POSTGRES_SERVER_URL, database)
        if peer_database:
            project.drop_postgres_database(POSTGRES_SERVER_URL, peer_database)


def _seed(server: RunningServer, collection: str) -> tuple[str, str]:
    status, _ = server.post_json("/api/v1/auth/register", {"email": EMAIL, "password": PASSWORD})
    if status != 201:
        raise BenchError(f"registering the bench user answered {status}")
    token = server.login(EMAIL, PASSWORD)
    row_id = ""
    for _ in range(SEED_ROWS):
        status, body = server.post_json(collection, ORDER, token)
        if status != 201 or not isinstance(body, dict):
            raise BenchError(f"seeding answered {status}: {body}")
        row_id = str(body["id"])
    return token, row_id


@dataclass
class Tally:
    """What the rounds of one scenario on one app added up to."""

    requests: int = 0
    cpu_seconds: float = 0.0
    seconds: float = 0.0
    errors: int = 0
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)

    @property
    def cpu_us_per_request(self) -> float:
        return 1e6 * self.cpu_seconds / max(self.requests, 1)

    @property
    def rps(self) -> float:
        return self.requests / max(self.seconds, 1e-9)


def _run_scenario(
    workspace: Workspace, server: RunningServer, scenario: Scenario, token: str, seconds: int
) -> tuple[WrkResult, float]:
    port = server.base_url.rpartition(":")[2]
    slug = re.sub(r"\W+", "_", scenario.name)
    script = workspace.root / f"scenario-{port}-{slug}.lua"
    script.write_text(lua_script(scenario, token), encoding="utf-8")
    cpu_before = process_cpu_seconds(server.process.pid)
    report = wrk(server.base_url + scenario.path, script, seconds, CONNECTIONS)
    return report, process_cpu_seconds(server.process.pid) - cpu_before


def _drive(
    workspace: Workspace,
    generated: RunningServer,
    minimal: RunningServer,
    peer: Peer | None,
    *,
    collection: str,
    seconds: int,
    warmup: int,
    rounds: int,
    log: Path,
) -> list[Measurement]:
    token, row_id = _seed(generated, collection)
    body = json.dumps(ORDER)
    apps = {
        "generated": (
            generated,
            token,
            {
                "read": Scenario("read", "GET", f"{collection}/{row_id}", True),
                "list": Scenario("list", "GET", f"{collection}?page=1&page_size=20", True),
                "create": Scenario("create", "POST", collection, True, body),
            },
        ),
        "minimal": (
            minimal,
            token,
            {
                "read": Scenario("read", "GET", f"/items/{row_id}", True),
                "list": Scenario("list", "GET", "/items?page=1&page_size=20", True),
                "create": Scenario("create", "POST", "/items", True, body),
            },
        ),
    }
    if peer is not None:
        items = "/api/v1/items/"
        apps["peer"] = (
            peer.server,
            peer.token,
            {
                "read": Scenario("read", "GET", f"{items}{peer.row_id}", True),
                "list": Scenario("list", "GET", f"{items}?skip=0&limit=20", True),
                "create": Scenario("create", "POST", items, True, json.dumps(PEER_ITEM)),
            },
        )
    results: list[Measurement] = []
    health = Scenario("GET /health", "GET", "/health", authenticated=False)
    if warmup:
        _run_scenario(workspace, generated, health, token, warmup)
    report, cpu = _run_scenario(workspace, generated, health, token, seconds)
    results += [
        Measurement("load", "GET /health, generated: req/s", report.rps, "req/s"),
        Measurement(
            "load",
            "GET /health, generated: server CPU",
            1e6 * cpu / max(report.requests, 1),
            "us/req",
        ),
        Measurement("load", "GET /health, generated: p99", report.p99_ms, "ms"),
        Measurement(
            "load", "GET /health, generated: errors", report.errors, "", "0", report.errors == 0
        ),
    ]
    for name in ("read", "list", "create"):
        tallies = {app: Tally() for app in apps}
        if warmup:
            for server, app_token, scenarios in apps.values():
                _run_scenario(workspace, server, scenarios[name], app_token, warmup)
        # Interleaved: the machine's load at any moment weighs on both apps alike.
        for round_index in range(rounds):
            order = list(apps) if round_index % 2 == 0 else list(reversed(apps))
            for app in order:
                server, app_token, scenarios = apps[app]
                report, cpu = _run_scenario(workspace, server, scenarios[name], app_token, seconds)
                tally = tallies[app]
                tally.requests += report.requests
                tally.cpu_seconds += cpu
                tally.seconds += seconds
                tally.errors += report.errors
                tally.p50_ms.append(report.p50_ms)
                tally.p99_ms.append(report.p99_ms)
        results += _scenario_figures(name, tallies)
    results.append(
        Measurement("load", "server log lines", len(log.read_text().splitlines()), "lines")
    )
    return results


SCENARIO_TITLES = {
    "read": "read by id (auth)",
    "list": "list, 20 per page (auth)",
    "create": "create (auth)",
}


def _scenario_figures(name: str, tallies: dict[str, Tally]) -> list[Measurement]:
    title = SCENARIO_TITLES[name]
    generated, minimal = tallies["generated"], tallies["minimal"]
    ratio = generated.cpu_us_per_request / max(minimal.cpu_us_per_request, 1e-9)
    is_read = name == "read"
    results = []
    if "peer" in tallies:
        results.append(
            Measurement(
                "load",
                f"{title}: CPU peer / minimal",
                tallies["peer"].cpu_us_per_request / max(minimal.cpu_us_per_request, 1e-9),
                "x",
            )
        )
    results += [
        Measurement(
            "load",
            f"{title}: CPU generated / minimal",
            ratio,
            "x",
            f"<= {CPU_RATIO_TARGET:g}x",
            ratio <= CPU_RATIO_TARGET,
            {
                app: {
                    "cpu_us_per_request": tally.cpu_us_per_request,
                    "requests": tally.requests,
                    "p50_ms": tally.p50_ms,
                    "p99_ms": tally.p99_ms,
                }
                for app, tally in tallies.items()
            },
        )
    ]
    for app, tally in tallies.items():
        p50 = median(tally.p50_ms)
        p99 = max(tally.p99_ms)
        results += [
            Measurement("load", f"{title}, {app}: server CPU", tally.cpu_us_per_request, "us/req"),
            Measurement(
                "load",
                f"{title}, {app}: req/s",
                tally.rps,
                "req/s",
                f">= {READ_TARGET_RPS:g}" if is_read and app == "generated" else "",
                tally.rps >= READ_TARGET_RPS if is_read and app == "generated" else None,
            ),
            Measurement("load", f"{title}, {app}: p50", p50, "ms"),
            Measurement(
                "load",
                f"{title}, {app}: p99",
                p99,
                "ms",
                f"< {P99_TARGET_MS:g}" if app == "generated" else "",
                p99 < P99_TARGET_MS if app == "generated" else None,
            ),
            Measurement(
                "load",
                f"{title}, {app}: errors",
                tally.errors,
                "",
                "0",
                tally.errors == 0,
            ),
        ]
    return results
