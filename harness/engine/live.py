"""The Rich live view: each stage, its time since the fault, and the target it races.

On a terminal it redraws a table in place; elsewhere (CI logs, tests) it prints one line per
timeline event, so a log still tells the story.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table

from harness.engine.clocks import compute_metrics, fault_event
from harness.engine.timeline import Event, Kind
from harness.scenario.durations import format_duration

STAGES = (
    ("first symptom", "time_to_first_symptom_s", None),
    ("detected", "time_to_detect_s", None),
    ("notified", "time_to_notify_s", None),
    ("acknowledged", "time_to_acknowledge_s", "respond"),
    ("mitigated", "time_to_mitigate_s", None),
    ("resolved", "time_to_resolve_s", "resolve"),
)
QUIET = {Kind.PROBE_RECOVERED, Kind.ALERT_IN_ALERTMANAGER}


class LiveView:
    def __init__(
        self,
        *,
        title: str,
        respond_s: float,
        resolve_s: float,
        console: Console | None = None,
        live: bool = True,
        enabled: bool = True,
    ) -> None:
        self.console = console or Console()
        self.title = title
        self.targets = {"respond": respond_s, "resolve": resolve_s}
        self.live = live  # False: one plain line per event, also on a terminal
        self.enabled = enabled
        self.phase = "starting"
        self._events: list[Event] = []
        self._live: Live | None = None

    def __enter__(self) -> LiveView:
        if self.enabled and self.live and self.console.is_terminal:
            self._live = Live(
                self._render(), console=self.console, refresh_per_second=4, transient=False
            )
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.update(self._render())
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    def on_event(self, event: Event) -> None:
        self._events.append(event)
        if event.event in (Kind.FAULT_INJECTED, Kind.STEADY_STATE_VERIFIED, Kind.LOAD_STARTED):
            self.phase = str(event.event).replace("_", " ")
        if self._live is not None:
            self._live.update(self._render())
        elif self.enabled and event.event not in QUIET:
            self.console.print(self._line(event), highlight=False)

    def tick(self, phase: str | None = None) -> None:
        if phase:
            self.phase = phase
        if self._live is not None:
            self._live.update(self._render())

    def _line(self, event: Event) -> str:
        origin = fault_event(self._events)
        at = f"{event.mono - origin.mono:+8.2f}s" if origin else " " * 9 + ""
        detail = ", ".join(
            f"{k}={v}"
            for k, v in event.detail.items()
            if k
            in (
                "alertname",
                "probe",
                "detail",
                "incident",
                "channel",
                "title",
                "ok",
                "status",
                "reason",
                "error",
                "type",
            )
        )
        return f"{at}  {event.event:<24} {event.source:<12} {detail}"[:160]

    def _render(self) -> Table:
        table = Table(title=f"drill: {self.title} — {self.phase}", expand=False)
        for column in ("stage", "at", "target", "state"):
            table.add_column(column)
        events: Sequence[Event] = self._events
        origin = fault_event(events)
        metrics = compute_metrics(events)
        elapsed = time.monotonic() - origin.mono if origin else 0.0
        for label, key, target in STAGES:
            value = metrics[key]
            limit = self.targets.get(target) if target else None
            table.add_row(label, *self._cells(value, limit, elapsed, origin is not None))
        return table

    @staticmethod
    def _cells(
        value: float | None, limit: float | None, elapsed: float, started: bool
    ) -> tuple[str, str, str]:
        target = format_duration(limit) if limit else ""
        if value is not None:
            met = limit is None or value <= limit
            return format_duration(value), target, "[green]met[/]" if met else "[red]missed[/]"
        if not started:
            return "", target, "[dim]waiting[/]"
        if limit is not None and elapsed > limit:
            return "", target, f"[red]missed ({format_duration(elapsed)})[/]"
        return "", target, f"[yellow]racing {format_duration(elapsed)}[/]"
