"""ops/oncall.yaml: who is on call, who comes next, and when to escalate."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from harness.errors import ConfigError


class Engineer(BaseModel):
    id: str
    name: str
    email: str = ""
    slack: str = ""


class Override(BaseModel):
    role: str = Field(pattern="^(primary|secondary)$")
    engineer: str
    start: datetime
    end: datetime


class Rotation(BaseModel):
    start: datetime
    length_days: float = Field(default=7, gt=0)


class Escalation(BaseModel):
    ack_timeout_minutes: float = Field(default=5, gt=0)
    drill_ack_timeout_seconds: float = Field(default=45, gt=0)


class Cadence(BaseModel):
    first_customer_post: float = 5
    external_update: float = 20
    internal_summary: float = 30


class WarRoomPolicy(BaseModel):
    severities: list[str] = Field(default_factory=lambda: ["SEV1", "SEV2"])
    cadence: dict[str, Cadence] = Field(default_factory=dict)
    links: dict[str, str] = Field(default_factory=dict)


class Roster(BaseModel):
    rotation: Rotation
    engineers: list[Engineer] = Field(min_length=2)
    overrides: list[Override] = Field(default_factory=list)
    escalation: Escalation = Field(default_factory=Escalation)
    war_room: WarRoomPolicy = Field(default_factory=WarRoomPolicy)

    @model_validator(mode="after")
    def _overrides_name_engineers(self) -> Roster:
        known = {e.id for e in self.engineers}
        for override in self.overrides:
            if override.engineer not in known:
                raise ValueError(f"override names unknown engineer {override.engineer!r}")
        return self

    def engineer(self, engineer_id: str) -> Engineer:
        return next(e for e in self.engineers if e.id == engineer_id)

    def week(self, at: datetime) -> int:
        length = timedelta(days=self.rotation.length_days)
        return (at - self.rotation.start) // length

    def shift_bounds(self, at: datetime) -> tuple[datetime, datetime]:
        length = timedelta(days=self.rotation.length_days)
        start = self.rotation.start + self.week(at) * length
        return start, start + length

    def _slot(self, at: datetime, offset: int) -> Engineer:
        return self.engineers[(self.week(at) + offset) % len(self.engineers)]

    def on_call(self, at: datetime) -> dict[str, Engineer]:
        """primary and secondary at a moment, overrides applied."""
        result = {"primary": self._slot(at, 0), "secondary": self._slot(at, 1)}
        for override in self.overrides:
            if override.start <= at < override.end:
                result[override.role] = self.engineer(override.engineer)
        return result

    def war_room_roles(self, at: datetime) -> dict[str, Engineer]:
        """The four war-room roles, filled from the rotation at `at`."""
        now = self.on_call(at)
        taken = {now["primary"].id, now["secondary"].id}
        spare = [e for e in (self._slot(at, k) for k in range(2, 2 + len(self.engineers)))]
        spare = [e for e in spare if e.id not in taken] or [now["secondary"]]
        return {
            "incident_commander": now["primary"],
            "operations_lead": now["secondary"],
            "communications_lead": spare[0],
            "scribe": spare[1 % len(spare)],
        }

    def ack_timeout(self, *, drill: bool) -> timedelta:
        if drill:
            return timedelta(seconds=self.escalation.drill_ack_timeout_seconds)
        return timedelta(minutes=self.escalation.ack_timeout_minutes)

    def cadence(self, severity: str) -> Cadence:
        return self.war_room.cadence.get(severity, Cadence())


def load_roster(path: Path) -> Roster:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Roster.model_validate(data)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the on-call roster: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}") from exc
