"""IncidentClient and the CLI against a real uvicorn on 127.0.0.1 in a thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app as cli
from harness.errors import IncidentServiceError
from harness.incidents.app import create_app
from harness.incidents.client import IncidentClient
from harness.incidents.config import ServiceSettings
from tests.fakes.base import Running, free_port
from tests.unit.incidents.conftest import AUTH, ROOT, TOKEN, am_body


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    settings = ServiceSettings(
        db_url=f"sqlite:///{tmp_path / 'i.db'}", ops_dir=ROOT / "ops", api_token=TOKEN, tick_s=0.2
    )
    port = free_port()
    monkeypatch.setenv("DRILL_INCIDENTS_PORT", str(port))
    monkeypatch.setenv("DRILL_API_TOKEN", TOKEN)
    with Running(create_app(settings), port=port) as server:
        yield server.url


def test_client_round_trip(served: str) -> None:
    with IncidentClient() as client:
        assert client.base_url == served and client.healthy()
        client.register_drill("d-1", "server-down", "2026-12-04T10:15:00Z", clock_scale=30)
        client.http.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        [incident] = client.list_incidents(drill_id="d-1")
        assert client.ack(incident["id"], by="bot")["status"] == "acknowledged"
        client.post_update(
            incident["id"], "Restarted the API", audience="customer", customer_status="monitoring"
        )
        client.assign_role(incident["id"], "scribe", "emil")
        assert client.set_status(incident["id"], "mitigated")["mitigated_at"]
        done = client.resolve(incident["id"], by="bot")
        assert done["status"] == "resolved" and done["roles"]["scribe"]["id"] == "emil"
        assert client.list_alerts()[0]["alertname"] == "ApiDown"
        assert client.end_drill("d-1")["ended_at"]
        assert client.oncall()["now"]["primary"]
        with pytest.raises(IncidentServiceError, match="404"):
            client.get("INC-77")


def test_client_without_token_gets_a_clear_error(served: str) -> None:
    with IncidentClient(token="wrong") as client, pytest.raises(IncidentServiceError, match="401"):
        client.ack("INC-1")


def test_client_when_nothing_listens() -> None:
    with IncidentClient(f"http://127.0.0.1:{free_port()}", token="x") as client:
        assert not client.healthy()
        with pytest.raises(IncidentServiceError, match="did not answer"):
            client.list_incidents()


def test_cli_commands(served: str) -> None:
    with IncidentClient() as client:
        client.http.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
    runner = CliRunner()
    listed = runner.invoke(cli, ["incidents"])
    assert listed.exit_code == 0 and "INC-1" in listed.output
    acked = runner.invoke(cli, ["ack", "INC-1", "--by", "chen"])
    assert acked.exit_code == 0 and "acknowledged" in acked.output
    resolved = runner.invoke(cli, ["resolve", "INC-1"])
    assert resolved.exit_code == 0 and "resolved" in resolved.output
    oncall = runner.invoke(cli, ["oncall", "--at", "2026-01-14T12:00:00Z"])
    assert oncall.exit_code == 0
    assert "Bruno Costa" in oncall.output and "Chen Wei" in oncall.output
