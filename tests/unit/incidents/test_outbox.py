"""The outbox: outages, 429 + Retry-After, 400s; everything delivered once, none doubled."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from harness.incidents.app import create_app
from harness.incidents.channels.base import parse_retry_after
from harness.incidents.config import ServiceSettings
from tests.fakes.base import FakeState, Running
from tests.fakes.pagerduty import FakePagerDuty
from tests.unit.incidents.conftest import AUTH, ROOT, ROUTING_KEY, TOKEN, AppFactory, Fakes, am_body

PD_RATE = {
    "status": "throttle event",
    "message": "Requests for this service are arriving too quickly.  Please retry later.",
}


def notifications(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/api/v1/incidents/INC-1").json()["notifications"]  # type: ignore[no-any-return]


def test_retry_after_is_honoured(fakes: Fakes, make_app: AppFactory) -> None:
    fakes.pagerduty.state.script.append((429, {"Retry-After": "7"}, PD_RATE))
    app = make_app()
    with TestClient(app) as client:
        client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        app.state.outbox.process_all()
        page = next(n for n in notifications(client) if n["channel"] == "pagerduty")
        assert page["status"] == "pending" and page["attempts"] == 1
        fakes.clock.advance(6.9)
        app.state.outbox.process_all()
        assert len(fakes.pagerduty.state.requests) == 1, "retried before Retry-After"
        fakes.clock.advance(0.2)
        app.state.outbox.process_all()
        page = next(n for n in notifications(client) if n["channel"] == "pagerduty")
        assert page["status"] == "delivered" and page["attempts"] == 2
        assert len(fakes.pagerduty.accepted) == 1
        timeline = client.get("/api/v1/incidents/INC-1").json()["timeline"]
        failed = [e for e in timeline if e["kind"] == "notification_attempt_failed"]
        assert failed[0]["detail"]["status_code"] == 429
        assert failed[0]["detail"]["retry_in_s"] == 7


def test_thirty_second_outage_loses_and_doubles_nothing(fakes: Fakes, make_app: AppFactory) -> None:
    until = fakes.clock.now() + timedelta(seconds=30)
    for fake in (fakes.slack, fakes.pagerduty, fakes.jira, fakes.statuspage):
        fake.state.outage_until = until
    app = make_app()
    with TestClient(app) as client:
        client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        client.post("/api/v1/incidents/INC-1/ack", headers=AUTH)
        for _ in range(200):  # 100 simulated seconds at most
            app.state.outbox.process_all()
            if app.state.outbox.pending() == 0:
                break
            fakes.clock.advance(0.5)
        items = notifications(client)
        assert {n["status"] for n in items} == {"delivered"}
        assert fakes.clock.now() >= until
        assert max(n["attempts"] for n in items) > 1
    assert [e["event_action"] for e in fakes.pagerduty.accepted] == ["trigger", "acknowledge"]
    assert len(fakes.jira.issues) == 1
    assert len(fakes.statuspage.incidents) == 1
    assert len(fakes.slack.channels) == 1
    slack_items = [n for n in items if n["channel"] == "slack"]
    assert len(fakes.slack.webhook_messages) == len(slack_items)
    war_room_items = [n for n in items if n["channel"] == "slack_war_room"]
    assert len(fakes.slack.posts) == len(war_room_items)


def test_a_400_is_not_retried(fakes: Fakes, make_app: AppFactory) -> None:
    fakes.pagerduty.state.script.append(
        (400, {}, {"status": "invalid event", "message": "Event object is invalid"})
    )
    app = make_app()
    with TestClient(app) as client:
        client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        for _ in range(20):
            app.state.outbox.process_all()
            fakes.clock.advance(30)
        page = next(n for n in notifications(client) if n["channel"] == "pagerduty")
        assert page["status"] == "failed" and page["attempts"] == 1
        assert "HTTP 400" in page["last_error"]
        assert len(fakes.pagerduty.state.requests) == 1
        kinds = [e["kind"] for e in client.get("/api/v1/incidents/INC-1").json()["timeline"]]
        assert "notification_failed" in kinds
        # The failure stays with its channel: every other channel delivered.
        others = [n for n in notifications(client) if n["channel"] != "pagerduty"]
        assert {n["status"] for n in others} == {"delivered"}


def test_backoff_is_exponential_and_capped(fakes: Fakes, make_app: AppFactory) -> None:
    app = make_app()
    outbox = app.state.outbox
    from harness.incidents.channels import Delivery

    later = Delivery.later("boom")
    assert [outbox.backoff(n, later) for n in (1, 2, 3, 4, 5, 6, 7)] == [0.5, 1, 2, 4, 8, 10, 10]
    assert outbox.backoff(1, Delivery.later("x", 429, 1000)) == 300


def test_retry_after_formats() -> None:
    assert parse_retry_after("12") == 12
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.timeout(60)
def test_real_short_outage_with_background_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real PagerDuty fake goes away for 3 s while the workers run on the real clock."""
    fake = FakePagerDuty(FakeState())
    server = Running(fake.app).start()
    monkeypatch.setenv("DRILL_PAGERDUTY_ROUTING_KEY", ROUTING_KEY)
    monkeypatch.setenv("DRILL_PAGERDUTY_URL", f"{server.url}/v2/enqueue")
    settings = ServiceSettings(
        db_url=f"sqlite:///{tmp_path / 'i.db'}",
        ops_dir=ROOT / "ops",
        api_token=TOKEN,
        workers=True,
        tick_s=0.2,
    )
    server.stop()
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
            time.sleep(3)
            page = next(n for n in notifications(client) if n["channel"] == "pagerduty")
            assert page["status"] == "pending" and page["attempts"] >= 2
            server.start()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                page = next(n for n in notifications(client) if n["channel"] == "pagerduty")
                if page["status"] == "delivered":
                    break
                time.sleep(0.1)
            assert page["status"] == "delivered"
            assert len(fake.accepted) == 1
            local = next(n for n in notifications(client) if n["channel"] == "local")
            assert local["status"] == "delivered" and local["attempts"] == 1
    finally:
        server.stop()
