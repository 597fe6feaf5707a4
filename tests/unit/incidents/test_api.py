"""REST API: auth, lifecycle, roles, updates, drills, status page, metrics, on-call."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.unit.incidents.conftest import AUTH, AppFactory, am_body

WRITES = [
    ("/api/v1/alerts/alertmanager", am_body()),
    ("/api/v1/alerts", {"name": "X"}),
    (
        "/api/v1/alerts/pagerduty",
        {
            "event_action": "trigger",
            "routing_key": "k",
            "payload": {"summary": "s", "source": "a", "severity": "info"},
        },
    ),
    ("/api/v1/incidents/INC-1/ack", {"by": "x"}),
    ("/api/v1/incidents/INC-1/resolve", {"by": "x"}),
    ("/api/v1/incidents/INC-1/status", {"status": "mitigated"}),
    ("/api/v1/incidents/INC-1/updates", {"text": "hello"}),
    ("/api/v1/incidents/INC-1/roles", {"role": "scribe", "person": "chen"}),
    ("/api/v1/drills", {"drill_id": "d"}),
    ("/api/v1/drills/d/end", None),
]


@pytest.mark.parametrize(("path", "body"), WRITES)
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}]
)
def test_writes_need_the_bearer_token(
    client: TestClient, path: str, body: object, headers: dict[str, str]
) -> None:
    answer = client.post(path, json=body, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_empty_configured_token_refuses_everything(make_app: AppFactory) -> None:
    with TestClient(make_app(api_token="")) as client:
        answer = client.post(
            "/api/v1/alerts/alertmanager", json=am_body(), headers={"Authorization": "Bearer "}
        )
        assert answer.status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/status",
        "/api/v2/summary.json",
        "/metrics",
        "/api/v1/incidents",
        "/api/v1/alerts",
        "/api/v1/oncall",
        "/openapi.json",
    ],
)
def test_reads_are_public(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_lifecycle_forward_only(client: TestClient) -> None:
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    inc = client.post("/api/v1/incidents/INC-1/ack", json={"by": "amara"}, headers=AUTH).json()
    assert inc["status"] == "acknowledged" and inc["acknowledged_by"] == "amara"
    again = client.post("/api/v1/incidents/INC-1/ack", json={"by": "bruno"}, headers=AUTH).json()
    assert again["acknowledged_by"] == "amara", "a second ack changes nothing"
    inc = client.post(
        "/api/v1/incidents/INC-1/status", json={"status": "mitigated"}, headers=AUTH
    ).json()
    assert inc["mitigated_at"] is not None
    back = client.post("/api/v1/incidents/INC-1/status", json={"status": "triggered"}, headers=AUTH)
    assert back.status_code == 409
    inc = client.post("/api/v1/incidents/INC-1/resolve", json={"by": "amara"}, headers=AUTH).json()
    assert inc["status"] == "resolved" and inc["resolved_by"] == "amara"
    kinds = [e["kind"] for e in inc["timeline"]]
    for kind in (
        "incident_opened",
        "oncall_paged",
        "war_room_opened",
        "status_acknowledged",
        "status_mitigated",
        "status_resolved",
        "customer_update",
    ):
        assert kind in kinds
    at = [e["at"] for e in inc["timeline"]]
    assert at == sorted(at) and all(a.endswith("Z") for a in at)


def test_resolving_straight_from_triggered_acknowledges_for_a_person(client: TestClient) -> None:
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    inc = client.post("/api/v1/incidents/INC-1/resolve", json={"by": "dana"}, headers=AUTH).json()
    assert inc["acknowledged_at"] is not None and inc["resolved_at"] is not None


def test_unknown_incident_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/incidents/INC-99").status_code == 404
    assert client.post("/api/v1/incidents/INC-99/ack", headers=AUTH).status_code == 404
    assert client.get("/api/v1/incidents/nonsense").status_code == 422


def test_roles_and_updates(client: TestClient) -> None:
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    inc = client.get("/api/v1/incidents/INC-1").json()
    assert set(inc["roles"]) == {
        "incident_commander",
        "communications_lead",
        "operations_lead",
        "scribe",
    }
    assert len({p["id"] for p in inc["roles"].values()}) == 4
    inc = client.post(
        "/api/v1/incidents/INC-1/roles", json={"role": "scribe", "person": "bruno"}, headers=AUTH
    ).json()
    assert inc["roles"]["scribe"]["name"] == "Bruno Costa"
    inc = client.post(
        "/api/v1/incidents/INC-1/updates",
        json={
            "text": "Root cause: API container died.",
            "audience": "customer",
            "customer_status": "identified",
        },
        headers=AUTH,
    ).json()
    assert inc["updates"][-1]["customer_status"] == "identified"
    assert "Root cause" in inc["updates"][-1]["text"]
    inc = client.post(
        "/api/v1/incidents/INC-1/updates",
        json={"text": "Board informed", "audience": "executive"},
        headers=AUTH,
    ).json()
    assert [n["kind"] for n in inc["notifications"]][-1] == "executive_summary"


def test_drill_registration_links_incidents(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/drills",
        json={
            "drill_id": "20261204T101500Z-server-down",
            "scenario": "server-down",
            "started_at": "2026-12-04T10:15:00Z",
        },
        headers=AUTH,
    )
    assert answer.status_code == 201
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    client.post("/api/v1/drills/20261204T101500Z-server-down/end", headers=AUTH)
    client.post(
        "/api/v1/alerts/alertmanager",
        json=am_body("DatabaseUnreachable", fingerprint="db"),
        headers=AUTH,
    )
    drill = client.get("/api/v1/incidents", params={"drill_id": "20261204T101500Z-server-down"})
    assert [i["id"] for i in drill.json()] == ["INC-1"]
    assert client.get("/api/v1/incidents/INC-2").json()["is_drill"] is False
    assert client.post("/api/v1/drills/nope/end", headers=AUTH).status_code == 404


def test_status_page_summary_shape(client: TestClient) -> None:
    empty = client.get("/api/v2/summary.json").json()
    assert set(empty) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert empty["status"] == {"indicator": "none", "description": "All Systems Operational"}
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    data = client.get("/api/v2/summary.json").json()
    assert data["status"]["indicator"] == "critical"
    api = next(c for c in data["components"] if c["id"] == "api")
    assert api["status"] == "major_outage"
    incident = data["incidents"][0]
    for key in (
        "id",
        "name",
        "status",
        "created_at",
        "updated_at",
        "monitoring_at",
        "resolved_at",
        "impact",
        "shortlink",
        "started_at",
        "page_id",
        "incident_updates",
        "components",
    ):
        assert key in incident
    assert incident["status"] == "investigating" and incident["impact"] == "critical"
    assert incident["incident_updates"][0]["body"].startswith("We are investigating")
    html = client.get("/status").text
    assert "Shop API" in html and "We are investigating" in html
    page = client.get("/war-rooms/INC-1")
    assert page.status_code == 200 and "#inc-1-apidown-on-api" in page.text


def test_metrics_keep_drills_out_of_real_series(client: TestClient) -> None:
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    client.post("/api/v1/drills", json={"drill_id": "d"}, headers=AUTH)
    client.post("/api/v1/alerts/alertmanager", json=am_body("Other", fingerprint="o"), headers=AUTH)
    client.post("/api/v1/incidents/INC-2/ack", headers=AUTH)
    text = client.get("/metrics").text
    assert 'incidents{severity="SEV1",status="triggered"} 1.0' in text
    assert 'incidents_drill{severity="SEV1",status="acknowledged"} 1.0' in text
    assert "incidents_drill_time_to_acknowledge_seconds_count 1.0" in text
    assert "incidents_time_to_acknowledge_seconds_count 0.0" in text
    assert 'incidents_alerts_received_total{source="alertmanager"} 2.0' in text


def test_oncall_endpoint(client: TestClient) -> None:
    data = client.get("/api/v1/oncall").json()
    assert data["now"]["primary"]["id"] != data["now"]["secondary"]["id"]
    assert data["next"]["primary"]["id"] == data["now"]["secondary"]["id"]
