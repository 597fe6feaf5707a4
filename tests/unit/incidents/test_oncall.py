"""On-call rotation, overrides, escalation and the war-room cadence (on a manual clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from harness.errors import ConfigError
from harness.incidents.clock import ManualClock
from harness.incidents.oncall import load_roster
from tests.unit.incidents.conftest import AUTH, ROOT, AppFactory, am_body

ROSTER = load_roster(ROOT / "ops" / "oncall.yaml")
START = ROSTER.rotation.start


def test_five_engineers_rotate_weekly() -> None:
    assert len(ROSTER.engineers) == 5
    primaries = [
        ROSTER.on_call(START + timedelta(weeks=w, hours=1))["primary"].id for w in range(5)
    ]
    assert len(set(primaries)) == 5
    for week in range(10):
        at = START + timedelta(weeks=week, days=3)
        now = ROSTER.on_call(at)
        following = ROSTER.on_call(at + timedelta(weeks=1))
        assert now["secondary"].id == following["primary"].id or ROSTER.overrides


def test_override_replaces_primary_for_its_window() -> None:
    override = ROSTER.overrides[0]
    inside = override.start + (override.end - override.start) / 2
    assert ROSTER.on_call(inside)["primary"].id == override.engineer
    assert ROSTER.on_call(override.end + timedelta(minutes=1))["primary"].id != override.engineer


def test_war_room_roles_are_four_people() -> None:
    roles = ROSTER.war_room_roles(datetime(2026, 3, 1, tzinfo=UTC))
    assert set(roles) == {"incident_commander", "communications_lead", "operations_lead", "scribe"}
    assert len({e.id for e in roles.values()}) == 4


def test_bad_roster_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "oncall.yaml"
    path.write_text("rotation: {start: 2026-01-05T09:00:00Z}\nengineers: [{id: a, name: A}]\n")
    with pytest.raises(ConfigError, match="engineers"):
        load_roster(path)


def test_escalation_pages_the_secondary(make_app: AppFactory, clock: ManualClock) -> None:
    app = make_app()
    with TestClient(app) as client:
        client.post("/api/v1/drills", json={"drill_id": "d"}, headers=AUTH)
        client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        clock.advance(ROSTER.escalation.drill_ack_timeout_seconds - 1)
        app.state.service.tick()
        assert client.get("/api/v1/incidents/INC-1").json()["escalation_level"] == 0
        clock.advance(2)
        app.state.service.tick()
        app.state.service.tick()  # escalates once only
        inc = client.get("/api/v1/incidents/INC-1").json()
        escalations = [e for e in inc["timeline"] if e["kind"] == "escalated"]
        assert len(escalations) == 1
        secondary = ROSTER.on_call(datetime.fromisoformat(inc["created_at"]))["secondary"]
        assert escalations[0]["detail"]["engineer"] == secondary.id
        assert [n["kind"] for n in inc["notifications"]].count("escalation") == 1


def test_acknowledged_incident_does_not_escalate(make_app: AppFactory, clock: ManualClock) -> None:
    app = make_app()
    with TestClient(app) as client:
        client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        client.post("/api/v1/incidents/INC-1/ack", headers=AUTH)
        clock.advance(3600)
        app.state.service.tick()
        assert client.get("/api/v1/incidents/INC-1").json()["escalation_level"] == 0


def test_overdue_updates_are_reminded_on_a_scaled_drill_clock(
    make_app: AppFactory, clock: ManualClock
) -> None:
    app = make_app()
    with TestClient(app) as client:
        # x60: a 20-minute external cadence becomes 20 seconds.
        client.post("/api/v1/drills", json={"drill_id": "d", "clock_scale": 60}, headers=AUTH)
        client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        client.post("/api/v1/incidents/INC-1/ack", headers=AUTH)  # posts "identified"
        clock.advance(19)
        app.state.service.tick()
        inc = client.get("/api/v1/incidents/INC-1").json()
        assert not [e for e in inc["timeline"] if e["kind"] == "update_overdue"]
        clock.advance(2)
        app.state.service.tick()
        app.state.service.tick()
        inc = client.get("/api/v1/incidents/INC-1").json()
        overdue = [e for e in inc["timeline"] if e["kind"] == "update_overdue"]
        assert [e["detail"]["what"] for e in overdue] == ["customer update"]
        clock.advance(10)  # internal summary due 30 s after the opening summary
        app.state.service.tick()
        inc = client.get("/api/v1/incidents/INC-1").json()
        overdue = [e["detail"]["what"] for e in inc["timeline"] if e["kind"] == "update_overdue"]
        assert overdue == ["customer update", "internal summary"]
        assert [n["kind"] for n in inc["notifications"]].count("reminder") == 2
