"""When a runbook counts as accurate, and its section of report.json.

A runbook is accurate when every block succeeded, at least one verify block ran, and —
checked independently of the runbook's own verify commands — the stack is back to its
steady state and the fault is no longer active. The independent check is what catches a
runbook whose verify is too weak to notice that its remediation did nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import settings
from harness.runbooks.models import Runbook, RunbookResult, StepKind


@dataclass(frozen=True)
class Accuracy:
    accurate: bool
    reason: str  # one line a person can act on
    failed_step: str | None  # label of the step to fix, when one is to blame


def assess(
    result: RunbookResult, *, steady_state_ok: bool, fault_active: bool | None = None
) -> Accuracy:
    """Judge a finished run; `fault_active` None means the fault could not be asked."""
    if result.failed_step is not None:
        step = result.failed_step
        return Accuracy(False, f"{step.label()} failed: {step.failure}", step.label())
    if not result.steps:
        return Accuracy(False, "the runbook has no executable steps", None)
    verifies = [s for s in result.steps if s.kind == StepKind.VERIFY]
    if not verifies:
        return Accuracy(False, "no verify step ran, so nothing proved the fault gone", None)
    last = verifies[-1].label()
    if fault_active:
        return Accuracy(
            False,
            f"every step passed but the fault is still active: {last} "
            "does not prove the fault gone",
            last,
        )
    if not steady_state_ok:
        return Accuracy(
            False,
            f"every step passed but steady state did not return: {last} "
            "does not prove the fault gone",
            last,
        )
    return Accuracy(True, f"all {len(result.steps)} blocks passed and steady state returned", None)


def report_section(runbook: Runbook, result: RunbookResult, accuracy: Accuracy) -> dict[str, Any]:
    """The `runbook` object of report.json (DESIGN.md contract, extended)."""
    try:
        path = str(runbook.path.resolve().relative_to(settings.root()))
    except ValueError:
        path = str(runbook.path)
    return {
        "path": path,
        "id": runbook.meta.id,
        "steps": [s.to_report() for s in result.steps],
        "steps_passed": result.passed,
        "steps_total": result.total,
        "ok": result.ok,
        "accurate": accuracy.accurate,
        "reason": accuracy.reason,
        "failed_step": accuracy.failed_step,
    }


def step_env(root: Path | None = None) -> dict[str, str]:
    """The variables runbook commands may use: ports, token, the drill binary, the root."""
    base = root or settings.root()
    env = {spec.variable: str(settings.port(name)) for name, spec in settings.PORTS.items()}
    env["DRILL_ROOT"] = str(base)
    drill_bin = base / ".venv" / "bin" / "drill"
    env["DRILL_BIN"] = str(drill_bin) if drill_bin.exists() else "drill"
    env["COMPOSE_PROJECT_NAME"] = settings.PROJECT_NAME
    token = settings.setting("DRILL_API_TOKEN")
    if token:
        env["DRILL_API_TOKEN"] = token
    return env
