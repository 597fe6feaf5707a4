"""`drill fault list|inject|clear` and `drill recover`: thin wrappers over FaultManager."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic.fields import FieldInfo
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from harness import settings
from harness.errors import DrillError, FaultError, StackError
from harness.faults import registry
from harness.faults.manager import DEFAULT_TTL_S, FaultManager
from harness.report import recover_reports
from harness.stack.compose import Stack

out = Console(soft_wrap=True)
fault_app = typer.Typer(
    help="Inject faults into drill's stack and revert them.", no_args_is_help=True
)

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "": 1.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|)\s*$")


def parse_duration(text: str, what: str = "duration") -> float:
    """30s, 5m, 1h, 250ms or plain seconds."""
    match = _DURATION.match(text)
    if not match or float(match[1]) <= 0:
        raise FaultError(f"bad {what} {text!r}: use a positive number with s, m, h or ms (30s, 5m)")
    return float(match[1]) * _UNITS[match[2]]


def parse_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise FaultError(f"bad --param {pair!r}: expected key=value")
        params[key.strip()] = value.strip()
    return params


def _field_text(name: str, info: FieldInfo) -> str:
    text = f"{name}={info.default!r}" if not info.is_required() else f"{name} (required)"
    bounds = [str(m) for m in info.metadata]
    if info.description:
        bounds.insert(0, info.description)
    return text + (f" [{'; '.join(bounds)}]" if bounds else "")


@fault_app.command("list")
def list_faults() -> None:
    """Every fault type, what it does and its parameters."""
    table = Table(title="drill fault types")
    table.add_column("type", style="bold")
    table.add_column("description")
    table.add_column("params")
    for kind in registry.kinds():
        cls = registry.get(kind)
        fields = cls.Params.model_fields
        params = "\n".join(_field_text(n, f) for n, f in fields.items()) or "-"
        target = f" (target: {', '.join(cls.targets)})" if cls.targets else ""
        table.add_row(kind, cls.summary + target, params)
    out.print(table)


@fault_app.command("inject")
def inject(
    kind: Annotated[str, typer.Argument(help="fault type, see `drill fault list`")],
    target: Annotated[str | None, typer.Option("--target", "-t", help="compose service")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value, repeatable")
    ] = None,
    duration: Annotated[
        str | None, typer.Option(help="revert after this long (30s, 5m); default: leave it")
    ] = None,
    ttl: Annotated[str, typer.Option(help="the watchdog reverts it after this long")] = "15m",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show, touch nothing")] = False,
) -> None:
    """Inject a fault. Without --duration it stays until `drill fault clear` (or its TTL)."""
    params = parse_params(param or [])
    hold_s = parse_duration(duration) if duration is not None else None
    ttl_s = parse_duration(ttl, "ttl") if ttl else DEFAULT_TTL_S
    if hold_s is not None and ttl_s < hold_s:
        ttl_s = hold_s + 60  # the TTL is a safety net, not shorter than the fault asked for
    manager = FaultManager(Stack(), owner=f"cli-{os.getpid()}", handle_signals=hold_s is not None)
    if dry_run:
        steps = manager.plan(kind, target, params)
        out.print(f"[bold]dry run[/]: {steps[0]} (ttl {ttl_s:.0f}s); nothing is touched")
        for step in steps[1:]:
            out.print(f"  would: {step}", highlight=False)
        return
    applied = manager.inject(kind, target, params, ttl_s=ttl_s, detached=hold_s is None)
    out.print(f"[green]injected[/] {applied} id={applied.id}, ttl {ttl_s:.0f}s", highlight=False)
    if hold_s is None:
        out.print("left in place: revert with `drill fault clear` (or `drill recover`)")
        return
    try:
        _wait(hold_s, str(applied))
    finally:
        manager.revert(applied)
        manager.close()
        out.print(f"[green]reverted[/] {applied}", highlight=False)


def _wait(seconds: float, label: str) -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, console=out, transient=True) as progress:
        task = progress.add_task(label, total=seconds)
        start = time.monotonic()
        while (elapsed := time.monotonic() - start) < seconds:
            progress.update(task, completed=elapsed)
            time.sleep(min(0.2, seconds - elapsed))


def _revert_recorded(manager: FaultManager) -> list[str]:
    recorded = manager.active(all_owners=True)
    if not recorded:
        out.print("no recorded faults")
    errors = manager.revert_all(all_owners=True)
    for applied in recorded:
        if not any(line.startswith(str(applied)) for line in errors):
            out.print(f"[green]reverted[/] {applied} (id {applied.id})", highlight=False)
    return errors


@fault_app.command("clear")
def clear() -> None:
    """Revert every recorded fault, whoever injected it."""
    manager = FaultManager(Stack(), owner=f"cli-{os.getpid()}", watchdog=False)
    errors = _revert_recorded(manager)
    if errors:
        raise FaultError("could not revert: " + " | ".join(errors))


def recover(
    report_dir: Annotated[
        Path | None,
        typer.Option(help="Where drill reports live (default: reports/ in the checkout)."),
    ] = None,
) -> None:
    """Revert every recorded fault, reset the fault proxy, restart stopped or paused containers,
    and mark the report of a drill whose harness was killed as aborted."""
    stack = Stack()
    manager = FaultManager(stack, owner=f"cli-{os.getpid()}", watchdog=False)
    errors = _revert_recorded(manager)
    try:
        manager.ctx.proxy.check(manager.ctx.proxy.request("POST", "/reset"), 204)
        out.print("fault proxy reset: every toxic removed, every proxy enabled")
    except DrillError as exc:
        out.print(f"[yellow]fault proxy not reset[/]: {exc}", highlight=False)
    for container in stack.containers():
        container.reload()
        service = container.labels.get("com.docker.compose.service", container.name)
        try:
            if container.status == "paused":
                container.unpause()
                out.print(f"[green]unpaused[/] {service}")
            elif container.status in ("exited", "created", "dead"):
                container.start()
                out.print(f"[green]started[/] {service} (was {container.status})")
        except Exception as exc:  # report and go on with the next container
            errors.append(f"{service}: {exc}")
    for written in recover_reports(report_dir or settings.root() / "reports"):
        out.print(f"[yellow]aborted drill report[/] written: {written}")
    if errors:
        raise StackError("recover left problems: " + " | ".join(errors))
    out.print("[bold green]recovered[/]")


def register(app: typer.Typer) -> None:
    """Add this room's commands to the root `drill` app."""
    app.add_typer(fault_app, name="fault")
    app.command("recover")(recover)
