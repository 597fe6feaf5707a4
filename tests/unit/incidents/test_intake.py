"""Alert intake: severity mapping, dedupe by group and fingerprint, auto-resolve policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from harness.incidents import intake
from harness.incidents.schemas import AlertmanagerWebhook, GenericAlert, PagerDutyEvent
from tests.unit.incidents.conftest import AUTH, AppFactory, am_body


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"severity": "critical"}, "SEV1"),
        ({"severity": "critical", "sev": "SEV2"}, "SEV2"),
        ({"severity": "warning", "sev": "1"}, "SEV1"),
        ({"severity": "error"}, "SEV2"),
        ({"severity": "warning"}, "SEV3"),
        ({"severity": "info"}, "SEV4"),
        ({"severity": "bogus"}, "SEV3"),
        ({}, "SEV3"),
        ({"incident_severity": "sev4", "severity": "critical"}, "SEV4"),
    ],
)
def test_severity_mapping(labels: dict[str, str], expected: str) -> None:
    assert intake.severity_from_labels(labels) == expected


def test_alertmanager_zero_end_time_means_no_end() -> None:
    events = intake.from_alertmanager(AlertmanagerWebhook.model_validate(am_body()))
    assert events[0].ends_at is None
    assert events[0].starts_at == datetime(2026, 1, 5, 10, 0, 0, 123000, tzinfo=UTC)
    assert events[0].runbook_url == "ops/runbooks/server-down.md"
    assert events[0].group_key.startswith("am:")


def test_repeats_update_one_incident(client: TestClient) -> None:
    for _ in range(5):
        answer = client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        assert answer.status_code == 200
    incidents = client.get("/api/v1/incidents").json()
    assert len(incidents) == 1
    assert incidents[0]["alerts"][0]["repeats"] == 4
    assert incidents[0]["severity"] == "SEV1"


def test_distinct_groups_open_distinct_incidents(client: TestClient) -> None:
    client.post("/api/v1/alerts/alertmanager", json=am_body("ApiDown"), headers=AUTH)
    client.post(
        "/api/v1/alerts/alertmanager",
        json=am_body("DatabaseUnreachable", service="db", fingerprint="fp-db"),
        headers=AUTH,
    )
    assert [i["title"] for i in client.get("/api/v1/incidents").json()] == [
        "DatabaseUnreachable on db",
        "ApiDown on api",
    ]


def test_second_alert_in_a_group_joins_the_incident(client: TestClient) -> None:
    body = am_body()
    second = dict(
        body["alerts"][0],
        fingerprint="fp-2",
        labels={**body["alerts"][0]["labels"], "instance": "api-2"},
    )
    body["alerts"].append(second)
    result = client.post("/api/v1/alerts/alertmanager", json=body, headers=AUTH).json()
    assert result["created"] == ["INC-1"]
    assert len(client.get("/api/v1/incidents/INC-1").json()["alerts"]) == 2


def test_resolved_alert_annotates_a_real_incident_by_default(client: TestClient) -> None:
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    client.post("/api/v1/alerts/alertmanager", json=am_body(status="resolved"), headers=AUTH)
    inc = client.get("/api/v1/incidents/INC-1").json()
    assert inc["status"] == "triggered"
    kinds = [e["kind"] for e in inc["timeline"]]
    assert "alert_resolved" in kinds and "alerts_resolved" in kinds


def test_resolved_alert_resolves_a_drill_incident(client: TestClient) -> None:
    client.post("/api/v1/drills", json={"drill_id": "d-1", "scenario": "server-down"}, headers=AUTH)
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    client.post("/api/v1/alerts/alertmanager", json=am_body(status="resolved"), headers=AUTH)
    inc = client.get("/api/v1/incidents/INC-1").json()
    assert inc["status"] == "resolved" and inc["is_drill"] and inc["drill_id"] == "d-1"
    assert inc["acknowledged_at"] is None, "automation must not fake an acknowledgement"
    assert inc["mitigated_at"] is not None


def test_configured_auto_resolve_for_real_incidents(make_app: AppFactory) -> None:
    with TestClient(make_app(auto_resolve="resolve")) as client:
        client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        client.post("/api/v1/alerts/alertmanager", json=am_body(status="resolved"), headers=AUTH)
        assert client.get("/api/v1/incidents/INC-1").json()["status"] == "resolved"
        # The group fires again after resolution: a new incident, not a reopened one.
        result = client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH).json()
        assert result["created"] == ["INC-2"]


def test_resolve_for_unknown_group_opens_nothing(client: TestClient) -> None:
    result = client.post(
        "/api/v1/alerts/alertmanager", json=am_body(status="resolved"), headers=AUTH
    ).json()
    assert result["incidents"] == []
    assert client.get("/api/v1/incidents").json() == []


def test_severity_rises_with_a_worse_alert(client: TestClient) -> None:
    client.post("/api/v1/alerts/alertmanager", json=am_body(severity="warning"), headers=AUTH)
    inc = client.get("/api/v1/incidents/INC-1").json()
    assert inc["severity"] == "SEV3" and inc["war_room"] == {}
    body = am_body(severity="critical", fingerprint="fp-worse")
    client.post("/api/v1/alerts/alertmanager", json=body, headers=AUTH)
    inc = client.get("/api/v1/incidents/INC-1").json()
    assert inc["severity"] == "SEV1" and inc["war_room"]["channel"].startswith("#inc-1-")


def test_generic_alert_and_dedup_key(client: TestClient) -> None:
    body = {"name": "DiskFull", "severity": "SEV2", "service": "db", "dedup_key": "disk-db"}
    first = client.post("/api/v1/alerts", json=body, headers=AUTH).json()
    again = client.post("/api/v1/alerts", json={**body, "summary": "still"}, headers=AUTH).json()
    assert first["created"] == ["INC-1"] and again["created"] == []
    assert client.get("/api/v1/incidents/INC-1").json()["severity"] == "SEV2"
    event = intake.from_generic(GenericAlert(name="X", severity="warning"))
    assert event.severity == "SEV3"


def test_pagerduty_shaped_events(client: TestClient) -> None:
    trigger = {
        "routing_key": "k",
        "event_action": "trigger",
        "dedup_key": "pd-1",
        "payload": {"summary": "Checkout failing", "source": "api", "severity": "error"},
    }
    answer = client.post("/api/v1/alerts/pagerduty", json=trigger, headers=AUTH)
    assert answer.status_code == 202
    assert answer.json() == {"status": "success", "message": "Event processed", "dedup_key": "pd-1"}
    ack = {"routing_key": "k", "event_action": "acknowledge", "dedup_key": "pd-1"}
    assert client.post("/api/v1/alerts/pagerduty", json=ack, headers=AUTH).status_code == 202
    assert client.get("/api/v1/incidents/INC-1").json()["status"] == "acknowledged"
    bad = client.post("/api/v1/alerts/pagerduty", json={"event_action": "resolve"}, headers=AUTH)
    assert bad.status_code == 400 and bad.json()["status"] == "invalid event"
    no_key = client.post(
        "/api/v1/alerts/pagerduty", json={**trigger, "dedup_key": ""}, headers=AUTH
    ).json()
    assert len(no_key["dedup_key"]) == 32
    event = intake.from_pagerduty(PagerDutyEvent.model_validate(trigger), "pd-1")
    assert event.severity == "SEV2"
