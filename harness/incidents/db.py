"""The incident service's tables (SQLAlchemy 2). SQLite in WAL mode unless told otherwise.

Every write goes through a short transaction, so a SIGKILL loses at most the request in
flight: incidents, timelines and the outbox of pending notifications survive a restart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(512))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    # The dedupe key while the incident is open, NULL once resolved: the unique index makes
    # "one open incident per alert group" hold even with several writers.
    open_key: Mapped[str | None] = mapped_column(String(512), unique=True)
    dedupe_key: Mapped[str] = mapped_column(String(512))
    source: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(128), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    runbook_url: Mapped[str] = mapped_column(String(1024), default="")
    dashboard_url: Mapped[str] = mapped_column(String(1024), default="")
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    drill_id: Mapped[str | None] = mapped_column(String(128), index=True)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    clock_scale: Mapped[float] = mapped_column(default=1.0)
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    mitigated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    roles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    war_room: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Escalation and cadence bookkeeping (what was sent when), kept with the incident.
    escalation_level: Mapped[int] = mapped_column(default=0)
    comms: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("incident_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(256))
    alertname: Mapped[str] = mapped_column(String(256))
    source: Mapped[str] = mapped_column(String(32))
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    repeats: Mapped[int] = mapped_column(default=0)


class TimelineEvent(Base):
    __tablename__ = "timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StatusUpdate(Base):
    __tablename__ = "updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    audience: Mapped[str] = mapped_column(String(16))
    customer_status: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128), default="")


class OutboxItem(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    # A worker owns an item until lease_until, so two processes never send it twice.
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class ChannelRef(Base):
    """What an outside service called our incident (Statuspage id, Slack channel id...)."""

    __tablename__ = "channel_refs"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    ref: Mapped[str] = mapped_column(String(512))


class Drill(Base):
    __tablename__ = "drills"

    drill_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    scenario: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    clock_scale: Mapped[float] = mapped_column(default=1.0)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode is durable across a process kill (only an OS crash can lose the
    # last transactions), which is what "SIGKILL loses nothing" needs.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessions(engine: Engine) -> sessionmaker[Any]:
    Base.metadata.create_all(engine)
    return sessionmaker(engine, expire_on_commit=False)
