"""The public status page: HTML for people, Statuspage's summary.json shape for machines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.incidents.clock import iso
from harness.incidents.db import Incident, StatusUpdate
from harness.incidents.notify import StatusPagePolicy

RANK = ["operational", "degraded_performance", "partial_outage", "major_outage"]
INDICATOR = {
    "operational": "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
# Statuspage's own page-level descriptions, by indicator.
DESCRIPTION = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
IMPACT = {"SEV1": "critical", "SEV2": "major", "SEV3": "minor", "SEV4": "minor"}
PAGE_ID = "drill"


def _public(session: Session, limit: int) -> list[tuple[Incident, list[StatusUpdate]]]:
    """Incidents that told customers something, newest first."""
    incidents = session.scalars(
        select(Incident)
        .where(
            Incident.id.in_(
                select(StatusUpdate.incident_id).where(StatusUpdate.audience == "customer")
            )
        )
        .order_by(Incident.id.desc())
        .limit(limit)
    )
    out = []
    for inc in incidents:
        updates = session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.incident_id == inc.id, StatusUpdate.audience == "customer")
            .order_by(StatusUpdate.id.desc())
        )
        out.append((inc, list(updates)))
    return out


def _component_status(policy: StatusPagePolicy, open_incidents: list[Incident]) -> dict[str, str]:
    status = {c.id: "operational" for c in policy.components}
    for inc in open_incidents:
        if inc.status == "mitigated":
            continue
        impact = policy.impact.get(inc.severity, "major_outage")
        for component in policy.components:
            if inc.service in component.services and RANK.index(impact) > RANK.index(
                status[component.id]
            ):
                status[component.id] = impact
    return status


def summary(
    session: Session, policy: StatusPagePolicy, public_url: str, now: datetime
) -> dict[str, Any]:
    listed = _public(session, 50)
    active = [(inc, ups) for inc, ups in listed if inc.status != "resolved"]
    status = _component_status(policy, [inc for inc, _ in active])
    worst = max(status.values(), key=RANK.index, default="operational")
    indicator = INDICATOR[worst]
    components = [
        _component(c.id, c.name, status[c.id], i, policy, now)
        for i, c in enumerate(policy.components, start=1)
    ]
    return {
        "page": {
            "id": PAGE_ID,
            "name": policy.name,
            "url": f"{public_url.rstrip('/')}/status",
            "time_zone": "Etc/UTC",
            "updated_at": iso(now),
        },
        "status": {"indicator": indicator, "description": DESCRIPTION[indicator]},
        "components": components,
        "incidents": [_incident(inc, ups, policy, status, public_url) for inc, ups in active],
        "scheduled_maintenances": [],
    }


def _component(
    cid: str, name: str, status: str, position: int, policy: StatusPagePolicy, now: datetime
) -> dict[str, Any]:
    return {
        "id": cid,
        "name": name,
        "status": status,
        "created_at": iso(now),
        "updated_at": iso(now),
        "position": position,
        "description": None,
        "showcase": True,
        "start_date": None,
        "group_id": None,
        "page_id": PAGE_ID,
        "group": False,
        "only_show_if_degraded": False,
    }


def _incident(
    inc: Incident,
    updates: list[StatusUpdate],
    policy: StatusPagePolicy,
    status: dict[str, str],
    public_url: str,
) -> dict[str, Any]:
    hit = [c for c in policy.components if inc.service in c.services]
    latest = updates[0] if updates else None
    monitoring = next((u.at for u in updates if u.customer_status == "monitoring"), None)
    return {
        "id": f"INC-{inc.id}",
        "name": inc.comms.get("public_name") or inc.title,
        "status": latest.customer_status if latest else "investigating",
        "created_at": iso(inc.created_at),
        "updated_at": iso(latest.at if latest else None),
        "monitoring_at": iso(monitoring),
        "resolved_at": iso(inc.resolved_at),
        "impact": IMPACT.get(inc.severity, "minor"),
        "shortlink": f"{public_url.rstrip('/')}/status#INC-{inc.id}",
        "started_at": iso(inc.created_at),
        "page_id": PAGE_ID,
        "incident_updates": [
            {
                "id": f"INC-{inc.id}-{u.id}",
                "status": u.customer_status,
                "body": u.text,
                "incident_id": f"INC-{inc.id}",
                "created_at": iso(u.at),
                "updated_at": iso(u.at),
                "display_at": iso(u.at),
                "affected_components": [
                    {
                        "code": c.id,
                        "name": c.name,
                        "old_status": "operational",
                        "new_status": status.get(c.id, "operational"),
                    }
                    for c in hit
                ],
                "deliver_notifications": not inc.is_drill,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for u in updates
        ],
        "components": [
            {
                "id": c.id,
                "name": c.name,
                "status": status.get(c.id, "operational"),
                "page_id": PAGE_ID,
            }
            for c in hit
        ],
    }


def page_context(
    session: Session, policy: StatusPagePolicy, public_url: str, now: datetime
) -> dict[str, Any]:
    data = summary(session, policy, public_url, now)
    recent = [
        _incident(inc, ups, policy, {}, public_url)
        for inc, ups in _public(session, 20)
        if inc.status == "resolved"
    ][:10]
    return {"summary": data, "recent": recent}
