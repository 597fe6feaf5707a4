"""Fixtures for the incident service: an app on a temp SQLite with a manual clock, and the
SaaS fakes served by one real uvicorn on 127.0.0.1."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():
    # Starlette nudges towards httpx2, which is not a dependency here; TestClient works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from harness.incidents.app import create_app
from harness.incidents.clock import ManualClock
from harness.incidents.config import ServiceSettings
from tests.fakes.base import FakeState, Running
from tests.fakes.jira import FakeJira
from tests.fakes.pagerduty import FakePagerDuty
from tests.fakes.slack import FakeSlack
from tests.fakes.statuspage import FakeStatuspage

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTING_KEY = "R" * 32
OUTSIDE_ENV = [
    "DRILL_SLACK_WEBHOOK_URL",
    "DRILL_SLACK_BOT_TOKEN",
    "DRILL_SLACK_API_URL",
    "DRILL_PAGERDUTY_ROUTING_KEY",
    "DRILL_PAGERDUTY_URL",
    "DRILL_JIRA_URL",
    "DRILL_JIRA_EMAIL",
    "DRILL_JIRA_API_TOKEN",
    "DRILL_STATUSPAGE_API_KEY",
    "DRILL_STATUSPAGE_PAGE_ID",
    "DRILL_STATUSPAGE_API_URL",
    "DRILL_STATUSPAGE_COMPONENT_API",
    "DRILL_SMTP_HOST",
    "DRILL_WEBHOOK_URL",
    "DRILL_SILENCE_OUTSIDE",
]


@dataclass
class Fakes:
    clock: ManualClock
    slack: FakeSlack
    pagerduty: FakePagerDuty
    jira: FakeJira
    statuspage: FakeStatuspage
    server: Running

    def env(self) -> dict[str, str]:
        url = self.server.url
        return {
            "DRILL_SLACK_WEBHOOK_URL": f"{url}/slack/services/T000/B000/XXXX",
            "DRILL_SLACK_BOT_TOKEN": "xoxb-test",
            "DRILL_SLACK_API_URL": f"{url}/slack/api",
            "DRILL_PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
            "DRILL_PAGERDUTY_URL": f"{url}/pd/v2/enqueue",
            "DRILL_JIRA_URL": f"{url}/jira",
            "DRILL_JIRA_EMAIL": "bot@shop.example",
            "DRILL_JIRA_API_TOKEN": "jira-token",
            "DRILL_STATUSPAGE_API_KEY": "sp-key",
            "DRILL_STATUSPAGE_PAGE_ID": "pg1",
            "DRILL_STATUSPAGE_API_URL": f"{url}/sp/v1",
            "DRILL_STATUSPAGE_COMPONENT_API": "cmpapi",
            "DRILL_STATUSPAGE_COMPONENT_DB": "cmpdb",
        }


@pytest.fixture(autouse=True)
def _no_outside_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OUTSIDE_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[dict[str, Any]]:
    holder: dict[str, Any] = {"apps": (FakeSlack(), FakePagerDuty(), FakeJira(), FakeStatuspage())}
    root = FastAPI()
    # Mount thin dispatchers so each test can swap in fresh fakes behind the same server.
    for prefix, index in (("/slack", 0), ("/pd", 1), ("/jira", 2), ("/sp", 3)):
        root.mount(prefix, _Dispatch(holder, index))
    with Running(root) as server:
        holder["server"] = server
        yield holder


class _Dispatch:
    def __init__(self, holder: dict[str, Any], index: int) -> None:
        self.holder, self.index = holder, index

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.holder["apps"][self.index].app(scope, receive, send)


@pytest.fixture
def fakes(_fake_server: Any, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> Fakes:
    holder = _fake_server
    states = [FakeState(now=clock.now) for _ in range(4)]
    apps = (
        FakeSlack(states[0]),
        FakePagerDuty(states[1]),
        FakeJira(states[2]),
        FakeStatuspage(states[3]),
    )
    holder["apps"] = apps
    result = Fakes(clock, *apps, server=holder["server"])
    for name, value in result.env().items():
        monkeypatch.setenv(name, value)
    return result


AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(tmp_path: Path, clock: ManualClock) -> AppFactory:
    def factory(**overrides: Any) -> FastAPI:
        values: dict[str, Any] = {
            "db_url": f"sqlite:///{tmp_path / 'incidents.db'}",
            "ops_dir": ROOT / "ops",
            "api_token": TOKEN,
            "workers": False,
        }
        values.update(overrides)
        return create_app(ServiceSettings(**values), clock=clock)

    return factory


@pytest.fixture
def client(make_app: AppFactory) -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client


def am_body(
    alertname: str = "ApiDown",
    *,
    status: str = "firing",
    severity: str = "critical",
    service: str = "api",
    fingerprint: str = "fp-api-down",
    group: str | None = None,
    extra_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An Alertmanager webhook v4 body, shaped like the real thing."""
    labels = {
        "alertname": alertname,
        "severity": severity,
        "service": service,
        "job": service,
        **(extra_labels or {}),
    }
    return {
        "version": "4",
        "groupKey": group or f'{{}}:{{alertname="{alertname}"}}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "incidents",
        "groupLabels": {"alertname": alertname},
        "commonLabels": labels,
        "commonAnnotations": {
            "summary": f"{alertname} on {service}",
            "runbook": "ops/runbooks/server-down.md",
        },
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": labels,
                "annotations": {"summary": f"{alertname} on {service}"},
                "startsAt": "2026-01-05T10:00:00.123Z",
                "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-01-05T10:05:00Z",
                "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
                "fingerprint": fingerprint,
            }
        ],
    }
