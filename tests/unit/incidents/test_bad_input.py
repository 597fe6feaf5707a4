"""Hostile input never produces a 500: schemathesis over our OpenAPI plus hand-written
malformed Alertmanager bodies."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from harness.incidents.app import create_app
from harness.incidents.config import ServiceSettings
from tests.unit.incidents.conftest import AUTH, ROOT, TOKEN, am_body

MALFORMED: list[Any] = [
    None,
    [],
    "text",
    42,
    {},
    {"alerts": []},
    {**am_body(), "alerts": []},
    {**am_body(), "alerts": None},
    {**am_body(), "status": "exploded"},
    {**am_body(), "truncatedAlerts": -1},
    {**am_body(), "groupKey": None},
    {**am_body(), "alerts": [{"status": "firing"}]},
    {**am_body(), "alerts": [{**am_body()["alerts"][0], "startsAt": "yesterday"}]},
    {**am_body(), "alerts": [{**am_body()["alerts"][0], "labels": {"a": 1}}]},
    {**am_body(), "alerts": [{**am_body()["alerts"][0], "labels": {"alertname": "x\u0000"}}]},
    {**am_body(), "alerts": [{**am_body()["alerts"][0], "labels": {"a": "\ud800"}}]},
    {**am_body(), "alerts": [{**am_body()["alerts"][0], "endsAt": "0000-00-00T00:00:00Z"}]},
    {**am_body(), "alerts": [{**am_body()["alerts"][0], "labels": {"x" * 300: "y"}}]},
    {**am_body(), "alerts": [am_body()["alerts"][0]] * 1001},
    {**am_body(), "commonLabels": ["not", "a", "map"]},
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_alertmanager_bodies_are_422(client: TestClient, body: Any) -> None:
    # json.dumps escapes lone surrogates the way a hostile sender would put them on the wire.
    answer = client.post(
        "/api/v1/alerts/alertmanager",
        content=json.dumps(body),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"[1,2", b'{"version": 4'])
def test_broken_json_is_422(client: TestClient, raw: bytes) -> None:
    answer = client.post(
        "/api/v1/alerts/alertmanager",
        content=raw,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422


def test_odd_but_valid_bodies_are_accepted(client: TestClient) -> None:
    body = am_body()
    body["alerts"][0].pop("fingerprint")
    body["alerts"][0]["labels"] = {"service": "api"}  # no alertname
    body["commonLabels"] = {}
    body["commonAnnotations"] = {}
    body["alerts"][0]["annotations"] = {}
    answer = client.post("/api/v1/alerts/alertmanager", json=body, headers=AUTH)
    assert answer.status_code == 200
    assert client.get("/api/v1/incidents/INC-1").json()["title"] == "UnnamedAlert"


# One app for the whole property run, on its own temp database, with an incident in it so
# the per-incident routes have something real to hit besides 404s.
_DB = Path(tempfile.mkdtemp(prefix="drill-schemathesis-")) / "incidents.db"
_APP = create_app(
    ServiceSettings(db_url=f"sqlite:///{_DB}", ops_dir=ROOT / "ops", api_token=TOKEN, workers=False)
)
with TestClient(_APP) as _seed:
    _seed.post("/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_server_errors(case: Any) -> None:
    case.call_and_validate(headers=AUTH, checks=[not_a_server_error])
