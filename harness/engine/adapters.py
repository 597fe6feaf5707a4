"""The real implementations of the engine's ports: Stack, FaultManager, IncidentClient,
Prometheus/Alertmanager, runbooks, locust and the probes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from harness import settings
from harness.engine.ports import Ports, RunbookOutcome, StepOutcome
from harness.errors import DrillError, IncidentServiceError, StackError
from harness.load.runner import LoadRunner
from harness.probes.prometheus import alertmanager_alerts, prometheus_alerts
from harness.probes.steady import SteadyState
from harness.scenario.model import Scenario
from harness.stack.compose import Stack


class StackAdapter:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def healthy(self) -> bool:
        try:
            return self.stack.healthy()
        except StackError:
            return False

    def up(self) -> None:
        from harness.stack import lifecycle

        lifecycle.up(self.stack, report=lambda message: None)


class FaultAdapter:
    def __init__(self, stack: Stack, *, owner: str) -> None:
        from harness.faults.manager import FaultManager

        self.manager = FaultManager(stack, owner=owner)

    def inject(self, kind: str, target: str, params: dict[str, Any], *, ttl_s: float) -> Any:
        return self.manager.inject(kind, target, params, ttl_s=ttl_s)

    def revert(self, applied: Any) -> None:
        self.manager.revert(applied)

    def is_active(self, applied: Any) -> bool | None:
        try:
            return self.manager.is_active(applied)
        except DrillError:
            return None

    def close(self) -> None:
        self.manager.close()


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    if hasattr(item, "model_dump"):
        dumped: dict[str, Any] = item.model_dump(mode="json")
        return dumped
    raise IncidentServiceError(f"unexpected incident payload {type(item).__name__}")


class IncidentAdapter:
    def __init__(self) -> None:
        from harness.incidents.client import IncidentClient

        self.client = IncidentClient()

    def register_drill(self, drill_id: str, scenario: str, started_at: str) -> None:
        self.client.register_drill(drill_id, scenario, started_at)

    def end_drill(self, drill_id: str) -> None:
        self.client.end_drill(drill_id)

    def incidents(self, drill_id: str) -> list[dict[str, Any]]:
        found = self.client.list_incidents(drill_id=drill_id)
        items = found.get("incidents", []) if isinstance(found, dict) else found
        return [_as_dict(i) for i in items]

    def open_incidents(self) -> list[dict[str, Any]]:
        found = self.client.list_incidents()
        return [i for i in map(_as_dict, found) if i.get("status") != "resolved"]

    def ack(self, incident_id: str, by: str) -> None:
        self.client.ack(incident_id, by=by)

    def resolve(self, incident_id: str, by: str) -> None:
        self.client.resolve(incident_id, by=by)


class AlertsAdapter:
    """Prometheus's and Alertmanager's own view of what fired, to compare with what arrived."""

    def __init__(self) -> None:
        self._prom = httpx.Client(base_url=settings.url("prometheus"), timeout=2.0)
        self._am = httpx.Client(base_url=settings.url("alertmanager"), timeout=2.0)

    def prometheus(self) -> list[dict[str, Any]]:
        try:
            return prometheus_alerts(self._prom)
        except (httpx.HTTPError, ValueError):
            return []

    def alertmanager(self) -> list[dict[str, Any]]:
        try:
            return alertmanager_alerts(self._am)
        except (httpx.HTTPError, ValueError):
            return []


class RunbookAdapter:
    def __init__(self, root: Path) -> None:
        self.root = root

    def run(
        self, path: Path, *, env: dict[str, str], on_step: Callable[[StepOutcome], None]
    ) -> RunbookOutcome:
        from harness import runbooks

        book = runbooks.parse(path)

        def step(result: runbooks.StepResult) -> None:
            on_step(
                StepOutcome(
                    result.number,
                    result.title,
                    str(result.kind),
                    result.ok,
                    result.duration_s,
                    result.to_report(),
                )
            )

        result = runbooks.execute(book, cwd=self.root, env=env, on_step=step)
        steps = tuple(
            StepOutcome(s.number, s.title, str(s.kind), s.ok, s.duration_s, s.to_report())
            for s in result.steps
        )
        failed = result.failed_step.label() if result.failed_step else None
        return RunbookOutcome(result.ok, steps, failed, raw=(book, result))

    def judge(
        self, outcome: RunbookOutcome, *, steady_state_ok: bool, fault_active: bool | None
    ) -> dict[str, Any]:
        from harness import runbooks

        book, result = outcome.raw
        accuracy = runbooks.assess(
            result, steady_state_ok=steady_state_ok, fault_active=fault_active
        )
        return runbooks.report_section(book, result, accuracy)


def step_env(drill_id: str) -> dict[str, str]:
    from harness.runbooks import step_env as runbook_env

    return {**runbook_env(), "DRILL_ID": drill_id}


def real_ports(scenario: Scenario, *, drill_id: str, out_dir: Path, stack: Stack) -> Ports:
    budget = scenario.abort.max_duration + scenario.abort.steady_state_timeout + 60
    return Ports(
        stack=StackAdapter(stack),
        faults=FaultAdapter(stack, owner=drill_id),
        incidents=IncidentAdapter(),
        alerts=AlertsAdapter(),
        runbooks=RunbookAdapter(stack.root),
        load=LoadRunner(scenario.load, out_dir=out_dir, run_time_s=budget, root=stack.root),
        steady=SteadyState.from_specs(scenario.steady_state),
        step_env=step_env(drill_id),
    )
