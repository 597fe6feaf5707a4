"""War rooms: Slack-valid channel names, roles from the rotation, communication cadence."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from harness.incidents.clock import iso
from harness.incidents.db import Incident
from harness.incidents.oncall import Cadence, Engineer, Roster

SLACK_NAME_MAX = 80
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")


def channel_name(number: int, title: str) -> str:
    """`#inc-<n>-<slug>`: Slack allows lowercase letters, digits, '-' and '_', 80 at most."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NOT_ALLOWED.sub("-", ascii_title.lower()).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)
    name = f"inc-{number}" + (f"-{slug}" if slug else "")
    return "#" + name[:SLACK_NAME_MAX].rstrip("-_")


def person(engineer: Engineer) -> dict[str, str]:
    return {
        "id": engineer.id,
        "name": engineer.name,
        "email": engineer.email,
        "slack": engineer.slack,
    }


def open_war_room(roster: Roster, inc: Incident, now: datetime, public_url: str) -> None:
    roles = roster.war_room_roles(now)
    inc.roles = {role: person(engineer) for role, engineer in roles.items()}
    cadence = roster.cadence(inc.severity)
    inc.war_room = {
        "channel": channel_name(inc.id, inc.title),
        "url": f"{public_url.rstrip('/')}/war-rooms/INC-{inc.id}",
        "opened_at": iso(now),
        "cadence_minutes": cadence.model_dump(),
        "clock_scale": inc.clock_scale,
    }


@dataclass(frozen=True)
class Reminder:
    what: str  # first customer post | customer update | internal summary
    key: str
    due_at: datetime
    every_minutes: float

    def context(self) -> dict[str, Any]:
        return {"what": self.what, "due_at": iso(self.due_at), "every_minutes": self.every_minutes}


def _minutes(value: float, scale: float) -> timedelta:
    return timedelta(minutes=value / scale)


def due_reminders(inc: Incident, cadence: Cadence, now: datetime) -> list[Reminder]:
    """Updates that are overdue and not yet reminded about (one reminder per due time)."""
    comms = inc.comms or {}
    scale = inc.clock_scale or 1.0
    created = inc.created_at
    last_customer = _parse(comms.get("last_customer_post_at"))
    last_internal = _parse(comms.get("last_internal_post_at"))
    wanted: list[Reminder] = []
    if last_customer is None:
        due = created + _minutes(cadence.first_customer_post, scale)
        wanted.append(Reminder("first customer post", "customer", due, cadence.first_customer_post))
    else:
        due = last_customer + _minutes(cadence.external_update, scale)
        wanted.append(Reminder("customer update", "customer", due, cadence.external_update))
    base = last_internal or created
    due = base + _minutes(cadence.internal_summary, scale)
    wanted.append(Reminder("internal summary", "internal", due, cadence.internal_summary))
    reminded = comms.get("reminded", {})
    return [r for r in wanted if r.due_at <= now and reminded.get(r.key) != iso(r.due_at)]


def _parse(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
