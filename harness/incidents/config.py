"""Settings of one incident-service process, read from the environment.

DRILL_INCIDENTS_DB                 SQLAlchemy URL (default: SQLite file in the state folder)
DRILL_OPS_DIR                      folder holding oncall.yaml and notifications/
DRILL_API_TOKEN                    bearer token for writes and the webhook
DRILL_INCIDENTS_PUBLIC_URL         base URL used in links inside messages
DRILL_INCIDENTS_AUTO_RESOLVE       what resolved alerts do to a real incident:
                                   annotate (default) | mitigate | resolve
DRILL_INCIDENTS_DRILL_AUTO_RESOLVE the same for drill incidents (default: resolve)
DRILL_INCIDENTS_DRILL_CLOCK_SCALE  drill cadence runs this many times faster (default 1)
DRILL_SILENCE_OUTSIDE              1 = no outside channel delivers anything (drill or not)
DRILL_INCIDENTS_WORKERS            0 = no background threads (tests drive them by hand)
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class AutoResolve(StrEnum):
    ANNOTATE = "annotate"
    MITIGATE = "mitigate"
    RESOLVE = "resolve"


def _default_ops_dir() -> Path:
    # The checkout (or /opt/drill/app in the image) holds ops/ beside harness/.
    return Path(__file__).resolve().parents[2] / "ops"


def _default_db_url() -> str:
    state = Path(os.environ.get("DRILL_STATE_DIR") or Path.cwd() / ".drill")
    return f"sqlite:///{state / 'incidents.db'}"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


class ServiceSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    db_url: str = Field(default_factory=_default_db_url)
    ops_dir: Path = Field(default_factory=_default_ops_dir)
    api_token: str = ""
    public_url: str = "http://127.0.0.1:8090"
    auto_resolve: AutoResolve = AutoResolve.ANNOTATE
    drill_auto_resolve: AutoResolve = AutoResolve.RESOLVE
    drill_clock_scale: float = Field(default=1.0, gt=0, le=3600)
    silence_outside: bool = False
    workers: bool = True
    # Seconds between scheduler passes (escalation, cadence reminders).
    tick_s: float = Field(default=1.0, gt=0)

    @classmethod
    def from_env(cls, **overrides: object) -> ServiceSettings:
        env = os.environ
        values: dict[str, object] = {}
        pairs = {
            "db_url": "DRILL_INCIDENTS_DB",
            "ops_dir": "DRILL_OPS_DIR",
            "api_token": "DRILL_API_TOKEN",
            "public_url": "DRILL_INCIDENTS_PUBLIC_URL",
            "auto_resolve": "DRILL_INCIDENTS_AUTO_RESOLVE",
            "drill_auto_resolve": "DRILL_INCIDENTS_DRILL_AUTO_RESOLVE",
            "drill_clock_scale": "DRILL_INCIDENTS_DRILL_CLOCK_SCALE",
        }
        for field, variable in pairs.items():
            if env.get(variable):
                values[field] = env[variable]
        if "DRILL_SILENCE_OUTSIDE" in env:
            values["silence_outside"] = _flag(env["DRILL_SILENCE_OUTSIDE"])
        if "DRILL_INCIDENTS_WORKERS" in env:
            values["workers"] = _flag(env["DRILL_INCIDENTS_WORKERS"])
        values.update(overrides)
        return cls.model_validate(values)
