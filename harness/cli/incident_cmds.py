"""`drill incidents`, `drill ack`, `drill resolve`, `drill oncall`, `drill serve`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from harness import settings
from harness.errors import ConfigError

if TYPE_CHECKING:
    from harness.incidents.client import IncidentClient

out = Console()


def _client() -> IncidentClient:
    from harness.incidents.client import IncidentClient

    return IncidentClient()


def incidents(
    drill_id: Annotated[str | None, typer.Option(help="Only this drill's incidents")] = None,
    status: Annotated[str | None, typer.Option(help="triggered|acknowledged|...")] = None,
) -> None:
    """List incidents from the incident service."""
    with _client() as client:
        rows = client.list_incidents(drill_id=drill_id, status=status)
    table = Table(title=f"Incidents ({len(rows)})")
    for column in ("id", "sev", "status", "title", "opened", "drill", "war room", "notified"):
        table.add_column(column)
    for inc in rows:
        delivered = sum(1 for n in inc["notifications"] if n["status"] == "delivered")
        table.add_row(
            inc["id"],
            inc["severity"],
            inc["status"],
            inc["title"],
            inc["created_at"],
            inc["drill_id"] or "",
            inc["war_room"].get("channel", ""),
            f"{delivered}/{len(inc['notifications'])}",
        )
    out.print(table)


def ack(
    incident_id: Annotated[str, typer.Argument(help="INC-n")],
    by: Annotated[str, typer.Option(help="Who acknowledges")] = "cli",
) -> None:
    """Acknowledge an incident (stops escalation)."""
    with _client() as client:
        inc = client.ack(incident_id, by=by)
    out.print(f"{inc['id']} {inc['status']} at {inc['acknowledged_at']}")


def resolve(
    incident_id: Annotated[str, typer.Argument(help="INC-n")],
    by: Annotated[str, typer.Option(help="Who resolves")] = "cli",
    note: Annotated[str, typer.Option(help="Resolution note")] = "",
) -> None:
    """Resolve an incident."""
    with _client() as client:
        inc = client.resolve(incident_id, by=by, note=note)
    out.print(f"{inc['id']} {inc['status']} at {inc['resolved_at']}")


def oncall(at: Annotated[str | None, typer.Option(help="ISO time (default now)")] = None) -> None:
    """Who is on call now and next, from ops/oncall.yaml."""
    from harness.incidents.oncall import load_roster

    roster = load_roster(settings.root() / "ops" / "oncall.yaml")
    try:
        moment = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError as exc:
        raise ConfigError(f"--at {at!r} is not an ISO-8601 time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    _, end = roster.shift_bounds(moment)
    table = Table(title="On call")
    for column in ("shift", "from", "until", "primary", "secondary"):
        table.add_column(column)
    for label, when in (("now", moment), ("next", end + timedelta(seconds=1))):
        start, stop = roster.shift_bounds(when)
        people = roster.on_call(when)
        table.add_row(
            label,
            start.isoformat(),
            stop.isoformat(),
            people["primary"].name,
            people["secondary"].name,
        )
    out.print(table)
    esc = roster.escalation
    out.print(
        f"escalation: secondary paged after {esc.ack_timeout_minutes:g} min without ack "
        f"({esc.drill_ack_timeout_seconds:g} s in drills)"
    )


def serve(
    host: Annotated[str, typer.Option(help="Listen address")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (DRILL_INCIDENTS_PORT)")] = None,
    db: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
) -> None:
    """Run the incident service in the foreground."""
    from harness.incidents.__main__ import main as run

    args = [
        "--host",
        host,
        "--port",
        str(port or settings.port("incidents")),
        "--ops-dir",
        str(Path(settings.root()) / "ops"),
    ]
    if db or settings.setting("DRILL_INCIDENTS_DB"):
        args += ["--db", db or str(settings.setting("DRILL_INCIDENTS_DB"))]
    else:
        args += ["--db", f"sqlite:///{settings.state_dir() / 'incidents.db'}"]
    run(args)


def register(app: typer.Typer) -> None:
    """Add this room's commands to the root `drill` app."""
    app.command("incidents")(incidents)
    app.command("ack")(ack)
    app.command("resolve")(resolve)
    app.command("oncall")(oncall)
    app.command("serve")(serve)
