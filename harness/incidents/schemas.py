"""Bodies that cross the service's HTTP boundary (pydantic v2).

Strings are checked to be storable: no NUL and no lone surrogates (JSON can carry both, no
database can keep them), so hostile input is a 422, never a 500.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid UTF-8") from exc
    return value


Text = Annotated[str, AfterValidator(_storable), Field(max_length=8192)]
Short = Annotated[str, AfterValidator(_storable), Field(max_length=256)]
LabelSet = Annotated[dict[Short, Text], Field(max_length=128)]


class Status(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"


ORDER = [Status.TRIGGERED, Status.ACKNOWLEDGED, Status.MITIGATED, Status.RESOLVED]


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


class CustomerStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class Audience(StrEnum):
    INTERNAL = "internal"
    CUSTOMER = "customer"
    EXECUTIVE = "executive"


class Role(StrEnum):
    INCIDENT_COMMANDER = "incident_commander"
    COMMUNICATIONS_LEAD = "communications_lead"
    OPERATIONS_LEAD = "operations_lead"
    SCRIBE = "scribe"


# --- alert intake ---------------------------------------------------------------------------


class AMAlert(BaseModel):
    """One alert of an Alertmanager webhook (payload version 4)."""

    status: Literal["firing", "resolved"]
    labels: LabelSet
    annotations: LabelSet = Field(default_factory=dict)
    startsAt: datetime
    endsAt: datetime | None = None
    generatorURL: Text = ""
    fingerprint: Short = ""


class AlertmanagerWebhook(BaseModel):
    """Alertmanager's webhook_config body, version 4."""

    version: Short = "4"
    groupKey: Text
    truncatedAlerts: int = Field(default=0, ge=0, le=1_000_000)
    status: Literal["firing", "resolved"]
    receiver: Short = ""
    groupLabels: LabelSet = Field(default_factory=dict)
    commonLabels: LabelSet = Field(default_factory=dict)
    commonAnnotations: LabelSet = Field(default_factory=dict)
    externalURL: Text = ""
    alerts: list[AMAlert] = Field(min_length=1, max_length=1000)


class GenericAlert(BaseModel):
    """A plain JSON alert for tools that are not Alertmanager."""

    name: Short = Field(description="Alert name, becomes the incident title if no summary")
    status: Literal["firing", "resolved"] = "firing"
    severity: Short = Field(default="", description="critical|error|warning|info or SEV1..SEV4")
    service: Short = ""
    summary: Text = ""
    dedup_key: Short = Field(default="", description="Alerts with one key share an incident")
    labels: LabelSet = Field(default_factory=dict)
    annotations: LabelSet = Field(default_factory=dict)
    runbook: Text = ""
    started_at: datetime | None = None


class PDPayload(BaseModel):
    summary: Annotated[str, AfterValidator(_storable), Field(max_length=1024)]
    source: Short
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: datetime | None = None
    component: Short = ""
    group: Short = ""
    class_: Short = Field(default="", alias="class")
    custom_details: dict[Short, Any] = Field(default_factory=dict, max_length=128)

    model_config = ConfigDict(populate_by_name=True)


class PagerDutyEvent(BaseModel):
    """A PagerDuty Events API v2 alert event (the shape, not the SaaS)."""

    routing_key: Short = ""
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: Annotated[str, AfterValidator(_storable), Field(max_length=255)] = ""
    payload: PDPayload | None = None
    client: Short = ""
    client_url: Text = ""


class IntakeResult(BaseModel):
    incidents: list[str]
    created: list[str]
    alerts: int


# --- incident actions -----------------------------------------------------------------------


class ActorBody(BaseModel):
    by: Short = "api"
    note: Text = ""


class StatusBody(BaseModel):
    status: Status
    by: Short = "api"
    note: Text = ""


class UpdateBody(BaseModel):
    text: Annotated[str, AfterValidator(_storable), Field(min_length=1, max_length=8192)]
    audience: Audience = Audience.INTERNAL
    customer_status: CustomerStatus | None = None
    by: Short = "api"


class RoleBody(BaseModel):
    role: Role
    person: Short


class DrillBody(BaseModel):
    drill_id: Annotated[str, AfterValidator(_storable), Field(min_length=1, max_length=128)]
    scenario: Short = ""
    started_at: datetime | None = None
    clock_scale: float | None = Field(default=None, gt=0, le=3600)


class DrillOut(BaseModel):
    drill_id: str
    scenario: str
    started_at: str | None
    ended_at: str | None
    clock_scale: float
