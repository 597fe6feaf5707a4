"""The parts of report.json (DESIGN.md contract) that the review and validation read.

Tolerant on purpose: every model keeps unknown keys and most fields have defaults, so a
report from an older or newer harness still renders; only the file's shape is checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import DrillError

METRICS = (
    ("time_to_first_symptom_s", "First symptom", None),
    ("time_to_detect_s", "Detected (first alert received)", None),
    ("time_to_notify_s", "On-call notified", None),
    ("time_to_acknowledge_s", "Acknowledged (response time)", "respond_s"),
    ("time_to_mitigate_s", "Mitigated (steady state back)", None),
    ("time_to_resolve_s", "Resolved", "resolve_s"),
)


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class TimelineEntry(Loose):
    at: str = ""
    offset_s: float | None = None
    event: str
    source: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)


class RunbookStepReport(Loose):
    number: int | None = None
    title: str = ""
    kind: str = ""
    ok: bool
    duration_s: float = 0.0
    exit_code: int | None = None
    attempts: int = 1
    failure: str | None = None


class RunbookReport(Loose):
    path: str = ""
    steps: list[RunbookStepReport] = Field(default_factory=list)
    accurate: bool | None = None
    reason: str | None = None
    failed_step: str | None = None
    steps_total: int | None = None


class Notification(Loose):
    channel: str = ""
    kind: str | None = None
    status: str | None = None
    delivered_at: str | None = None


class IncidentReport(Loose):
    id: str | None = None
    severity: str | None = None
    title: str | None = None
    notifications: list[Notification] = Field(default_factory=list)


class Fault(Loose):
    type: str = ""
    target: str = ""
    params: dict[str, Any] = Field(default_factory=dict)


class DrillReport(Loose):
    drill_id: str
    scenario: str
    mode: str = ""
    started_at: str = ""
    finished_at: str | None = None
    status: str = ""
    fault: Fault = Field(default_factory=Fault)
    targets: dict[str, float | None] = Field(default_factory=dict)
    metrics: dict[str, float | None] = Field(default_factory=dict)
    verdict: dict[str, bool | None] = Field(default_factory=dict)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    incident: IncidentReport | None = None
    runbook: RunbookReport | None = None
    load: dict[str, Any] | None = None


def load_report(path: Path) -> DrillReport:
    """report.json, or a DrillError naming the file and what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DrillError(f"{path} does not exist: is this a drill's report directory?") from exc
    except (OSError, ValueError) as exc:
        raise DrillError(f"cannot read {path}: {exc}") from exc
    try:
        return DrillReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DrillError(f"{path}: {where}: {first['msg']} (not a drill report.json)") from exc
