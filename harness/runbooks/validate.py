"""`drill runbooks validate`: prove each runbook against its scenario on the real stack.

Each runbook is paired with the scenario whose `runbook:` names it (or one given by hand),
and the drill runs in auto mode, where the harness plays on-call and executes the runbook.
The verdict comes from that drill's report.json: its runbook section and its metrics.
A runbook under test that is not the scenario's own (a draft, or a deliberately wrong one)
is swapped into the loaded scenario; everything else about the drill stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from harness import settings
from harness.errors import DrillError, RunbookError
from harness.review.model import load_report
from harness.scenario.loader import load_scenario


@dataclass(frozen=True)
class Pairing:
    runbook: Path
    scenario: Path  # the scenario file
    scenario_name: str


@dataclass(frozen=True)
class Validation:
    runbook: str
    scenario: str
    steps_passed: int
    steps_total: int
    time_to_resolve_s: float | None
    accurate: bool
    reason: str
    report: Path | None


def pairings(root: Path | None = None) -> list[Pairing]:
    """Every shipped scenario with the runbook it names, in scenario-name order."""
    base = root or settings.root()
    found: list[Pairing] = []
    for path in sorted((base / "scenarios").glob("*.yaml")):
        data = _scenario_data(path)
        if isinstance(data.get("runbook"), str) and isinstance(data.get("name"), str):
            found.append(Pairing((base / data["runbook"]).resolve(), path, data["name"]))
    return found


def select(names: list[str], *, scenario: str | None, root: Path | None = None) -> list[Pairing]:
    """Pairings for runbook names or paths (all shipped ones when none are given)."""
    base = root or settings.root()
    shipped = pairings(base)
    if not names:
        return shipped
    by_scenario = {p.scenario_name: p for p in shipped}
    chosen: list[Pairing] = []
    for name in names:
        path = _runbook_path(name, base)
        if scenario is not None:
            if scenario not in by_scenario:
                raise RunbookError(f"no scenario named {scenario!r} in {base / 'scenarios'}")
            chosen.append(Pairing(path, by_scenario[scenario].scenario, scenario))
            continue
        matches = [p for p in shipped if p.runbook == path]
        if not matches:
            raise RunbookError(
                f"no scenario names runbook {name!r}; pass --scenario NAME to "
                "choose the drill it answers"
            )
        chosen += matches
    return chosen


def _runbook_path(name: str, root: Path) -> Path:
    candidate = Path(name)
    for path in (candidate, root / candidate, root / "ops" / "runbooks" / f"{name}.md"):
        if path.is_file():
            return path.resolve()
    raise RunbookError(f"runbook {name!r} not found (a path, or a name under ops/runbooks/)")


def _scenario_data(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RunbookError(f"cannot read scenario {path}: {exc}") from exc
    return data if isinstance(data, dict) else {}


def validate(
    pairing: Pairing,
    *,
    report_dir: Path,
    max_duration_s: float | None = None,
    console: Console | None = None,
) -> Validation:
    """Run one drill in auto mode with this runbook and judge it from its report.json."""
    from harness.engine.run import DrillOptions, Mode, run_drill  # heavy: load, probes, report

    options = DrillOptions(
        mode=Mode.AUTO,
        report_dir=report_dir,
        max_duration_s=max_duration_s,
        live=False,
        console=console,
    )
    try:
        scenario = load_scenario(pairing.scenario).model_copy(
            update={"runbook": str(pairing.runbook)}
        )
        outcome = run_drill(scenario, options)
    except DrillError as exc:  # one broken scenario must not stop the other validations
        return _failed(pairing, f"the drill could not run: {exc}")
    report = outcome.out_dir / "report.json"
    if not report.is_file():
        return _failed(pairing, f"the drill ({outcome.status}) wrote no report.json")
    return judge(pairing, report)


def judge(pairing: Pairing, report_path: Path) -> Validation:
    """Accurate only if the drill says so AND every runbook step in it passed."""
    report = load_report(report_path)
    section = report.runbook
    if section is None or not section.steps:
        return _failed(pairing, f"the drill ({report.status}) never ran the runbook", report_path)
    passed = sum(1 for s in section.steps if s.ok)
    failed = next((s for s in section.steps if not s.ok), None)
    accurate = bool(section.accurate) and failed is None
    if failed is not None:
        reason = f'step {failed.number} "{failed.title}" ({failed.kind}) failed: {failed.failure}'
    else:
        reason = section.reason or ("accurate" if accurate else "steady state did not return")
    return Validation(
        runbook=_display(pairing.runbook),
        scenario=pairing.scenario_name,
        steps_passed=passed,
        steps_total=section.steps_total or len(section.steps),
        time_to_resolve_s=report.metrics.get("time_to_resolve_s"),
        accurate=accurate,
        reason=reason,
        report=report_path,
    )


def _failed(pairing: Pairing, reason: str, report: Path | None = None) -> Validation:
    return Validation(
        _display(pairing.runbook), pairing.scenario_name, 0, 0, None, False, reason, report
    )


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(settings.root()))
    except ValueError:
        return str(path)
