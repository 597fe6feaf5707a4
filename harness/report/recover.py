"""Partial reports for drills whose harness died (SIGKILL, power cut): built from the
timeline alone and marked aborted. `drill recover` and the next `drill run` call this."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from harness.engine.timeline import Kind, read_timeline
from harness.report.build import build_report, header
from harness.report.render import write_all


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_locust(pid: int) -> bool:
    try:
        return b"locust" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def finalize_aborted(drill_dir: Path) -> Path | None:
    """Write the aborted report of one dead drill; None when it ended or is still running."""
    events = read_timeline(drill_dir / "timeline.jsonl")
    if not events or any(e.event == Kind.DRILL_ENDED for e in events):
        return None
    if _alive(header(events).get("pid")):
        return None
    load = next((e for e in events if e.event == Kind.LOAD_STARTED), None)
    load_pid = load.detail.get("pid") if load else None
    # Locust runs in its own session, so it outlived the harness; its run time bounds it,
    # but there is no reason to keep loading the stack.
    if isinstance(load_pid, int) and _alive(load_pid) and _is_locust(load_pid):
        os.kill(load_pid, signal.SIGTERM)
    write_all(drill_dir, build_report(events, status="aborted"))
    return drill_dir / "report.json"


def recover_reports(reports_dir: Path) -> list[Path]:
    """Every unfinished drill under reports_dir whose harness is gone."""
    if not reports_dir.is_dir():
        return []
    found = []
    for timeline in sorted(reports_dir.glob("*/timeline.jsonl")):
        written = finalize_aborted(timeline.parent)
        if written is not None:
            found.append(written)
    return found
