"""/metrics: incidents by severity and status, deliveries by channel, time to acknowledge.

Drill incidents never count in the real-incident series; they have their own `*_drill_*`
series so a game day does not spoil the numbers that matter.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harness.incidents.channels import Delivery
from harness.incidents.db import Incident

ACK_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


class IncidentCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        real = GaugeMetricFamily(
            "incidents", "Real incidents by severity and status", labels=["severity", "status"]
        )
        drill = GaugeMetricFamily(
            "incidents_drill",
            "Drill incidents by severity and status",
            labels=["severity", "status"],
        )
        with self.sessions() as session:
            rows = session.execute(
                select(
                    Incident.is_drill, Incident.severity, Incident.status, func.count()
                ).group_by(Incident.is_drill, Incident.severity, Incident.status)
            )
            for is_drill, severity, status, count in rows:
                (drill if is_drill else real).add_metric([severity, status], count)
        yield real
        yield drill


class Metrics:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(IncidentCollector(sessions))
        self.alerts = Counter(
            "incidents_alerts_received",
            "Alerts received, by source",
            ["source"],
            registry=self.registry,
        )
        self.delivered = Counter(
            "incidents_notifications_delivered",
            "Notifications delivered, by channel",
            ["channel"],
            registry=self.registry,
        )
        self.failures = Counter(
            "incidents_notification_failures",
            "Failed delivery attempts, by channel and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.ack = Histogram(
            "incidents_time_to_acknowledge_seconds",
            "Real incidents: opened to acknowledged",
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.ack_drill = Histogram(
            "incidents_drill_time_to_acknowledge_seconds",
            "Drill incidents: opened to acknowledged",
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )

    def delivery(self, channel: str, kind: str, delivery: Delivery) -> None:
        if delivery.ok:
            self.delivered.labels(channel).inc()
        else:
            self.failures.labels(channel, "retry" if delivery.retry else "permanent").inc()

    def acknowledged(self, inc: Incident, seconds: float) -> None:
        (self.ack_drill if inc.is_drill else self.ack).observe(max(0.0, seconds))
