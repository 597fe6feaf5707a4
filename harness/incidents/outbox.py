"""Durable delivery: every queued message is retried until delivered or failed for good.

Per channel and incident, items go out strictly in order (a Statuspage update never
overtakes the create it patches). Transient failures (network, 408, 429, 5xx) back off
exponentially, or exactly as long as Retry-After asks; any other 4xx fails at once. Each
attempt and the delivery land on the incident timeline. Items live in the database, so a
restart picks up where the killed process stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from harness.incidents.channels import Delivery, Message
from harness.incidents.clock import Clock
from harness.incidents.comms import add_event
from harness.incidents.db import ChannelRef, Incident, OutboxItem
from harness.incidents.notify import Channels, OutboxPolicy

log = logging.getLogger("harness.incidents.outbox")
LEASE = timedelta(seconds=30)


class Outbox:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        channels: Channels,
        clock: Clock,
        policy: OutboxPolicy,
        on_result: Callable[[str, str, Delivery], None] = lambda c, k, d: None,
        write_lock: AbstractContextManager[Any] | None = None,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.clock = clock
        self.policy = policy
        self.on_result = on_result
        # Shared with the service: SQLite allows one writer, and waiting in-process is far
        # quicker than SQLite's busy handler, which sleeps in steps of up to 100 ms.
        self.write_lock = write_lock or threading.RLock()
        self.events = {name: threading.Event() for name in channels.live}
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def backoff(self, attempts: int, delivery: Delivery) -> float:
        if delivery.retry_after_s is not None:
            return min(delivery.retry_after_s, self.policy.max_retry_after_s)
        return float(
            min(self.policy.max_backoff_s, self.policy.base_backoff_s * 2.0 ** (attempts - 1))
        )

    def release_leases(self) -> None:
        """After a restart nobody holds a lease: one service process owns one database."""
        with self.sessions() as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.lease_until.is_not(None))
                .values(lease_until=None)
            )
            session.commit()

    def _heads(self, session: Session, channel: str) -> list[OutboxItem]:
        """The oldest pending item of each incident on this channel."""
        rows = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.channel == channel, OutboxItem.status == "pending")
            .order_by(OutboxItem.id)
            .limit(1000)
        )
        heads: dict[int, OutboxItem] = {}
        for row in rows:
            heads.setdefault(row.incident_id, row)
        return list(heads.values())

    def next_due(self, channel: str) -> datetime | None:
        with self.sessions() as session:
            heads = self._heads(session, channel)
            return min((h.next_attempt_at for h in heads), default=None)

    def process(self, channel: str, max_passes: int = 100) -> int:
        """Attempt due head items until none is due; returns how many attempts were made."""
        total = 0
        for _ in range(max_passes):
            now = self.clock.now()
            with self.sessions() as session:
                due = [h.id for h in self._heads(session, channel) if h.next_attempt_at <= now]
            attempted = sum(self._attempt(item_id, channel) for item_id in due)
            total += attempted
            if not attempted:
                break
        return total

    def process_all(self) -> int:
        return sum(self.process(name) for name in self.channels.live)

    def pending(self) -> int:
        with self.sessions() as session:
            rows = session.scalars(select(OutboxItem.id).where(OutboxItem.status == "pending"))
            return len(list(rows))

    def _claim(self, item_id: int, now: datetime) -> OutboxItem | None:
        with self.write_lock, self.sessions() as session:
            claimed = session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id == item_id,
                    OutboxItem.status == "pending",
                    (OutboxItem.lease_until.is_(None)) | (OutboxItem.lease_until < now),
                )
                .values(lease_until=now + LEASE)
            )
            session.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return session.get(OutboxItem, item_id)

    def _attempt(self, item_id: int, channel_name: str) -> int:
        item = self._claim(item_id, self.clock.now())
        channel = self.channels.live.get(channel_name)
        if item is None or channel is None:
            return 0
        with self.sessions() as session:
            ref_row = session.get(ChannelRef, (item.incident_id, channel_name))
            ref = ref_row.ref if ref_row else None
        try:
            delivery = channel.send(Message.model_validate(item.message), ref)
        except Exception as exc:  # noqa: BLE001 - a channel bug must not stop the outbox
            log.exception("channel %s crashed", channel_name)
            delivery = Delivery.later(f"channel crashed: {type(exc).__name__}: {exc}")
        self._record(item_id, channel_name, delivery, ref)
        self.on_result(channel_name, item.kind, delivery)
        return 1

    def _record(self, item_id: int, channel: str, delivery: Delivery, ref: str | None) -> None:
        now = self.clock.now()
        with self.write_lock, self.sessions() as session:
            item = session.get(OutboxItem, item_id)
            inc = session.get(Incident, item.incident_id) if item else None
            if item is None or inc is None:
                return
            item.attempts += 1
            item.lease_until = None
            if delivery.ref and delivery.ref != ref:
                session.merge(ChannelRef(incident_id=inc.id, channel=channel, ref=delivery.ref))
            detail = {
                "channel": channel,
                "kind": item.kind,
                "attempt": item.attempts,
                "status_code": delivery.status_code,
            }
            if delivery.ok:
                item.status, item.delivered_at, item.last_error = "delivered", now, ""
                add_event(session, inc, now, "notification_delivered", **detail)
            elif delivery.retry and item.attempts < self.policy.max_attempts:
                wait = self.backoff(item.attempts, delivery)
                item.next_attempt_at = now + timedelta(seconds=wait)
                item.last_error = delivery.error[:2000]
                add_event(
                    session,
                    inc,
                    now,
                    "notification_attempt_failed",
                    **detail,
                    error=delivery.error[:500],
                    retry_in_s=round(wait, 3),
                )
            else:
                item.status, item.last_error = "failed", delivery.error[:2000]
                add_event(
                    session, inc, now, "notification_failed", **detail, error=delivery.error[:500]
                )
            session.commit()

    # --- background workers -----------------------------------------------------------------

    def wake(self, names: object) -> None:
        for name in names if isinstance(names, (set, list, tuple)) else [names]:
            event = self.events.get(str(name))
            if event is not None:
                event.set()

    def _run(self, channel: str) -> None:
        event = self.events[channel]
        while not self.stopping.is_set():
            event.clear()
            try:
                self.process(channel)
                upcoming = self.next_due(channel)
            except Exception:  # noqa: BLE001 - keep delivering whatever one pass did
                log.exception("outbox pass for %s failed", channel)
                upcoming = None
            wait = 1.0
            if upcoming is not None:
                wait = max(0.01, min(1.0, (upcoming - self.clock.now()).total_seconds()))
            event.wait(wait)

    def start(self) -> None:
        self.release_leases()
        for name in self.channels.live:
            thread = threading.Thread(
                target=self._run, args=(name,), daemon=True, name=f"outbox-{name}"
            )
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for event in self.events.values():
            event.set()
        for thread in self.threads:
            thread.join(timeout=5)
        self.threads.clear()
