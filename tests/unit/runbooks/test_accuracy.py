from __future__ import annotations

import json
from pathlib import Path

from harness.runbooks import RunbookResult, StepKind, StepResult, assess, parse, report_section
from harness.runbooks.validate import Pairing, judge
from tests.unit.runbooks.conftest import DATA, HEADER, write


def step(number: int, kind: StepKind, ok: bool = True) -> StepResult:
    return StepResult(
        number=number,
        title=f"Step {number}",
        kind=kind,
        ok=ok,
        duration_s=0.1,
        exit_code=0 if ok else 1,
        output="",
        failure=None if ok else "exit 1",
        line=10 * number,
    )


def test_accurate_needs_passing_steps_a_verify_and_steady_state():
    result = RunbookResult(ok=True, steps=[step(1, StepKind.REMEDIATE), step(1, StepKind.VERIFY)])
    assert assess(result, steady_state_ok=True).accurate
    weak = assess(result, steady_state_ok=False)
    assert not weak.accurate and weak.failed_step == 'step 1 "Step 1" (verify, line 10)'
    assert "does not prove the fault gone" in weak.reason
    active = assess(result, steady_state_ok=True, fault_active=True)
    assert not active.accurate and "still active" in active.reason


def test_failed_step_is_named():
    bad = step(2, StepKind.VERIFY, ok=False)
    result = RunbookResult(ok=False, steps=[step(1, StepKind.REMEDIATE), bad], failed_step=bad)
    verdict = assess(result, steady_state_ok=True)
    assert not verdict.accurate
    assert verdict.failed_step == bad.label()
    assert verdict.reason == f"{bad.label()} failed: exit 1"


def test_no_verify_is_not_accurate():
    result = RunbookResult(ok=True, steps=[step(1, StepKind.REMEDIATE)])
    assert not assess(result, steady_state_ok=True).accurate
    assert not assess(RunbookResult(ok=False), steady_state_ok=True).accurate


def test_report_section_round_trips_through_judge(tmp_path: Path):
    runbook = parse(
        write(tmp_path, HEADER + "\n## 1. A\n\n```remediate\ntrue\n```\n\n```verify\nfalse\n```\n")
    )
    bad = step(1, StepKind.VERIFY, ok=False)
    result = RunbookResult(ok=False, steps=[step(1, StepKind.REMEDIATE), bad], failed_step=bad)
    section = report_section(runbook, result, assess(result, steady_state_ok=False))
    report = json.loads((DATA / "report.json").read_text())
    report["runbook"] = json.loads(json.dumps(section))
    (tmp_path / "report.json").write_text(json.dumps(report))
    verdict = judge(
        Pairing(runbook.path, tmp_path / "s.yaml", "server-down"), tmp_path / "report.json"
    )
    assert (verdict.steps_passed, verdict.steps_total, verdict.accurate) == (1, 2, False)
    assert verdict.reason.startswith('step 1 "Step 1" (verify) failed')
    assert verdict.time_to_resolve_s is None and verdict.scenario == "server-down"


def test_judge_of_a_drill_that_never_ran_the_runbook(tmp_path: Path):
    report = json.loads((DATA / "report.json").read_text())
    report["runbook"] = None
    report["status"] = "aborted"
    (tmp_path / "report.json").write_text(json.dumps(report))
    verdict = judge(Pairing(tmp_path / "x.md", tmp_path / "s.yaml", "s"), tmp_path / "report.json")
    assert not verdict.accurate and "never ran the runbook" in verdict.reason
