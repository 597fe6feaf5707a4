"""Turn an incident event into rendered messages queued in the outbox, one per channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from harness.incidents.channels import Message
from harness.incidents.clock import iso
from harness.incidents.db import Incident, OutboxItem, StatusUpdate, TimelineEvent
from harness.incidents.notify import Channels
from harness.incidents.oncall import Roster
from harness.incidents.templating import Templates
from harness.incidents.views import template_view
from harness.incidents.warroom import person


def add_event(session: Session, inc: Incident, at: datetime, event: str, **detail: Any) -> None:
    session.add(TimelineEvent(incident_id=inc.id, at=at, kind=event, detail=detail))


class Communicator:
    def __init__(
        self, *, channels: Channels, templates: Templates, roster: Roster, public_url: str
    ) -> None:
        self.channels = channels
        self.templates = templates
        self.roster = roster
        self.public_url = public_url.rstrip("/")
        self.to_wake: set[str] = set()

    def components(self, inc: Incident, *, healthy: bool) -> dict[str, str]:
        policy = self.channels.config.status_page
        impact = "operational" if healthy else policy.impact.get(inc.severity, "major_outage")
        hit = [c.id for c in policy.components if inc.service in c.services]
        return dict.fromkeys(hit, impact)

    def component_names(self, inc: Incident) -> str:
        policy = self.channels.config.status_page
        return ", ".join(c.name for c in policy.components if inc.service in c.services)

    def links(self, inc: Incident) -> dict[str, str]:
        return {
            "incident": f"{self.public_url}/api/v1/incidents/INC-{inc.id}",
            "war_room": inc.war_room.get("url", f"{self.public_url}/war-rooms/INC-{inc.id}"),
            "status_page": f"{self.public_url}/status",
            "runbook": inc.runbook_url,
            "dashboard": inc.dashboard_url or self.roster.war_room.links.get("dashboard", ""),
        }

    def context(self, session: Session, inc: Incident, extra: dict[str, Any]) -> dict[str, Any]:
        on_call = self.roster.on_call(inc.created_at)
        # No autoflush: the rows queued so far in this transaction go out in one batch at
        # commit, which is most of what opening an incident costs.
        with session.no_autoflush:
            incident = template_view(session, inc)
        context: dict[str, Any] = {
            "incident": incident,
            "on_call": {role: person(e) for role, e in on_call.items()},
            "roles": inc.roles or {},
            "war_room": inc.war_room or {},
            "links": self.links(inc),
            "cadence": self.roster.cadence(inc.severity).model_dump(),
            "clock_scale": inc.clock_scale,
            "component_names": self.component_names(inc),
            "customer_posts": (inc.comms or {}).get("customer_posts", 0),
            "update": None,
            "escalated": False,
            "target": person(on_call["primary"]),
            "previous": person(on_call["primary"]),
            "ack_timeout": "",
            "reminder": {},
        }
        context.update(extra)
        return context

    def enqueue(
        self, session: Session, inc: Incident, kind: str, now: datetime, **extra: Any
    ) -> list[str]:
        """Render `kind` once and queue it on every channel that takes it."""
        channels = self.channels.for_kind(kind)
        if not channels:
            return []
        customer_status = extra.get("customer_status")
        template = self.channels.template_for(kind, customer_status)
        rendered = self.templates.render(template, self.context(session, inc, extra))
        healthy = inc.status in {"mitigated", "resolved"} or customer_status == "resolved"
        message = Message(
            kind=kind,
            incident=f"INC-{inc.id}",
            number=inc.id,
            subject=rendered.subject,
            text=rendered.text,
            context=rendered.context,
            is_drill=inc.is_drill,
            severity=inc.severity,
            status=inc.status,
            service=inc.service,
            customer_status=customer_status,
            url=self.links(inc)["incident"],
            war_room_channel=inc.war_room.get("channel", ""),
            components=self.components(inc, healthy=healthy),
            recipients=[extra["target"]] if "target" in extra else [],
            links=self.links(inc),
            dedup_key=f"drill/INC-{inc.id}/{iso(inc.created_at)}",
        )
        names = [c.name for c in channels]
        for name in names:
            session.add(
                OutboxItem(
                    incident_id=inc.id,
                    channel=name,
                    kind=kind,
                    message=message.model_dump(),
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        add_event(session, inc, now, "notification_queued", kind=kind, channels=names)
        self.to_wake.update(names)
        return names

    def customer_update(
        self,
        session: Session,
        inc: Incident,
        now: datetime,
        status: str,
        text: str = "",
        by: str = "automation",
    ) -> None:
        """A status-page post: our own page always, Statuspage and friends when live."""
        update = {"text": text} if text else None
        template = self.channels.template_for("customer_update", status)
        rendered = self.templates.render(
            template, self.context(session, inc, {"customer_status": status, "update": update})
        )
        session.add(
            StatusUpdate(
                incident_id=inc.id,
                at=now,
                audience="customer",
                customer_status=status,
                text=rendered.text,
                author=by,
            )
        )
        inc.comms = {
            **(inc.comms or {}),
            "last_customer_post_at": iso(now),
            "customer_status": status,
            "public_name": (inc.comms or {}).get("public_name") or rendered.subject,
        }
        add_event(session, inc, now, "customer_update", status=status, by=by)
        self.enqueue(session, inc, "customer_update", now, customer_status=status, update=update)

    def internal_update(
        self, session: Session, inc: Incident, now: datetime, kind: str, text: str = ""
    ) -> None:
        inc.comms = {**(inc.comms or {}), "last_internal_post_at": iso(now)}
        self.enqueue(session, inc, kind, now, update={"text": text} if text else None)
