"""Turn what the incident service, Prometheus and Alertmanager report into timeline events.

Each watcher is polled once per probe tick, remembers what it already reported, and stamps
events with the other system's own timestamps (received_at, startsAt, activeAt...), so the
clocks measure when things happened, not when the harness happened to look.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from harness.engine.timeline import Kind, Timeline, parse_iso

# An alert already active this long before the fault was not caused by it.
PREEXISTING = timedelta(seconds=2)


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return parse_iso(str(value))
    except ValueError:
        return None


class IncidentWatcher:
    """Incidents linked to this drill: opened, alerts received, pages delivered, ack, resolve."""

    def __init__(self, timeline: Timeline, seen: set[str]) -> None:
        self.timeline = timeline
        self.seen = seen  # shared with AlertWatcher: one ALERT_FIRING per alert name
        self.incident_id: str | None = None
        self.acknowledged = False
        self.resolved = False
        self.latest: dict[str, Any] = {}

    def poll(self, incidents: list[dict[str, Any]]) -> None:
        for incident in sorted(incidents, key=lambda i: str(i.get("created_at", ""))):
            self._incident(incident)

    def _once(self, key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _record(self, key: str, kind: Kind, when: Any, /, **detail: Any) -> None:
        if self._once(key):
            self.timeline.record(kind, "incidents", wall=_when(when), **detail)

    def _incident(self, inc: dict[str, Any]) -> None:
        iid = str(inc.get("id"))
        if self.incident_id is None:
            self.incident_id = iid
        if iid == self.incident_id:
            self.latest = inc
        alerts = inc.get("alerts") or []
        self._record(
            f"open:{iid}",
            Kind.INCIDENT_OPENED,
            inc.get("created_at"),
            incident=iid,
            severity=inc.get("severity"),
            title=inc.get("title"),
            by="monitoring" if alerts else "person",
        )
        for alert in alerts:
            self._alert(iid, alert)
        for note in inc.get("notifications") or []:
            if note.get("delivered_at"):
                key = f"note:{iid}:{note.get('channel')}:{note.get('kind')}:{note['delivered_at']}"
                self._record(
                    key,
                    Kind.NOTIFICATION_DELIVERED,
                    note["delivered_at"],
                    incident=iid,
                    channel=note.get("channel"),
                    kind=note.get("kind"),
                    attempts=note.get("attempts"),
                )
        if inc.get("acknowledged_at"):
            self.acknowledged = self.acknowledged or iid == self.incident_id
            self._record(f"ack:{iid}", Kind.ACKNOWLEDGED, inc["acknowledged_at"], incident=iid)
        if inc.get("resolved_at"):
            self.resolved = self.resolved or iid == self.incident_id
            self._record(
                f"resolved:{iid}", Kind.INCIDENT_RESOLVED, inc["resolved_at"], incident=iid
            )

    def _alert(self, iid: str, alert: dict[str, Any]) -> None:
        name = alert.get("alertname") or (alert.get("labels") or {}).get("alertname")
        self._record(
            f"firing:{name}",
            Kind.ALERT_FIRING,
            alert.get("starts_at"),
            alertname=name,
            via="incidents",
        )
        self._record(
            f"alert:{alert.get('fingerprint')}:{name}",
            Kind.ALERT_RECEIVED,
            alert.get("received_at"),
            incident=iid,
            alertname=name,
            fingerprint=alert.get("fingerprint"),
            starts_at=alert.get("starts_at"),
        )


class AlertWatcher:
    """Prometheus's and Alertmanager's own alert lists, for the detection chain and routing."""

    def __init__(self, timeline: Timeline, seen: set[str], *, since: datetime) -> None:
        self.timeline = timeline
        self.since = since
        self.seen = seen
        self.firing_observed: dict[str, datetime] = {}
        self.routing: dict[str, dict[str, Any]] = {}  # Alertmanager's last word per alert

    def _new(self, alert: dict[str, Any], started_key: str) -> tuple[str, datetime] | None:
        name = str((alert.get("labels") or {}).get("alertname", "?"))
        started = _when(alert.get(started_key))
        if started is None or started < self.since - PREEXISTING:
            return None
        return name, started

    def poll_prometheus(self, alerts: list[dict[str, Any]], now: datetime) -> None:
        for alert in alerts:
            found = self._new(alert, "activeAt")
            if found is None:
                continue
            name, active_at = found
            if self._first(f"pending:{name}"):
                self.timeline.record(
                    Kind.ALERT_PENDING,
                    "prometheus",
                    wall=active_at,
                    alertname=name,
                    state=alert.get("state"),
                    labels=alert.get("labels"),
                )
            if alert.get("state") == "firing":
                self.firing_observed.setdefault(name, now)

    def poll_alertmanager(self, alerts: list[dict[str, Any]]) -> None:
        for alert in alerts:
            found = self._new(alert, "startsAt")
            if found is None:
                continue
            name, starts_at = found
            status = alert.get("status") or {}
            self.routing[name] = {
                "state": status.get("state"),
                "inhibited_by": status.get("inhibitedBy") or [],
                "silenced_by": status.get("silencedBy") or [],
                "receivers": sorted({r.get("name") for r in alert.get("receivers", [])}),
            }
            if self._first(f"am:{name}"):
                self.timeline.record(
                    Kind.ALERT_IN_ALERTMANAGER,
                    "alertmanager",
                    alertname=name,
                    starts_at=alert.get("startsAt"),
                    receivers=[r.get("name") for r in alert.get("receivers", [])],
                )
            if self._first(f"firing:{name}"):
                self.timeline.record(
                    Kind.ALERT_FIRING,
                    "alertmanager",
                    wall=starts_at,
                    alertname=name,
                    via="alertmanager",
                )

    def _first(self, key: str) -> bool:
        """True once per key: each alert stage lands on the timeline a single time."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def flush(self) -> None:
        """Alerts Prometheus showed firing that never reached Alertmanager or the service,
        and how Alertmanager routed (or suppressed) each alert it held."""
        if self.routing:
            self.timeline.record(Kind.ALERT_ROUTING, "alertmanager", alerts=self.routing)
        for name, observed in self.firing_observed.items():
            if self._first(f"firing:{name}"):
                self.timeline.record(
                    Kind.ALERT_FIRING,
                    "prometheus",
                    wall=observed,
                    alertname=name,
                    via="prometheus",
                    observed_only=True,
                )
