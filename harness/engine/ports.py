"""What the engine needs from the rest of drill, as small protocols with real adapters.

The engine talks only to these, so unit tests run a whole drill against test doubles, and
a change in a neighbouring room's API is absorbed here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from harness.load.stats import LoadStats
from harness.probes.steady import SteadyResult


class FaultPort(Protocol):
    def inject(self, kind: str, target: str, params: dict[str, Any], *, ttl_s: float) -> Any: ...
    def revert(self, applied: Any) -> None: ...
    def is_active(self, applied: Any) -> bool | None: ...  # None: could not be asked
    def close(self) -> None: ...


class IncidentPort(Protocol):
    def register_drill(self, drill_id: str, scenario: str, started_at: str) -> None: ...
    def end_drill(self, drill_id: str) -> None: ...
    def incidents(self, drill_id: str) -> list[dict[str, Any]]: ...
    def open_incidents(self) -> list[dict[str, Any]]: ...
    def ack(self, incident_id: str, by: str) -> None: ...
    def resolve(self, incident_id: str, by: str) -> None: ...


class AlertsPort(Protocol):
    def prometheus(self) -> list[dict[str, Any]]: ...
    def alertmanager(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class StepOutcome:
    number: int
    title: str
    kind: str
    ok: bool
    duration_s: float
    report: dict[str, Any]


@dataclass(frozen=True)
class RunbookOutcome:
    ok: bool
    steps: tuple[StepOutcome, ...]
    failed_step: str | None
    section: dict[str, Any] = field(default_factory=dict)  # report.json "runbook" object
    raw: Any = None  # the runbook room's own result, for `judge`


class RunbookPort(Protocol):
    def run(
        self, path: Path, *, env: dict[str, str], on_step: Callable[[StepOutcome], None]
    ) -> RunbookOutcome: ...

    def judge(
        self, outcome: RunbookOutcome, *, steady_state_ok: bool, fault_active: bool | None
    ) -> dict[str, Any]: ...


class LoadPort(Protocol):
    def start(self) -> None: ...
    def stop(self) -> LoadStats: ...


class SteadyPort(Protocol):
    def evaluate(self) -> SteadyResult: ...
    def close(self) -> None: ...


class StackPort(Protocol):
    def healthy(self) -> bool: ...
    def up(self) -> None: ...


@dataclass
class Ports:
    """Everything one drill talks to; `harness.engine.adapters.real_ports` builds the real set."""

    stack: StackPort
    faults: FaultPort
    incidents: IncidentPort
    alerts: AlertsPort
    runbooks: RunbookPort
    load: LoadPort
    steady: SteadyPort
    step_env: dict[str, str] = field(default_factory=dict)
