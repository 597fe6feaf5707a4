"""What the repository says exists: compose services and containers, alerts, proxies.

Read straight from the files (no Docker needed), so `drill runbooks lint` runs anywhere.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness import settings
from harness.errors import RunbookError


@dataclass(frozen=True)
class RepoFacts:
    project: str
    services: frozenset[str]
    container_names: dict[str, str]  # explicit container_name -> service
    alerts: frozenset[str]
    proxies: frozenset[str]

    def service_of_container(self, name: str) -> str | None:
        """The service a container name belongs to, if compose would create it."""
        if name in self.container_names:
            return self.container_names[name]
        match = re.fullmatch(rf"{re.escape(self.project)}[-_](.+)[-_]\d+", name)
        if match and match[1] in self.services:
            return match[1]
        return None

    @classmethod
    def load(cls, root: Path | None = None) -> RepoFacts:
        base = root or settings.root()
        services, containers, project = _compose(base / "docker-compose.yml")
        return cls(
            project=project,
            services=frozenset(services),
            container_names=containers,
            alerts=frozenset(_alerts(base / "targets" / "prometheus" / "rules")),
            proxies=frozenset(_proxies(base / "targets" / "faultproxy" / "proxies.json")),
        )


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RunbookError(f"cannot read {path}: {exc}") from exc


def _compose(path: Path) -> tuple[list[str], dict[str, str], str]:
    data = _yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise RunbookError(f"{path} has no services mapping")
    services: dict[str, Any] = data["services"]
    containers = {
        str(spec["container_name"]): name
        for name, spec in services.items()
        if isinstance(spec, dict) and spec.get("container_name")
    }
    return list(services), containers, str(data.get("name") or settings.PROJECT_NAME)


def _alerts(rules_dir: Path) -> set[str]:
    """Alert names of every rule group in rules_dir/*.yml (and *.yaml)."""
    names: set[str] = set()
    for path in sorted([*rules_dir.glob("*.yml"), *rules_dir.glob("*.yaml")]):
        data = _yaml(path) or {}
        for group in data.get("groups") or []:
            for rule in group.get("rules") or []:
                if isinstance(rule, dict) and rule.get("alert"):
                    names.add(str(rule["alert"]))
    return names


def _proxies(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunbookError(f"cannot read {path}: {exc}") from exc
    return {str(p["name"]) for p in data if isinstance(p, dict) and "name" in p}
