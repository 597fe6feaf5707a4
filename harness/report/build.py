"""Build the report.json object from a drill's timeline (plus, when the run finished, the load
stats and the runbook's judged section). With the timeline alone it gives the partial report
of a drill that was killed: status aborted, every clock up to the kill."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from harness.engine.clocks import (
    breakdown,
    compute_metrics,
    detected_by,
    fault_event,
    offset,
    verdict,
)
from harness.engine.timeline import Event, Kind, iso
from harness.load.stats import LoadStats
from harness.report.model import Report, Status
from harness.scenario.model import DEFAULT_RESOLVE_S, DEFAULT_RESPOND_S


def header(events: Sequence[Event]) -> dict[str, Any]:
    start = next((e for e in events if e.event == Kind.DRILL_STARTED), None)
    return dict(start.detail) if start else {}


def _names(events: Sequence[Event], kind: str) -> list[str]:
    return sorted(
        {
            str(e.detail.get("alertname"))
            for e in events
            if e.event == kind and e.detail.get("alertname")
        }
    )


def alerts_section(events: Sequence[Event], expected: Sequence[str]) -> dict[str, Any]:
    fired = set(_names(events, Kind.ALERT_FIRING))
    in_am = set(_names(events, Kind.ALERT_IN_ALERTMANAGER))
    pending = set(_names(events, Kind.ALERT_PENDING))
    received = set(_names(events, Kind.ALERT_RECEIVED))
    seen = fired | in_am | received
    routing: dict[str, Any] = {}
    for e in events:
        if e.event == Kind.ALERT_ROUTING:
            routing.update(e.detail.get("alerts") or {})
    suppressed = {n for n, r in routing.items() if r.get("state") == "suppressed"}
    return {
        "expected": list(expected),
        "pending": sorted(pending),
        "fired": sorted(seen),
        "received": sorted(received),
        "expected_not_fired": [a for a in expected if a not in seen],
        # Inhibited or silenced on purpose is not a routing gap; it is listed on its own.
        "fired_not_routed": sorted(seen - received - suppressed),
        "suppressed": sorted(suppressed - received),
        "routing": routing,
    }


def timeline_items(events: Sequence[Event]) -> list[dict[str, Any]]:
    origin = fault_event(events)
    return [
        {
            "at": iso(e.wall),
            "offset_s": offset(e, origin) if origin else None,
            "event": e.event,
            "source": e.source,
            "detail": e.detail,
        }
        for e in sorted(events, key=lambda e: e.mono)
    ]


def incident_section(events: Sequence[Event]) -> dict[str, Any]:
    opened = next(
        (e for e in sorted(events, key=lambda e: e.mono) if e.event == Kind.INCIDENT_OPENED), None
    )
    notes = [
        {
            "channel": str(e.detail.get("channel")),
            "delivered_at": iso(e.wall),
            "kind": e.detail.get("kind"),
        }
        for e in events
        if e.event == Kind.NOTIFICATION_DELIVERED
    ]
    return {
        "id": opened.detail.get("incident") if opened else None,
        "severity": opened.detail.get("severity") if opened else None,
        "title": opened.detail.get("title") if opened else None,
        "notifications": notes,
    }


def runbook_from_events(events: Sequence[Event], path: str) -> dict[str, Any]:
    steps = [
        {
            "number": e.detail.get("number"),
            "title": str(e.detail.get("title", "")),
            "kind": str(e.detail.get("kind", "")),
            "ok": bool(e.detail.get("ok")),
            "duration_s": float(e.detail.get("duration_s") or 0.0),
        }
        for e in events
        if e.event == Kind.RUNBOOK_STEP
    ]
    finished = next((e for e in events if e.event == Kind.RUNBOOK_FINISHED), None)
    return {
        "path": path,
        "steps": steps,
        "accurate": False,
        "ok": bool(finished and finished.detail.get("ok")),
        "failed_step": finished.detail.get("failed_step") if finished else None,
        "ran": bool(steps),
    }


def load_section(events: Sequence[Event], load: LoadStats | None) -> dict[str, Any]:
    if load is not None:
        return load.as_report()
    stopped = next((e for e in events if e.event == Kind.LOAD_STOPPED), None)
    if stopped:
        return {k: stopped.detail.get(k) for k in ("requests", "failures", "p50_ms", "p95_ms")}
    return {"requests": 0, "failures": 0, "p95_ms": None, "history": []}


def _status(events: Sequence[Event], status: str | None) -> tuple[Status, str | None, str | None]:
    ended = next((e for e in events if e.event == Kind.DRILL_ENDED), None)
    gone = "the harness stopped before the drill ended"
    if status is not None:
        reason = gone if ended is None and status == Status.ABORTED else None
        return Status(status), iso(ended.wall) if ended else None, reason
    if ended is None:
        return Status.ABORTED, None, gone
    return (
        Status(str(ended.detail.get("status", "aborted"))),
        iso(ended.wall),
        ended.detail.get("reason"),
    )


def build_report(
    events: Sequence[Event],
    *,
    status: str | None = None,
    load: LoadStats | None = None,
    runbook: dict[str, Any] | None = None,
) -> dict[str, Any]:
    head = header(events)
    targets = head.get("targets") or {
        "respond_s": DEFAULT_RESPOND_S,
        "resolve_s": DEFAULT_RESOLVE_S,
    }
    metrics = compute_metrics(events)
    judged = verdict(metrics, float(targets["respond_s"]), float(targets["resolve_s"]))
    state, finished_at, reason = _status(events, status)
    start = next((e for e in events if e.event == Kind.DRILL_STARTED), None)
    report = {
        "drill_id": head.get("drill_id", "unknown"),
        "scenario": head.get("scenario", "unknown"),
        "title": head.get("title"),
        "severity": head.get("severity"),
        "mode": head.get("mode", "auto"),
        "responder": head.get("responder", True),
        "started_at": iso(start.wall) if start else iso(datetime.now(UTC)),
        "finished_at": finished_at,
        "status": state.value,
        "end_reason": reason or _end_reason(events),
        "fault": head.get("fault") or {"type": "?", "target": "?", "params": {}},
        "targets": targets,
        "metrics": metrics,
        "verdict": {**judged.as_dict(), "passed": judged.passed and state == Status.COMPLETED},
        "detected_by": detected_by(events),
        "alerts": alerts_section(events, head.get("expected_alerts") or []),
        "breakdown": breakdown(events),
        "timeline": timeline_items(events),
        "incident": incident_section(events),
        "runbook": runbook or runbook_from_events(events, str(head.get("runbook", ""))),
        "load": load_section(events, load),
    }
    return Report.model_validate(report).model_dump(mode="json")


def _end_reason(events: Sequence[Event]) -> str | None:
    ended = next((e for e in events if e.event == Kind.DRILL_ENDED), None)
    return str(ended.detail.get("reason")) if ended and ended.detail.get("reason") else None
