"""server-down in auto mode on a warm stack, 5 runs: each clock and the drill's wall time
(median, min, max), and the harness process's CPU time and peak memory.

    .venv/bin/python benchmarks/bench_drill.py [--runs 5] [--scenario server-down]

Aims (issue 4): detection within 5 s, resolution within 30 s, the whole drill within 90 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from harness.engine.run import DrillOptions, run_drill
from harness.scenario import load_scenario, resolve_scenario_path
from harness.stack import Stack, lifecycle

AIMS = {"time_to_detect_s": 5.0, "time_to_resolve_s": 30.0, "wall_s": 90.0}


def cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenario", default="server-down")
    args = parser.parse_args()
    console = Console()
    stack = Stack()
    lifecycle.ensure_up(stack, report=lambda m: console.print(f"[dim]{m}[/]"))
    scenario = load_scenario(resolve_scenario_path(args.scenario))
    samples: dict[str, list[float]] = {}
    cpu_per_run: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-drill-") as tmp:
        options = DrillOptions(report_dir=Path(tmp), live=False)
        for n in range(args.runs):
            cpu0, started = cpu_s(resource.RUSAGE_SELF), time.monotonic()
            outcome = run_drill(scenario, options)
            wall = time.monotonic() - started
            cpu_per_run.append(cpu_s(resource.RUSAGE_SELF) - cpu0)
            if outcome.exit_code != 0:
                console.print(f"[red]run {n + 1} failed: {outcome.report['end_reason']}[/]")
                return 1
            for name, value in outcome.report["metrics"].items():
                samples.setdefault(name, []).append(float(value))
            samples.setdefault("wall_s", []).append(wall)
            console.print(
                f"run {n + 1}: wall {wall:.1f}s, detect "
                f"{outcome.report['metrics']['time_to_detect_s']:.2f}s, resolve "
                f"{outcome.report['metrics']['time_to_resolve_s']:.2f}s"
            )
    table = Table(title=f"{args.scenario}, auto mode, {args.runs} runs on a warm stack")
    for column in ("measure", "median", "min", "max", "aim"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    for name, values in samples.items():
        aim = AIMS.get(name)
        mark = (
            "" if aim is None else (f"≤ {aim:g} s " + ("met" if max(values) <= aim else "MISSED"))
        )
        table.add_row(
            name,
            f"{statistics.median(values):.2f}",
            f"{min(values):.2f}",
            f"{max(values):.2f}",
            mark,
        )
    table.add_row(
        "harness CPU s per drill",
        f"{statistics.median(cpu_per_run):.2f}",
        f"{min(cpu_per_run):.2f}",
        f"{max(cpu_per_run):.2f}",
        "",
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table.add_row("harness peak RSS MB", f"{peak_mb:.0f}", "", "", "")
    table.add_row(
        "children CPU s (locust, runbook, docker CLI)",
        f"{cpu_s(resource.RUSAGE_CHILDREN):.1f}",
        "",
        "",
        "total",
    )
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
