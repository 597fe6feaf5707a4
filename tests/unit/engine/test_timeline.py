"""The timeline is on disk after every event, and survives a torn last line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness.engine.timeline import Event, Timeline, read_timeline


def test_each_event_is_flushed_before_record_returns(tmp_path: Path) -> None:
    timeline = Timeline(tmp_path / "t.jsonl")
    timeline.record("fault_injected", target="api")
    lines = (tmp_path / "t.jsonl").read_text().splitlines()  # the writer is still open
    assert json.loads(lines[0])["detail"] == {"target": "api"}
    timeline.record("mitigated")
    assert len((tmp_path / "t.jsonl").read_text().splitlines()) == 2
    timeline.close()


def test_wall_stamped_events_land_on_the_monotonic_axis(tmp_path: Path) -> None:
    timeline = Timeline(tmp_path / "t.jsonl")
    first = timeline.record("fault_injected")
    later = timeline.record("alert_received", wall=first.wall + timedelta(seconds=3))
    assert abs((later.mono - first.mono) - 3.0) < 0.05
    timeline.close()


def test_frozen_events_roundtrip_and_torn_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    event = Event("x", "harness", 1.5, datetime(2026, 1, 1, tzinfo=UTC), {"a": 1})
    path.write_text(json.dumps(event.to_json()) + "\n" + '{"event": "y", "mo')
    assert read_timeline(path) == [event]
