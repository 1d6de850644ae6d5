"""What an audit finds: evidence, checks, the quality score, and the report's JSON shape.

Nothing here reads files; :mod:`fastapi_forge.audit.checks` fills these in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "BANDS",
    "DIMENSIONS",
    "JSON_SCHEMA_VERSION",
    "Check",
    "Dimension",
    "DimensionScore",
    "Evidence",
    "Report",
    "Section",
    "Skipped",
    "Status",
    "band_of",
]

JSON_SCHEMA_VERSION = 1
"""The version of ``forge audit --json``'s document; bumped when a field changes meaning."""


class Status(StrEnum):
    """A health signal's state (``healthy``...) or a checklist item's (``met``...)."""

    HEALTHY = "healthy"
    PARTIAL = "partial"
    UNHEALTHY = "unhealthy"
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """How a person reads it: ``not met`` rather than ``not_met``."""
        return self.value.replace("_", " ")

    @property
    def is_gap(self) -> bool:
        """True for anything short of healthy or met."""
        return self not in {Status.HEALTHY, Status.MET}


HEALTH_POINTS = {Status.HEALTHY: 2, Status.PARTIAL: 1, Status.UNHEALTHY: 0}


class Section(StrEnum):
    """The four lists of the production reference the audit reports on."""

    HEALTH = "health"
    SECURITY = "security"
    P0 = "p0"
    P1 = "p1"


@dataclass(frozen=True)
class Dimension:
    """One of the eight weighted dimensions of the 0-100 quality score."""

    id: str
    name: str
    weight: int  # percent; the eight add up to 100


DIMENSIONS = (
    Dimension("type_safety", "Type Safety", 15),
    Dimension("error_handling", "Error Handling", 15),
    Dimension("testing", "Testing", 15),
    Dimension("security", "Security", 15),
    Dimension("performance", "Performance", 10),
    Dimension("observability", "Observability", 10),
    Dimension("database", "Database", 10),
    Dimension("deployment", "Deployment", 10),
)
DIMENSION_BY_ID = {dimension.id: dimension for dimension in DIMENSIONS}

BANDS = ((80.0, "production-grade"), (60.0, "solid"), (40.0, "needs work"), (0.0, "critical"))
"""Lower bound of each band, best first: 80+ production-grade, 60-80 solid, 40-60 needs work."""


def band_of(score: float) -> str:
    """The band of a 0-100 score."""
    return next(name for bound, name in BANDS if score >= bound)


@dataclass(frozen=True)
class Evidence:
    """A place in the project that decided a check, with what was seen there."""

    path: str
    line: int | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        """The JSON form: ``{"path", "line", "note"}``."""
        return {"path": self.path, "line": self.line, "note": self.note}

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where} {self.note}".strip()


@dataclass
class Check:
    """One item of a list: its verdict, the evidence that decided it, and how to close it."""

    id: str
    section: Section
    title: str
    dimension: str
    status: Status
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    fix: str | None = None
    priority: str | None = None  # P0 or P1, for the security checklist

    @property
    def points(self) -> int | None:
        """The health check's 2/1/0 points; None for checklist items."""
        return HEALTH_POINTS.get(self.status) if self.section is Section.HEALTH else None

    def as_json(self) -> dict[str, Any]:
        """The JSON form of a check (see the README's schema)."""
        document: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "dimension": self.dimension,
            "status": self.status.value,
            "summary": self.summary,
            "evidence": [item.as_json() for item in self.evidence],
            "fix": self.fix if self.status.is_gap else None,
        }
        if self.section is Section.HEALTH:
            document["points"] = self.points
        if self.priority is not None:
            document["priority"] = self.priority
        return document


@dataclass
class DimensionScore:
    """A dimension's level (0, 25, 50, 75 or 100), why, and what the next level needs."""

    dimension: Dimension
    level: int
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    next_level: str | None = None  # None at 100
    fix: str | None = None

    @property
    def weighted(self) -> float:
        """This dimension's share of the score."""
        return self.level * self.dimension.weight / 100

    def as_json(self) -> dict[str, Any]:
        """The JSON form of a dimension's score."""
        return {
            "id": self.dimension.id,
            "name": self.dimension.name,
            "weight": self.dimension.weight,
            "level": self.level,
            "weighted": round(self.weighted, 2),
            "reason": self.reason,
            "evidence": [item.as_json() for item in self.evidence],
            "next_level": self.next_level,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Skipped:
    """A file the audit could not read, and why."""

    path: str
    reason: str

    def as_json(self) -> dict[str, str]:
        """The JSON form: ``{"path", "reason"}``."""
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class App:
    """Where a FastAPI application is made: a factory function or a module-level name."""

    path: str
    line: int
    name: str
    factory: bool

    def as_json(self) -> dict[str, Any]:
        """The JSON form of an application."""
        return {"path": self.path, "line": self.line, "name": self.name, "factory": self.factory}


@dataclass
class Report:
    """Everything ``forge audit`` found in one project."""

    root: str
    forge_project: bool
    apps: list[App]
    files_scanned: int
    skipped: list[Skipped]
    checks: list[Check]
    dimensions: list[DimensionScore]
    runtime: dict[str, Any] | None = None
    forge_version: str = ""

    @property
    def score(self) -> float:
        """The 0-100 quality score: the sum of the dimensions' weighted levels."""
        return round(sum(item.weighted for item in self.dimensions), 2)

    @property
    def band(self) -> str:
        """critical, needs work, solid or production-grade."""
        return band_of(self.score)

    def section(self, section: Section) -> list[Check]:
        """The checks of one list, in the reference's order."""
        return [check for check in self.checks if check.section is section]

    @property
    def health_points(self) -> int:
        """Points of the 16-point health check."""
        return sum(check.points or 0 for check in self.section(Section.HEALTH))

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` document (schema version :data:`JSON_SCHEMA_VERSION`)."""

        def checklist(section: Section) -> dict[str, Any]:
            items = self.section(section)
            return {
                "met": sum(1 for item in items if item.status is Status.MET),
                "total": len(items),
                "items": [item.as_json() for item in items],
            }

        return {
            "schema": JSON_SCHEMA_VERSION,
            "forge_version": self.forge_version,
            "project": {
                "root": self.root,
                "forge_project": self.forge_project,
                "apps": [app.as_json() for app in self.apps],
                "files_scanned": self.files_scanned,
                "skipped": [item.as_json() for item in self.skipped],
            },
            "score": {
                "value": self.score,
                "band": self.band,
                "dimensions": [item.as_json() for item in self.dimensions],
            },
            "health": {
                "points": self.health_points,
                "max": 2 * len(self.section(Section.HEALTH)),
                "signals": [item.as_json() for item in self.section(Section.HEALTH)],
            },
            "security": checklist(Section.SECURITY),
            "p0": checklist(Section.P0),
            "p1": checklist(Section.P1),
            "runtime": self.runtime,
        }
