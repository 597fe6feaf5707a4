"""Incidents: open from alerts (deduped), acknowledge, move status, update, assign, resolve.

Every public method is one short transaction under one lock, so concurrent webhook posts
cannot open two incidents for one alert group; the unique `open_key` column keeps that true
across processes too (a second writer gets an IntegrityError and retries as an update).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from harness.incidents.clock import Clock, iso
from harness.incidents.comms import Communicator, add_event
from harness.incidents.config import AutoResolve, ServiceSettings
from harness.incidents.db import Alert, Drill, Incident, StatusUpdate
from harness.incidents.intake import AlertEvent
from harness.incidents.oncall import Roster
from harness.incidents.schemas import ORDER, Audience, IntakeResult, Severity, Status
from harness.incidents.views import alert_dict, incident_dict
from harness.incidents.warroom import due_reminders, open_war_room, person

SEV_RANK = {s.value: i for i, s in enumerate(Severity)}
# Built once: the repeat path runs for every duplicate webhook post and statement
# construction is most of its cost.
_FIND_OPEN = select(Incident.id, Incident.severity).where(Incident.open_key == bindparam("key"))
_SAME_ALERTS = (
    Alert.incident_id == bindparam("incident"),
    Alert.fingerprint.in_(bindparam("prints", expanding=True)),
)
_KNOWN_ALERTS = select(Alert.fingerprint, Alert.status).where(*_SAME_ALERTS)
_BUMP_REPEATS = (
    update(Alert)
    .where(*_SAME_ALERTS)
    .values(repeats=Alert.repeats + 1, updated_at=bindparam("now"))
)
AUTOMATION = "alertmanager"


class NotFound(LookupError):
    pass


class Conflict(ValueError):
    pass


class IncidentService:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        roster: Roster,
        comms: Communicator,
        settings: ServiceSettings,
        wake: Callable[[Iterable[str]], None] = lambda names: None,
        observe_ack: Callable[[Incident, float], None] = lambda inc, s: None,
        write_lock: threading.RLock | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.roster = roster
        self.comms = comms
        self.settings = settings
        self.wake = wake
        self.observe_ack = observe_ack
        self.lock = write_lock or threading.RLock()

    # --- plumbing ---------------------------------------------------------------------------

    def _commit(self, session: Session) -> None:
        session.commit()
        names, self.comms.to_wake = self.comms.to_wake, set()
        if names:
            self.wake(names)

    def _get(self, session: Session, number: int) -> Incident:
        inc = session.get(Incident, number)
        if inc is None:
            raise NotFound(f"INC-{number} does not exist")
        return inc

    # --- intake -----------------------------------------------------------------------------

    def ingest(self, events: list[AlertEvent]) -> IntakeResult:
        groups: dict[str, list[AlertEvent]] = {}
        for event in events:
            groups.setdefault(event.group_key, []).append(event)
        touched: list[str] = []
        created: list[str] = []
        for key, group in groups.items():
            for attempt in range(2):
                try:
                    number, new = self._ingest_group(key, group)
                    break
                except IntegrityError:
                    if attempt:
                        raise
            if number is not None:
                touched.append(f"INC-{number}")
                if new:
                    created.append(f"INC-{number}")
        return IntakeResult(incidents=touched, created=created, alerts=len(events))

    def _repeat(
        self, session: Session, key: str, events: list[AlertEvent], now: datetime
    ) -> int | None:
        """The common case, kept cheap: the same firing alerts again, nothing changes but
        their repeat count. Returns the incident number, or None to take the full path."""
        if any(e.status != "firing" for e in events):
            return None
        connection = session.connection()
        row = connection.execute(_FIND_OPEN, {"key": key}).first()
        worst = min(SEV_RANK[e.severity] for e in events)
        if row is None or worst < SEV_RANK[row.severity]:
            return None
        prints = sorted({e.fingerprint for e in events})
        known = connection.execute(_KNOWN_ALERTS, {"incident": row.id, "prints": prints}).all()
        if len(known) != len(prints) or any(status != "firing" for _, status in known):
            return None
        connection.execute(_BUMP_REPEATS, {"incident": row.id, "prints": prints, "now": now})
        session.commit()
        return int(row.id)

    def _ingest_group(self, key: str, events: list[AlertEvent]) -> tuple[int | None, bool]:
        with self.lock, self.sessions() as session:
            now = self.clock.now()
            repeated = self._repeat(session, key, events, now)
            if repeated is not None:
                return repeated, False
            inc = session.scalar(select(Incident).where(Incident.open_key == key))
            firing = [e for e in events if e.status == "firing"]
            new = inc is None
            if inc is None:
                if not firing:
                    return None, False  # a resolve for something we never opened
                inc = self._open(session, key, firing, now)
            for event in events:
                self._record_alert(session, inc, event, now)
            if new:
                self._announce(session, inc, now)
            self._maybe_raise_severity(session, inc, firing, now)
            self._maybe_auto_resolve(session, inc, now)
            self._commit(session)
            return inc.id, new

    def _active_drill(self, session: Session, event: AlertEvent) -> Drill | None:
        if event.labels.get("drill_id"):
            return session.get(Drill, event.labels["drill_id"])
        return session.scalar(
            select(Drill).where(Drill.ended_at.is_(None)).order_by(Drill.started_at.desc())
        )

    def _open(
        self, session: Session, key: str, firing: list[AlertEvent], now: datetime
    ) -> Incident:
        first = min(firing, key=lambda e: SEV_RANK[e.severity])
        drill = self._active_drill(session, first)
        scale = drill.clock_scale if drill else 1.0
        inc = Incident(
            title=first.title[:512],
            severity=first.severity.value,
            status=Status.TRIGGERED,
            open_key=key,
            dedupe_key=key,
            source=first.source,
            service=first.service[:128],
            summary=first.annotations.get("description", "")[:4000],
            runbook_url=first.runbook_url[:1024],
            dashboard_url=first.generator_url[:1024],
            labels=first.labels,
            drill_id=drill.drill_id if drill else None,
            is_drill=drill is not None,
            clock_scale=scale,
            created_at=now,
            roles={},
            war_room={},
            comms={},
        )
        session.add(inc)
        session.flush()
        add_event(
            session,
            inc,
            now,
            "incident_opened",
            source=first.source,
            alertname=first.alertname,
            severity=inc.severity,
            drill_id=inc.drill_id,
        )
        return inc

    def _announce(self, session: Session, inc: Incident, now: datetime) -> None:
        """Page on-call and, for war-room severities, open the war room."""
        session.flush()
        self._page(session, inc, now)
        if inc.severity in self.roster.war_room.severities:
            self._open_war_room(session, inc, now)

    def _page(self, session: Session, inc: Incident, now: datetime) -> None:
        primary = self.roster.on_call(now)["primary"]
        inc.comms = {**inc.comms, "paged": [primary.id]}
        add_event(session, inc, now, "oncall_paged", engineer=primary.id, level=0)
        self.comms.enqueue(session, inc, "page", now, target=person(primary))

    def _open_war_room(self, session: Session, inc: Incident, now: datetime) -> None:
        open_war_room(self.roster, inc, now, self.settings.public_url)
        add_event(
            session,
            inc,
            now,
            "war_room_opened",
            channel=inc.war_room["channel"],
            url=inc.war_room["url"],
        )
        add_event(
            session,
            inc,
            now,
            "roles_assigned",
            roles={role: p["id"] for role, p in inc.roles.items()},
        )
        self.comms.enqueue(session, inc, "kickoff", now)
        auto = self.comms.channels.config.automatic
        if auto.internal_update_on_open:
            self.comms.internal_update(session, inc, now, "internal_update")
        status = auto.customer_updates.get(Status.TRIGGERED)
        if status:
            self.comms.customer_update(session, inc, now, status)

    def _record_alert(
        self, session: Session, inc: Incident, event: AlertEvent, now: datetime
    ) -> None:
        alert = session.scalar(
            select(Alert).where(Alert.incident_id == inc.id, Alert.fingerprint == event.fingerprint)
        )
        if alert is None:
            session.add(
                Alert(
                    incident_id=inc.id,
                    fingerprint=event.fingerprint,
                    alertname=event.alertname,
                    source=event.source,
                    labels=event.labels,
                    annotations=event.annotations,
                    status=event.status,
                    starts_at=event.starts_at,
                    ends_at=event.ends_at,
                    received_at=now,
                    updated_at=now,
                )
            )
            add_event(
                session,
                inc,
                now,
                f"alert_{event.status}",
                alertname=event.alertname,
                fingerprint=event.fingerprint,
            )
            return
        alert.updated_at = now
        alert.repeats += 1
        alert.ends_at = event.ends_at
        if alert.status != event.status:
            add_event(
                session,
                inc,
                now,
                f"alert_{event.status}",
                alertname=event.alertname,
                fingerprint=event.fingerprint,
            )
            alert.status = event.status

    def _maybe_raise_severity(
        self, session: Session, inc: Incident, firing: list[AlertEvent], now: datetime
    ) -> None:
        if not firing or inc.status == Status.RESOLVED:
            return
        worst = min(firing, key=lambda e: SEV_RANK[e.severity]).severity
        if SEV_RANK[worst] >= SEV_RANK[inc.severity]:
            return
        add_event(session, inc, now, "severity_changed", old=inc.severity, new=worst.value)
        inc.severity = worst.value
        if worst in self.roster.war_room.severities and not inc.war_room:
            self._open_war_room(session, inc, now)

    def _maybe_auto_resolve(self, session: Session, inc: Incident, now: datetime) -> None:
        session.flush()
        statuses = session.scalars(select(Alert.status).where(Alert.incident_id == inc.id))
        if inc.status == Status.RESOLVED or any(s == "firing" for s in statuses):
            return
        policy = self.settings.drill_auto_resolve if inc.is_drill else self.settings.auto_resolve
        add_event(session, inc, now, "alerts_resolved", policy=policy.value)
        if policy == AutoResolve.MITIGATE:
            self._advance(session, inc, Status.MITIGATED, now, by=AUTOMATION)
        elif policy == AutoResolve.RESOLVE:
            self._advance(session, inc, Status.RESOLVED, now, by=AUTOMATION)

    # --- actions ----------------------------------------------------------------------------

    def _advance(
        self,
        session: Session,
        inc: Incident,
        target: Status,
        now: datetime,
        *,
        by: str,
        note: str = "",
    ) -> None:
        current = ORDER.index(Status(inc.status))
        wanted = ORDER.index(target)
        if wanted < current:
            raise Conflict(f"INC-{inc.id} is {inc.status}; it cannot go back to {target}")
        for step in ORDER[current + 1 : wanted + 1]:
            # Automation passing by does not acknowledge: only a person (or the harness
            # playing one) does, so time-to-acknowledge stays honest.
            if step == Status.ACKNOWLEDGED and step != target and by == AUTOMATION:
                continue
            self._enter(session, inc, step, now, by=by, note=note)

    def _enter(
        self, session: Session, inc: Incident, status: Status, now: datetime, *, by: str, note: str
    ) -> None:
        inc.status = status
        add_event(session, inc, now, f"status_{status}", by=by, note=note)
        auto = self.comms.channels.config.automatic
        customer = auto.customer_updates.get(status)
        if customer and inc.war_room:
            self.comms.customer_update(session, inc, now, customer)
        if status == Status.ACKNOWLEDGED:
            inc.acknowledged_at, inc.acknowledged_by = now, by
            self.observe_ack(inc, (now - inc.created_at).total_seconds())
            self.comms.enqueue(session, inc, "acknowledged", now)
        elif status == Status.MITIGATED:
            inc.mitigated_at = now
        elif status == Status.RESOLVED:
            inc.resolved_at, inc.resolved_by, inc.open_key = now, by, None
            self.comms.enqueue(session, inc, "resolution", now)
            if auto.executive_summary_on_resolve and inc.war_room:
                self.comms.internal_update(session, inc, now, "executive_summary")

    def _act(
        self, number: int, action: Callable[[Session, Incident, datetime], None]
    ) -> dict[str, Any]:
        with self.lock, self.sessions() as session:
            inc = self._get(session, number)
            action(session, inc, self.clock.now())
            self._commit(session)
            return incident_dict(session, inc)

    def acknowledge(self, number: int, *, by: str) -> dict[str, Any]:
        def act(session: Session, inc: Incident, now: datetime) -> None:
            if inc.status == Status.TRIGGERED:
                self._advance(session, inc, Status.ACKNOWLEDGED, now, by=by)

        return self._act(number, act)

    def set_status(self, number: int, status: Status, *, by: str, note: str = "") -> dict[str, Any]:
        def act(session: Session, inc: Incident, now: datetime) -> None:
            if inc.status != status:
                self._advance(session, inc, status, now, by=by, note=note)

        return self._act(number, act)

    def post_update(
        self, number: int, *, text: str, audience: Audience, customer_status: str | None, by: str
    ) -> dict[str, Any]:
        def act(session: Session, inc: Incident, now: datetime) -> None:
            if audience == Audience.CUSTOMER:
                status = customer_status or inc.comms.get("customer_status") or "investigating"
                self.comms.customer_update(session, inc, now, status, text, by)
                return
            session.add(
                StatusUpdate(
                    incident_id=inc.id, at=now, audience=audience.value, text=text, author=by
                )
            )
            add_event(session, inc, now, "status_update", audience=audience.value, by=by)
            kind = "executive_summary" if audience == Audience.EXECUTIVE else "internal_update"
            self.comms.internal_update(session, inc, now, kind, text)

        return self._act(number, act)

    def assign_role(self, number: int, *, role: str, who: str) -> dict[str, Any]:
        def act(session: Session, inc: Incident, now: datetime) -> None:
            known = {e.id: e for e in self.roster.engineers}
            entry = (
                person(known[who])
                if who in known
                else {"id": who, "name": who, "email": "", "slack": ""}
            )
            inc.roles = {**inc.roles, role: entry}
            add_event(session, inc, now, "role_assigned", role=role, person=entry["id"])

        return self._act(number, act)

    # --- time-driven: escalation and cadence reminders -------------------------------------

    def tick(self) -> None:
        with self.lock, self.sessions() as session:
            now = self.clock.now()
            query = select(Incident).where(Incident.status != Status.RESOLVED)
            for inc in session.scalars(query):
                self._escalate(session, inc, now)
                if inc.war_room:
                    self._remind(session, inc, now)
            self._commit(session)

    def _escalate(self, session: Session, inc: Incident, now: datetime) -> None:
        timeout = self.roster.ack_timeout(drill=inc.is_drill)
        if inc.status != Status.TRIGGERED or inc.escalation_level or now - inc.created_at < timeout:
            return
        on_call = self.roster.on_call(inc.created_at)
        inc.escalation_level = 1
        inc.comms = {**inc.comms, "paged": [*inc.comms.get("paged", []), on_call["secondary"].id]}
        add_event(
            session,
            inc,
            now,
            "escalated",
            engineer=on_call["secondary"].id,
            level=1,
            after_s=timeout.total_seconds(),
        )
        self.comms.enqueue(
            session,
            inc,
            "escalation",
            now,
            escalated=True,
            target=person(on_call["secondary"]),
            previous=person(on_call["primary"]),
            ack_timeout=f"{timeout.total_seconds():g} s",
        )

    def _remind(self, session: Session, inc: Incident, now: datetime) -> None:
        for reminder in due_reminders(inc, self.roster.cadence(inc.severity), now):
            reminded = {**inc.comms.get("reminded", {}), reminder.key: iso(reminder.due_at)}
            inc.comms = {**inc.comms, "reminded": reminded}
            add_event(session, inc, now, "update_overdue", **reminder.context())
            self.comms.enqueue(session, inc, "reminder", now, reminder=reminder.context())

    # --- reads and drills -------------------------------------------------------------------

    def open_incident_for(self, key: str) -> int | None:
        with self.sessions() as session:
            return session.scalar(select(Incident.id).where(Incident.open_key == key))

    def get(self, number: int) -> dict[str, Any]:
        with self.sessions() as session:
            return incident_dict(session, self._get(session, number))

    def list_incidents(
        self, *, drill_id: str | None = None, status: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        with self.sessions() as session:
            query = select(Incident).order_by(Incident.id.desc()).limit(limit)
            if drill_id is not None:
                query = query.where(Incident.drill_id == drill_id)
            if status is not None:
                query = query.where(Incident.status == status)
            return [incident_dict(session, inc) for inc in session.scalars(query)]

    def alerts(self, limit: int = 200) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(select(Alert).order_by(Alert.id.desc()).limit(limit))
            return [alert_dict(a) for a in rows]

    def register_drill(
        self, drill_id: str, scenario: str, started_at: datetime | None, clock_scale: float | None
    ) -> dict[str, Any]:
        with self.lock, self.sessions() as session:
            drill = session.get(Drill, drill_id) or Drill(drill_id=drill_id)
            drill.scenario = scenario
            drill.started_at = started_at or self.clock.now()
            drill.ended_at = None
            drill.clock_scale = clock_scale or self.settings.drill_clock_scale
            session.add(drill)
            session.commit()
            return drill_dict(drill)

    def end_drill(self, drill_id: str) -> dict[str, Any]:
        with self.lock, self.sessions() as session:
            drill = session.get(Drill, drill_id)
            if drill is None:
                raise NotFound(f"drill {drill_id} is not registered")
            drill.ended_at = drill.ended_at or self.clock.now()
            session.commit()
            return drill_dict(drill)

    def drills(self) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(select(Drill).order_by(Drill.started_at.desc()).limit(100))
            return [drill_dict(d) for d in rows]


def drill_dict(drill: Drill) -> dict[str, Any]:
    return {
        "drill_id": drill.drill_id,
        "scenario": drill.scenario,
        "started_at": iso(drill.started_at),
        "ended_at": iso(drill.ended_at),
        "clock_scale": drill.clock_scale,
    }
