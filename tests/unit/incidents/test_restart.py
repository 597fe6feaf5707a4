"""SIGKILL the service mid-incident, start it again: nothing is lost, pending items resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.base import FakeState, Running, free_port
from tests.fakes.pagerduty import FakePagerDuty
from tests.unit.incidents.conftest import AUTH, ROOT, ROUTING_KEY, TOKEN, am_body


def start(db: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.incidents",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{db}",
            "--ops-dir",
            str(ROOT / "ops"),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the incident service did not come up")


@pytest.mark.timeout(90)
def test_sigkill_mid_incident_loses_nothing(tmp_path: Path) -> None:
    fake = FakePagerDuty(FakeState())
    fake_port = free_port()
    server = Running(fake.app, port=fake_port)  # not started: PagerDuty is "down"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DRILL_API_TOKEN": TOKEN,
        "DRILL_PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
        "DRILL_PAGERDUTY_URL": f"http://127.0.0.1:{fake_port}/v2/enqueue",
        "PYTHONPATH": str(ROOT),
    }
    db = tmp_path / "incidents.db"
    process = start(db, port, env)
    try:
        httpx.post(f"{base}/api/v1/alerts/alertmanager", json=am_body(), headers=AUTH)
        httpx.post(f"{base}/api/v1/incidents/INC-1/ack", json={"by": "chen"}, headers=AUTH)
        time.sleep(1.5)  # some failed attempts against the absent PagerDuty
        before = httpx.get(f"{base}/api/v1/incidents/INC-1").json()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        pending = [n for n in before["notifications"] if n["status"] == "pending"]
        assert {n["channel"] for n in pending} == {"pagerduty"}

        process = start(db, port, env)
        after = httpx.get(f"{base}/api/v1/incidents/INC-1").json()
        assert after["status"] == "acknowledged"
        assert after["timeline"][: len(before["timeline"])] == before["timeline"]
        assert [n["id"] for n in after["notifications"]] == [
            n["id"] for n in before["notifications"]
        ]
        server.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            items = httpx.get(f"{base}/api/v1/incidents/INC-1").json()["notifications"]
            if all(n["status"] == "delivered" for n in items):
                break
            time.sleep(0.2)
        assert all(n["status"] == "delivered" for n in items)
        assert [e["event_action"] for e in fake.accepted] == ["trigger", "acknowledge"]
    finally:
        process.kill()
        process.wait(timeout=10)
        server.stop()
