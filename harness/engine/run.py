"""One drill, end to end: stack → load → steady state → register → inject → observe and
respond → rollback (always) → report. See DESIGN.md "One drill, as data flowing through".
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console

from harness import settings
from harness.engine.live import LiveView
from harness.engine.observe import AlertWatcher, IncidentWatcher
from harness.engine.ports import Ports
from harness.engine.responder import AutoResponder, Shared
from harness.engine.signals import DrillInterrupted, interrupts_deferred, interrupts_raise
from harness.engine.steady import await_steady_state
from harness.engine.timeline import Event, Kind, Timeline, iso
from harness.errors import DrillError, IncidentServiceError, StackError
from harness.load.stats import LoadStats
from harness.probes.steady import SteadyResult
from harness.report.build import build_report
from harness.report.recover import recover_reports
from harness.report.render import write_all, write_json
from harness.scenario.model import Scenario

# After a failed runbook in auto mode, how long to wait for a recovery before giving up.
RUNBOOK_GRACE_S = 20.0


class Mode(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"


@dataclass(frozen=True)
class DrillOptions:
    mode: Mode = Mode.AUTO
    report_dir: Path = Path("reports")
    respond_s: float | None = None  # overrides the scenario's targets
    resolve_s: float | None = None
    responder: bool = True
    max_duration_s: float | None = None
    live: bool = True
    console: Console | None = None


@dataclass(frozen=True)
class DrillOutcome:
    drill_id: str
    status: str
    out_dir: Path
    report: dict[str, Any]
    exit_code: int


PortsFactory = Callable[[Scenario, str, Path], Ports]


def _real_ports(scenario: Scenario, drill_id: str, out_dir: Path) -> Ports:
    from harness.engine.adapters import real_ports
    from harness.stack.compose import Stack

    return real_ports(scenario, drill_id=drill_id, out_dir=out_dir, stack=Stack())


def allocate(report_dir: Path, name: str) -> tuple[str, Path]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    drill_id, n = f"{stamp}-{name}", 1
    while (report_dir / drill_id).exists():
        n += 1
        drill_id = f"{stamp}-{name}-{n}"
    (report_dir / drill_id).mkdir(parents=True)
    return drill_id, report_dir / drill_id


def jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def exit_code(report: dict[str, Any]) -> int:
    if report["status"] != "completed":
        return 2
    return 0 if report["verdict"]["passed"] else 1


def run_drill(
    scenario: Scenario,
    options: DrillOptions | None = None,
    *,
    ports_factory: PortsFactory | None = None,
) -> DrillOutcome:
    """Run one scenario; the fault is rolled back whatever happens, and a report is written."""
    options = options or DrillOptions()
    recover_reports(options.report_dir)
    drill_id, out_dir = allocate(options.report_dir, scenario.name)
    return Drill(scenario, options, drill_id, out_dir, ports_factory or _real_ports).run()


@dataclass
class _Progress:
    failing: set[str] = field(default_factory=set)
    symptom: bool = False
    streak: int = 0
    streak_wall: datetime | None = None
    fault_reverted: bool = False


class Drill:
    def __init__(
        self,
        scenario: Scenario,
        options: DrillOptions,
        drill_id: str,
        out_dir: Path,
        ports_factory: PortsFactory,
    ) -> None:
        self.scenario, self.options = scenario, options
        self.drill_id, self.out_dir = drill_id, out_dir
        self.respond_s = options.respond_s or scenario.targets.respond
        self.resolve_s = options.resolve_s or scenario.targets.resolve
        self.max_s = options.max_duration_s or scenario.abort.max_duration
        self.console = options.console or Console()
        self.view = LiveView(
            title=scenario.title,
            respond_s=self.respond_s,
            resolve_s=self.resolve_s,
            console=self.console,
            live=options.live,
        )
        self._report_lock = threading.Lock()
        self.timeline = Timeline(out_dir / "timeline.jsonl", on_event=self._on_event)
        self.shared = Shared()
        self.seen: set[str] = set()
        self.incidents = IncidentWatcher(self.timeline, self.seen)
        self.alerts: AlertWatcher | None = None
        self.responder: AutoResponder | None = None
        self.applied: Any = None
        self.fault_active: bool | None = None  # last answer of the fault library, if asked
        self.registered = False
        self.ports_factory = ports_factory
        self.ports: Ports | None = None

    # -- bookkeeping -------------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        self.view.on_event(event)
        if event.event != Kind.DRILL_ENDED:
            self._provisional()

    def _provisional(self) -> None:
        """report.json says aborted until the end: a killed harness leaves a truthful file."""
        with self._report_lock:
            report = build_report(self.timeline.events, status="aborted")
            report["provisional"] = True
            write_json(self.out_dir, report)

    def _header(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "drill_id": self.drill_id,
            "scenario": s.name,
            "title": s.title,
            "severity": str(s.severity),
            "mode": str(self.options.mode),
            "responder": self.options.responder and self.options.mode == Mode.AUTO,
            "fault": {
                "type": s.fault.type,
                "target": s.fault.target,
                "params": s.fault.params,
                "duration_s": s.fault.duration,
            },
            "targets": {"respond_s": self.respond_s, "resolve_s": self.resolve_s},
            "max_duration_s": self.max_s,
            "runbook": s.runbook,
            "expected_alerts": list(s.expected_alerts),
            "pid": os.getpid(),
            "probe_interval_s": s.probe_interval,
        }

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> DrillOutcome:
        status, reason = "error", "not started"
        self.timeline.record(Kind.DRILL_STARTED, **self._header())
        with self.view:
            try:
                with interrupts_raise():
                    self.ports = self.ports_factory(self.scenario, self.drill_id, self.out_dir)
                    reason = self._drill(self.ports)
                    status = "completed"
            except DrillInterrupted as exc:
                status, reason = "aborted", f"interrupted by {exc}"
            except KeyboardInterrupt:
                status, reason = "aborted", "interrupted by SIGINT"
            except DrillError as exc:
                status, reason = "error", str(exc)
                self.timeline.record(Kind.ERROR, error=str(exc), type=type(exc).__name__)
            except Exception as exc:
                status, reason = "error", f"bug: {type(exc).__name__}: {exc}"
                self.timeline.record(Kind.ERROR, error=reason, type=type(exc).__name__)
                self._finish(status, reason)
                raise
            report = self._finish(status, reason)
        return DrillOutcome(
            self.drill_id, report["status"], self.out_dir, report, exit_code(report)
        )

    def _drill(self, ports: Ports) -> str:
        self._prepare(ports)
        await_steady_state(self.scenario, ports, self.timeline, self.view)
        ports.incidents.register_drill(self.drill_id, self.scenario.name, iso(datetime.now(UTC)))
        self.registered = True
        self.timeline.record(Kind.DRILL_REGISTERED, drill_id=self.drill_id)
        fault = self._inject(ports)
        self.alerts = AlertWatcher(self.timeline, self.seen, since=fault.wall)
        if self.options.mode == Mode.AUTO and self.options.responder:
            self.responder = AutoResponder(
                shared=self.shared,
                timeline=self.timeline,
                incidents=ports.incidents,
                runbooks=ports.runbooks,
                runbook_path=self._root() / self.scenario.runbook,
                env=ports.step_env,
            )
            self.responder.start()
        return self._observe(ports, fault)

    def _root(self) -> Path:
        return settings.root()

    def _prepare(self, ports: Ports) -> None:
        if not ports.stack.healthy():
            self.view.tick("bringing the stack up")
            ports.stack.up()
            if not ports.stack.healthy():
                raise StackError(
                    "the stack is not healthy after `docker compose up`; see `drill status`"
                )
        self.timeline.record(Kind.STACK_READY)
        ports.load.start()
        self.timeline.record(
            Kind.LOAD_STARTED,
            "load",
            pid=getattr(ports.load, "pid", None),
            users=self.scenario.load.users,
        )

    def _inject(self, ports: Ports) -> Event:
        f = self.scenario.fault
        started = time.monotonic()
        self.applied = ports.faults.inject(f.type, f.target, dict(f.params), ttl_s=self.max_s + 120)
        return self.timeline.record(
            Kind.FAULT_INJECTED,
            type=f.type,
            target=f.target,
            params=f.params,
            applied=jsonable(self.applied),
            inject_s=round(time.monotonic() - started, 3),
        )

    # -- observing ----------------------------------------------------------------------------
    def _observe(self, ports: Ports, fault: Event) -> str:
        progress = _Progress()
        deadline = fault.mono + min(self.max_s, self.resolve_s + self.scenario.probe_interval)
        while True:
            tick = time.monotonic()
            result = ports.steady.evaluate()
            self._track(result, progress)
            self._poll(ports)
            self._timed_revert(ports, fault, progress)
            if self._resolved(result):
                return "resolved"
            if self._runbook_gave_up():
                return "runbook failed and nothing recovered"
            if time.monotonic() >= deadline:
                return (
                    "max duration reached"
                    if self.max_s <= self.resolve_s
                    else "resolve target passed"
                )
            self.view.tick("responding" if self.shared.incident_id else "waiting for detection")
            time.sleep(max(0.0, tick + self.scenario.probe_interval - time.monotonic()))

    def _track(self, result: SteadyResult, p: _Progress) -> None:
        for r in result.results:
            if not r.ok and r.name not in p.failing:
                p.failing.add(r.name)
                p.symptom = True
                self.timeline.record(
                    Kind.PROBE_FAILED,
                    "probe",
                    wall=r.wall,
                    probe=r.name,
                    detail=r.detail,
                    value=r.value,
                )
            elif r.ok and r.name in p.failing:
                p.failing.discard(r.name)
                self.timeline.record(Kind.PROBE_RECOVERED, "probe", wall=r.wall, probe=r.name)
        self._track_mitigation(result, p)

    def _track_mitigation(self, result: SteadyResult, p: _Progress) -> None:
        if not result.ok:
            p.streak, p.streak_wall = 0, None
            if self.shared.mitigated.is_set():
                self.shared.mitigated.clear()
                self.timeline.record(Kind.NOTE, "probe", regressed=result.summary())
            return
        p.streak += 1
        p.streak_wall = p.streak_wall or min(r.wall for r in result.results)
        eligible = p.symptom or self.shared.runbook_done.is_set() or p.fault_reverted
        if (
            eligible
            and p.streak >= self.scenario.recovery_checks
            and not self.shared.mitigated.is_set()
            and not self._fault_still_active(p)
        ):
            self.timeline.record(Kind.MITIGATED, "probe", wall=p.streak_wall, checks=p.streak)
            self.shared.mitigated.set()

    def _fault_still_active(self, p: _Progress) -> bool:
        """Probes can pass between the failures of a flapping fault (a CPU-starved API
        answers now and then): customer impact is over only once the fault is gone too."""
        if p.fault_reverted or self.applied is None or self.ports is None:
            self.fault_active = False if p.fault_reverted else self.fault_active
            return False
        self.fault_active = self.ports.faults.is_active(self.applied)
        if self.fault_active and "probes-pass-fault-active" not in self.seen:
            self.seen.add("probes-pass-fault-active")
            self.timeline.record(Kind.NOTE, "probe", detail="probes pass, but the fault is active")
        return bool(self.fault_active)

    def _runbook_gave_up(self) -> bool:
        """In auto mode nobody else will fix it: a failed runbook ends the drill after a grace."""
        outcome = self.shared.runbook
        if self.options.mode != Mode.AUTO or outcome is None or outcome.ok:
            return False
        if self.shared.mitigated.is_set():
            return False
        finished = self.timeline.first(Kind.RUNBOOK_FINISHED)
        return finished is not None and time.monotonic() - finished.mono > RUNBOOK_GRACE_S

    def _poll(self, ports: Ports) -> None:
        try:
            self.incidents.poll(ports.incidents.incidents(self.drill_id))
        except IncidentServiceError as exc:
            if "incidents-unreachable" not in self.seen:
                self.seen.add("incidents-unreachable")
                self.timeline.record(Kind.NOTE, "incidents", error=str(exc))
        self.shared.incident_id = self.incidents.incident_id
        if self.incidents.resolved:
            self.shared.incident_resolved.set()
        if self.alerts is not None:
            self.alerts.poll_prometheus(ports.alerts.prometheus(), datetime.now(UTC))
            self.alerts.poll_alertmanager(ports.alerts.alertmanager())

    def _timed_revert(self, ports: Ports, fault: Event, p: _Progress) -> None:
        duration = self.scenario.fault.duration
        if duration is None or p.fault_reverted or time.monotonic() < fault.mono + duration:
            return
        ports.faults.revert(self.applied)
        p.fault_reverted = True
        self.timeline.record(Kind.FAULT_REVERTED, reason="fault duration elapsed")

    def _resolved(self, result: SteadyResult) -> bool:
        if not (
            self.shared.incident_resolved.is_set() and self.shared.mitigated.is_set() and result.ok
        ):
            return False
        resolved = self.timeline.first(Kind.INCIDENT_RESOLVED)
        mitigated = [e for e in self.timeline.events if e.event == Kind.MITIGATED][-1]
        last = max((e for e in (resolved, mitigated) if e is not None), key=lambda e: e.mono)
        self.timeline.record(Kind.RESOLVED, wall=last.wall, verified=True)
        return True

    # -- the end, whatever happened -----------------------------------------------------------
    def _finish(self, status: str, reason: str) -> dict[str, Any]:
        self.shared.stop.set()
        with interrupts_deferred(self._ignored_signal):
            self._rollback()
            stats = self._stop_load()
            self._end_registration()
            section = self._runbook_section()
            if self.alerts is not None:
                self.alerts.flush()
            if self.ports is not None:
                self.ports.steady.close()
            self.timeline.record(Kind.DRILL_ENDED, status=status, reason=reason)
            report = build_report(self.timeline.events, status=status, load=stats, runbook=section)
            report["report_dir"] = str(self.out_dir)
            write_all(self.out_dir, report)
            self.timeline.close()
        return report

    def _ignored_signal(self, signum: int) -> None:
        self.timeline.record(Kind.NOTE, signal=signum, detail="ignored during rollback")

    def _rollback(self) -> None:
        if self.responder is not None:
            self.responder.join(timeout=30)
        if self.applied is None or self.ports is None:
            return
        try:
            self.ports.faults.revert(self.applied)
            self.timeline.record(Kind.ROLLBACK, ok=True)
        except Exception as exc:  # noqa: BLE001 - recorded on the timeline, never swallowed
            self.timeline.record(Kind.ROLLBACK, ok=False, error=f"{type(exc).__name__}: {exc}")
        finally:
            self.ports.faults.close()

    def _stop_load(self) -> LoadStats | None:
        if self.ports is None:
            return None
        try:
            stats = self.ports.load.stop()
        except Exception as exc:  # noqa: BLE001
            self.timeline.record(Kind.ERROR, "load", error=f"stopping load: {exc}")
            return None
        self.timeline.record(
            Kind.LOAD_STOPPED,
            "load",
            requests=stats.requests,
            failures=stats.failures,
            p50_ms=stats.p50_ms,
            p95_ms=stats.p95_ms,
        )
        return stats

    def _end_registration(self) -> None:
        if not self.registered or self.ports is None:
            return
        try:
            self.ports.incidents.end_drill(self.drill_id)
        except DrillError as exc:
            self.timeline.record(Kind.NOTE, "incidents", error=f"ending drill: {exc}")

    def _runbook_section(self) -> dict[str, Any] | None:
        outcome = self.shared.runbook
        if outcome is None or self.ports is None:
            return None
        try:
            return self.ports.runbooks.judge(
                outcome,
                steady_state_ok=self.shared.mitigated.is_set(),
                fault_active=self.fault_active,
            )
        except Exception as exc:  # noqa: BLE001
            self.timeline.record(Kind.ERROR, "responder", error=f"judging runbook: {exc}")
            return None
