"""A whole drill against test doubles: flow, clocks, verdict, rollback, abort."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.engine.run import DrillOptions, Mode, run_drill
from harness.engine.timeline import read_timeline
from harness.scenario.model import Scenario
from tests.unit.engine.doubles import FakeRunbooks, FakeSteady, World, make_ports


def scenario(**over: object) -> Scenario:
    data = {
        "name": "server-down",
        "title": "API down",
        "runbook": "ops/runbooks/server-down.md",
        "steady_state": [{"name": "api-health", "type": "http"}],
        "fault": {"type": "container.kill", "target": "api"},
        "expected_alerts": ["ApiDown", "ApiHighErrorRatio"],
        "probe_interval": 0.03,
        "recovery_checks": 2,
        "abort": {"max_duration": 5, "steady_state_timeout": 1},
    }
    data.update(over)
    return Scenario.model_validate(data)


def run(tmp_path: Path, world: World, scen: Scenario | None = None, **kw: Any):
    ports = make_ports(world, **{k: v for k, v in kw.items() if k in ("runbooks", "steady")})
    options = DrillOptions(
        report_dir=tmp_path,
        live=False,
        **{k: v for k, v in kw.items() if k not in ("runbooks", "steady")},
    )
    outcome = run_drill(scen or scenario(), options, ports_factory=lambda s, d, o: ports)
    return outcome, ports


def test_auto_drill_meets_targets_and_rolls_back(tmp_path: Path) -> None:
    world = World()
    outcome, ports = run(tmp_path, world)
    report = outcome.report
    assert outcome.exit_code == 0 and report["status"] == "completed"
    metrics = report["metrics"]
    assert all(v is not None for v in metrics.values()), metrics
    assert (
        metrics["time_to_first_symptom_s"]
        <= metrics["time_to_detect_s"]
        <= metrics["time_to_notify_s"]
        <= metrics["time_to_acknowledge_s"]
    )
    assert metrics["time_to_mitigate_s"] <= metrics["time_to_resolve_s"]
    assert report["verdict"] == {"respond_met": True, "resolve_met": True, "passed": True}
    assert report["detected_by"] == "monitoring"
    assert report["alerts"]["expected_not_fired"] == ["ApiHighErrorRatio"]
    assert report["alerts"]["fired_not_routed"] == []
    assert [s["kind"] for s in report["runbook"]["steps"]] == ["diagnose", "remediate", "verify"]
    assert world.reverted >= 1 and ports.load.stopped and ports.steady.closed
    assert ports.incidents.registered == ports.incidents.ended == [outcome.drill_id]
    for name in ("report.json", "report.html", "report.md", "junit.xml", "timeline.jsonl"):
        assert (outcome.out_dir / name).is_file()
    saved = json.loads((outcome.out_dir / "report.json").read_text())
    assert saved["status"] == "completed" and "provisional" not in saved


def test_detection_breakdown_uses_the_alert_timestamps(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, World())
    parts = outcome.report["breakdown"]["time_to_detect_s"]
    assert parts[-1]["to"] == "alert_received"
    total = sum(p["seconds"] for p in parts)
    assert total == pytest.approx(outcome.report["metrics"]["time_to_detect_s"], abs=0.01)


def test_no_responder_misses_the_response_target(tmp_path: Path) -> None:
    world = World()
    outcome, ports = run(tmp_path, world, responder=False, respond_s=0.2, max_duration_s=0.6)
    assert outcome.exit_code == 1
    assert outcome.report["verdict"]["respond_met"] is False
    assert outcome.report["metrics"]["time_to_acknowledge_s"] is None
    assert outcome.report["status"] == "completed"
    assert ports.runbooks.ran == 0 and world.reverted == 1


def test_manual_mode_only_watches(tmp_path: Path) -> None:
    runbooks = FakeRunbooks(World())
    outcome, _ = run(tmp_path, World(), mode=Mode.MANUAL, max_duration_s=0.4, runbooks=runbooks)
    assert runbooks.ran == 0 and outcome.exit_code == 1


def test_never_injects_into_an_unhealthy_stack(tmp_path: Path) -> None:
    world = World()
    outcome, _ = run(tmp_path, world, steady=FakeSteady(world, never_ok=True))
    assert outcome.exit_code == 2 and outcome.report["status"] == "error"
    assert "steady state not reached" in outcome.report["end_reason"]
    assert world.injected == 0


def test_interrupt_mid_drill_rolls_back_and_aborts(tmp_path: Path) -> None:
    world = World()
    steady = FakeSteady(world, explode_after_fault=KeyboardInterrupt())
    outcome, _ = run(tmp_path, world, steady=steady)
    assert outcome.report["status"] == "aborted" and outcome.exit_code == 2
    assert world.reverted == 1 and not world.fault_active


def test_a_bug_still_rolls_back_and_reports(tmp_path: Path) -> None:
    world = World()
    steady = FakeSteady(world, explode_after_fault=RuntimeError("boom"))
    with pytest.raises(RuntimeError):
        run(tmp_path, world, steady=steady)
    assert world.reverted == 1
    (drill_dir,) = tmp_path.iterdir()
    assert json.loads((drill_dir / "report.json").read_text())["status"] == "error"


def test_runbook_that_does_not_fix_leaves_targets_missed(tmp_path: Path) -> None:
    world = World()
    outcome, _ = run(tmp_path, world, runbooks=FakeRunbooks(world, fixes=False), max_duration_s=0.5)
    assert outcome.report["metrics"]["time_to_acknowledge_s"] is not None
    assert outcome.report["metrics"]["time_to_mitigate_s"] is None
    assert outcome.report["verdict"]["resolve_met"] is False and outcome.exit_code == 1
    assert outcome.report["runbook"]["accurate"] is False


def test_timeline_is_on_disk_in_event_order(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, World())
    kinds = [e.event for e in read_timeline(outcome.out_dir / "timeline.jsonl")]
    order = [
        "drill_started",
        "stack_ready",
        "load_started",
        "steady_state_verified",
        "drill_registered",
        "fault_injected",
    ]
    assert kinds[: len(order)] == order
    assert kinds[-1] == "drill_ended" and "rollback" in kinds


def test_stale_open_incidents_are_resolved_before_the_fault(tmp_path: Path) -> None:
    from tests.unit.engine.doubles import FakeIncidents

    world = World()
    incidents = FakeIncidents(world)
    incidents.stale = [
        {
            "id": "OLD-1",
            "title": "ApiDown",
            "resolved_at": None,
            "alerts": [{"alertname": "ApiDown", "status": "resolved"}],
        }
    ]
    ports = make_ports(world, incidents=incidents)
    outcome = run_drill(
        scenario(),
        DrillOptions(report_dir=tmp_path, live=False),
        ports_factory=lambda s, d, o: ports,
    )
    assert outcome.exit_code == 0
    assert incidents.stale[0]["resolved_at"] is not None
    notes = [e for e in outcome.report["timeline"] if e["detail"].get("incident") == "OLD-1"]
    assert notes and notes[0]["offset_s"] < 0


def test_an_open_incident_with_a_firing_alert_blocks_the_drill(tmp_path: Path) -> None:
    from tests.unit.engine.doubles import FakeIncidents

    world = World()
    incidents = FakeIncidents(world)
    incidents.stale = [
        {
            "id": "OLD-2",
            "title": "DB",
            "resolved_at": None,
            "alerts": [{"alertname": "DatabaseUnreachable", "status": "firing"}],
        }
    ]
    ports = make_ports(world, incidents=incidents)
    outcome = run_drill(
        scenario(),
        DrillOptions(report_dir=tmp_path, live=False),
        ports_factory=lambda s, d, o: ports,
    )
    assert outcome.exit_code == 2 and world.injected == 0
    assert "OLD-2" in outcome.report["end_reason"]
