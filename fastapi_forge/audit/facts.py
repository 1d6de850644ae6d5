"""What the checks conclude from the code: each property answers one question about the
project (are the endpoints typed? which ones read raw bodies? where is the JWT key?) with
the evidence, computed once and shared by the health check, the checklists and the score.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property

from fastapi_forge.audit.model import Evidence
from fastapi_forge.audit.source import Call, ClassInfo, Endpoint, Project

__all__ = ["Facts", "SecretField"]

UNTYPED_RETURNS = frozenset({"dict", "Dict", "Any", "Mapping", "object", "list", "List"})
RESPONSE_CLASSES = frozenset(
    {
        "Response",
        "JSONResponse",
        "ORJSONResponse",
        "HTMLResponse",
        "PlainTextResponse",
        "RedirectResponse",
        "StreamingResponse",
        "FileResponse",
    }
)
# Parameters FastAPI fills itself: never a validation gap.
FRAMEWORK_PARAMS = frozenset(
    {
        "Request",
        "Response",
        "WebSocket",
        "BackgroundTasks",
        "HTTPConnection",
        "SecurityScopes",
        "UploadFile",
    }
)
PAGE_SIZE = re.compile(r"limit|page_size|per_page|size|page_limit|max_results|take|count", re.I)
RAW_BODY_READS = frozenset({"json", "body", "form", "stream"})
DB_RECEIVERS = frozenset({"db", "session", "conn", "connection", "cursor", "cur", "database"})
DB_METHODS = frozenset(
    {"execute", "query", "commit", "scalar", "scalars", "flush", "refresh", "fetchall", "fetchone"}
)
BLOCKING_CALLS = {
    "time.sleep": "time.sleep blocks the event loop (use await asyncio.sleep)",
    "requests.get": "requests is synchronous (use httpx.AsyncClient)",
    "requests.post": "requests is synchronous (use httpx.AsyncClient)",
    "requests.put": "requests is synchronous (use httpx.AsyncClient)",
    "requests.patch": "requests is synchronous (use httpx.AsyncClient)",
    "requests.delete": "requests is synchronous (use httpx.AsyncClient)",
    "requests.request": "requests is synchronous (use httpx.AsyncClient)",
    "urllib.request.urlopen": "urlopen is synchronous (use httpx.AsyncClient)",
    "sqlite3.connect": "sqlite3 is synchronous (use aiosqlite or an async engine)",
    "psycopg2.connect": "psycopg2 is synchronous (use asyncpg or psycopg's async API)",
}
SQL_CALLS = frozenset({"execute", "executemany", "text", "exec_driver_sql", "raw", "fetch"})
SQL_START = re.compile(r"^\s*(select|insert|update|delete|with|create|drop|alter)\b", re.I)
AUTH_ROUTE = re.compile(
    r"log_?in|log_?out|sign_?in|sign_?up|register|token|password|/auth\b|^auth|oauth", re.I
)
RATE_LIMIT = re.compile(r"rate_?limit|limiter|throttl|\blimit_\w+|RateLimit", re.I)
SECRET_NAME = re.compile(
    r"(secret|password|passwd|api_?key|private_?key|signing_?key|credential|\btoken$|_token$)",
    re.I,
)
NOT_A_SECRET = re.compile(
    r"expire|ttl|minutes|seconds|hours|days|length|algorithm|header|cost|concurrency|issuer|"
    r"hint|url$|_name$|_type$|_field$|_prefix$|rounds|parallelism|rate|limit|policy|reset",
    re.I,
)
JWT_PACKAGES = (
    "jwt",
    "jose",
    "authlib",
    "fastapi_jwt_auth",
    "joserfc",
    "jwcrypto",
    "fastapi_users",
)
HASH_PACKAGES = ("passlib", "bcrypt", "argon2", "pwdlib", "fastapi_users")
ORM_PACKAGES = ("sqlalchemy", "sqlmodel", "tortoise", "piccolo", "ormar", "beanie", "odmantic")
ASYNC_DB_MARKERS = (
    "create_async_engine",
    "AsyncSession",
    "async_sessionmaker",
    "register_tortoise",
    "Tortoise",
    "init_beanie",
    "AsyncIOMotorClient",
)
RAW_DRIVERS = ("sqlite3", "psycopg2", "psycopg", "asyncpg", "pymysql", "aiomysql", "aiosqlite")
STRUCTURED_LOGGING = ("structlog", "pythonjsonlogger", "json_log_formatter", "ecs_logging")
QUEUE_PACKAGES = ("celery", "arq", "dramatiq", "rq", "taskiq", "saq", "huey", "faststream")
CACHE_PACKAGES = ("fastapi_cache", "aiocache", "cashews", "cachetools", "diskcache", "aiomcache")
PROFILERS = ("pyinstrument", "yappi", "cProfile", "line_profiler", "scalene", "memray", "py_spy")
MIN_JWT_KEY_CHARACTERS = 32  # 256 bits as bytes
MAX_ACCESS_MINUTES = 30
MAX_REFRESH_DAYS = 7


@dataclass(frozen=True)
class SecretField:
    """A settings field (or module constant) that holds a secret."""

    name: str
    evidence: Evidence
    secret_str: bool
    literal_default: str | None
    owner: ClassInfo | None


def _annotation_names(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    names = set()
    for item in ast.walk(node):
        if isinstance(item, ast.Name):
            names.add(item.id)
        elif isinstance(item, ast.Attribute):
            names.add(item.attr)
        elif isinstance(item, ast.Constant) and isinstance(item.value, str):
            names.update(re.findall(r"\w+", item.value))
    return names


def _outer_type(node: ast.expr | None) -> str:
    """The outermost name of an annotation, looking through ``Annotated[X, ...]``."""
    if node is None:
        return ""
    if isinstance(node, ast.Subscript):
        outer = _outer_type(node.value)
        if outer == "Annotated" and isinstance(node.slice, ast.Tuple) and node.slice.elts:
            return _outer_type(node.slice.elts[0])
        return outer
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _outer_type(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return node.value
    return ""


def _is_typed(node: ast.expr) -> bool:
    """A response type FastAPI can document: not ``dict``/``Any``, and a ``list[...]`` of one."""
    outer = _outer_type(node)
    if outer in {"list", "List", "Sequence", "tuple", "Tuple", "set"}:
        inner = node.slice if isinstance(node, ast.Subscript) else None
        if isinstance(inner, ast.Tuple):
            inner = inner.elts[0] if inner.elts else None
        return inner is not None and _is_typed(inner)
    return outer not in UNTYPED_RETURNS


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of a function's body, without those of functions nested in it."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        found.append(node)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                stack.append(child)
    return found


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _is_dynamic_string(node: ast.expr) -> bool:
    """An f-string with placeholders, ``"..." % x``, ``"..." + x`` or ``"...".format(x)``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return isinstance(node.left, ast.Constant | ast.JoinedStr | ast.BinOp)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and isinstance(node.func.value, ast.Constant)
    return False


def _number(node: ast.expr | None) -> float | None:
    """The value of a numeric literal or of arithmetic on literals (``60 * 24 * 7``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return None if isinstance(node.value, bool) else float(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add | ast.Sub):
        left, right = _number(node.left), _number(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right
        return left + right if isinstance(node.op, ast.Add) else left - right
    return None


def _string_of(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(part.value) if isinstance(part, ast.Constant) else "x" for part in node.values
        )
    if isinstance(node, ast.BinOp):
        return _string_of(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _string_of(node.func.value)
    return ""


class Facts:
    """The questions the checks ask, answered once for a project."""

    def __init__(self, project: Project) -> None:
        self.project = project

    # --- endpoints -------------------------------------------------------------------

    @cached_property
    def endpoints(self) -> list[Endpoint]:
        """Every path operation found in application code."""
        return self.project.endpoints

    def _typed_response(self, endpoint: Endpoint) -> bool:
        if endpoint.keyword("response_class") is not None:
            return True  # an explicit non-JSON response (HTML, a file, a stream)
        model = endpoint.keyword("response_model")
        if model is not None and not (isinstance(model, ast.Constant) and model.value is None):
            return _is_typed(model)
        return endpoint.node.returns is not None and _is_typed(endpoint.node.returns)

    @cached_property
    def untyped_responses(self) -> list[Evidence]:
        """Endpoints without a response model: no annotation, or ``dict``/``Any``."""
        found = []
        for endpoint in self.endpoints:
            if not self._typed_response(endpoint):
                returns = endpoint.node.returns
                shown = ast.unparse(returns) if returns is not None else "no return type"
                found.append(endpoint.evidence(f"{endpoint.label()} returns {shown}"))
        return found

    @cached_property
    def unvalidated_inputs(self) -> list[Evidence]:
        """Endpoint parameters without a type (or typed ``dict``/``Any``), page sizes without
        an upper bound (``limit: int = 100``), and raw body reads."""
        found = []
        for endpoint in self.endpoints:
            args = endpoint.node.args
            positional = [*args.posonlyargs, *args.args]
            defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
            defaults += [*args.defaults, *args.kw_defaults]
            for arg, default in zip([*positional, *args.kwonlyargs], defaults, strict=True):
                declared = " ".join(ast.unparse(node) for node in (arg.annotation, default) if node)
                if arg.arg in {"self", "cls"} or re.search(r"\b(Depends|Security)\(", declared):
                    continue  # a dependency: validated where it is defined
                outer = _outer_type(arg.annotation)
                if arg.annotation is None:
                    found.append(endpoint.evidence(f"{endpoint.label()}: {arg.arg} has no type"))
                elif outer in {"dict", "Dict", "Any", "object"}:
                    found.append(
                        endpoint.evidence(
                            f"{endpoint.label()}: {arg.arg}: {ast.unparse(arg.annotation)} "
                            "is not validated"
                        )
                    )
                elif (
                    PAGE_SIZE.fullmatch(arg.arg)
                    and outer == "int"
                    and not re.search(r"\b(le|lt)\s*=", declared)
                ):
                    found.append(
                        endpoint.evidence(
                            f"{endpoint.label()}: {arg.arg} has no upper bound "
                            "(a client can ask for every row)"
                        )
                    )
            for node in _own_nodes(endpoint.node):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in RAW_BODY_READS
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in {"request", "req"}
                ):
                    found.append(
                        Evidence(
                            endpoint.module.path,
                            node.lineno,
                            f"{endpoint.label()} reads request.{node.func.attr}() unvalidated",
                        )
                    )
        return found

    @cached_property
    def pydantic_models(self) -> list[Evidence]:
        """Classes based on BaseModel (directly or through a project base)."""
        return [info.evidence(info.name) for info in self._subclasses_of({"BaseModel"})]

    def _subclasses_of(self, roots: set[str]) -> list[ClassInfo]:
        """Application classes deriving from ``roots``, through the project's own classes."""
        names = set(roots)
        found: list[ClassInfo] = []
        pending = [info for info in self.project.classes if info.module.is_app]
        changed = True
        while changed:
            changed = False
            for info in list(pending):
                if names & set(info.bases):
                    found.append(info)
                    names.add(info.name)
                    pending.remove(info)
                    changed = True
        return found

    # --- errors ----------------------------------------------------------------------

    @cached_property
    def bare_http_exceptions(self) -> list[Evidence]:
        """``HTTPException(status, "a string")`` in application code."""
        found = []
        for call in self.project.app_calls("HTTPException"):
            detail = call.keyword("detail")
            if detail is None and len(call.node.args) > 1:
                detail = call.node.args[1]
            if detail is not None and isinstance(detail, ast.Constant | ast.JoinedStr):
                if isinstance(detail, ast.Constant) and not isinstance(detail.value, str):
                    continue
                found.append(
                    call.evidence(f"HTTPException with a bare string: {ast.unparse(detail)[:50]}")
                )
        return found

    @cached_property
    def error_classes(self) -> list[ClassInfo]:
        """The project's own exception classes."""
        return self._subclasses_of({"Exception", "RuntimeError", "ValueError", "LookupError"})

    @cached_property
    def error_hierarchy(self) -> tuple[ClassInfo, list[ClassInfo]] | None:
        """The project's base error with the most subclasses, when it has at least two."""
        project_errors = {info.name: info for info in self.error_classes}
        best: tuple[ClassInfo, list[ClassInfo]] | None = None
        for info in project_errors.values():
            children = [child for child in project_errors.values() if info.name in child.bases]
            if len(children) >= 2 and (best is None or len(children) > len(best[1])):
                best = (info, children)
        return best

    @cached_property
    def error_handlers(self) -> list[Evidence]:
        """``add_exception_handler(...)``, ``@app.exception_handler(...)``, and
        ``FastAPI(exception_handlers=...)``."""
        return [
            call.evidence(
                f"handler for {ast.unparse(call.node.args[0]) if call.node.args else '?'}"
            )
            for call in self.project.app_calls("add_exception_handler", "exception_handler")
        ] + [
            call.evidence("FastAPI(exception_handlers=...)")
            for call in self.project.app_calls("FastAPI")
            if call.keyword("exception_handlers") is not None
        ]

    @cached_property
    def debug_mode(self) -> list[Evidence]:
        """``FastAPI(debug=True)``: tracebacks in responses."""
        return [
            call.evidence("FastAPI(debug=True) sends tracebacks to clients")
            for call in self.project.app_calls("FastAPI")
            if isinstance(call.keyword("debug"), ast.Constant)
            and getattr(call.keyword("debug"), "value", None) is True
        ]

    @cached_property
    def error_monitoring(self) -> list[Evidence]:
        """An error tracker or metrics: sentry, rollbar, bugsnag, OpenTelemetry, Prometheus."""
        return self.project.imported(
            "sentry_sdk",
            "rollbar",
            "bugsnag",
            "opentelemetry",
            "prometheus_client",
            "prometheus_fastapi_instrumentator",
            "starlette_exporter",
            "elasticapm",
            "ddtrace",
            "newrelic",
        )

    # --- auth ------------------------------------------------------------------------

    @cached_property
    def jwt_usage(self) -> list[Evidence]:
        """Imports of a JWT library in application code."""
        return self.project.imported(*JWT_PACKAGES)

    @cached_property
    def auth_dependencies(self) -> list[Evidence]:
        """Security schemes and ``Depends``/``Security`` of a current-user style function."""
        found = [
            call.evidence(call.name)
            for call in self.project.app_calls(
                "OAuth2PasswordBearer",
                "HTTPBearer",
                "APIKeyHeader",
                "OAuth2AuthorizationCodeBearer",
                "HTTPBasic",
                "OpenIdConnect",
                "APIKeyCookie",
            )
        ]
        for call in self.project.app_calls("Depends", "Security"):
            if call.node.args and re.search(
                r"user|auth|principal|token|account|admin|role",
                ast.unparse(call.node.args[0]),
                re.I,
            ):
                found.append(call.evidence(ast.unparse(call.node)))
        return found

    @cached_property
    def manual_token_parsing(self) -> list[Evidence]:
        """Endpoints that decode tokens or read the Authorization header themselves."""
        found = []
        for endpoint in self.endpoints:
            for node in _own_nodes(endpoint.node):
                if not isinstance(node, ast.Call | ast.Subscript):
                    continue
                text = ast.unparse(node)
                if isinstance(node, ast.Call) and re.fullmatch(
                    r"(jose\.)?jwt\.decode", ast.unparse(node.func)
                ):
                    found.append(
                        Evidence(
                            endpoint.module.path,
                            node.lineno,
                            f"{endpoint.label()} decodes the token itself",
                        )
                    )
                elif re.match(r"request\.headers(\[|\.get\()['\"]authorization", text, re.I):
                    found.append(
                        Evidence(
                            endpoint.module.path,
                            node.lineno,
                            f"{endpoint.label()} reads the Authorization header itself",
                        )
                    )
        return found

    @cached_property
    def rbac(self) -> list[Evidence]:
        """Role or scope checks: a ``Role`` type, ``require_role``, ``SecurityScopes``."""
        found = [
            info.evidence(info.name)
            for info in self.project.classes
            if info.module.is_app and re.fullmatch(r"\w*(Role|Permission|Scope)s?", info.name)
        ]
        found += self.project.find_in_code(
            r"require_(role|admin|scope|permission)\w*|SecurityScopes"
        )
        return found

    @cached_property
    def auth_endpoints(self) -> list[Endpoint]:
        """Endpoints that log in, register, issue tokens or change passwords."""
        return [
            endpoint
            for endpoint in self.endpoints
            if endpoint.method != "get"
            and AUTH_ROUTE.search(f"{endpoint.full_path} {endpoint.node.name}")
        ]

    @cached_property
    def global_rate_limit(self) -> list[Evidence]:
        """A rate-limiting middleware on the whole app."""
        return [
            call.evidence(ast.unparse(call.node.args[0]))
            for call in self.project.app_calls("add_middleware", "Middleware")
            if call.node.args and RATE_LIMIT.search(ast.unparse(call.node.args[0]))
        ]

    @cached_property
    def unlimited_auth_endpoints(self) -> list[Evidence]:
        """Auth endpoints with no rate limit in their decorators, parameters or body."""
        if self.global_rate_limit:
            return []
        found = []
        for endpoint in self.auth_endpoints:
            body = "\n".join(ast.unparse(node) for node in endpoint.node.body)
            if not RATE_LIMIT.search(endpoint.signature_text) and not RATE_LIMIT.search(body):
                found.append(endpoint.evidence(f"{endpoint.label()} has no rate limit"))
        return found

    @cached_property
    def rate_limits(self) -> list[Evidence]:
        """Anything that limits request rates."""
        found = list(self.global_rate_limit)
        for endpoint in self.endpoints:
            if RATE_LIMIT.search(endpoint.signature_text):
                found.append(endpoint.evidence(f"{endpoint.label()} is rate-limited"))
        return found

    # --- secrets and tokens ----------------------------------------------------------

    @cached_property
    def settings_classes(self) -> list[ClassInfo]:
        """Classes based on pydantic's BaseSettings (through the project's own classes)."""
        return self._subclasses_of({"BaseSettings"})

    @cached_property
    def secrets(self) -> list[SecretField]:
        """Settings fields and module constants that hold secrets."""
        found = []
        for info in self.settings_classes:
            for node in info.node.body:
                if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
                    continue
                name = node.target.id
                types = _annotation_names(node.annotation)
                if not SECRET_NAME.search(name) or NOT_A_SECRET.search(name):
                    continue
                if not types & {"str", "SecretStr", "SecretBytes", "bytes"}:
                    continue
                found.append(
                    SecretField(
                        name,
                        Evidence(info.module.path, node.lineno, f"{info.name}.{name}"),
                        bool(types & {"SecretStr", "SecretBytes"}),
                        self._literal_default(node.value),
                        info,
                    )
                )
        for module in self.project.app_modules:
            for node in module.tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    value = node.value
                    if (
                        isinstance(target, ast.Name)
                        and target.id.isupper()
                        and SECRET_NAME.search(target.id)
                        and not NOT_A_SECRET.search(target.id)
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                        and len(value.value) >= 8
                    ):
                        found.append(
                            SecretField(
                                target.id,
                                Evidence(module.path, node.lineno, f"{target.id} = '...' in code"),
                                False,
                                value.value,
                                None,
                            )
                        )
        for call in self.project.app_calls("getenv", "get"):
            if call.name == "get" and "environ" not in call.dotted:
                continue
            if len(call.node.args) >= 2 and isinstance(call.node.args[0], ast.Constant):
                key = str(call.node.args[0].value)
                default = call.node.args[1]
                if (
                    SECRET_NAME.search(key)
                    and not NOT_A_SECRET.search(key)
                    and isinstance(default, ast.Constant)
                    and isinstance(default.value, str)
                    and default.value
                ):
                    found.append(
                        SecretField(
                            key,
                            call.evidence(f"{key} read with a default"),
                            False,
                            default.value,
                            None,
                        )
                    )
        return found

    @staticmethod
    def _literal_default(value: ast.expr | None) -> str | None:
        """A non-empty string default, through ``Field(default=...)`` and ``SecretStr(...)``."""
        if value is None:
            return None
        if isinstance(value, ast.Constant):
            return value.value if isinstance(value.value, str) and value.value else None
        if isinstance(value, ast.Call):
            name = ast.unparse(value.func)
            if name.endswith("SecretStr") and value.args:
                return Facts._literal_default(value.args[0])
            if name.endswith("Field"):
                default = value.args[0] if value.args else None
                default = next((k.value for k in value.keywords if k.arg == "default"), default)
                return Facts._literal_default(default)
        return None

    @cached_property
    def secret_problems(self) -> list[Evidence]:
        """Secrets that are not SecretStr, or that have a value written in the code."""
        found = []
        for secret in self.secrets:
            if secret.literal_default is not None:
                found.append(
                    Evidence(
                        secret.evidence.path,
                        secret.evidence.line,
                        f"{secret.evidence.note} has a secret written in the code",
                    )
                )
            elif secret.owner is not None and not secret.secret_str:
                found.append(
                    Evidence(
                        secret.evidence.path,
                        secret.evidence.line,
                        f"{secret.evidence.note} is a plain str (use SecretStr)",
                    )
                )
        for call in self.project.app_calls("encode"):
            if (
                re.search(r"jwt", call.dotted)
                and len(call.node.args) >= 2
                and isinstance(call.node.args[1], ast.Constant)
            ):
                found.append(call.evidence("jwt.encode with a key written in the code"))
        return found

    @cached_property
    def jwt_key_field(self) -> SecretField | None:
        """The settings field that signs tokens."""
        candidates = [
            secret
            for secret in self.secrets
            if secret.owner is not None
            and re.search(r"jwt|secret_key|signing|token_secret|auth_secret", secret.name, re.I)
        ]
        return candidates[0] if candidates else None

    def key_length_enforced(self, secret: SecretField) -> Evidence | None:
        """Where a minimum length of at least 32 characters is enforced on ``secret``."""
        assert secret.owner is not None
        info = secret.owner
        constants = info.module.constants
        for node in info.node.body:
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == secret.name
                and isinstance(node.value, ast.Call)
            ):
                for keyword in node.value.keywords:
                    if keyword.arg == "min_length" and self._at_least(keyword.value, constants):
                        return Evidence(
                            info.module.path,
                            node.lineno,
                            f"min_length={ast.unparse(keyword.value)}",
                        )
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                decorators = " ".join(ast.unparse(item) for item in node.decorator_list)
                if "validator" not in decorators:
                    continue
                if secret.name not in decorators and (
                    "model_validator" not in decorators or secret.name not in ast.unparse(node)
                ):
                    continue
                for item in ast.walk(node):
                    if (
                        isinstance(item, ast.Compare)
                        and "len(" in ast.unparse(item)
                        and any(
                            self._at_least(side, constants)
                            for side in [item.left, *item.comparators]
                        )
                    ):
                        return Evidence(info.module.path, item.lineno, ast.unparse(item)[:80])
        return None

    @staticmethod
    def _at_least(node: ast.expr, constants: dict[str, object]) -> bool:
        value: object = None
        if isinstance(node, ast.Constant):
            value = node.value
        elif isinstance(node, ast.Name):
            value = constants.get(node.id)
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value >= MIN_JWT_KEY_CHARACTERS
        )

    @cached_property
    def token_lifetimes(self) -> list[tuple[str, float, Evidence]]:
        """(``access`` or ``refresh``, lifetime in minutes, where) for each token lifetime found:
        settings fields and module constants such as ``ACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24``
        (other tokens, such as e-mail reset ones, are not session tokens)."""
        unit_minutes = {"seconds": 1 / 60, "minutes": 1, "hours": 60, "days": 1440}
        candidates: list[tuple[str, ast.expr | None, Evidence]] = []
        for info in self.settings_classes:
            for node in info.node.body:
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    where = Evidence(info.module.path, node.lineno, f"{info.name}.{node.target.id}")
                    candidates.append((node.target.id, node.value, where))
        for module in self.project.app_modules:
            for statement in module.tree.body:
                if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
                    continue
                target = statement.targets[0]
                if isinstance(target, ast.Name) and target.id.isupper():
                    where = Evidence(module.path, statement.lineno, target.id)
                    candidates.append((target.id, statement.value, where))
        found = []
        for raw_name, value, where in candidates:
            name = raw_name.lower()
            kind = "refresh" if "refresh" in name else "access" if "access" in name else None
            words = name.split("_")
            unit = next(
                (
                    unit
                    for unit in unit_minutes
                    if unit in name or unit[:-1] in words or unit[:3] in words
                ),
                None,
            )
            if (
                kind is None
                or unit is None
                or not re.search(r"expire|ttl|lifetime|\bexp\b|_exp_|_exp$", name)
            ):
                continue
            if isinstance(value, ast.Call):
                value = (
                    value.args[0]
                    if value.args
                    else next((k.value for k in value.keywords if k.arg == "default"), None)
                )
            amount = _number(value)
            if amount is not None:
                note = f"{where.note} = {amount:g} ({unit})"
                found.append(
                    (kind, amount * unit_minutes[unit], Evidence(where.path, where.line, note))
                )
        if not found:
            for call in self.project.app_calls("timedelta"):
                for keyword in call.node.keywords:
                    if (
                        keyword.arg in unit_minutes
                        and isinstance(keyword.value, ast.Constant)
                        and isinstance(keyword.value.value, int | float)
                        and "jwt" in call.module.imports
                    ):
                        minutes = float(keyword.value.value) * unit_minutes[keyword.arg]
                        kind = "refresh" if keyword.arg == "days" else "access"
                        found.append((kind, minutes, call.evidence(ast.unparse(call.node))))
        return found

    # --- CORS, HTTPS, headers --------------------------------------------------------

    @cached_property
    def cors(self) -> list[Call]:
        """Calls that install a CORS middleware."""
        return [
            call
            for call in self.project.app_calls("add_middleware", "Middleware")
            if call.node.args and ast.unparse(call.node.args[0]).endswith("CORSMiddleware")
        ]

    def cors_problems(self) -> list[Evidence]:
        """A wildcard with credentials, or origins written in the code."""
        found = []
        for call in self.cors:
            origins = call.keyword("allow_origins")
            regex = call.keyword("allow_origin_regex")
            credentials = call.keyword("allow_credentials")
            with_credentials = isinstance(credentials, ast.Constant) and credentials.value is True
            if isinstance(origins, ast.List | ast.Tuple):
                values = [item.value for item in origins.elts if isinstance(item, ast.Constant)]
                if "*" in values and with_credentials:
                    found.append(call.evidence('allow_origins=["*"] with allow_credentials=True'))
                elif "*" in values:
                    found.append(call.evidence('allow_origins=["*"]: every site may call the API'))
                elif len(values) == len(origins.elts):
                    found.append(
                        call.evidence("origins written in the code: the same in every environment")
                    )
            if isinstance(regex, ast.Constant) and regex.value in {".*", "^.*$", ".+"}:
                found.append(
                    call.evidence(f"allow_origin_regex={regex.value!r} matches every site")
                )
        return found

    @cached_property
    def https_redirect(self) -> list[Evidence]:
        """An HTTPS redirect middleware."""
        return [
            call.evidence(ast.unparse(call.node.args[0]))
            for call in self.project.app_calls("add_middleware", "Middleware")
            if call.node.args and "HTTPSRedirect" in ast.unparse(call.node.args[0])
        ]

    @cached_property
    def security_headers(self) -> dict[str, list[Evidence]]:
        """Where each of HSTS, CSP and X-Frame-Options is set."""
        headers = {
            "HSTS": r"Strict-Transport-Security",
            "CSP": r"Content-Security-Policy",
            "X-Frame-Options": r"X-Frame-Options",
        }
        libraries = self.project.imported("secure", "secweb", "fastapi_security_headers")
        return {
            # Header names are case-insensitive; raw ASGI code spells them as lower-case bytes.
            name: libraries or self.project.find_in_code(rf"(?i)['\"]{pattern}['\"]")
            for name, pattern in headers.items()
        }

    # --- database --------------------------------------------------------------------

    @cached_property
    def orm(self) -> list[Evidence]:
        """ORM imports in application code."""
        return self.project.imported(*ORM_PACKAGES)

    @cached_property
    def async_db(self) -> list[Evidence]:
        """Async engines and sessions."""
        return [call.evidence(call.name) for call in self.project.app_calls(*ASYNC_DB_MARKERS)] or (
            self.project.imported("motor", "databases", "asyncpg", "aiosqlite", "aiomysql", "redis")
        )

    @cached_property
    def sync_engine(self) -> list[Evidence]:
        """Synchronous engines or drivers in application code."""
        found = [
            call.evidence("create_engine: a synchronous engine")
            for call in self.project.app_calls("create_engine")
            if "sqlalchemy" in call.module.imports and "create_async_engine" not in call.module.text
        ]
        found += self.project.imported("sqlite3", "psycopg2", "pymysql", "MySQLdb")
        return found

    @cached_property
    def blocking_in_async(self) -> list[Evidence]:
        """Blocking calls (sync DB, requests, time.sleep) inside ``async def`` functions."""
        found = []
        for call in self.project.calls:
            function = call.function
            if (
                not isinstance(function, ast.AsyncFunctionDef)
                or call.awaited
                or not call.module.is_app
            ):
                continue
            func = call.node.func
            if call.dotted in BLOCKING_CALLS:
                found.append(
                    call.evidence(f"in async {function.name}: {BLOCKING_CALLS[call.dotted]}")
                )
            elif (
                isinstance(func, ast.Attribute)
                and func.attr in DB_METHODS
                and isinstance(func.value, ast.Name)
                and func.value.id.lower() in DB_RECEIVERS
            ):
                found.append(
                    call.evidence(
                        f"in async {function.name}: {call.dotted}() not awaited "
                        "(a synchronous database call)"
                    )
                )
        return found

    @cached_property
    def sql_injection(self) -> list[Evidence]:
        """SQL built from strings with values in it (f-strings, %, +, .format)."""
        found = []
        for call in self.project.calls:
            if call.module.is_test or call.name not in SQL_CALLS or not call.node.args:
                continue
            first = call.node.args[0]
            if _is_dynamic_string(first) and SQL_START.match(_string_of(first)):
                found.append(call.evidence(f"{call.dotted}() of SQL built from values"))
        return found

    @cached_property
    def raw_sql(self) -> list[Evidence]:
        """Raw SQL strings sent to ``execute`` outside migrations."""
        found = []
        for call in self.project.app_calls(*SQL_CALLS):
            if call.node.args and SQL_START.match(_string_of(call.node.args[0])):
                text = _string_of(call.node.args[0]).strip()
                if not re.fullmatch(r"select 1;?", text, re.I):
                    found.append(call.evidence(f"raw SQL: {text[:40]}"))
        return found

    @cached_property
    def db_access(self) -> bool:
        """True when the application talks to a database at all."""
        return bool(
            self.orm or self.async_db or self.project.imported(*RAW_DRIVERS) or self.raw_sql
        )

    @cached_property
    def migrations(self) -> list[Evidence]:
        """Alembic migration scripts (or other migration tools' files)."""
        found = [
            Evidence(module.path, None, "migration")
            for module in self.project.modules
            if module.is_migration and "env.py" not in module.path
        ]
        if not found:
            found = self.project.imported("aerich", "yoyo") + self.project.imported(
                "aerich", tests=True
            )
        return found

    @cached_property
    def migrations_without_downgrade(self) -> list[Evidence]:
        """Migration scripts whose ``downgrade()`` is missing or does nothing."""
        found = []
        for module in self.project.modules:
            if not module.is_migration or module.path.endswith("env.py"):
                continue
            downgrade = next(
                (
                    node
                    for node in module.tree.body
                    if isinstance(node, ast.FunctionDef) and node.name == "downgrade"
                ),
                None,
            )
            if downgrade is None:
                found.append(Evidence(module.path, None, "no downgrade()"))
                continue
            statements = [
                node
                for node in downgrade.body
                if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
            ]
            if not statements or all(isinstance(node, ast.Pass) for node in statements):
                found.append(Evidence(module.path, downgrade.lineno, "downgrade() does nothing"))
        return found

    @cached_property
    def repositories(self) -> list[Evidence]:
        """Repository classes or modules: data access kept out of routers and services."""
        found = [
            info.evidence(info.name)
            for info in self.project.classes
            if info.module.is_app
            and re.search(r"Repositor(y|ies)$|Repo$|DAO$|Dao$|CRUD$", info.name)
        ]
        return found or [
            Evidence(module.path)
            for module in self.project.app_modules
            if re.search(r"(^|/)(repository|repositories|crud|dao)(\.py|/)", module.path)
        ]

    @cached_property
    def engine_calls(self) -> list[Call]:
        """Engine and pool creations."""
        return self.project.app_calls(
            "create_async_engine", "create_engine", "create_pool", "AsyncConnectionPool", "Database"
        )

    @cached_property
    def pool_tuning(self) -> list[Evidence]:
        """Engines created with explicit pool settings."""
        tuned = {
            "pool_size",
            "max_overflow",
            "pool_pre_ping",
            "pool_recycle",
            "pool_timeout",
            "min_size",
            "max_size",
        }
        return [
            call.evidence(", ".join(sorted({k.arg for k in call.node.keywords if k.arg in tuned})))
            for call in self.engine_calls
            if any(k.arg in tuned for k in call.node.keywords)
        ]

    @cached_property
    def null_pools(self) -> list[Evidence]:
        """Engines without a pool (``poolclass=NullPool``)."""
        return [
            call.evidence("poolclass=NullPool: no connection pool")
            for call in self.engine_calls
            if "NullPool" in ast.unparse(call.node)
        ]

    # --- logging, tracing, metrics ---------------------------------------------------

    @cached_property
    def prints(self) -> list[Evidence]:
        """``print()`` calls in application code (scripts with ``__main__`` excepted)."""
        return [
            call.evidence("print()")
            for call in self.project.app_calls("print")
            if call.dotted == "print"
            and "__main__" not in call.module.text
            and not call.module.path.endswith(("manage.py", "cli.py", "__main__.py"))
        ]

    @cached_property
    def structured_logging(self) -> list[Evidence]:
        """JSON logging: structlog's JSONRenderer, python-json-logger, loguru's serialize."""
        found = [
            call.evidence(call.dotted)
            for call in self.project.app_calls(
                "JSONRenderer", "JsonFormatter", "JSONFormatter", "EcsFormatter"
            )
        ]
        found += [
            call.evidence("loguru serialize=True")
            for call in self.project.app_calls("add")
            if "logger" in call.dotted and isinstance(call.keyword("serialize"), ast.Constant)
        ]
        for info in self.project.classes:
            if (
                info.module.is_app
                and "Formatter" in info.bases
                and "json" in ast.unparse(info.node)
            ):
                found.append(info.evidence(f"{info.name} formats records as JSON"))
        return found

    @cached_property
    def logging_libraries(self) -> list[Evidence]:
        """Any logging set-up (structured or not)."""
        return self.project.imported(*STRUCTURED_LOGGING, "logging", "loguru")

    @cached_property
    def request_tracing(self) -> list[Evidence]:
        """Per-request trace ids in the logs, or OpenTelemetry."""
        found = self.project.imported("opentelemetry")
        found += self.project.find_in_code(r"['\"](X-Request-ID|X-Correlation-ID|traceparent)['\"]")
        return found

    @cached_property
    def opentelemetry(self) -> list[Evidence]:
        """OpenTelemetry imports, or the dependency in pyproject.toml."""
        return self.project.imported("opentelemetry") or self.project.find_text(
            r"opentelemetry[\w-]*", iter(["pyproject.toml"])
        )

    @cached_property
    def metrics(self) -> list[Evidence]:
        """A Prometheus (or OpenTelemetry metrics, StatsD, Datadog) client."""
        return self.project.imported(
            "prometheus_client",
            "prometheus_fastapi_instrumentator",
            "starlette_exporter",
            "statsd",
            "datadog",
            "aioprometheus",
        )

    @cached_property
    def metrics_endpoint(self) -> list[Evidence]:
        """A ``/metrics`` route or mount."""
        found = [
            endpoint.evidence(endpoint.label())
            for endpoint in self.endpoints
            if endpoint.full_path.rstrip("/").endswith("/metrics")
        ]
        found += [
            call.evidence(call.dotted)
            for call in self.project.app_calls("make_asgi_app", "expose", "handle_metrics")
        ]
        return found

    @cached_property
    def alerts(self) -> list[Evidence]:
        """Alerting: Prometheus alert rules, Alertmanager config, or an error tracker."""
        found = self.project.find_text(r"^\s*-?\s*alert:\s*\S+")
        found += self.project.imported("sentry_sdk", "rollbar", "bugsnag")
        return found

    @cached_property
    def request_logging(self) -> list[Evidence]:
        """A middleware that logs each request."""
        found = []
        for info in self.project.classes:
            if not info.module.is_app or not re.search(r"Middleware$", info.name):
                continue
            text = ast.unparse(info.node)
            # logger.info(...), or a logger reached through a module (app_logging.access.info).
            if re.search(
                r"\w*log\w*(\.\w+)?\.(info|debug|log|warning)\(", text, re.I
            ) and re.search(r"path|method|status", text):
                found.append(info.evidence(f"{info.name} logs requests"))
        for call in self.project.app_calls("middleware"):
            function = call.function
            if function is not None and re.search(
                r"\w*log\w*\.(info|log)\(", ast.unparse(function), re.I
            ):
                found.append(call.evidence("HTTP middleware logs requests"))
        return found

    # --- deployment and CI -----------------------------------------------------------

    def dockerfile_stages(self, path: str) -> list[int]:
        """Lines of the ``FROM`` instructions of a Dockerfile."""
        return [e.line or 0 for e in self.project.find_text(r"^\s*FROM\s+\S+", iter([path]))]

    @cached_property
    def workflow_text(self) -> dict[str, str]:
        """CI configuration files."""
        return {path: self.project.texts[path] for path in self.project.workflow_paths}

    @cached_property
    def ci_paths(self) -> list[str]:
        """CI workflows, and the shell scripts they run (two levels deep)."""
        paths = list(self.project.workflow_paths)
        scripts = [
            path
            for path in self.project.texts
            if path.endswith(".sh") or ("." not in path.rsplit("/", 1)[-1] and "/" in path)
        ]
        frontier = list(paths)
        for _ in range(2):
            called = []
            for path in frontier:
                text = self.project.texts.get(path, "")
                for script in scripts:
                    name = script.rsplit("/", 1)[-1]
                    if (
                        script not in paths
                        and name in text
                        and re.search(rf"[\w./-]*{re.escape(name)}", text)
                    ):
                        called.append(script)
            paths += called
            frontier = called
        return paths

    def in_ci(self, pattern: str) -> list[Evidence]:
        """Lines of the CI workflows (and the scripts they run) matching ``pattern``."""
        return self.project.find_text(pattern, iter(self.ci_paths))

    @cached_property
    def dependency_scanning(self) -> list[Evidence]:
        """pip-audit, safety, osv-scanner and the like in CI or pre-commit, or Dependabot."""
        pattern = r"pip-audit|pip_audit|safety\s+(check|scan)|osv-scanner|snyk\s+test|trivy|grype"
        paths = [
            *self.project.workflow_paths,
            ".pre-commit-config.yaml",
            "noxfile.py",
            "tox.ini",
            "Makefile",
        ]
        found = self.project.find_text(pattern, iter(paths))
        found += [
            Evidence(path)
            for path in self.project.texts
            if path in {".github/dependabot.yml", ".github/dependabot.yaml"}
        ]
        return found

    @cached_property
    def security_lint(self) -> list[Evidence]:
        """Static security analysis: bandit, semgrep, or ruff's S (flake8-bandit) rules."""
        found = self.project.find_text(
            r"\bbandit\b|semgrep|codeql",
            iter([*self.project.workflow_paths, ".pre-commit-config.yaml"]),
        )
        lint = self.project.pyproject.get("tool", {}).get("ruff", {}).get("lint", {})
        selected = [*lint.get("select", []), *lint.get("extend-select", [])]
        if "S" in selected or "ALL" in selected:
            found += self.project.find_text(r"^select\s*=", iter(["pyproject.toml"]))[:1] or [
                Evidence("pyproject.toml", None, "ruff S rules")
            ]
        return found

    @cached_property
    def mypy_strict(self) -> list[Evidence]:
        """mypy's strict mode in the configuration."""
        mypy = self.project.pyproject.get("tool", {}).get("mypy", {})
        if mypy.get("strict") is True:
            return self.project.find_text(r"^strict\s*=\s*true", iter(["pyproject.toml"])) or [
                Evidence("pyproject.toml", None, "[tool.mypy] strict")
            ]
        return self.project.find_text(
            r"^strict\s*=\s*(true|True|1)", iter(["mypy.ini", "setup.cfg", ".mypy.ini"])
        )

    @cached_property
    def coverage_gate(self) -> tuple[float, Evidence] | None:
        """The coverage threshold the tests must meet, where one is configured."""
        report = self.project.pyproject.get("tool", {}).get("coverage", {}).get("report", {})
        value = report.get("fail_under")
        if isinstance(value, int | float):
            where = self.project.find_text(r"^fail_under\s*=", iter(["pyproject.toml"]))
            return float(value), where[0] if where else Evidence("pyproject.toml")
        paths = [
            ".coveragerc",
            "setup.cfg",
            "tox.ini",
            "pytest.ini",
            "pyproject.toml",
            *self.project.workflow_paths,
        ]
        for evidence in self.project.find_text(
            r"(fail_under\s*=\s*|--cov-fail-under[= ])(\d+(\.\d+)?)", iter(paths)
        ):
            match = re.search(r"(\d+(\.\d+)?)$", evidence.note)
            if match:
                return float(match.group(1)), evidence
        return None

    @cached_property
    def contract_tests(self) -> list[Evidence]:
        """Contract tests against the OpenAPI schema: schemathesis, openapi-core, pact."""
        found = self.project.imported(
            "schemathesis", "openapi_core", "pact", "openapi_spec_validator", tests=True
        )
        found += self.in_ci(r"schemathesis|\bst run\b")
        return found

    @cached_property
    def caching(self) -> list[Evidence]:
        """A response or data cache: cache libraries, or Redis used as a cache."""
        found = self.project.imported(*CACHE_PACKAGES)
        for module in self.project.app_modules:
            if "redis" in module.imports and re.search(r"\.setex\(|\bcache", module.text, re.I):
                found.append(
                    Evidence(module.path, module.imports["redis"], "Redis used as a cache")
                )
        return found

    @cached_property
    def profiling(self) -> list[Evidence]:
        """Profilers and benchmarks: pyinstrument, pytest-benchmark, locust, k6, bench/."""
        found = self.project.imported(*PROFILERS) + self.project.imported(
            *PROFILERS, "pytest_benchmark", "locust", tests=True
        )
        found += [
            Evidence(module.path)
            for module in self.project.modules
            if re.search(
                r"(^|/)(bench|benchmarks|perf|loadtest|load_tests)/|locustfile\.py$", module.path
            )
        ][:3]
        found += self.project.find_text(
            r"pytest-benchmark|pyinstrument|locust|\bk6\b",
            iter(["pyproject.toml", *self.project.workflow_paths]),
        )
        return found

    @cached_property
    def task_queue(self) -> list[Evidence]:
        """A background task queue."""
        return self.project.imported(*QUEUE_PACKAGES)

    @cached_property
    def api_versioning(self) -> list[Evidence]:
        """Versioned paths (``/v1``, ``/api/v2``) in application code."""
        return self.project.versioned_paths

    @cached_property
    def tests_in_ci(self) -> list[Evidence]:
        """CI steps that run the tests."""
        return self.in_ci(r"\bpytest\b|\bnox\b|\btox\b|make test|unittest")
