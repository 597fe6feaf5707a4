"""Clocks, verdict and breakdown from hand-made timelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from harness.engine.clocks import breakdown, compute_metrics, detected_by, verdict
from harness.engine.timeline import Event, Kind

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ev(kind: str, at: float, /, **detail: object) -> Event:
    return Event(kind, "test", 100.0 + at, T0 + timedelta(seconds=at), dict(detail))


CHAIN = [
    ev(Kind.DRILL_STARTED, -5),
    ev(Kind.PROBE_FAILED, -1),  # before the fault: not a symptom of it
    ev(Kind.FAULT_INJECTED, 0),
    ev(Kind.PROBE_FAILED, 1.2, probe="api-health"),
    ev(Kind.ALERT_PENDING, 2.0, alertname="ApiDown"),
    ev(Kind.ALERT_FIRING, 3.0, alertname="ApiDown"),
    ev(Kind.ALERT_RECEIVED, 4.1, alertname="ApiDown"),
    ev(Kind.NOTIFICATION_DELIVERED, 4.3, channel="local"),
    ev(Kind.ACKNOWLEDGED, 5.0),
    ev(Kind.RUNBOOK_FINISHED, 8.0),
    ev(Kind.MITIGATED, 7.0),
    ev(Kind.MITIGATED, 9.8),  # flapped; the last one holds
    ev(Kind.RESOLVED, 12.0),
]


def test_clocks_from_the_fault() -> None:
    assert compute_metrics(CHAIN) == {
        "time_to_first_symptom_s": 1.2,
        "time_to_detect_s": 4.1,
        "time_to_notify_s": 4.3,
        "time_to_acknowledge_s": 5.0,
        "time_to_mitigate_s": 9.8,
        "time_to_resolve_s": 12.0,
    }


def test_no_fault_no_clocks() -> None:
    assert set(compute_metrics(CHAIN[:2]).values()) == {None}


def test_verdict_edges() -> None:
    metrics = compute_metrics(CHAIN)
    assert verdict(metrics, 5.0, 12.0).passed  # at the target counts as met
    missed = verdict(metrics, 4.9, 30)
    assert not missed.respond_met and missed.resolve_met and not missed.passed
    none = verdict(dict.fromkeys(metrics), 900, 1800)
    assert none.as_dict() == {"respond_met": False, "resolve_met": False, "passed": False}


def test_breakdown_parts_add_up_and_name_the_budget() -> None:
    parts = breakdown(CHAIN)
    detect = parts["time_to_detect_s"]
    assert [p["to"] for p in detect] == [
        "first_symptom",
        "alert_active",
        "alert_firing",
        "alert_received",
    ]
    assert [p["seconds"] for p in detect] == [1.2, 0.8, 1.0, 1.1]
    resolve = parts["time_to_resolve_s"]
    assert sum(p["seconds"] for p in resolve) == 12.0  # type: ignore[misc]
    assert str(resolve[-1]["part"]).startswith("verification")


def test_who_detected() -> None:
    assert detected_by(CHAIN) == "monitoring"
    person = [ev(Kind.FAULT_INJECTED, 0), ev(Kind.INCIDENT_OPENED, 30, by="person")]
    assert detected_by(person) == "person"
    assert compute_metrics(person)["time_to_detect_s"] == 30.0
    assert detected_by([ev(Kind.FAULT_INJECTED, 0)]) == "nobody"
