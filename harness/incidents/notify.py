"""ops/notifications/channels.yaml: which channels are live and which messages they get."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import yaml
from pydantic import BaseModel, Field, ValidationError

from harness.errors import ConfigError
from harness.incidents.channels import Channel, get, kinds

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
KINDS = [
    "page",
    "escalation",
    "acknowledged",
    "kickoff",
    "reminder",
    "internal_update",
    "executive_summary",
    "customer_update",
    "resolution",
]


def expand(value: Any, env: dict[str, str]) -> Any:
    """Fill ${VAR} and ${VAR:-default} from the environment, recursively."""
    if isinstance(value, str):
        return ENV_REFERENCE.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)
    if isinstance(value, dict):
        return {k: expand(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, env) for v in value]
    return value


class OutboxPolicy(BaseModel):
    base_backoff_s: float = Field(default=0.5, gt=0)
    max_backoff_s: float = Field(default=10, gt=0)
    max_retry_after_s: float = Field(default=300, gt=0)
    max_attempts: int = Field(default=60, ge=1)
    timeout_s: float = Field(default=5, gt=0)


class ChannelSpec(BaseModel):
    type: str
    enabled: bool = True
    kinds: list[str] = Field(default_factory=lambda: ["all"])
    settings: dict[str, Any] = Field(default_factory=dict)


class Component(BaseModel):
    id: str
    name: str
    services: list[str] = Field(default_factory=list)


class StatusPagePolicy(BaseModel):
    name: str = "Status"
    components: list[Component] = Field(default_factory=list)
    impact: dict[str, str] = Field(default_factory=dict)


class Automatic(BaseModel):
    customer_updates: dict[str, str] = Field(default_factory=dict)
    internal_update_on_open: bool = True
    executive_summary_on_resolve: bool = True


class NotificationConfig(BaseModel):
    silence_outside: bool = False
    deliver_notifications: dict[str, bool] = Field(default_factory=dict)
    outbox: OutboxPolicy = Field(default_factory=OutboxPolicy)
    templates: dict[str, str]
    automatic: Automatic = Field(default_factory=Automatic)
    status_page: StatusPagePolicy = Field(default_factory=StatusPagePolicy)
    channels: dict[str, ChannelSpec] = Field(default_factory=dict)


def load_config(path: Path, env: dict[str, str] | None = None) -> NotificationConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        config = NotificationConfig.model_validate(expand(raw, dict(env or os.environ)))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    for name, spec in config.channels.items():
        if spec.type not in kinds():
            raise ConfigError(f"{path}: channel {name}: unknown type {spec.type!r}")
        unknown = set(spec.kinds) - {"all", *KINDS}
        if unknown:
            raise ConfigError(f"{path}: channel {name}: unknown kinds {sorted(unknown)}")
    return config


class Channels:
    """The live channels, built once from the configuration."""

    def __init__(self, config: NotificationConfig, *, data_dir: Path, silence: bool) -> None:
        self.config = config
        self.silenced = silence or config.silence_outside
        self.http = httpx.Client(timeout=config.outbox.timeout_s, follow_redirects=False)
        self.live: dict[str, Channel] = {}
        self.skipped: dict[str, str] = {}
        for name, spec in config.channels.items():
            self._build(name, spec, data_dir)

    def _build(self, name: str, spec: ChannelSpec, data_dir: Path) -> None:
        cls = get(spec.type)
        settings = dict(spec.settings)
        if spec.type == "local" and not settings.get("path"):
            settings["path"] = str(data_dir / "notifications.jsonl")
        if spec.type == "statuspage":
            deliver = self.config.deliver_notifications
            settings.setdefault("deliver_notifications", deliver.get("real", True))
            settings.setdefault("deliver_notifications_drill", deliver.get("drill", False))
        missing = [key for key in cls.required if not settings.get(key)]
        if not spec.enabled or missing:
            self.skipped[name] = "disabled" if not spec.enabled else f"missing {missing}"
            return
        try:
            parsed = cls.Settings.model_validate(settings)
        except ValidationError as exc:
            raise ConfigError(f"channel {name}: {exc.errors()[0]['msg']}") from exc
        self.live[name] = cls(name, parsed, self.http)

    def for_kind(self, kind: str) -> list[Channel]:
        """Live channels that take this kind of message (the silence switch applied)."""
        chosen = []
        for name, channel in self.live.items():
            spec = self.config.channels[name]
            if "all" not in spec.kinds and kind not in spec.kinds:
                continue
            if channel.outside and self.silenced:
                continue
            chosen.append(channel)
        return chosen

    def template_for(self, kind: str, customer_status: str | None) -> str:
        return self.config.templates[kind].format(customer_status=customer_status or "")

    def close(self) -> None:
        self.http.close()
