"""`drill up|down|status|images`: the target stack."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from harness.stack import Stack, lifecycle
from harness.stack.images import ImageBuilder

console = Console()


def _say(message: str) -> None:
    console.print(f"[cyan]•[/] {message}")


def up(
    build: bool = typer.Option(True, help="Build stale images first (skip with --no-build)."),
    timeout: int = typer.Option(180, help="Seconds to wait for every healthcheck."),
) -> None:
    """Build the images if needed, start the stack and wait until every service is healthy."""
    stack = Stack()
    with console.status("starting the drill stack…"):
        seconds = lifecycle.up(stack, report=_say, build=build, timeout_s=timeout)
    console.print(f"[green]stack healthy[/] in {seconds:.1f}s")
    status()


def down(
    volumes: bool = typer.Option(
        False, "--volumes", help="Also delete the database and incidents."
    ),
) -> None:
    """Stop and remove the stack's containers (data volumes are kept unless --volumes)."""
    lifecycle.down(Stack(), volumes=volumes)
    console.print("stack removed")


def status() -> None:
    """Show each service: state, health and published port."""
    table = Table("service", "state", "health", "published")
    for row in Stack().state():
        colour = "green" if row.health in ("healthy", "none") and row.state == "running" else "red"
        table.add_row(row.service, f"[{colour}]{row.state}[/]", row.health, row.ports or "-")
    console.print(table)


def images(
    force: bool = typer.Option(False, "--force", help="Rebuild even when nothing changed."),
) -> None:
    """Build drill's images: offline (mmdebstrap) when no registry is reachable."""
    built = ImageBuilder(Stack(), _say).ensure_all(force=force)
    console.print("built: " + ", ".join(built) if built else "images are up to date")


def register(app: typer.Typer) -> None:
    for command in (up, down, status, images):
        app.command()(command)
