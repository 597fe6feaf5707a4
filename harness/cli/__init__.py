"""The `drill` command line. Each room registers its own commands; this file only wires them."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from harness.cli import fault_cmds, incident_cmds, run_cmds, runbook_cmds, stack_cmds
from harness.errors import DrillError

app = typer.Typer(
    name="drill",
    help=(
        "Incident drills and chaos simulation: bring up a production-like stack, inject a real "
        "fault, and time detection, notification, acknowledgement and resolution against the "
        "15-minute response and 30-minute resolution targets.\n\n"
        "Start with `drill up`, then `drill run scenarios/server-down.yaml`."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (stack_cmds, fault_cmds, run_cmds, incident_cmds, runbook_cmds):
    module.register(app)

err = Console(stderr=True, soft_wrap=True)


def main() -> None:
    """Entry point: a DrillError is one actionable line and exit code 2."""
    try:
        app()
    except DrillError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(2)
