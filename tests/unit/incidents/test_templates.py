"""Every stakeholder template renders for every kind of incident, drill ones marked."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from harness.incidents.db import Incident
from tests.unit.incidents.conftest import AUTH, ROOT, AppFactory, am_body

KINDS = [
    "page",
    "escalation",
    "acknowledged",
    "kickoff",
    "reminder",
    "internal_update",
    "executive_summary",
    "resolution",
]
CUSTOMER = ["investigating", "identified", "monitoring", "resolved"]


def render_all(app: FastAPI, number: int) -> list[Any]:
    comms = app.state.service.comms
    rendered = []
    with app.state.sessions() as session:
        inc = session.get(Incident, number)
        person = {"id": "x", "name": "X", "email": "", "slack": ""}
        extra = {
            "target": person,
            "previous": person,
            "ack_timeout": "45 s",
            "reminder": {"what": "customer update", "due_at": "now", "every_minutes": 20},
        }
        # Kick-offs and cadence reminders exist only for incidents with a war room.
        kinds = KINDS if inc.war_room else [k for k in KINDS if k not in {"kickoff", "reminder"}]
        for kind in kinds:
            template = comms.channels.template_for(kind, None)
            rendered.append(comms.templates.render(template, comms.context(session, inc, extra)))
        for status in CUSTOMER:
            template = comms.channels.template_for("customer_update", status)
            rendered.append(
                comms.templates.render(
                    template, comms.context(session, inc, {"customer_status": status})
                )
            )
    return rendered


@pytest.mark.parametrize("severity", ["critical", "warning"])  # with and without a war room
@pytest.mark.parametrize("drill", [True, False])
def test_every_template_renders(make_app: AppFactory, severity: str, drill: bool) -> None:
    app = make_app()
    with TestClient(app) as client:
        if drill:
            client.post("/api/v1/drills", json={"drill_id": "d"}, headers=AUTH)
        client.post("/api/v1/alerts/alertmanager", json=am_body(severity=severity), headers=AUTH)
        for message in render_all(app, 1):
            assert message.subject and message.text
            assert "\n" not in message.subject
            assert message.subject.startswith("[DRILL] ") is drill
            assert message.text.startswith("[DRILL] ") is drill


def test_templates_live_in_ops_notifications() -> None:
    folder = ROOT / "ops" / "notifications"
    names = {p.name for p in folder.glob("*.j2")}
    for needed in [
        "oncall_page.j2",
        "war_room_kickoff.j2",
        "internal_update.j2",
        "executive_summary.j2",
        "customer_investigating.j2",
        "customer_identified.j2",
        "customer_monitoring.j2",
        "customer_resolved.j2",
        "resolution_notice.j2",
    ]:
        assert needed in names
