"""Alert intake: three wire formats become one AlertEvent.

Dedupe: one incident per distinct alert *group*. For Alertmanager the group is its
`groupKey`; for a generic alert its `dedup_key` (or its name and labels); for a PagerDuty
event its `dedup_key`. Inside a group, alerts are told apart by fingerprint.

Severity (first rule that matches):
    label `sev` (or `incident_severity`)  SEV1..SEV4, "1".."4", "sev2"...  -> that severity
    label `severity`  critical, page, p1                                   -> SEV1
                      error, high, major, p2                               -> SEV2
                      warning, warn, minor, medium, p3                     -> SEV3
                      info, low, none, p4                                  -> SEV4
    anything else, or no label                                            -> SEV3
PagerDuty's payload.severity uses the same words (critical -> SEV1 ... info -> SEV4).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from harness.incidents.schemas import (
    AlertmanagerWebhook,
    GenericAlert,
    PagerDutyEvent,
    Severity,
)

WORDS: dict[str, Severity] = {
    **dict.fromkeys(["critical", "page", "p1", "fatal"], Severity.SEV1),
    **dict.fromkeys(["error", "high", "major", "p2"], Severity.SEV2),
    **dict.fromkeys(["warning", "warn", "minor", "medium", "p3"], Severity.SEV3),
    **dict.fromkeys(["info", "low", "none", "p4"], Severity.SEV4),
}


def severity_from_labels(labels: dict[str, str]) -> Severity:
    explicit = (labels.get("sev") or labels.get("incident_severity") or "").strip().upper()
    explicit = explicit.removeprefix("SEV")
    if explicit in {"1", "2", "3", "4"}:
        return Severity(f"SEV{explicit}")
    return WORDS.get((labels.get("severity") or "").strip().lower(), Severity.SEV3)


@dataclass(frozen=True)
class AlertEvent:
    """One alert as the service sees it, whatever format brought it."""

    source: str  # alertmanager | generic | pagerduty
    group_key: str
    fingerprint: str
    alertname: str
    status: str  # firing | resolved (acknowledge for PagerDuty events)
    severity: Severity
    title: str
    service: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    runbook_url: str = ""
    generator_url: str = ""


def _fingerprint(labels: dict[str, str]) -> str:
    # Alertmanager's own fingerprint is a hash of the sorted label set; do the same.
    text = json.dumps(labels, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _real_time(value: datetime | None) -> datetime | None:
    """Alertmanager sends 0001-01-01T00:00:00Z for "no end"; treat anything pre-1970 as none."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value if value.year >= 1970 else None


def from_alertmanager(body: AlertmanagerWebhook) -> list[AlertEvent]:
    events = []
    for alert in body.alerts:
        labels = {**body.commonLabels, **alert.labels}
        annotations = {**body.commonAnnotations, **alert.annotations}
        name = labels.get("alertname") or "UnnamedAlert"
        events.append(
            AlertEvent(
                source="alertmanager",
                group_key=f"am:{body.groupKey}",
                fingerprint=alert.fingerprint or _fingerprint(alert.labels),
                alertname=name,
                status=alert.status,
                severity=severity_from_labels(labels),
                title=annotations.get("summary") or name,
                service=labels.get("service") or labels.get("job") or "",
                labels=labels,
                annotations=annotations,
                starts_at=_real_time(alert.startsAt),
                ends_at=_real_time(alert.endsAt),
                runbook_url=annotations.get("runbook") or annotations.get("runbook_url") or "",
                generator_url=alert.generatorURL,
            )
        )
    return events


def from_generic(body: GenericAlert) -> AlertEvent:
    labels = {"alertname": body.name, **body.labels}
    if body.severity:
        labels.setdefault("severity", body.severity)
    if body.severity.upper().startswith("SEV"):
        labels.setdefault("sev", body.severity)
    if body.service:
        labels.setdefault("service", body.service)
    key = body.dedup_key or f"{body.name}:{_fingerprint(labels)}"
    return AlertEvent(
        source="generic",
        group_key=f"generic:{key}",
        fingerprint=_fingerprint(labels),
        alertname=body.name,
        status=body.status,
        severity=severity_from_labels(labels),
        title=body.summary or body.name,
        service=body.service or labels.get("service", ""),
        labels=labels,
        annotations=dict(body.annotations),
        starts_at=_real_time(body.started_at),
        runbook_url=body.runbook or body.annotations.get("runbook", ""),
    )


def from_pagerduty(body: PagerDutyEvent, dedup_key: str) -> AlertEvent:
    payload = body.payload
    labels: dict[str, str] = {}
    if payload is not None:
        labels = {
            "alertname": payload.class_ or payload.summary[:64],
            "severity": payload.severity,
            "source": payload.source,
        }
        if payload.component:
            labels["service"] = payload.component
    status = {"trigger": "firing", "resolve": "resolved"}.get(body.event_action, "acknowledge")
    details: dict[str, Any] = payload.custom_details if payload else {}
    return AlertEvent(
        source="pagerduty",
        group_key=f"pd:{body.routing_key}:{dedup_key}",
        fingerprint=dedup_key,
        alertname=labels.get("alertname", dedup_key),
        status=status,
        severity=WORDS.get(labels.get("severity", ""), Severity.SEV3),
        title=payload.summary if payload else dedup_key,
        service=labels.get("service", ""),
        labels=labels,
        annotations={k: str(v)[:2048] for k, v in details.items()},
        starts_at=_real_time(payload.timestamp) if payload else None,
        generator_url=body.client_url,
    )
