"""Incidents as JSON (the contract in /tmp/contracts.md), read from the tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.incidents.clock import iso
from harness.incidents.db import Alert, Incident, OutboxItem, StatusUpdate, TimelineEvent


def incident_id(number: int) -> str:
    return f"INC-{number}"


def parse_id(value: str) -> int | None:
    text = value.strip().upper().removeprefix("INC-")
    return int(text) if text.isdigit() and len(text) < 12 else None


def alert_dict(alert: Alert) -> dict[str, Any]:
    return {
        "fingerprint": alert.fingerprint,
        "alertname": alert.alertname,
        "labels": alert.labels,
        "annotations": alert.annotations,
        "source": alert.source,
        "status": alert.status,
        "starts_at": iso(alert.starts_at),
        "ends_at": iso(alert.ends_at),
        "received_at": iso(alert.received_at),
        "updated_at": iso(alert.updated_at),
        "repeats": alert.repeats,
        "incident": incident_id(alert.incident_id),
    }


def notification_dict(item: OutboxItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "channel": item.channel,
        "kind": item.kind,
        "status": item.status,
        "attempts": item.attempts,
        "created_at": iso(item.created_at),
        "next_attempt_at": iso(item.next_attempt_at) if item.status == "pending" else None,
        "delivered_at": iso(item.delivered_at),
        "last_error": item.last_error,
    }


def base_dict(inc: Incident) -> dict[str, Any]:
    return {
        "id": incident_id(inc.id),
        "title": inc.title,
        "severity": inc.severity,
        "status": inc.status,
        "service": inc.service,
        "summary": inc.summary,
        "source": inc.source,
        "drill_id": inc.drill_id,
        "is_drill": inc.is_drill,
        "created_at": iso(inc.created_at),
        "acknowledged_at": iso(inc.acknowledged_at),
        "acknowledged_by": inc.acknowledged_by,
        "mitigated_at": iso(inc.mitigated_at),
        "resolved_at": iso(inc.resolved_at),
        "resolved_by": inc.resolved_by,
        "runbook_url": inc.runbook_url,
        "dashboard_url": inc.dashboard_url,
        "roles": inc.roles,
        "war_room": inc.war_room,
        "escalation_level": inc.escalation_level,
    }


def incident_dict(session: Session, inc: Incident, *, timeline: bool = True) -> dict[str, Any]:
    out = base_dict(inc)
    alerts = session.scalars(select(Alert).where(Alert.incident_id == inc.id).order_by(Alert.id))
    out["alerts"] = [alert_dict(a) for a in alerts]
    items = session.scalars(
        select(OutboxItem).where(OutboxItem.incident_id == inc.id).order_by(OutboxItem.id)
    )
    out["notifications"] = [notification_dict(i) for i in items]
    updates = session.scalars(
        select(StatusUpdate).where(StatusUpdate.incident_id == inc.id).order_by(StatusUpdate.id)
    )
    out["updates"] = [
        {
            "at": iso(u.at),
            "audience": u.audience,
            "customer_status": u.customer_status,
            "text": u.text,
            "by": u.author,
        }
        for u in updates
    ]
    if timeline:
        events = session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.incident_id == inc.id)
            .order_by(TimelineEvent.id)
        )
        out["timeline"] = [{"at": iso(e.at), "kind": e.kind, "detail": e.detail} for e in events]
    return out


def template_view(session: Session, inc: Incident) -> dict[str, Any]:
    """What message templates see: the incident and its alerts (cheaper than the full view)."""
    out = base_dict(inc)
    alerts = session.scalars(select(Alert).where(Alert.incident_id == inc.id).order_by(Alert.id))
    out["alerts"] = [alert_dict(a) for a in alerts]
    return out
