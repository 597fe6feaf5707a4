"""`drill runbooks lint|validate|run` and `drill review`: thin wrappers over harness.runbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness import settings
from harness.review import write_review
from harness.runbooks import RepoFacts, StepResult, execute, lint, parse, step_env
from harness.runbooks.validate import Validation, select, validate

console = Console()
runbooks_app = typer.Typer(
    name="runbooks",
    help="Executable runbooks in ops/runbooks: lint them, prove them on the stack, run them.",
    no_args_is_help=True,
)


def shipped_runbooks(root: Path) -> list[Path]:
    return sorted(p for p in (root / "ops" / "runbooks").glob("*.md") if p.name != "README.md")


@runbooks_app.command("lint")
def lint_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="default: ops/runbooks/*.md")] = None,
) -> None:
    """Check runbooks against the repo (compose services, alert rules, step structure).

    Exit 2 when any defect is found; every defect names file, line and reason.
    """
    root = settings.root()
    paths = files or shipped_runbooks(root)
    defects = lint(paths, RepoFacts.load(root))
    if not defects:
        console.print(f"[green]{len(paths)} runbook(s), no defects[/]")
        return
    table = Table("file", "line", "rule", "reason", title="runbook defects")
    for d in defects:
        table.add_row(_rel(d.path, root), str(d.line), d.rule, d.reason)
    console.print(table)
    console.print(f"[red]{len(defects)} defect(s) in {len({d.path for d in defects})} file(s)[/]")
    raise typer.Exit(2)


@runbooks_app.command("validate")
def validate_cmd(
    names: Annotated[
        list[str] | None, typer.Argument(help="runbook names or paths; default: all shipped")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option(help="scenario to drill with (for a runbook no scenario names)")
    ] = None,
    report_dir: Annotated[Path, typer.Option(help="where the drills write reports")] = Path(
        "reports"
    ),
    max_duration: Annotated[
        float | None,
        typer.Option(help="seconds before a drill gives up (default: the scenario's abort)"),
    ] = None,
) -> None:
    """Run each runbook's scenario on the Docker stack in auto mode; is the runbook accurate?

    Accurate: every step passed and the stack's own steady-state probes saw the fault gone.
    Exit 1 when any runbook comes out inaccurate.
    """
    results: list[Validation] = []
    for pairing in select(names or [], scenario=scenario):
        console.print(f"drilling [bold]{pairing.scenario_name}[/] with {_rel(pairing.runbook)} ...")
        results.append(
            validate(pairing, report_dir=report_dir, max_duration_s=max_duration, console=console)
        )
        _print_validation(results[-1])
    console.print(_validation_table(results))
    if not all(r.accurate for r in results):
        raise typer.Exit(1)


def _print_validation(v: Validation) -> None:
    colour = "green" if v.accurate else "red"
    console.print(
        f"  [{colour}]{'accurate' if v.accurate else 'INACCURATE'}[/]: {v.reason}", soft_wrap=True
    )
    if v.report is not None:
        console.print(f"  report: {_rel(v.report)}")


def _validation_table(results: list[Validation]) -> Table:
    table = Table(
        "runbook",
        "scenario",
        "steps passed",
        "time to resolve",
        "accurate",
        title="runbook validation",
    )
    for v in results:
        resolve = "-" if v.time_to_resolve_s is None else f"{v.time_to_resolve_s:.1f} s"
        verdict = "[green]yes[/]" if v.accurate else f"[red]no[/] ({v.reason})"
        table.add_row(v.runbook, v.scenario, f"{v.steps_passed}/{v.steps_total}", resolve, verdict)
    return table


@runbooks_app.command("run")
def run_cmd(
    name: Annotated[str, typer.Argument(help="a runbook name under ops/runbooks, or a path")],
    step_timeout: Annotated[float, typer.Option(help="seconds allowed per block")] = 120,
) -> None:
    """Execute a runbook against the running stack now, step by step (stops at a failure)."""
    root = settings.root()
    path = Path(name) if Path(name).is_file() else root / "ops" / "runbooks" / f"{name}.md"
    runbook = parse(path)
    result = execute(
        runbook, cwd=root, env=step_env(root), step_timeout_s=step_timeout, on_step=_print_step
    )
    if not result.ok:
        failed = result.failed_step
        console.print(f"[red]stopped: {failed.label() if failed else 'no steps'} failed[/]")
        raise typer.Exit(1)
    console.print(f"[green]all {len(result.steps)} blocks passed[/]")


def _print_step(step: StepResult) -> None:
    mark = "[green]ok[/]" if step.ok else "[red]FAIL[/]"
    console.print(
        f"{mark} {step.number}. {escape(step.title)} ({step.kind}, line {step.line}, "
        f"{step.duration_s:.1f} s)",
        highlight=False,
    )
    if not step.ok:
        detail = f"    {step.failure}\n" + _indent(step.output[-1500:])
        console.print(escape(detail), highlight=False)


def review_cmd(
    drill_dir: Annotated[Path, typer.Argument(help="a drill's report directory")],
    output: Annotated[Path | None, typer.Option(help="default: DRILL_DIR/review.md")] = None,
) -> None:
    """Write a post-incident review prefilled from DRILL_DIR/report.json (timeline, metrics,
    runbook outcome); the judgment sections are left for the review meeting."""
    path = write_review(drill_dir, out=output)
    console.print(f"review written to {path}")


def _indent(text: str) -> str:
    return "\n".join("    | " + line for line in text.rstrip().splitlines())


def _rel(path: Path, root: Path | None = None) -> str:
    try:
        return str(path.resolve().relative_to(root or settings.root()))
    except ValueError:
        return str(path)


def register(app: typer.Typer) -> None:
    """Add this room's commands to the root `drill` app."""
    app.add_typer(runbooks_app, name="runbooks")
    app.command("review")(review_cmd)
