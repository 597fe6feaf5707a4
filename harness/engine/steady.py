"""Before the fault: wait until steady state holds and the scenario's alerts are quiet.

A drill never injects into an unhealthy stack — nor into one still firing the alerts it is
about to time, which would make detection look instant.
"""

from __future__ import annotations

import time
from typing import Any

from harness.engine.live import LiveView
from harness.engine.ports import Ports
from harness.engine.timeline import Kind, Timeline
from harness.errors import StackError
from harness.scenario.model import Scenario


def _active(alerts: list[dict[str, Any]], names: set[str]) -> set[str]:
    found = set()
    for alert in alerts:
        name = (alert.get("labels") or {}).get("alertname")
        state = alert.get("state")
        active = (
            state in ("pending", "firing")
            if isinstance(state, str)
            else (state or {}).get("state", "active") == "active"
        )
        if name in names and active:
            found.add(str(name))
    return found


def loud_alerts(ports: Ports, names: set[str]) -> set[str]:
    return _active(ports.alerts.prometheus(), names) | _active(ports.alerts.alertmanager(), names)


def open_incidents_in_the_way(ports: Ports, timeline: Timeline) -> list[str]:
    """Open incidents would swallow the drill's alerts (the service dedupes by group), so the
    drill's incident would never open. One whose alerts have all resolved is stale and is
    resolved here, on the timeline; one with a firing alert means the stack is not quiet."""
    busy = []
    for incident in ports.incidents.open_incidents():
        alerts = incident.get("alerts") or []
        if any(a.get("status") == "firing" for a in alerts):
            busy.append(str(incident.get("id")))
            continue
        ports.incidents.resolve(str(incident.get("id")), by="drill-preflight")
        timeline.record(
            Kind.NOTE,
            "harness",
            action="resolved stale incident",
            incident=incident.get("id"),
            title=incident.get("title"),
        )
    return busy


def await_steady_state(
    scenario: Scenario, ports: Ports, timeline: Timeline, view: LiveView
) -> None:
    deadline = time.monotonic() + scenario.abort.steady_state_timeout
    names, streak, why = set(scenario.expected_alerts), 0, "never checked"
    view.tick("verifying steady state")
    while True:
        tick = time.monotonic()
        result = ports.steady.evaluate()
        loud = loud_alerts(ports, names)
        busy = open_incidents_in_the_way(ports, timeline) if result.ok and not loud else []
        if result.ok and not loud and not busy:
            streak += 1
            if streak >= scenario.recovery_checks:
                timeline.record(
                    Kind.STEADY_STATE_VERIFIED,
                    "probe",
                    checks=streak,
                    probes={r.name: r.value for r in result.results},
                )
                return
        else:
            streak = 0
            why = (
                result.summary()
                if not result.ok
                else f"alerts still active: {sorted(loud)}"
                if loud
                else f"open incidents with firing alerts: {busy}"
            )
        if time.monotonic() >= deadline:
            raise StackError(
                f"steady state not reached within "
                f"{scenario.abort.steady_state_timeout:g}s ({why}); "
                "a drill never injects into an unhealthy stack"
            )
        time.sleep(max(0.0, tick + scenario.probe_interval - time.monotonic()))
