"""The worker's liveness signal: a file whose modification time the worker keeps fresh.

``python -m <package>.worker health`` exits 0 while the file is younger than three
heartbeats, 1 otherwise: a compose health check or a Kubernetes exec liveness probe. The
heartbeat runs on the worker's event loop, so a loop blocked by a job goes stale too.
"""

import asyncio
import contextlib
import time
from pathlib import Path

MISSED_BEATS = 3


class Heartbeat:
    """Touches ``path`` every ``interval`` seconds while started."""

    def __init__(self, path: Path, interval: float) -> None:
        self.path = path
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Beat now, then every ``interval`` seconds, until :meth:`stop`."""
        self._task = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        """Stop beating and remove the file: a stopped worker is not alive."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.to_thread(self.path.unlink, missing_ok=True)

    async def _beat(self) -> None:
        while True:
            await asyncio.to_thread(self.path.touch)
            await asyncio.sleep(self.interval)


def is_alive(path: Path, interval: float, now: float | None = None) -> bool:
    """Whether the heartbeat at ``path`` is younger than ``MISSED_BEATS`` intervals."""
    try:
        modified = path.stat().st_mtime
    except OSError:
        return False
    return (now if now is not None else time.time()) - modified <= interval * MISSED_BEATS
