"""A development-only request profiler: ``?profile=1`` answers pyinstrument's HTML report.

On with ``PROFILING=true``, which only development accepts (see ``Settings``). pyinstrument
is a dev dependency, imported only when the profiler is on; the request still runs in
full (its reply is discarded), so the report shows the real path through the app.
"""

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    import pyinstrument

PROFILE_PARAMETER = "profile"
# The report is a page with inline scripts and styles; the API's policy would blank it.
REPORT_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def wants_profile(scope: Scope) -> bool:
    """Whether the query string asks for a profile (``profile=1`` or ``profile=true``)."""
    query = scope.get("query_string", b"").decode("latin-1")
    if PROFILE_PARAMETER not in query:
        return False
    return any(
        name == PROFILE_PARAMETER and value.lower() in {"1", "true"}
        for name, value in parse_qsl(query)
    )


class ProfilerMiddleware:
    """Profile the requests that ask for it and answer the report instead of the reply."""

    def __init__(self, app: ASGIApp) -> None:
        try:
            from pyinstrument import Profiler
        except ImportError:
            msg = "PROFILING=true needs pyinstrument, a dev dependency: run uv sync"
            raise RuntimeError(msg) from None
        self.app = app
        self.profiler: type[pyinstrument.Profiler] = Profiler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not wants_profile(scope):
            await self.app(scope, receive, send)
            return

        async def discard(_message: Message) -> None:
            return None

        profiler = self.profiler(async_mode="enabled")
        profiler.start()
        try:
            await self.app(scope, receive, discard)
        finally:
            profiler.stop()
        body = profiler.output_html().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode("latin-1")),
                    (b"cache-control", b"no-store"),
                    (b"content-security-policy", REPORT_CSP.encode("latin-1")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
