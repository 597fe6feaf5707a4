"""The drill timeline: frozen events, appended to timeline.jsonl and flushed as they happen.

Every event carries both clocks: `mono` (time.monotonic, for durations the harness measures
itself) and `wall` (UTC, to line up with the timestamps the incident service, Prometheus and
Alertmanager report). A crash or SIGKILL loses at most the event being written.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any


class Kind(StrEnum):
    DRILL_STARTED = "drill_started"
    STACK_READY = "stack_ready"
    LOAD_STARTED = "load_started"
    STEADY_STATE_VERIFIED = "steady_state_verified"
    DRILL_REGISTERED = "drill_registered"
    FAULT_INJECTED = "fault_injected"
    PROBE_FAILED = "probe_failed"
    PROBE_RECOVERED = "probe_recovered"
    ALERT_PENDING = "alert_pending"
    ALERT_FIRING = "alert_firing"
    ALERT_IN_ALERTMANAGER = "alert_in_alertmanager"
    ALERT_ROUTING = "alert_routing"
    ALERT_RECEIVED = "alert_received"
    INCIDENT_OPENED = "incident_opened"
    NOTIFICATION_DELIVERED = "notification_delivered"
    ACKNOWLEDGED = "acknowledged"
    RUNBOOK_STARTED = "runbook_started"
    RUNBOOK_STEP = "runbook_step"
    RUNBOOK_FINISHED = "runbook_finished"
    FAULT_REVERTED = "fault_reverted"
    MITIGATED = "mitigated"
    INCIDENT_RESOLVED = "incident_resolved"
    RESOLVED = "resolved"
    LOAD_STOPPED = "load_stopped"
    ROLLBACK = "rollback"
    NOTE = "note"
    ERROR = "error"
    DRILL_ENDED = "drill_ended"


@dataclass(frozen=True)
class Event:
    event: str
    source: str  # harness, probe, prometheus, alertmanager, incidents, responder, load
    mono: float
    wall: datetime
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "source": self.source,
            "mono": round(self.mono, 6),
            "at": iso(self.wall),
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(
            event=str(data["event"]),
            source=str(data.get("source", "harness")),
            mono=float(data["mono"]),
            wall=parse_iso(str(data["at"])),
            detail=dict(data.get("detail") or {}),
        )


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Timeline:
    """Thread-safe writer; the responder thread and the observer loop both append."""

    def __init__(self, path: Path, *, on_event: Callable[[Event], None] | None = None) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._events: list[Event] = []
        self._fh = self.path.open("a", encoding="utf-8")
        self.on_event = on_event
        # The offset between the two clocks, so an event the incident service timestamped
        # (wall time only) can be placed on the monotonic axis too.
        self._mono0, self._wall0 = time.monotonic(), datetime.now(UTC)

    def mono_for(self, wall: datetime) -> float:
        return self._mono0 + (wall - self._wall0).total_seconds()

    def record(
        self, event: str, source: str = "harness", *, wall: datetime | None = None, **detail: Any
    ) -> Event:
        if wall is None:
            item = Event(event, source, time.monotonic(), datetime.now(UTC), detail)
        else:
            item = Event(event, source, self.mono_for(wall), wall, detail)
        with self._lock:
            self._events.append(item)
            self._fh.write(json.dumps(item.to_json(), default=str) + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())
        if self.on_event is not None:
            try:
                self.on_event(item)
            except Exception:  # noqa: BLE001 - a display bug must never stop a drill
                self.on_event = None
        return item

    @property
    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def first(self, event: str) -> Event | None:
        return next((e for e in self.events if e.event == event), None)

    def close(self) -> None:
        with self._lock:
            if not self._fh.closed:
                self._fh.close()


def read_timeline(path: Path) -> list[Event]:
    """Events of a timeline file; a torn last line (killed mid-write) is skipped."""
    events: list[Event] = []
    if not path.is_file():
        return events
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(Event.from_json(json.loads(line)))
        except (ValueError, KeyError):
            continue
    return events
