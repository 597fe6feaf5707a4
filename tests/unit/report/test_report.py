"""report.json keeps the contract; HTML has its SVG charts; JUnit parses; aborted reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness.engine.timeline import Event, Kind, Timeline
from harness.load.stats import LoadSample, LoadStats
from harness.report import (
    build_report,
    finalize_aborted,
    recover_reports,
    render_html,
    render_junit,
    render_md,
    write_all,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HEADER = {
    "drill_id": "20260101T000000Z-server-down",
    "scenario": "server-down",
    "mode": "auto",
    "fault": {"type": "container.kill", "target": "api", "params": {}},
    "targets": {"respond_s": 900, "resolve_s": 1800},
    "runbook": "ops/runbooks/x.md",
    "expected_alerts": ["ApiDown"],
    "pid": 0,
}
CONTRACT = {
    "drill_id",
    "scenario",
    "mode",
    "started_at",
    "finished_at",
    "status",
    "fault",
    "targets",
    "metrics",
    "verdict",
    "timeline",
    "incident",
    "runbook",
    "load",
}


def ev(kind: str, at: float, /, **detail: object) -> Event:
    return Event(kind, "test", 50.0 + at, T0 + timedelta(seconds=at), dict(detail))


def events(ended: bool = True, resolve_at: float = 12.0) -> list[Event]:
    items = [
        ev(Kind.DRILL_STARTED, -3, **HEADER),
        ev(Kind.FAULT_INJECTED, 0),
        ev(Kind.PROBE_FAILED, 1.0, probe="api-health"),
        ev(Kind.INCIDENT_OPENED, 4.0, incident="INC-7", severity="SEV1", by="monitoring"),
        ev(Kind.ALERT_RECEIVED, 4.0, alertname="ApiDown"),
        ev(Kind.ALERT_FIRING, 3.0, alertname="ApiDown"),
        ev(Kind.ALERT_FIRING, 3.5, alertname="ApiSaturated"),
        ev(Kind.NOTIFICATION_DELIVERED, 4.2, channel="local", kind="page"),
        ev(Kind.ACKNOWLEDGED, 5.0),
        ev(
            Kind.RUNBOOK_STEP,
            6.0,
            number=1,
            title="Start the API",
            kind="remediate",
            ok=True,
            duration_s=0.4,
        ),
        ev(Kind.MITIGATED, 9.0),
        ev(Kind.RESOLVED, resolve_at),
    ]
    if ended:
        items.append(ev(Kind.DRILL_ENDED, 13.0, status="completed", reason="resolved"))
    return items


def load() -> LoadStats:
    t = T0.timestamp()
    return LoadStats(
        100,
        5,
        4.0,
        20.0,
        8.0,
        tuple(LoadSample(t - 2 + i, 4, 8.0, float(i == 3), i * 8, 0) for i in range(8)),
    )


def test_report_json_keeps_the_contract() -> None:
    report = build_report(events(), load=load())
    assert CONTRACT <= set(report)
    assert report["status"] == "completed" and report["verdict"]["passed"]
    assert report["metrics"]["time_to_detect_s"] == 4.0
    assert report["incident"]["id"] == "INC-7"
    assert report["incident"]["notifications"][0]["channel"] == "local"
    assert report["runbook"]["steps"][0] == {
        "number": 1,
        "title": "Start the API",
        "kind": "remediate",
        "ok": True,
        "duration_s": 0.4,
    }
    assert report["load"]["requests"] == 100 and report["load"]["p95_ms"] == 20.0
    assert report["alerts"]["fired_not_routed"] == ["ApiSaturated"]
    item = report["timeline"][1]
    assert set(item) == {"at", "offset_s", "event", "source", "detail"}
    assert item["event"] == "fault_injected" and item["offset_s"] == 0.0


def test_html_has_svg_charts_and_target_lines() -> None:
    html = render_html(build_report(events(), load=load()))
    assert html.count("<svg") == 2
    assert "respond 15m00s" in html and "resolve 30m00s" in html
    assert "<polyline" in html and 'class="met"' in html


def test_junit_one_case_per_target() -> None:
    ok = ET.fromstring(render_junit(build_report(events())).split("?>", 1)[1])
    assert ok.tag == "testsuite" and len(ok.findall("testcase")) == 2
    assert ok.get("failures") == "0"
    late = build_report(events(resolve_at=2000.0))
    suite = ET.fromstring(render_junit(late).split("?>", 1)[1])
    failed = [c.get("name") for c in suite.findall("testcase") if c.find("failure") is not None]
    assert failed == ["resolve within 30m00s"] and suite.get("failures") == "1"


def test_markdown_has_the_metrics_table() -> None:
    md = render_md(build_report(events()))
    assert "| acknowledge | 5.0s | 15m00s | met |" in md


def test_write_all_writes_four_files(tmp_path: Path) -> None:
    paths = write_all(tmp_path, build_report(events()))
    assert sorted(p.name for p in paths.values()) == [
        "junit.xml",
        "report.html",
        "report.json",
        "report.md",
    ]
    assert json.loads((tmp_path / "report.json").read_text())["drill_id"] == HEADER["drill_id"]


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout)


def test_aborted_report_from_the_timeline_alone(tmp_path: Path) -> None:
    drill = tmp_path / "d1"
    timeline = Timeline(drill / "timeline.jsonl")
    for e in events(ended=False)[:6]:
        detail = {**e.detail, "pid": _dead_pid()} if e.event == Kind.DRILL_STARTED else e.detail
        timeline.record(e.event, e.source, wall=e.wall, **detail)
    timeline.close()
    assert recover_reports(tmp_path) == [drill / "report.json"]
    report = json.loads((drill / "report.json").read_text())
    assert report["status"] == "aborted" and report["verdict"]["passed"] is False
    assert report["metrics"]["time_to_detect_s"] == 4.0
    assert report["metrics"]["time_to_resolve_s"] is None
    assert "stopped before the drill ended" in report["end_reason"]
    assert (drill / "report.html").is_file() and (drill / "junit.xml").is_file()


def test_running_or_finished_drills_are_left_alone(tmp_path: Path) -> None:
    live = Timeline(tmp_path / "live" / "timeline.jsonl")
    live.record(Kind.DRILL_STARTED, **{**HEADER, "pid": os.getpid()})
    live.close()
    done = Timeline(tmp_path / "done" / "timeline.jsonl")
    done.record(Kind.DRILL_STARTED, **HEADER)
    done.record(Kind.DRILL_ENDED, status="completed")
    done.close()
    assert finalize_aborted(tmp_path / "live") is None
    assert recover_reports(tmp_path) == []
