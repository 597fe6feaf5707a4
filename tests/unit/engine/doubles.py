"""Test doubles for the engine's ports: a tiny in-memory stack, incident service and fault.

The fake incident service behaves like the real chain, with a delay: once the fault is
active it opens an incident with an alert and delivers a page; ack and resolve set times.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness.engine.ports import Ports, RunbookOutcome, StepOutcome
from harness.engine.timeline import iso
from harness.load.stats import LoadSample, LoadStats
from harness.probes.base import now_result
from harness.probes.steady import SteadyResult


@dataclass
class World:
    fault_active: bool = False
    fault_at: datetime | None = None
    healthy: bool = True
    up_calls: int = 0
    reverted: int = 0
    injected: int = 0
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeStack:
    def __init__(self, world: World) -> None:
        self.world = world

    def healthy(self) -> bool:
        return self.world.healthy

    def up(self) -> None:
        self.world.up_calls += 1
        self.world.healthy = True


class FakeFaults:
    def __init__(self, world: World) -> None:
        self.world = world

    def inject(self, kind: str, target: str, params: dict[str, Any], *, ttl_s: float) -> Any:
        self.world.fault_active, self.world.fault_at = True, datetime.now(UTC)
        self.world.injected += 1
        return {"id": "f1", "kind": kind, "target": target}

    def revert(self, applied: Any) -> None:
        self.world.reverted += 1
        self.world.fault_active = False

    def is_active(self, applied: Any) -> bool | None:
        return self.world.fault_active

    def close(self) -> None:
        self.world.closed = True


class FakeIncidents:
    def __init__(self, world: World, *, detect_after_s: float = 0.15) -> None:
        self.world = world
        self.detect_after = timedelta(seconds=detect_after_s)
        self.incident: dict[str, Any] | None = None
        self.registered: list[str] = []
        self.stale: list[dict[str, Any]] = []
        self.ended: list[str] = []

    def register_drill(self, drill_id: str, scenario: str, started_at: str) -> None:
        self.registered.append(drill_id)

    def end_drill(self, drill_id: str) -> None:
        self.ended.append(drill_id)

    def incidents(self, drill_id: str) -> list[dict[str, Any]]:
        at = self.world.fault_at
        now = datetime.now(UTC)
        if self.incident is None and at is not None and now - at >= self.detect_after:
            received = at + self.detect_after
            self.incident = {
                "id": "INC-1",
                "severity": "SEV1",
                "title": "ApiDown",
                "drill_id": drill_id,
                "created_at": iso(received),
                "acknowledged_at": None,
                "resolved_at": None,
                "alerts": [
                    {
                        "fingerprint": "fp1",
                        "alertname": "ApiDown",
                        "starts_at": iso(at + self.detect_after / 2),
                        "received_at": iso(received),
                    }
                ],
                "notifications": [
                    {
                        "channel": "local",
                        "kind": "page",
                        "status": "delivered",
                        "delivered_at": iso(received + timedelta(milliseconds=20)),
                    }
                ],
            }
        return [dict(self.incident)] if self.incident else []

    def open_incidents(self) -> list[dict[str, Any]]:
        return [dict(i) for i in self.stale if i["resolved_at"] is None]

    def ack(self, incident_id: str, by: str) -> None:
        if incident_id.startswith("OLD"):
            return
        assert self.incident is not None
        self.incident["acknowledged_at"] = iso(datetime.now(UTC))

    def resolve(self, incident_id: str, by: str) -> None:
        for old in self.stale:
            if old["id"] == incident_id:
                old["resolved_at"] = iso(datetime.now(UTC))
                return
        assert self.incident is not None
        self.incident["resolved_at"] = iso(datetime.now(UTC))


class FakeAlerts:
    def __init__(self, world: World) -> None:
        self.world = world

    def prometheus(self) -> list[dict[str, Any]]:
        if not self.world.fault_active or self.world.fault_at is None:
            return []
        return [
            {
                "labels": {"alertname": "ApiDown"},
                "state": "firing",
                "activeAt": iso(self.world.fault_at + timedelta(milliseconds=30)),
            }
        ]

    def alertmanager(self) -> list[dict[str, Any]]:
        return []


class FakeRunbooks:
    """Running the runbook fixes the fault, like `docker compose start api` would."""

    def __init__(self, world: World, *, fixes: bool = True) -> None:
        self.world, self.fixes = world, fixes
        self.ran = 0

    def run(self, path: Path, *, env: dict[str, str], on_step: Any) -> RunbookOutcome:
        self.ran += 1
        steps = []
        for number, kind in ((1, "diagnose"), (2, "remediate"), (3, "verify")):
            if kind == "remediate" and self.fixes:
                self.world.fault_active = False
            step = StepOutcome(
                number,
                f"step {number}",
                kind,
                True,
                0.01,
                {"title": f"step {number}", "kind": kind, "ok": True, "duration_s": 0.01},
            )
            on_step(step)
            steps.append(step)
        return RunbookOutcome(True, tuple(steps), None)

    def judge(
        self, outcome: RunbookOutcome, *, steady_state_ok: bool, fault_active: bool | None
    ) -> dict[str, Any]:
        return {
            "path": "ops/runbooks/server-down.md",
            "accurate": outcome.ok and steady_state_ok and not fault_active,
            "steps": [s.report for s in outcome.steps],
        }


class FakeLoad:
    def __init__(self) -> None:
        self.started = self.stopped = False
        self.pid = None

    def start(self) -> None:
        self.started = True

    def stop(self) -> LoadStats:
        self.stopped = True
        now = time.time()
        history = tuple(
            LoadSample(now + i, 2, 10.0, 1.0 if i == 1 else 0.0, 10 * i, i) for i in range(4)
        )
        return LoadStats(
            requests=40, failures=3, p50_ms=5.0, p95_ms=12.0, rps=10.0, history=history
        )


class FakeSteady:
    def __init__(
        self,
        world: World,
        *,
        never_ok: bool = False,
        explode_after_fault: BaseException | None = None,
    ) -> None:
        self.world, self.never_ok = world, never_ok
        self.explode = explode_after_fault
        self.closed = False

    def evaluate(self) -> SteadyResult:
        if self.explode is not None and self.world.fault_active:
            raise self.explode
        ok = not self.world.fault_active and not self.never_ok
        return SteadyResult(
            ok, (now_result("api-health", ok, 1.0, "status 200" if ok else "ConnectError"),)
        )

    def close(self) -> None:
        self.closed = True


def make_ports(world: World, **kw: Any) -> Ports:
    return Ports(
        stack=FakeStack(world),
        faults=FakeFaults(world),
        incidents=kw.get("incidents") or FakeIncidents(world),
        alerts=FakeAlerts(world),
        runbooks=kw.get("runbooks") or FakeRunbooks(world),
        load=FakeLoad(),
        steady=kw.get("steady") or FakeSteady(world),
    )
