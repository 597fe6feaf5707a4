"""The six response clocks, the verdict, and where the time went — all from timeline events.

Every clock is measured from `fault_injected`. A stage that never happened is None and fails
its target. The functions here are pure, so an aborted drill's timeline gives the same
numbers a finished one would have up to the moment it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.engine.timeline import Event, Kind

CLOCKS: dict[str, str] = {
    "time_to_first_symptom_s": Kind.PROBE_FAILED,
    "time_to_detect_s": Kind.ALERT_RECEIVED,
    "time_to_notify_s": Kind.NOTIFICATION_DELIVERED,
    "time_to_acknowledge_s": Kind.ACKNOWLEDGED,
    "time_to_mitigate_s": Kind.MITIGATED,
    "time_to_resolve_s": Kind.RESOLVED,
}

# Milestones in causal order; each names the part of the budget that ends at it.
MILESTONES: tuple[tuple[str, str], ...] = (
    ("first_symptom", "fault reaches customers (first failing probe)"),
    ("alert_active", "scrape and rule evaluation (Prometheus activeAt)"),
    ("alert_firing", "alert rule for: (pending to firing, startsAt)"),
    ("alert_received", "Alertmanager group_wait and webhook delivery"),
    ("notified", "incident service paging (delivered to a channel)"),
    ("acknowledged", "responder acknowledges"),
    ("runbook_finished", "runbook remediation"),
    ("mitigated", "recovery until steady state holds"),
    ("resolved", "verification and incident resolution"),
)
CLOCK_STOPS = {
    "time_to_detect_s": "alert_received",
    "time_to_notify_s": "notified",
    "time_to_acknowledge_s": "acknowledged",
    "time_to_mitigate_s": "mitigated",
    "time_to_resolve_s": "resolved",
}


@dataclass(frozen=True)
class Verdict:
    respond_met: bool
    resolve_met: bool

    @property
    def passed(self) -> bool:
        return self.respond_met and self.resolve_met

    def as_dict(self) -> dict[str, bool]:
        return {
            "respond_met": self.respond_met,
            "resolve_met": self.resolve_met,
            "passed": self.passed,
        }


def fault_event(events: Sequence[Event]) -> Event | None:
    return next((e for e in events if e.event == Kind.FAULT_INJECTED), None)


def offset(event: Event, origin: Event) -> float:
    return round(event.mono - origin.mono, 3)


def _after(events: Sequence[Event], kind: str, origin: Event) -> list[Event]:
    return sorted(
        (e for e in events if e.event == kind and e.mono >= origin.mono - 0.001),
        key=lambda e: e.mono,
    )


def detection_event(events: Sequence[Event], origin: Event) -> Event | None:
    """The first alert the incident service received; else an incident a person declared."""
    alerts = _after(events, Kind.ALERT_RECEIVED, origin)
    if alerts:
        return alerts[0]
    declared = [
        e for e in _after(events, Kind.INCIDENT_OPENED, origin) if e.detail.get("by") == "person"
    ]
    return declared[0] if declared else None


def compute_metrics(events: Sequence[Event]) -> dict[str, float | None]:
    origin = fault_event(events)
    metrics: dict[str, float | None] = dict.fromkeys(CLOCKS)
    if origin is None:
        return metrics
    for name, kind in CLOCKS.items():
        found = _after(events, kind, origin)
        if name == "time_to_detect_s":
            first = detection_event(events, origin)
            found = [first] if first else []
        if name == "time_to_mitigate_s" and found:
            found = [found[-1]]  # a flapping recovery counts when it finally held
        metrics[name] = offset(found[0], origin) if found else None
    return metrics


def verdict(metrics: dict[str, float | None], respond_s: float, resolve_s: float) -> Verdict:
    ack, resolved = metrics["time_to_acknowledge_s"], metrics["time_to_resolve_s"]
    return Verdict(
        respond_met=ack is not None and ack <= respond_s,
        resolve_met=resolved is not None and resolved <= resolve_s,
    )


def detected_by(events: Sequence[Event]) -> str:
    """monitoring (an alert opened it), person (declared by hand), or nobody."""
    origin = fault_event(events)
    if origin is None:
        return "nobody"
    if _after(events, Kind.ALERT_RECEIVED, origin):
        return "monitoring"
    if _after(events, Kind.INCIDENT_OPENED, origin):
        return "person"
    return "nobody"


def milestones(events: Sequence[Event]) -> dict[str, float]:
    """Offsets of each causal milestone that happened (the detecting alert's own chain)."""
    origin = fault_event(events)
    if origin is None:
        return {}
    found: dict[str, float] = {}
    metrics = compute_metrics(events)
    if metrics["time_to_first_symptom_s"] is not None:
        found["first_symptom"] = metrics["time_to_first_symptom_s"]
    detect = detection_event(events, origin)
    if detect is not None and detect.event == Kind.ALERT_RECEIVED:
        found.update(_alert_chain(events, origin, detect))
    for key, kind in (
        ("notified", Kind.NOTIFICATION_DELIVERED),
        ("acknowledged", Kind.ACKNOWLEDGED),
        ("runbook_finished", Kind.RUNBOOK_FINISHED),
    ):
        hits = _after(events, kind, origin)
        if hits:
            found[key] = offset(hits[0], origin)
    for key, name in (("mitigated", "time_to_mitigate_s"), ("resolved", "time_to_resolve_s")):
        if metrics[name] is not None:
            found[key] = metrics[name]  # type: ignore[assignment]
    return found


def _alert_chain(events: Sequence[Event], origin: Event, received: Event) -> dict[str, float]:
    name = received.detail.get("alertname")
    chain = {"alert_received": offset(received, origin)}
    for key, kind in (("alert_active", Kind.ALERT_PENDING), ("alert_firing", Kind.ALERT_FIRING)):
        hits = [e for e in events if e.event == kind and e.detail.get("alertname") == name]
        if hits:
            # Clamp: an activeAt a hair before the injection is scrape jitter, not a cause.
            chain[key] = max(0.0, offset(min(hits, key=lambda e: e.mono), origin))
    return chain


def breakdown(events: Sequence[Event]) -> dict[str, list[dict[str, object]]]:
    """Each clock split into consecutive parts, from the real timestamps on the timeline.

    Parts follow the causal chain; a milestone stamped a hair before its predecessor (an
    alert whose `for:` is 0 fires in the same evaluation that made it active) gets 0 s, so
    the parts always add up to the clock.
    """
    stones = milestones(events)
    result: dict[str, list[dict[str, object]]] = {}
    for clock, stop in CLOCK_STOPS.items():
        if stop not in stones:
            continue
        end = stones[stop]
        chain = [
            (key, label)
            for key, label in MILESTONES
            if key in stones and key != stop and stones[key] <= end
        ]
        chain.append((stop, dict(MILESTONES)[stop]))
        parts: list[dict[str, object]] = []
        previous, previous_name = 0.0, "fault_injected"
        for key, label in chain:
            at = end if key == stop else stones[key]
            parts.append(
                {
                    "part": label,
                    "from": previous_name,
                    "to": key,
                    "seconds": round(max(0.0, at - previous), 3),
                }
            )
            previous, previous_name = max(previous, at), key
        result[clock] = parts
    return result
