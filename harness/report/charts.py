"""Geometry for the report's inline SVG charts (the SVG markup itself is in the templates).

The timeline chart uses a log time axis: a 4-second detection and the 15- and 30-minute target
lines must be readable on one chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from harness.scenario.durations import format_duration

LABELS = {
    "time_to_first_symptom_s": "first symptom",
    "time_to_detect_s": "detect",
    "time_to_notify_s": "notify",
    "time_to_acknowledge_s": "acknowledge",
    "time_to_mitigate_s": "mitigate",
    "time_to_resolve_s": "resolve",
}


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    width: float
    value: str
    missing: bool


@dataclass(frozen=True)
class VLine:
    x: float
    label: str


@dataclass(frozen=True)
class TimelineChart:
    width: int
    height: int
    left: int
    bars: tuple[Bar, ...]
    targets: tuple[VLine, ...]
    ticks: tuple[VLine, ...]


def _scale(t: float, tmax: float, width: float) -> float:
    return width * math.log10(1 + max(0.0, t)) / math.log10(1 + tmax)


def timeline_chart(report: dict[str, Any], *, width: int = 760, left: int = 120) -> TimelineChart:
    metrics = report["metrics"]
    respond, resolve = report["targets"]["respond_s"], report["targets"]["resolve_s"]
    values = [v for v in metrics.values() if v is not None]
    tmax = max([resolve, respond, *values]) * 1.15
    plot = width - left - 95  # room right of the resolve line for its label
    bars = tuple(
        Bar(
            LABELS.get(name, name),
            30 + i * 26,
            _scale(value, tmax, plot) if value is not None else 0.0,
            format_duration(value) if value is not None else "never",
            value is None,
        )
        for i, (name, value) in enumerate(metrics.items())
    )
    targets = (
        VLine(left + _scale(respond, tmax, plot), f"respond {format_duration(respond)}"),
        VLine(left + _scale(resolve, tmax, plot), f"resolve {format_duration(resolve)}"),
    )
    ticks = tuple(
        VLine(left + _scale(t, tmax, plot), format_duration(t))
        for t in (1, 10, 60, 300)
        if t < tmax * 0.6
    )
    return TimelineChart(width, 30 + len(bars) * 26 + 30, left, bars, targets, ticks)


@dataclass(frozen=True)
class LoadChart:
    width: int
    height: int
    rps_points: str
    fail_points: str
    max_rps: float
    fault_x: float | None
    duration_s: float


def load_chart(
    report: dict[str, Any], fault_at: float | None, *, width: int = 760, height: int = 180
) -> LoadChart | None:
    history = report.get("load", {}).get("history") or []
    if len(history) < 2:
        return None
    t0, t1 = history[0]["at"], history[-1]["at"]
    span = max(1.0, t1 - t0)
    top = max(1.0, *(h["rps"] for h in history)) * 1.1
    plot_h = height - 30

    def points(key: str) -> str:
        return " ".join(
            f"{40 + (h['at'] - t0) / span * (width - 60):.1f},"
            f"{10 + plot_h - h[key] / top * plot_h:.1f}"
            for h in history
        )

    fault_x = None
    if fault_at is not None and t0 <= fault_at <= t1:
        fault_x = 40 + (fault_at - t0) / span * (width - 60)
    return LoadChart(width, height, points("rps"), points("failures_per_s"), top, fault_x, span)
