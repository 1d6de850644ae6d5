"""Background jobs: the latency of one job (enqueued to done) and the throughput of one
worker process, on the real Redis broker, with the generated project's own worker.

The project is made by ``forge new --with worker`` and ``forge add job``; the job's body
(the place the user fills) records when it ran in a Redis list, which this benchmark reads.
Latency: one job at a time, enqueued by the project's ``JobQueue``, done when the worker
has run it and recorded it. Throughput: ``count`` jobs enqueued at once, one worker
process (``WORKER_CONCURRENCY`` 10, the default), from the first enqueue to the last done.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid

from bench.common import BenchError, Measurement, Workspace, child_env, median
from bench.harness import generate, reachable
from fastapi_forge.generators.project.generator import Components

REDIS_URL = os.environ.get("FORGE_BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
LATENCY_TARGET_MS = 50.0
THROUGHPUT_TARGET = 200.0

JOB = '''"""A job that records when it ran (the benchmark reads it)."""

import time

from redis.asyncio import Redis

from ..worker.job import Job, JobArgs, JobContext


class BenchArgs(JobArgs):
    key: str
    sent: float


CLIENTS: dict[str, Redis] = {}


async def run(args: BenchArgs, context: JobContext) -> None:
    """Push (sent, done) onto the list ``key`` (one client per worker process)."""
    url = context.settings.broker_url.get_secret_value()
    client = CLIENTS.setdefault(url, Redis.from_url(url))
    await client.rpush(args.key, f"{args.sent} {time.time()}")


job = Job(name="bench", args=BenchArgs, run=run)
'''

PROBE = """
import asyncio, json, sys, time, uuid
from redis.asyncio import Redis
from {package}.core.config import load_settings
from {package}.jobs import bench
from {package}.worker.broker import create_broker
from {package}.worker.queue import JobQueue

async def main() -> None:
    settings = load_settings()
    broker = create_broker(settings)
    await broker.startup()
    queue = JobQueue(broker)
    client = Redis.from_url(settings.broker_url.get_secret_value())
    latencies = []
    for _ in range(int(sys.argv[1])):
        key = f"bench:{{uuid.uuid4().hex}}"
        sent = time.time()
        await queue.enqueue(bench.job, bench.BenchArgs(key=key, sent=sent))
        await client.blpop([key], timeout=30)
        latencies.append((time.time() - sent) * 1000)
    count = int(sys.argv[2])
    key = f"bench:{{uuid.uuid4().hex}}"
    started = time.time()
    await asyncio.gather(*(
        queue.enqueue(bench.job, bench.BenchArgs(key=key, sent=time.time())) for _ in range(count)
    ))
    enqueued = time.time() - started
    while await client.llen(key) < count:
        await asyncio.sleep(0.01)
        if time.time() - started > 300:
            raise SystemExit("the worker did not finish in 300 s")
    finished = time.time() - started
    await client.delete(key)
    await client.aclose()
    await broker.shutdown()
    print(json.dumps({{"latencies": latencies, "enqueue_s": enqueued, "total_s": finished}}))

asyncio.run(main())
"""


def measure(workspace: Workspace, *, samples: int, count: int) -> list[Measurement]:
    """Latency of ``samples`` jobs one at a time; throughput of ``count`` jobs at once."""
    if not reachable(REDIS_URL, 6379):
        raise BenchError(
            f"Redis is not reachable at {REDIS_URL}; start it or set FORGE_BENCH_BROKER_URL"
        )
    folder = workspace.folder("jobs")
    project = generate(folder, "bench-jobs", components=Components(worker=True), jobs=[["bench"]])
    (project.root / "src" / project.package / "jobs" / "bench.py").write_text(JOB, encoding="utf-8")
    env = child_env(
        **project.app_env(
            "sqlite+aiosqlite:///./bench.db",
            BROKER_URL=REDIS_URL,
            BROKER_QUEUE=f"bench_{uuid.uuid4().hex[:10]}",
            LOG_LEVEL="WARNING",
            WORKER_HEARTBEAT_FILE=str(folder / "heartbeat"),
        )
    )
    python = str(project.root / ".venv" / "bin" / "python")
    worker = subprocess.Popen(
        [python, "-m", f"{project.package}.worker"],
        cwd=project.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(3)  # the worker's start-up (imports, consumer group)
        probe = subprocess.run(
            [python, "-c", PROBE.format(package=project.package), str(samples), str(count)],
            cwd=project.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    if probe.returncode != 0:
        raise BenchError(f"the jobs probe failed: {probe.stderr[-3000:]}")
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    latency = median(report["latencies"])
    throughput = count / report["total_s"]
    return [
        Measurement(
            "jobs",
            "job latency, enqueue to done (median, Redis)",
            latency,
            "ms",
            f"< {LATENCY_TARGET_MS:g} ms",
            latency < LATENCY_TARGET_MS,
            {
                "samples": len(report["latencies"]),
                "p95": sorted(report["latencies"])[int(0.95 * (len(report["latencies"]) - 1))],
            },
        ),
        Measurement(
            "jobs",
            f"one worker's throughput, {count} jobs (Redis, concurrency 10)",
            throughput,
            "jobs/s",
            f"> {THROUGHPUT_TARGET:g} jobs/s",
            throughput > THROUGHPUT_TARGET,
            {"jobs": count, "enqueue_s": report["enqueue_s"], "total_s": report["total_s"]},
        ),
    ]
