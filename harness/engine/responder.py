"""The auto responder: the harness playing on-call.

It waits for the drill's incident, acknowledges it, runs the scenario's runbook step by step,
waits until the observer has verified steady state, then resolves the incident (unless the
service already did). It runs in its own thread so probes keep ticking while commands run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.engine.ports import IncidentPort, RunbookOutcome, RunbookPort, StepOutcome
from harness.engine.timeline import Kind, Timeline
from harness.errors import DrillError, IncidentServiceError

RESPONDER = "drill-responder"


@dataclass
class Shared:
    """State the observer loop and the responder thread share (Events are thread-safe)."""

    stop: threading.Event = field(default_factory=threading.Event)
    incident_id: str | None = None
    incident_resolved: threading.Event = field(default_factory=threading.Event)
    mitigated: threading.Event = field(default_factory=threading.Event)
    runbook_done: threading.Event = field(default_factory=threading.Event)
    runbook: RunbookOutcome | None = None


class AutoResponder(threading.Thread):
    def __init__(
        self,
        *,
        shared: Shared,
        timeline: Timeline,
        incidents: IncidentPort,
        runbooks: RunbookPort,
        runbook_path: Path,
        env: dict[str, str],
        poll_s: float = 0.2,
    ) -> None:
        super().__init__(name="drill-responder", daemon=True)
        self.shared, self.timeline = shared, timeline
        self.incidents, self.runbooks = incidents, runbooks
        self.runbook_path, self.env, self.poll_s = runbook_path, env, poll_s
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._respond()
        except DrillError as exc:
            self.error = exc
            self.timeline.record(Kind.ERROR, "responder", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - recorded, and the observer still rolls back
            self.error = exc
            self.timeline.record(Kind.ERROR, "responder", error=f"{type(exc).__name__}: {exc}")

    def _wait(self, event: threading.Event) -> bool:
        while not self.shared.stop.is_set():
            if event.wait(self.poll_s):
                return True
        return False

    def _wait_incident(self) -> str | None:
        while not self.shared.stop.is_set():
            if self.shared.incident_id is not None:
                return self.shared.incident_id
            self.shared.stop.wait(self.poll_s)
        return None

    def _respond(self) -> None:
        incident_id = self._wait_incident()
        if incident_id is None:
            return
        self._retry(lambda: self.incidents.ack(incident_id, by=RESPONDER))
        self.timeline.record(Kind.NOTE, "responder", action="ack", incident=incident_id)
        self._run_runbook(incident_id)
        if not self._wait(self.shared.mitigated):
            return
        if not self.shared.incident_resolved.is_set():
            self._retry(lambda: self.incidents.resolve(incident_id, by=RESPONDER))
            self.timeline.record(Kind.NOTE, "responder", action="resolve", incident=incident_id)

    def _retry(self, action: Callable[[], None], attempts: int = 20) -> None:
        """A person retries a failed click: the service restarting must not end the drill."""
        for attempt in range(attempts):
            try:
                action()
                return
            except IncidentServiceError as exc:
                if attempt == attempts - 1 or self.shared.stop.is_set():
                    raise
                self.timeline.record(Kind.NOTE, "responder", retry=str(exc)[:200])
                self.shared.stop.wait(0.5)

    def _run_runbook(self, incident_id: str) -> None:
        self.timeline.record(Kind.RUNBOOK_STARTED, "responder", path=str(self.runbook_path))

        def on_step(step: StepOutcome) -> None:
            self.timeline.record(
                Kind.RUNBOOK_STEP,
                "responder",
                number=step.number,
                title=step.title,
                kind=step.kind,
                ok=step.ok,
                duration_s=round(step.duration_s, 3),
                result=_short(step.report),
            )

        env = {**self.env, "DRILL_INCIDENT_ID": incident_id}
        try:
            outcome = self.runbooks.run(self.runbook_path, env=env, on_step=on_step)
        finally:
            self.shared.runbook_done.set()
        self.shared.runbook = outcome
        self.timeline.record(
            Kind.RUNBOOK_FINISHED,
            "responder",
            ok=outcome.ok,
            failed_step=outcome.failed_step,
            steps=len(outcome.steps),
        )


def _short(report: dict[str, Any]) -> dict[str, Any]:
    """A step's report without its full output (the timeline line stays small)."""
    out = dict(report)
    if isinstance(out.get("output"), str):
        out["output"] = out["output"][-2000:]
    return out
