"""The production reference's four lists and its score, as rules over :class:`Facts`.

- the 16-point health check: eight signals, each healthy (2), partial (1) or unhealthy (0);
- the 10-point security checklist and the P0 and P1 production checklists: each item met,
  not met or unknown;
- the 0-100 quality score: eight weighted dimensions, each at level 0, 25, 50, 75 or 100.

Each verdict carries the evidence (file and line) that decided it and, for a gap, the fix:
for a project forge generated, the forge command or file that closes it; otherwise a short
instruction. The README lists every rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi_forge.audit.facts import MAX_ACCESS_MINUTES, MAX_REFRESH_DAYS, Facts
from fastapi_forge.audit.model import (
    DIMENSION_BY_ID,
    Check,
    DimensionScore,
    Evidence,
    Section,
    Status,
)

__all__ = ["ForgeContext", "evaluate"]

MAX_EVIDENCE = 8
"""At most this many places per verdict (the JSON says how many more there were)."""
MIN_COVERAGE = 80.0


@dataclass
class ForgeContext:
    """What forge knows about a project it generated: its changed files and its features."""

    is_forge: bool = False
    package: str = ""
    changed: dict[str, str] = field(default_factory=dict)  # path -> modified/deleted
    features: dict[str, str] = field(default_factory=dict)  # features/<folder> -> argument

    def fix(self, generic: str, where: str | None, evidence: Sequence[Evidence] = ()) -> str:
        """``generic`` for any project; for a forge project, the forge way to close the gap.

        ``where`` names the file forge generates the missing piece in (``core/errors.py``,
        relative to the package), or None when forge does not generate it.
        """
        if not self.is_forge:
            return generic
        hints = []
        for item in evidence:
            state = self.changed.get(item.path)
            if state is not None:
                hints.append(
                    f"{item.path} was {state} since forge wrote it (`forge status`); "
                    f"the generated version is .forge/base/{item.path}"
                )
            parts = item.path.split("/")
            if "features" in parts:
                folder = (
                    parts[parts.index("features") + 1]
                    if len(parts) > parts.index("features") + 1
                    else ""
                )
                argument = self.features.get(folder)
                if argument is not None:
                    hints.append(
                        f"`forge add feature {argument} --force` renders the slice's files "
                        "again (replacing your edits to them)"
                    )
        if where is not None:
            path = f"src/{self.package}/{where}"
            state = self.changed.get(path)
            if state is not None:
                hints.append(
                    f"forge generated this in {path}, which was {state} since "
                    f"(`forge status`); the generated version is .forge/base/{path}"
                )
            elif not hints:
                hints.append(f"forge generates this in {path}; compare your code with it")
        unique = list(dict.fromkeys(hints))[:2]
        return "; ".join([*unique, generic]) if unique else generic


def _cap(evidence: Sequence[Evidence]) -> list[Evidence]:
    items = list(evidence)
    if len(items) <= MAX_EVIDENCE:
        return items
    more = len(items) - MAX_EVIDENCE
    return [*items[:MAX_EVIDENCE], Evidence("…", None, f"and {more} more")]


class _Rules:
    def __init__(self, facts: Facts, forge: ForgeContext, runtime: dict[str, Any] | None) -> None:
        self.facts = facts
        self.forge = forge
        self.runtime = runtime or {}
        self.checks: list[Check] = []

    def add(
        self,
        section: Section,
        key: str,
        title: str,
        dimension: str,
        status: Status,
        summary: str,
        evidence: Sequence[Evidence] = (),
        fix: str | None = None,
        where: str | None = None,
        priority: str | None = None,
    ) -> Check:
        check = Check(
            id=f"{section.value}.{key}",
            section=section,
            title=title,
            dimension=dimension,
            status=status,
            summary=summary,
            evidence=_cap(evidence),
            fix=self.forge.fix(fix, where, evidence) if fix is not None and status.is_gap else None,
            priority=priority,
        )
        self.checks.append(check)
        return check

    # --- shared verdicts -------------------------------------------------------------

    def endpoints_typed(self) -> tuple[Status, str, list[Evidence]]:
        facts = self.facts
        total = len(facts.endpoints)
        untyped = facts.untyped_responses
        unvalidated = facts.unvalidated_inputs
        if total == 0:
            return Status.UNHEALTHY, "no path operations found", []
        if not facts.pydantic_models:
            return (
                Status.UNHEALTHY,
                "no Pydantic models: requests and responses are untyped",
                untyped,
            )
        if not untyped and not unvalidated:
            return (
                Status.HEALTHY,
                f"all {total} endpoints declare typed inputs and a response model",
                facts.pydantic_models[:2],
            )
        if len(untyped) == total:
            return Status.UNHEALTHY, f"none of {total} endpoints declares a response model", untyped
        return (
            Status.PARTIAL,
            f"{len(untyped)} of {total} endpoints return "
            f"untyped data; {len(unvalidated)} untyped inputs",
            [*untyped, *unvalidated],
        )

    def auth_status(self) -> tuple[Status, str, list[Evidence]]:
        facts = self.facts
        if facts.manual_token_parsing:
            return Status.UNHEALTHY, "endpoints parse tokens by hand", facts.manual_token_parsing
        if facts.jwt_usage and facts.auth_dependencies:
            return (
                Status.HEALTHY,
                "JWT, checked by dependencies (Depends/Security)",
                [facts.jwt_usage[0], facts.auth_dependencies[0]],
            )
        if facts.jwt_usage or facts.auth_dependencies:
            missing = "no dependency checks the token" if facts.jwt_usage else "no JWT library"
            return (
                Status.PARTIAL,
                f"some authentication, but {missing}",
                [*facts.jwt_usage[:1], *facts.auth_dependencies[:1]],
            )
        return Status.UNHEALTHY, "no authentication found", []

    def coverage(self) -> tuple[float | None, Evidence | None, bool]:
        """(percent, where, measured): measured by --run, else the configured gate."""
        measured = self.runtime.get("tests", {}) if self.runtime else {}
        percent = measured.get("coverage") if isinstance(measured, dict) else None
        if isinstance(percent, int | float):
            return (
                float(percent),
                Evidence("(--run)", None, f"measured coverage {percent:.1f}%"),
                True,
            )
        gate = self.facts.coverage_gate
        if gate is not None:
            return gate[0], gate[1], False
        return None, None, False

    def tests_failed(self) -> bool:
        tests = self.runtime.get("tests") if self.runtime else None
        return isinstance(tests, dict) and tests.get("passed") is False

    # --- the 16-point health check ---------------------------------------------------

    def health(self) -> None:
        facts = self.facts
        h = Section.HEALTH
        status, summary, evidence = self.endpoints_typed()
        self.add(
            h,
            "type_safety",
            "Type safety",
            "type_safety",
            status,
            summary,
            evidence,
            "give every endpoint a Pydantic response model (a return annotation or "
            "response_model=) and typed parameters; never return bare dicts",
            where=None,
        )

        hierarchy = facts.error_hierarchy
        bare = facts.bare_http_exceptions
        handlers = facts.error_handlers
        if hierarchy and handlers and not bare:
            base, children = hierarchy
            status, summary, evidence = (
                Status.HEALTHY,
                f"{base.name} with {len(children)} subclasses, rendered by a global handler",
                [base.evidence(base.name), handlers[0]],
            )
        elif not facts.error_classes and (bare or not handlers):
            status, summary, evidence = (
                Status.UNHEALTHY,
                "bare HTTPException strings, no error hierarchy"
                if bare
                else "no error hierarchy and no handler",
                bare,
            )
        else:
            gaps = [
                *(["bare HTTPException strings"] if bare else []),
                *(["no global handler"] if not handlers else []),
                *(["no base error with subclasses"] if not hierarchy else []),
            ]
            status, summary, evidence = (
                Status.PARTIAL,
                "custom errors, but " + ", ".join(gaps),
                [*bare, *handlers[:1]],
            )
        self.add(
            h,
            "error_handling",
            "Error handling",
            "error_handling",
            status,
            summary,
            evidence,
            "define a base AppError(message, code, status_code, details) with subclasses "
            "(NotFoundError, ConflictError...), raise those instead of HTTPException, and "
            'register one handler that renders {"error": {code, message, details}}',
            where="core/errors.py",
        )

        status, summary, evidence = self.auth_status()
        self.add(
            h,
            "auth",
            "Auth",
            "security",
            status,
            summary,
            evidence,
            "issue JWTs (PyJWT) and check them in one dependency (Depends(get_current_user)) "
            "that every protected endpoint declares",
            where="features/auth/dependencies.py",
        )

        project = facts.project
        percent, gate, _ = self.coverage()
        if project.test_functions == 0:
            status, summary, evidence = Status.UNHEALTHY, "no tests", []
        elif project.async_test_functions == 0:
            status, summary, evidence = (
                Status.UNHEALTHY,
                f"{project.test_functions} tests, all synchronous",
                [],
            )
        elif percent is not None and percent >= MIN_COVERAGE and not self.tests_failed():
            status, summary, evidence = (
                Status.HEALTHY,
                f"{project.async_test_functions} async tests; coverage {percent:g}%",
                [gate] if gate else [],
            )
        else:
            why = (
                "tests fail (--run)"
                if self.tests_failed()
                else f"coverage {percent:g}% < 80%"
                if percent is not None
                else "no coverage threshold (fail_under)"
            )
            status, summary, evidence = (
                Status.PARTIAL,
                f"{project.async_test_functions} async tests, but {why}",
                [gate] if gate else [],
            )
        self.add(
            h,
            "testing",
            "Testing",
            "testing",
            status,
            summary,
            evidence,
            "write async tests (pytest-asyncio, httpx.AsyncClient) and hold coverage at 80% "
            "or more: [tool.coverage.report] fail_under = 80",
            where=None,
        )

        if not facts.db_access:
            status, summary, evidence = Status.PARTIAL, "no database access found", []
        elif facts.orm and facts.async_db and facts.migrations and not facts.blocking_in_async:
            status, summary, evidence = (
                Status.HEALTHY,
                f"async ORM, {len(facts.migrations)} migrations",
                [facts.async_db[0], facts.migrations[0]],
            )
        elif not facts.orm and not facts.migrations:
            status, summary, evidence = Status.UNHEALTHY, "raw SQL, no migrations", facts.raw_sql
        else:
            gaps = [
                *(["no ORM"] if not facts.orm else []),
                *(["not async"] if not facts.async_db or facts.sync_engine else []),
                *(["no migrations"] if not facts.migrations else []),
                *(["sync calls in async code"] if facts.blocking_in_async else []),
            ]
            status, summary, evidence = (
                Status.PARTIAL,
                ", ".join(gaps) or "partly async",
                [*facts.sync_engine, *facts.blocking_in_async],
            )
        self.add(
            h,
            "database",
            "Database",
            "database",
            status,
            summary,
            evidence,
            "use SQLAlchemy 2.0's async engine (create_async_engine, AsyncSession) and "
            "Alembic migrations (alembic init migrations)",
            where="core/database.py",
        )

        if facts.structured_logging and facts.request_tracing:
            status, summary, evidence = (
                Status.HEALTHY,
                "structured (JSON) logs with request ids",
                [facts.structured_logging[0], facts.request_tracing[0]],
            )
        elif facts.prints and not facts.structured_logging:
            status, summary, evidence = (
                Status.UNHEALTHY,
                f"print() debugging ({len(facts.prints)} calls)",
                facts.prints,
            )
        else:
            missing = (
                "no request ids or tracing"
                if facts.structured_logging
                else "logs are not structured"
            )
            status, summary, evidence = (
                Status.PARTIAL,
                missing,
                [*facts.structured_logging[:1], *facts.prints],
            )
        self.add(
            h,
            "observability",
            "Observability",
            "observability",
            status,
            summary,
            evidence,
            "log JSON with structlog (JSONRenderer) and bind a request id per request in a "
            "middleware (X-Request-ID); replace print() with the logger",
            where="core/logging.py",
        )

        status, summary, evidence = self.dockerfile_status()
        self.add(
            h,
            "deployment",
            "Deployment",
            "deployment",
            status,
            summary,
            evidence,
            "write a multi-stage Dockerfile (build stage with uv, slim runtime stage) that "
            "runs as a non-root USER and declares a HEALTHCHECK",
            where=None,
        )

        status, summary, evidence = self.documentation_status()
        self.add(
            h,
            "documentation",
            "Documentation",
            "documentation",
            status,
            summary,
            evidence,
            "pass FastAPI(title=..., description=..., version=...) and give each endpoint a "
            "summary or docstring and a response model, so /docs is accurate",
            where="main.py",
        )

    def dockerfile_status(self) -> tuple[Status, str, list[Evidence]]:
        facts = self.facts
        project = facts.project
        if not project.dockerfiles:
            return Status.UNHEALTHY, "no Dockerfile: deployed by hand", []
        path = project.dockerfiles[0]
        stages = facts.dockerfile_stages(path)
        user = project.find_text(r"^\s*USER\s+(\S+)", iter([path]))
        non_root = [item for item in user if not item.note.split()[-1].startswith(("root", "0"))]
        health = project.find_text(
            r"^\s*HEALTHCHECK\s+(?!NONE)", iter([path])
        ) or project.find_text(r"^\s*healthcheck:", iter(project.compose_files))
        gaps = [
            *(["single-stage"] if len(stages) < 2 else []),
            *(["runs as root"] if not non_root else []),
            *(["no HEALTHCHECK"] if not health else []),
        ]
        if not gaps:
            return (
                Status.HEALTHY,
                f"multi-stage ({len(stages)} stages), non-root, health-checked",
                [Evidence(path, stages[0], "FROM"), non_root[-1], health[0]],
            )
        return (
            Status.PARTIAL,
            f"Dockerfile: {', '.join(gaps)}",
            [Evidence(path, stages[0] if stages else None, "Dockerfile"), *user[-1:]],
        )

    def documentation_status(self) -> tuple[Status, str, list[Evidence]]:
        facts = self.facts
        calls = facts.project.app_calls("FastAPI")
        described = [
            call
            for call in calls
            if call.keyword("title") is not None
            or any(keyword.arg is None for keyword in call.node.keywords)  # FastAPI(**options)
        ]
        undocumented = [
            endpoint.evidence(f"{endpoint.label()} has no summary or docstring")
            for endpoint in facts.endpoints
            if endpoint.keyword("summary") is None
            and endpoint.keyword("description") is None
            and not _docstring(endpoint.node)
        ]
        if described and not undocumented and not facts.untyped_responses:
            return (
                Status.HEALTHY,
                "titled, described API; every endpoint documented with a response model",
                [described[0].evidence("FastAPI(title=..., ...)")],
            )
        if not described and len(undocumented) == len(facts.endpoints):
            return (
                Status.UNHEALTHY,
                "default /docs: no title or description, no endpoint documented",
                [call.evidence("FastAPI() with defaults") for call in calls],
            )
        gaps = [
            *(["the app has no title"] if not described else []),
            *([f"{len(undocumented)} endpoints undocumented"] if undocumented else []),
            *(
                [f"{len(facts.untyped_responses)} without response model"]
                if facts.untyped_responses
                else []
            ),
        ]
        return Status.PARTIAL, ", ".join(gaps), [*undocumented, *facts.untyped_responses]

    # --- the security checklist ------------------------------------------------------

    def security(self) -> None:
        facts = self.facts
        s = Section.SECURITY

        key = facts.jwt_key_field
        if not facts.jwt_usage:
            self.add(
                s,
                "jwt_secret",
                "JWT secret ≥ 256 bits, from env",
                "security",
                Status.UNKNOWN,
                "no JWT library in use",
                priority="P0",
            )
        elif key is None:
            bad = [item for item in facts.secret_problems if "jwt" in item.note.lower()]
            self.add(
                s,
                "jwt_secret",
                "JWT secret ≥ 256 bits, from env",
                "security",
                Status.NOT_MET if bad else Status.UNKNOWN,
                "the JWT key is written in the code"
                if bad
                else "no settings field for the JWT key found",
                bad,
                "read the key from a required SecretStr settings field "
                "(no default) and refuse keys shorter than 32 characters",
                where="core/config.py",
                priority="P0",
            )
        else:
            length = facts.key_length_enforced(key)
            if key.literal_default is not None:
                status, summary, evidence = (
                    Status.NOT_MET,
                    f"{key.name} has a default written in the code",
                    [key.evidence],
                )
            elif length is None:
                status, summary, evidence = (
                    Status.NOT_MET,
                    f"nothing enforces {key.name} ≥ 32 characters (256 bits)",
                    [key.evidence],
                )
            else:
                status, summary, evidence = (
                    Status.MET,
                    f"{key.name}: required, from the environment, ≥ 32 characters enforced",
                    [key.evidence, length],
                )
            self.add(
                s,
                "jwt_secret",
                "JWT secret ≥ 256 bits, from env",
                "security",
                status,
                summary,
                evidence,
                f"make {key.name} a required SecretStr (no default) with "
                "Field(min_length=32) or a validator refusing shorter keys",
                where="core/config.py",
                priority="P0",
            )

        lifetimes = facts.token_lifetimes
        if not facts.jwt_usage:
            self.add(
                s,
                "token_expiry",
                "Token expiry ≤ 30 min access, ≤ 7 days refresh",
                "security",
                Status.UNKNOWN,
                "no JWT library in use",
                priority="P0",
            )
        elif not lifetimes:
            status = (
                Status.UNKNOWN
                if facts.project.find_in_code(r"['\"]exp['\"]|\bexp=")
                else Status.NOT_MET
            )
            self.add(
                s,
                "token_expiry",
                "Token expiry ≤ 30 min access, ≤ 7 days refresh",
                "security",
                status,
                "token lifetime not found in settings"
                if status is Status.UNKNOWN
                else "tokens carry no expiry (no exp claim)",
                [],
                "set access_token_expire_minutes ≤ 30 and refresh_token_expire_days "
                "≤ 7 in the settings, and put exp in every token",
                where="core/config.py",
                priority="P0",
            )
        else:
            too_long = [
                e
                for kind, minutes, e in lifetimes
                if (kind == "access" and minutes > MAX_ACCESS_MINUTES)
                or (kind == "refresh" and minutes > MAX_REFRESH_DAYS * 1440)
            ]
            self.add(
                s,
                "token_expiry",
                "Token expiry ≤ 30 min access, ≤ 7 days refresh",
                "security",
                Status.NOT_MET if too_long else Status.MET,
                "token lifetimes too long" if too_long else "access ≤ 30 min, refresh ≤ 7 days",
                too_long or [e for _, _, e in lifetimes],
                "lower the access token lifetime to 30 minutes or "
                "less and the refresh token's to 7 days or less",
                where="core/config.py",
                priority="P0",
            )

        hashing = facts.project.imported("passlib", "bcrypt", "argon2", "pwdlib", "fastapi_users")
        weak = facts.project.find_in_code(r"hashlib\.(md5|sha1|sha256|sha512)\(.*password")
        handles_passwords = bool(facts.project.find_in_code(r"(?i)\bpassword\b"))
        if weak or (handles_passwords and not hashing):
            status, summary = (
                Status.NOT_MET,
                "passwords hashed with a fast hash"
                if weak
                else "passwords handled, no bcrypt/argon2",
            )
        elif hashing:
            status, summary = Status.MET, "passwords hashed with bcrypt/argon2"
        else:
            status, summary = Status.UNKNOWN, "no passwords handled"
        self.add(
            s,
            "password_hashing",
            "Password hashed with bcrypt/argon2",
            "security",
            status,
            summary,
            weak or hashing[:1],
            "hash passwords with argon2 (pwdlib[argon2]) "
            "or bcrypt; never store or compare them plain",
            where="core/security.py",
            priority="P0",
        )

        self.cors_check(s, "cors", "P0")
        self.rate_limit_check(s, "auth_rate_limit", "P0")
        self.https_check(s, "https", "P0")

        headers = facts.security_headers
        missing = [name for name, found in headers.items() if not found]
        self.add(
            s,
            "security_headers",
            "Security headers (HSTS, CSP, X-Frame)",
            "security",
            Status.NOT_MET if missing else Status.MET,
            f"missing: {', '.join(missing)}" if missing else "HSTS, CSP and X-Frame-Options set",
            [found[0] for found in headers.values() if found],
            "set Strict-Transport-Security, Content-Security-Policy "
            "and X-Frame-Options on every response in a middleware",
            where="core/middleware.py",
            priority="P1",
        )

        self.validation_check(s, "input_validation", "P1")

        injection = facts.sql_injection
        self.add(
            s,
            "sql_injection",
            "SQL injection prevented (parameterized queries)",
            "security",
            Status.NOT_MET if injection else Status.MET if facts.db_access else Status.UNKNOWN,
            f"{len(injection)} queries built from values"
            if injection
            else "no SQL built from values"
            if facts.db_access
            else "no database access found",
            injection,
            "pass values as bound parameters (text('... WHERE id = :id'), "
            "{'id': value}) or use the ORM; never format them into SQL",
            where=None,
            priority="P0",
        )

        self.scanning_check(s, "dependency_scanning", "P1")

    def cors_check(self, section: Section, key: str, priority: str | None) -> None:
        facts = self.facts
        problems = facts.cors_problems()
        if problems:
            status, summary, evidence = Status.NOT_MET, problems[0].note, problems
        elif facts.cors:
            status, summary, evidence = (
                Status.MET,
                "origins come from the settings",
                [facts.cors[0].evidence("CORSMiddleware")],
            )
        else:
            status, summary, evidence = (
                Status.UNKNOWN,
                "no CORS middleware (browsers are refused cross-origin calls)",
                [],
            )
        self.add(
            section,
            key,
            "CORS configured per environment",
            "security",
            status,
            summary,
            evidence,
            "read allow_origins from a settings field (a list "
            "per environment, never '*' with credentials)",
            where="main.py",
            priority=priority if section is Section.SECURITY else None,
        )

    def rate_limit_check(self, section: Section, key: str, priority: str | None) -> None:
        facts = self.facts
        unlimited = facts.unlimited_auth_endpoints
        if not facts.auth_endpoints and not facts.global_rate_limit:
            status, summary, evidence = (
                Status.UNKNOWN,
                "no login/register/token endpoints found",
                [],
            )
        elif unlimited:
            status, summary, evidence = (
                Status.NOT_MET,
                f"{len(unlimited)} of {len(facts.auth_endpoints)} auth endpoints not rate-limited",
                unlimited,
            )
        else:
            status, summary, evidence = (
                Status.MET,
                f"{len(facts.auth_endpoints)} auth endpoints rate-limited"
                if facts.auth_endpoints
                else "a global rate limit",
                (facts.global_rate_limit or [e.evidence(e.label()) for e in facts.auth_endpoints]),
            )
        self.add(
            section,
            key,
            "Rate limiting on auth endpoints",
            "security",
            status,
            summary,
            evidence,
            "limit login, registration, refresh and password endpoints per client "
            "(a dependency with the limits package, or slowapi's @limiter.limit)",
            where="core/rate_limit.py",
            priority=priority if section is Section.SECURITY else None,
        )

    def https_check(self, section: Section, key: str, priority: str | None) -> None:
        found = self.facts.https_redirect
        self.add(
            section,
            key,
            "HTTPS enforced (redirect HTTP)",
            "security",
            Status.MET if found else Status.NOT_MET,
            "an HTTPS redirect middleware" if found else "no HTTPS redirect in the app",
            found,
            "add HTTPSRedirectMiddleware behind a setting "
            "(on unless a TLS proxy redirects), and HSTS",
            where="main.py",
            priority=priority if section is Section.SECURITY else None,
        )

    def validation_check(self, section: Section, key: str, priority: str | None) -> None:
        facts = self.facts
        unvalidated = facts.unvalidated_inputs
        total = len(facts.endpoints)
        self.add(
            section,
            key,
            "Input validation on ALL endpoints",
            "type_safety",
            Status.NOT_MET if unvalidated else Status.MET if total else Status.UNKNOWN,
            f"{len(unvalidated)} unvalidated inputs"
            if unvalidated
            else f"all {total} endpoints take typed parameters"
            if total
            else "no endpoints found",
            unvalidated,
            "type every parameter (Pydantic models for bodies, Annotated[int, "
            "Query(ge=1)] for queries); never read request.json() yourself",
            where=None,
            priority=priority if section is Section.SECURITY else None,
        )

    def scanning_check(self, section: Section, key: str, priority: str | None) -> None:
        found = self.facts.dependency_scanning
        self.add(
            section,
            key,
            "Dependency scanning (safety/pip-audit)",
            "security",
            Status.MET if found else Status.NOT_MET,
            "dependencies scanned in CI" if found else "no pip-audit, safety or similar in CI",
            found,
            "run `pip-audit` on the locked requirements in CI (uv export ... | pip-audit --strict)",
            where=None,
            priority=priority if section is Section.SECURITY else None,
        )

    # --- the P0 and P1 production checklists -----------------------------------------

    def p0(self) -> None:
        facts = self.facts
        p = Section.P0
        problems = facts.secret_problems
        self.add(
            p,
            "secrets_from_env",
            "All secrets from environment variables (SecretStr)",
            "security",
            Status.NOT_MET if problems else Status.MET if facts.secrets else Status.UNKNOWN,
            f"{len(problems)} secrets in the code or not SecretStr"
            if problems
            else f"{len(facts.secrets)} secrets, all SecretStr from the environment"
            if facts.secrets
            else "no secrets found",
            problems or [item.evidence for item in facts.secrets],
            "declare each secret as a SecretStr settings "
            "field without a default, set from the environment",
            where="core/config.py",
        )
        self.https_check(p, "https", None)
        self.cors_check(p, "cors", None)
        self.rate_limit_check(p, "auth_rate_limit", None)
        self.validation_check(p, "input_validation", None)

        handlers = facts.error_handlers
        debug = facts.debug_mode
        self.add(
            p,
            "structured_errors",
            "Structured error responses (no stack traces)",
            "error_handling",
            Status.MET if handlers and not debug else Status.NOT_MET,
            "debug=True sends tracebacks"
            if debug
            else f"{len(handlers)} exception handlers shape the errors"
            if handlers
            else "FastAPI's default error bodies; no exception handler",
            debug or handlers[:3],
            "register handlers (app.add_exception_handler) for your base error, HTTPException, "
            "RequestValidationError and Exception that return one JSON shape and log the traceback",
            where="core/errors.py",
        )

        paths = self.route_paths()
        health = [
            p
            for p in paths
            if _last_segment(p)
            in {
                "health",
                "healthz",
                "health-check",
                "healthcheck",
                "livez",
                "live",
                "liveness",
                "ping",
            }
        ]
        ready = [p for p in paths if _last_segment(p) in {"ready", "readyz", "readiness"}]
        missing = [
            *(["liveness (/health)"] if not health else []),
            *(["readiness (/ready)"] if not ready else []),
        ]
        evidence = [
            e.evidence(e.label())
            for e in facts.endpoints
            if e.full_path in {*health[:1], *ready[:1]}
        ]
        self.add(
            p,
            "health_endpoints",
            "Health + readiness endpoints",
            "deployment",
            Status.NOT_MET if missing else Status.MET,
            f"missing {' and '.join(missing)}" if missing else "/health and /ready",
            evidence,
            "add GET /health (the process answers) and GET "
            "/ready (checks the database, 503 when it fails)",
            where="features/health/router.py",
        )

        if not facts.db_access:
            self.add(
                p,
                "connection_pooling",
                "Database connection pooling",
                "database",
                Status.UNKNOWN,
                "no database access found",
            )
        else:
            pooled = [call.evidence(call.name) for call in facts.engine_calls]
            self.add(
                p,
                "connection_pooling",
                "Database connection pooling",
                "database",
                Status.NOT_MET if facts.null_pools or not pooled else Status.MET,
                facts.null_pools[0].note
                if facts.null_pools
                else "no engine or pool created"
                if not pooled
                else "engine with a connection pool",
                facts.null_pools or facts.pool_tuning or pooled,
                "create one engine per process (create_async_engine) with "
                "pool_size, max_overflow and pool_pre_ping set from the settings",
                where="core/database.py",
            )

        runs = facts.project.find_text(
            r"(alembic|aerich)[\"',\s]+upgrade", iter(self.deploy_paths())
        )
        if not facts.db_access:
            status, summary = Status.UNKNOWN, "no database access found"
        elif not facts.migrations:
            status, summary = Status.NOT_MET, "no migrations"
        elif not runs:
            status, summary = Status.NOT_MET, "migrations exist, but no deploy step runs them"
        else:
            status, summary = Status.MET, "a deploy step runs the migrations"
        self.add(
            p,
            "migrations_before_deploy",
            "Migrations run before deploy",
            "database",
            status,
            summary,
            runs or facts.migrations[:1],
            "run `alembic upgrade head` once per deploy before the new version "
            "starts (a compose service, a release job or an init container)",
            where=None,
        )

        structured = facts.structured_logging
        self.add(
            p,
            "structured_logging",
            "Structured logging (JSON)",
            "observability",
            Status.MET if structured else Status.NOT_MET,
            "JSON logs"
            if structured
            else "logs are not JSON"
            + (f"; {len(facts.prints)} print() calls" if facts.prints else ""),
            structured[:2] or facts.prints,
            "configure structlog with JSONRenderer (or python-json-logger) and log through it",
            where="core/logging.py",
        )

        ci = facts.tests_in_ci
        if self.tests_failed():
            status, summary = Status.NOT_MET, "the test suite fails (--run)"
        elif ci:
            status, summary = Status.MET, "CI runs the tests"
        else:
            status, summary = (
                Status.NOT_MET,
                "no CI workflow runs the tests"
                if facts.project.workflow_paths
                else "no CI configuration",
            )
        self.add(
            p,
            "tests_in_ci",
            "Tests passing in CI",
            "testing",
            status,
            summary,
            ci[:2],
            "add a CI workflow (.github/workflows/ci.yml) "
            "that runs pytest on every push and pull request",
            where=None,
        )

    def route_paths(self) -> list[str]:
        routes = self.runtime.get("routes") if self.runtime else None
        if isinstance(routes, list) and routes:
            return [str(route.get("path", "")) for route in routes if isinstance(route, dict)]
        return [endpoint.full_path for endpoint in self.facts.endpoints]

    def deploy_paths(self) -> list[str]:
        project = self.facts.project
        return [
            path
            for path in project.texts
            if path in project.dockerfiles
            or path in project.compose_files
            or (
                path in project.workflow_paths
                and re.search(r"^(?!\s*#).*\b(deploy|release)", project.texts[path], re.I | re.M)
                is not None
            )
            or path.endswith((".sh", "Procfile", "Makefile", "justfile"))
            or (
                path.endswith((".yml", ".yaml"))
                and ("k8s" in path or "helm" in path or "deploy" in path)
            )
        ]

    def p1(self) -> None:
        facts = self.facts
        p = Section.P1
        items: list[tuple[str, str, str, list[Evidence], str, str | None]] = [
            (
                "opentelemetry",
                "OpenTelemetry tracing",
                "observability",
                facts.opentelemetry,
                "instrument the app with opentelemetry-instrumentation-fastapi "
                "and export traces (OTLP)",
                None,
            ),
            (
                "metrics_endpoint",
                "Prometheus metrics endpoint",
                "observability",
                facts.metrics_endpoint if facts.metrics else [],
                "expose request counts and latencies at /metrics (prometheus-client)",
                "features/health/router.py",
            ),
            (
                "task_queue",
                "Background task queue (Celery/ARQ)",
                "performance",
                facts.task_queue,
                "move slow work to a queue (ARQ, Celery, Dramatiq) instead of the request",
                None,
            ),
            (
                "caching",
                "Redis caching layer",
                "performance",
                facts.caching,
                "cache hot reads in Redis (redis.asyncio with "
                "setex, or fastapi-cache2) and invalidate on writes",
                None,
            ),
            (
                "api_versioning",
                "API versioning strategy",
                "documentation",
                facts.api_versioning,
                "serve the API under a version prefix (/api/v1) so breaking changes get a new one",
                "core/config.py",
            ),
            (
                "request_logging",
                "Request/response logging",
                "observability",
                facts.request_logging,
                "log one line per request (method, path, "
                "status, duration, request id) in a middleware",
                "core/middleware.py",
            ),
            (
                "dependency_scanning",
                "Dependency security scanning",
                "security",
                facts.dependency_scanning,
                "run pip-audit on the locked requirements in CI",
                None,
            ),
            (
                "benchmarks",
                "Performance benchmarks established",
                "performance",
                facts.profiling,
                "keep a benchmark (locust, k6 or pytest-benchmark) "
                "of the main endpoints and track its figures",
                None,
            ),
        ]
        for key, title, dimension, evidence, fix, where in items:
            self.add(
                p,
                key,
                title,
                dimension,
                Status.MET if evidence else Status.NOT_MET,
                "found" if evidence else "not found",
                evidence,
                fix,
                where=where,
            )

    # --- the 0-100 quality score -----------------------------------------------------

    def score(self) -> list[DimensionScore]:
        return [
            self._type_safety(),
            self._error_handling(),
            self._testing(),
            self._security(),
            self._performance(),
            self._observability(),
            self._database(),
            self._deployment(),
        ]

    def _dimension(
        self, key: str, ladder: list[tuple[int, str, bool, list[Evidence], str]]
    ) -> DimensionScore:
        """The highest level whose condition holds along with every lower one's.

        ``ladder``: (level, what it means, holds, evidence, how to get there), lowest first.
        """
        reached = ladder[0]
        next_step: tuple[int, str, bool, list[Evidence], str] | None = None
        for step in ladder[1:]:
            if not step[2]:
                next_step = step
                break
            reached = step
        level, reason, _, evidence, _ = reached
        return DimensionScore(
            DIMENSION_BY_ID[key],
            level,
            reason,
            _cap(evidence),
            next_level=f"{next_step[0]}: {next_step[1]}" if next_step else None,
            fix=self.forge.fix(next_step[4], None, next_step[3]) if next_step else None,
        )

    def _type_safety(self) -> DimensionScore:
        facts = self.facts
        status, _, evidence = self.endpoints_typed()
        return self._dimension(
            "type_safety",
            [
                (0, "no types", True, [], ""),
                (
                    50,
                    "partial Pydantic",
                    bool(facts.pydantic_models) and status is not Status.UNHEALTHY,
                    facts.pydantic_models[:1],
                    "declare Pydantic models for the endpoints' bodies and responses",
                ),
                (
                    75,
                    "full schemas",
                    status is Status.HEALTHY and not facts.unvalidated_inputs,
                    evidence,
                    "give every endpoint typed inputs and a response model",
                ),
                (
                    100,
                    "strict mypy",
                    bool(facts.mypy_strict) and bool(facts.in_ci(r"\bmypy\b")),
                    facts.mypy_strict + facts.in_ci(r"\bmypy\b")[:1],
                    "set [tool.mypy] strict = true and run mypy in CI",
                ),
            ],
        )

    def _error_handling(self) -> DimensionScore:
        facts = self.facts
        full = (
            facts.error_hierarchy is not None
            and bool(facts.error_handlers)
            and not facts.bare_http_exceptions
        )
        return self._dimension(
            "error_handling",
            [
                (25, "bare HTTPException", True, facts.bare_http_exceptions, ""),
                (
                    50,
                    "custom errors",
                    bool(facts.error_classes),
                    [c.evidence(c.name) for c in facts.error_classes[:1]],
                    "define your own exception classes for domain errors",
                ),
                (
                    75,
                    "full hierarchy",
                    full,
                    facts.error_handlers[:1],
                    "derive every error from one base, render it in one global "
                    "handler, and stop raising HTTPException with strings",
                ),
                (
                    100,
                    "+ monitoring",
                    bool(facts.error_monitoring),
                    facts.error_monitoring[:2],
                    "count or report errors: Sentry, OpenTelemetry or Prometheus metrics",
                ),
            ],
        )

    def _testing(self) -> DimensionScore:
        facts = self.facts
        percent, gate, measured = self.coverage()
        covered = percent is not None and percent >= MIN_COVERAGE and not self.tests_failed()
        return self._dimension(
            "testing",
            [
                (0, "no tests", True, [], ""),
                (
                    50,
                    "happy-path tests",
                    facts.project.test_functions > 0,
                    [],
                    "write tests (pytest, httpx.AsyncClient)",
                ),
                (
                    75,
                    "80%+ coverage" + (" (measured)" if measured else " (enforced)"),
                    covered,
                    [gate] if gate else [],
                    "hold coverage at 80% or more: [tool.coverage.report] "
                    "fail_under = 80 (or --cov-fail-under=80)",
                ),
                (
                    100,
                    "+ contract tests",
                    bool(facts.contract_tests),
                    facts.contract_tests[:2],
                    "test the API against its OpenAPI schema "
                    "(schemathesis: st run or @schema.parametrize())",
                ),
            ],
        )

    def _security(self) -> DimensionScore:
        facts = self.facts
        auth, _, auth_evidence = self.auth_status()
        limited = bool(facts.rate_limits) and not facts.unlimited_auth_endpoints
        return self._dimension(
            "security",
            [
                (0, "no auth", True, [], ""),
                (
                    50,
                    "basic JWT",
                    bool(facts.jwt_usage) and auth is not Status.UNHEALTHY,
                    auth_evidence,
                    "issue and check JWTs in a dependency",
                ),
                (
                    75,
                    "+ RBAC + rate limit",
                    bool(facts.rbac) and limited,
                    [*facts.rbac[:1], *facts.rate_limits[:1]],
                    "check roles in a dependency (require_role('admin')) "
                    "and rate-limit the auth endpoints",
                ),
                (
                    100,
                    "+ scanning + audit",
                    bool(facts.dependency_scanning) and bool(facts.security_lint),
                    [*facts.dependency_scanning[:1], *facts.security_lint[:1]],
                    "scan dependencies in CI (pip-audit) and lint "
                    "for security issues (ruff's S rules or bandit)",
                ),
            ],
        )

    def _performance(self) -> DimensionScore:
        facts = self.facts
        async_endpoints = [e for e in facts.endpoints if e.is_async]
        async_db = (
            bool(async_endpoints)
            and not facts.blocking_in_async
            and not facts.sync_engine
            and (bool(facts.async_db) or not facts.db_access)
        )
        return self._dimension(
            "performance",
            [
                (0, "sync everything", True, [*facts.blocking_in_async, *facts.sync_engine], ""),
                (
                    50,
                    "async DB",
                    async_db,
                    facts.async_db[:1],
                    "make the endpoints async def and the database async "
                    "(AsyncSession); no blocking calls inside async code",
                ),
                (
                    75,
                    "+ caching",
                    bool(facts.caching),
                    facts.caching[:1],
                    "cache hot reads (Redis, fastapi-cache2) with a TTL and invalidation on writes",
                ),
                (
                    100,
                    "+ profiling",
                    bool(facts.profiling),
                    facts.profiling[:1],
                    "profile and benchmark the hot paths (pyinstrument, "
                    "locust, pytest-benchmark) and keep the figures",
                ),
            ],
        )

    def _observability(self) -> DimensionScore:
        facts = self.facts
        return self._dimension(
            "observability",
            [
                (
                    0 if facts.prints else 25,
                    "print() debugging" if facts.prints else "unstructured logs",
                    True,
                    facts.prints,
                    "",
                ),
                (
                    50,
                    "structured logs",
                    bool(facts.structured_logging),
                    facts.structured_logging[:1],
                    "log JSON (structlog with JSONRenderer)",
                ),
                (
                    75,
                    "+ tracing",
                    bool(facts.request_tracing),
                    facts.request_tracing[:1],
                    "trace each request: a request id bound to every log line, or OpenTelemetry",
                ),
                (
                    100,
                    "+ metrics + alerts",
                    bool(facts.metrics) and bool(facts.alerts),
                    [*facts.metrics[:1], *facts.alerts[:1]],
                    "export metrics (prometheus-client at /metrics) and define alerts on "
                    "them (Prometheus alert rules, or an error tracker such as Sentry)",
                ),
            ],
        )

    def _database(self) -> DimensionScore:
        facts = self.facts
        return self._dimension(
            "database",
            [
                (
                    0 if facts.db_access else 25,
                    "raw SQL" if facts.db_access else "no database",
                    True,
                    facts.raw_sql,
                    "",
                ),
                (
                    50,
                    "ORM + migrations",
                    bool(facts.orm) and bool(facts.migrations),
                    [*facts.orm[:1], *facts.migrations[:1]],
                    "use an ORM (SQLAlchemy 2.0) and Alembic migrations",
                ),
                (
                    75,
                    "+ repository pattern",
                    bool(facts.repositories),
                    facts.repositories[:1],
                    "keep queries in repository classes that services call",
                ),
                (
                    100,
                    "+ connection tuning",
                    bool(facts.pool_tuning) and not facts.null_pools,
                    facts.pool_tuning[:1],
                    "set pool_size, max_overflow, pool_timeout, "
                    "pool_recycle and pool_pre_ping from the settings",
                ),
            ],
        )

    def _deployment(self) -> DimensionScore:
        facts = self.facts
        project = facts.project
        health = project.find_text(
            r"^\s*HEALTHCHECK\s+(?!NONE)", iter(project.dockerfiles)
        ) + project.find_text(r"^\s*healthcheck:", iter(project.compose_files))
        rollback = bool(facts.migrations) and not facts.migrations_without_downgrade
        return self._dimension(
            "deployment",
            [
                (0, "manual", True, [], ""),
                (
                    50,
                    "Dockerfile",
                    bool(project.dockerfiles),
                    [Evidence(path) for path in project.dockerfiles[:1]],
                    "write a Dockerfile (multi-stage, non-root)",
                ),
                (
                    75,
                    "+ CI/CD",
                    bool(project.workflow_paths),
                    [Evidence(path) for path in project.workflow_paths[:1]],
                    "add a CI workflow that lints, tests and builds the image",
                ),
                (
                    100,
                    "+ health + rollback",
                    bool(health) and rollback,
                    [*health[:1], *facts.migrations_without_downgrade],
                    "declare a HEALTHCHECK and give every migration a "
                    "working downgrade() so a release can be rolled back",
                ),
            ],
        )


def _docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return ast.get_docstring(node) is not None


def _last_segment(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].lower()


def evaluate(
    facts: Facts, forge: ForgeContext, runtime: dict[str, Any] | None
) -> tuple[list[Check], list[DimensionScore]]:
    """Every check of the four lists, and the eight dimensions of the score."""
    rules = _Rules(facts, forge, runtime)
    steps: list[Callable[[], None]] = [rules.health, rules.security, rules.p0, rules.p1]
    for step in steps:
        step()
    return rules.checks, rules.score()
