"""Through the real stack: stop the API, get exactly one incident with a page, a war room
with four roles and a customer update; start the API and the incident resolves."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest

from harness import settings
from harness.incidents.client import IncidentClient
from harness.stack import Stack

T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout_s: float) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")


def api_down_incidents(client: IncidentClient, drill_id: str) -> list[dict[str, Any]]:
    return [
        i
        for i in client.list_incidents(drill_id=drill_id)
        if any(a["alertname"] == "ApiDown" for a in i["alerts"])
    ]


@pytest.mark.docker
@pytest.mark.timeout(300)
def test_api_down_opens_one_incident_and_resolves(stack: Stack) -> None:
    client = IncidentClient()
    assert client.healthy(), "the incidents container answers /healthz"
    drill_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-incident-service-test"
    client.register_drill(drill_id, "server-down", datetime.now(UTC))
    stack.compose("stop", "api", timeout=60)
    try:
        incident = wait_for(
            "an ApiDown incident",
            lambda: next(iter(api_down_incidents(client, drill_id)), None),
            90,
        )
        full = wait_for(
            "the page, war room and customer update",
            lambda: _complete(client.get(incident["id"])),
            60,
        )
        assert full["is_drill"] and full["severity"] == "SEV1"
        assert set(full["roles"]) == {
            "incident_commander",
            "communications_lead",
            "operations_lead",
            "scribe",
        }
        assert full["war_room"]["channel"].startswith(f"#inc-{full['id'].split('-')[1]}-")
        summary = httpx.get(f"{settings.url('incidents')}/api/v2/summary.json", timeout=5).json()
        public = next(i for i in summary["incidents"] if i["id"] == full["id"])
        assert public["incident_updates"] and public["status"] == "investigating"
        assert public["name"].startswith("[DRILL] ")
        time.sleep(6)  # Alertmanager repeats/regroups: still one incident
        assert len(api_down_incidents(client, drill_id)) == 1
    finally:
        stack.compose("start", "api", timeout=60)
    resolved = wait_for("the incident to resolve", lambda: _resolved(client, incident["id"]), 120)
    assert resolved["resolved_by"] == "alertmanager"
    assert len(api_down_incidents(client, drill_id)) == 1
    client.end_drill(drill_id)


def _complete(inc: dict[str, Any]) -> dict[str, Any] | None:
    paged = any(n["kind"] == "page" and n["status"] == "delivered" for n in inc["notifications"])
    customer = any(u["audience"] == "customer" for u in inc["updates"])
    return inc if paged and customer and inc["war_room"] and len(inc["roles"]) == 4 else None


def _resolved(client: IncidentClient, incident_id: str) -> dict[str, Any] | None:
    inc = client.get(incident_id)
    return inc if inc["status"] == "resolved" else None
