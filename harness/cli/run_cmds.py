"""`drill run`, `drill list`, `drill validate`: scenarios and the drills that run them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from harness.errors import DrillError, ScenarioError
from harness.scenario import (
    Checkout,
    format_duration,
    load_scenario,
    parse_duration,
    resolve_scenario_path,
    scenario_files,
)

out = Console()
err = Console(stderr=True)


def _duration(value: str | None, option: str) -> float | None:
    if value is None:
        return None
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ScenarioError(f"{option}: {exc}") from exc
    if seconds <= 0:
        raise ScenarioError(f"{option}: must be more than zero")
    return seconds


def run(
    scenarios: Annotated[list[str], typer.Argument(help="scenario files or names")],
    mode: Annotated[
        str,
        typer.Option(
            help="auto: the harness plays on-call; manual: a person responds, the harness watches"
        ),
    ] = "auto",
    report_dir: Annotated[Path, typer.Option(help="where drill folders are written")] = Path(
        "reports"
    ),
    respond_target: Annotated[str | None, typer.Option(help="e.g. 15m (default: scenario)")] = None,
    resolve_target: Annotated[str | None, typer.Option(help="e.g. 30m (default: scenario)")] = None,
    max_duration: Annotated[str | None, typer.Option(help="end the drill after this")] = None,
    no_responder: Annotated[
        bool, typer.Option("--no-responder", help="auto mode without acting")
    ] = False,
    no_live: Annotated[bool, typer.Option("--no-live", help="plain log lines")] = False,
) -> None:
    """Run drills end to end. Exit 0: every target met; 1: a target missed; 2: error/aborted."""
    from harness.engine.run import DrillOptions, Mode, run_drill

    if mode not in ("auto", "manual"):
        raise ScenarioError(f"--mode must be auto or manual, not {mode!r}")
    checkout = Checkout.discover()
    loaded = [load_scenario(resolve_scenario_path(s), checkout) for s in scenarios]
    options = DrillOptions(
        mode=Mode(mode),
        report_dir=report_dir,
        respond_s=_duration(respond_target, "--respond-target"),
        resolve_s=_duration(resolve_target, "--resolve-target"),
        max_duration_s=_duration(max_duration, "--max-duration"),
        responder=not no_responder,
        live=not no_live,
        console=out,
    )
    worst = 0
    for scenario in loaded:
        outcome = run_drill(scenario, options)
        _summary(outcome.report)
        out.print(
            f"report: {outcome.out_dir / 'report.html'}  ({outcome.out_dir / 'report.json'})",
            highlight=False,
        )
        worst = max(worst, outcome.exit_code)
    raise typer.Exit(worst)


def _summary(report: dict[str, object]) -> None:
    metrics = report["metrics"]
    verdict = report["verdict"]
    assert isinstance(metrics, dict) and isinstance(verdict, dict)
    table = Table(
        title=f"{report['scenario']}: {report['status']}, "
        f"{'PASSED' if verdict['passed'] else 'FAILED'}"
    )
    table.add_column("clock")
    table.add_column("from fault", justify="right")
    for name, value in metrics.items():
        table.add_row(name, "never" if value is None else format_duration(float(value)))
    out.print(table)


def list_scenarios() -> None:
    """Shipped scenarios with their fault, severity and runbook."""
    checkout = Checkout.discover()
    table = Table(title="scenarios")
    for column in ("name", "fault", "target", "severity", "runbook", "expected alerts"):
        table.add_column(column)
    for path in scenario_files(checkout.root):
        try:
            s = load_scenario(path, checkout)
        except ScenarioError as exc:
            del exc  # `drill validate` prints the details
            table.add_row(path.stem, "[red]invalid[/]", "", "", "see `drill validate`", "")
            continue
        table.add_row(
            s.name,
            s.fault.type,
            s.fault.target,
            str(s.severity),
            s.runbook,
            ", ".join(s.expected_alerts),
        )
    out.print(table)


def validate(
    files: Annotated[list[Path] | None, typer.Argument(help="default: scenarios/*.yaml")] = None,
    write_schema: Annotated[bool, typer.Option(help="also rewrite scenarios/schema.json")] = False,
) -> None:
    """Check scenario files; every problem names file, line and field. Exit 2 on any."""
    checkout = Checkout.discover()
    if write_schema:
        from harness.scenario.schema import write_schema as write

        out.print(f"wrote {write(checkout.root)}")
    paths = files or scenario_files(checkout.root)
    bad = 0
    for path in paths:
        try:
            load_scenario(path, checkout)
        except DrillError as exc:
            bad += 1
            err.print(f"[red]{exc}[/]", highlight=False, soft_wrap=True)
        else:
            out.print(f"[green]ok[/] {path}", highlight=False, soft_wrap=True)
    if bad:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add this room's commands to the root `drill` app."""
    app.command("run")(run)
    app.command("list")(list_scenarios)
    app.command("validate")(validate)
