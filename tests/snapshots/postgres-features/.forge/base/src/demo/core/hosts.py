"""Host header checking that answers in the standard error shape."""

from collections.abc import Iterable, Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import error_response


class TrustedHostMiddleware:
    """Refuse requests whose ``Host`` is not allowed (``*`` and ``*.example.com`` work).

    ``probe_paths`` (the health checks) answer whatever the ``Host``: a container or
    Kubernetes probe calls them as ``127.0.0.1`` or the pod's address, and they build no
    URL from it.
    """

    def __init__(
        self, app: ASGIApp, allowed_hosts: Sequence[str], probe_paths: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.allow_any = "*" in allowed_hosts
        self.probe_paths = frozenset(probe_paths)
        self.exact = frozenset(h.lower() for h in allowed_hosts if not h.startswith("*"))
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.allow_any
            or scope["type"] not in ("http", "websocket")
            or scope["path"] in self.probe_paths
        ):
            await self.app(scope, receive, send)
            return
        host = ""
        for name, value in scope.get("headers", ()):
            if name == b"host":
                raw = value.decode("latin-1").lower()
                bracketed = raw.startswith("[") and "]" in raw
                host = raw[: raw.index("]") + 1] if bracketed else raw.split(":", 1)[0]
                break
        if host in self.exact or (self.suffixes and host.endswith(self.suffixes)):
            await self.app(scope, receive, send)
            return
        response = error_response(400, "INVALID_HOST", "Invalid host header")
        await response(scope, receive, send)
