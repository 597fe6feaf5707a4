"""Every SaaS channel against its local fake: wire format field by field, real rules."""

from __future__ import annotations

import base64
import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from harness.incidents.channels import Message
from harness.incidents.channels.slack import blocks
from harness.incidents.warroom import channel_name
from tests.fakes.slack import block_errors
from tests.unit.incidents.conftest import AUTH, ROUTING_KEY, AppFactory, Fakes, am_body


def run_drill_incident(app: FastAPI, *, drill: bool = True) -> TestClient:
    client = TestClient(app)
    client.__enter__()
    if drill:
        client.post(
            "/api/v1/drills", json={"drill_id": "d-9", "scenario": "server-down"}, headers=AUTH
        )
    client.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    app.state.outbox.process_all()
    return client


def delivered(client: TestClient) -> list[dict[str, Any]]:
    inc = client.get("/api/v1/incidents/INC-1").json()
    return [n for n in inc["notifications"] if n["status"] == "delivered"]


def test_all_channels_live_from_environment(fakes: Fakes, make_app: AppFactory) -> None:
    app = make_app()
    assert set(app.state.channels.live) == {
        "local",
        "slack",
        "slack_war_room",
        "pagerduty",
        "jira",
        "statuspage",
    }
    assert "email" in app.state.channels.skipped and "webhook" in app.state.channels.skipped


def test_slack_webhook_block_kit(fakes: Fakes, make_app: AppFactory) -> None:
    client = run_drill_incident(make_app())
    assert fakes.slack.webhook_messages, "the page reached Slack"
    for message in fakes.slack.webhook_messages:
        assert block_errors(message) == []
        assert message["text"].startswith("[DRILL] ")
        header = message["blocks"][0]
        assert header["type"] == "header" and header["text"]["type"] == "plain_text"
        assert header["text"]["text"].startswith("[DRILL] ")
        section = message["blocks"][1]
        assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
        assert message["blocks"][-1]["type"] == "context"
    request = next(r for r in fakes.slack.state.requests if r.path.endswith("XXXX"))
    assert request.headers["content-type"].startswith("application/json")
    client.__exit__(None, None, None)


def test_block_limits_hold_for_huge_messages() -> None:
    message = Message(
        kind="page",
        incident="INC-1",
        number=1,
        subject="S" * 400,
        text=("line " * 300 + "\n") * 200,
        context="c" * 5000,
    )
    out: dict[str, Any] = {"text": message.subject, "blocks": blocks(message)}
    assert block_errors(out) == []
    assert len(out["blocks"]) <= 50
    assert len(out["blocks"][0]["text"]["text"]) == 150


def test_fake_slack_rejects_what_slack_rejects() -> None:
    assert block_errors({"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]})
    assert block_errors(
        {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}
    )
    assert block_errors({"blocks": [{"type": "divider"}] * 51})
    assert block_errors({}) == ["no_text"]


def test_war_room_in_slack(fakes: Fakes, make_app: AppFactory) -> None:
    client = run_drill_incident(make_app())
    assert list(fakes.slack.channels.values()) == ["inc-1-apidown-on-api"]
    creates = [r for r in fakes.slack.state.requests if r.path.endswith("conversations.create")]
    assert len(creates) == 1
    assert creates[0].headers["authorization"] == "Bearer xoxb-test"
    assert creates[0].body == {"name": "inc-1-apidown-on-api", "is_private": False}
    channel_id = next(iter(fakes.slack.channels))
    kickoff = fakes.slack.posts[0]
    assert kickoff["channel"] == channel_id
    assert "Incident Commander" in kickoff["blocks"][1]["text"]["text"]
    assert "ops/runbooks/server-down.md" in kickoff["blocks"][1]["text"]["text"]
    # Later war-room messages reuse the channel instead of creating another.
    client.post("/api/v1/incidents/INC-1/ack", headers=AUTH)
    client.app.state.outbox.process_all()  # type: ignore[attr-defined]
    assert len(fakes.slack.channels) == 1
    assert all(p["channel"] == channel_id for p in fakes.slack.posts)
    client.__exit__(None, None, None)


def test_slack_channel_names_follow_the_rules() -> None:
    for title in ["Shop API is DOWN!!", "Ünïcødé — latency 95th %ile", "x" * 300, "___", ""]:
        name = channel_name(12, title).lstrip("#")
        assert re.fullmatch(r"[a-z0-9_-]{1,80}", name), name
        assert name.startswith("inc-12")


def test_pagerduty_trigger_ack_resolve_share_one_dedup_key(
    fakes: Fakes, make_app: AppFactory
) -> None:
    client = run_drill_incident(make_app())
    client.post("/api/v1/incidents/INC-1/ack", json={"by": "chen"}, headers=AUTH)
    client.post("/api/v1/incidents/INC-1/resolve", json={"by": "chen"}, headers=AUTH)
    client.app.state.outbox.process_all()  # type: ignore[attr-defined]
    events = fakes.pagerduty.accepted
    assert [e["event_action"] for e in events] == ["trigger", "acknowledge", "resolve"]
    assert len({e["dedup_key"] for e in events}) == 1
    trigger = events[0]
    assert trigger["routing_key"] == ROUTING_KEY
    assert trigger["payload"]["severity"] == "critical"
    assert trigger["payload"]["summary"].startswith("[DRILL] SEV1 INC-1")
    assert trigger["payload"]["source"] == "api"
    assert trigger["payload"]["custom_details"]["drill"] is True
    assert "payload" not in events[1]
    assert len(fakes.pagerduty.alerts) == 1
    assert fakes.pagerduty.alerts[0].status == "resolved"
    client.__exit__(None, None, None)


def test_jira_issue_created_once(fakes: Fakes, make_app: AppFactory) -> None:
    client = run_drill_incident(make_app())
    assert len(fakes.jira.issues) == 1
    fields = fakes.jira.issues[0]["fields"]
    assert fields["project"] == {"key": "OPS"}
    assert fields["issuetype"] == {"name": "Task"}
    assert fields["summary"].startswith("[DRILL] SEV1 INC-1")
    assert isinstance(fields["description"], str) and "drill ack INC-1" in fields["description"]
    assert set(fields["labels"]) == {"incident", "sev1", "drill"}
    request = next(r for r in fakes.jira.state.requests)
    assert request.path.endswith("/rest/api/2/issue")
    expected = base64.b64encode(b"bot@shop.example:jira-token").decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    client.__exit__(None, None, None)


def test_statuspage_create_then_update(fakes: Fakes, make_app: AppFactory) -> None:
    client = run_drill_incident(make_app())
    assert len(fakes.statuspage.incidents) == 1
    create = fakes.statuspage.state.requests[0]
    assert create.method == "POST" and create.path.endswith("/v1/pages/pg1/incidents")
    assert create.headers["authorization"] == "OAuth sp-key"
    body = create.body["incident"]
    assert body["status"] == "investigating"
    assert body["deliver_notifications"] is False, "drills never notify subscribers"
    assert body["components"] == {"cmpapi": "major_outage"}
    assert body["component_ids"] == ["cmpapi"]
    assert body["name"].startswith("[DRILL] ")
    assert fakes.statuspage.components["cmpapi"] == "major_outage"
    client.post("/api/v1/incidents/INC-1/resolve", json={"by": "chen"}, headers=AUTH)
    client.app.state.outbox.process_all()  # type: ignore[attr-defined]
    patches = [r for r in fakes.statuspage.state.requests if r.method == "PATCH"]
    assert [p.body["incident"]["status"] for p in patches] == [
        "identified",
        "monitoring",
        "resolved",
    ]
    assert fakes.statuspage.components["cmpapi"] == "operational"
    assert len(fakes.statuspage.incidents) == 1
    client.__exit__(None, None, None)


def test_real_incident_notifies_subscribers(fakes: Fakes, make_app: AppFactory) -> None:
    client = run_drill_incident(make_app(), drill=False)
    body = fakes.statuspage.state.requests[0].body["incident"]
    assert body["deliver_notifications"] is True
    assert not body["name"].startswith("[DRILL]")
    assert not fakes.slack.webhook_messages[0]["text"].startswith("[DRILL]")
    client.__exit__(None, None, None)


def test_one_switch_silences_outside_channels(fakes: Fakes, make_app: AppFactory) -> None:
    client = run_drill_incident(make_app(silence_outside=True))
    assert {n["channel"] for n in delivered(client)} == {"local"}
    assert not fakes.slack.state.requests and not fakes.pagerduty.state.requests
    assert not fakes.jira.state.requests and not fakes.statuspage.state.requests
    client.__exit__(None, None, None)
