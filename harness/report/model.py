"""report.json (DESIGN.md contract; extend, don't rename). Validated before it is written."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    COMPLETED = "completed"
    ABORTED = "aborted"
    ERROR = "error"


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class FaultSection(Open):
    type: str
    target: str
    params: dict[str, Any] = Field(default_factory=dict)


class TargetsSection(Open):
    respond_s: float
    resolve_s: float


class Metrics(Open):
    time_to_first_symptom_s: float | None = None
    time_to_detect_s: float | None = None
    time_to_notify_s: float | None = None
    time_to_acknowledge_s: float | None = None
    time_to_mitigate_s: float | None = None
    time_to_resolve_s: float | None = None


class VerdictSection(Open):
    respond_met: bool
    resolve_met: bool
    passed: bool


class TimelineItem(Open):
    at: str
    offset_s: float | None
    event: str
    source: str
    detail: dict[str, Any] = Field(default_factory=dict)


class Notification(Open):
    channel: str
    delivered_at: str


class IncidentSection(Open):
    id: str | None = None
    severity: str | None = None
    notifications: list[Notification] = Field(default_factory=list)


class RunbookStep(Open):
    title: str
    kind: str
    ok: bool
    duration_s: float


class RunbookSection(Open):
    path: str
    steps: list[RunbookStep] = Field(default_factory=list)
    accurate: bool = False


class LoadSection(Open):
    requests: int = 0
    failures: int = 0
    p95_ms: float | None = None


class Report(Open):
    drill_id: str
    scenario: str
    mode: str
    started_at: str
    finished_at: str | None
    status: Status
    fault: FaultSection
    targets: TargetsSection
    metrics: Metrics
    verdict: VerdictSection
    timeline: list[TimelineItem]
    incident: IncidentSection
    runbook: RunbookSection
    load: LoadSection
