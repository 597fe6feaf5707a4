"""The compose project drill owns, and nothing else.

Containers are found by their compose labels (`com.docker.compose.project` and
`com.docker.compose.service`), so a container of any other project can never be
picked up by a fault or a runbook, whatever its name.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container

from harness import settings
from harness.errors import SafetyError, StackError

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


@dataclass(frozen=True)
class ServiceState:
    service: str
    state: str  # running, exited, paused, missing ...
    health: str  # healthy, unhealthy, starting, none
    ports: str


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    output: str


class Stack:
    """One compose project: by default drill's own, from the checkout's docker-compose.yml."""

    def __init__(
        self,
        *,
        project: str = settings.PROJECT_NAME,
        root: Path | None = None,
        compose_files: Sequence[Path] | None = None,
    ) -> None:
        self.project = project
        self.root = root or settings.root()
        self.compose_files = list(compose_files or [self.root / "docker-compose.yml"])

    @cached_property
    def client(self) -> docker.DockerClient:
        try:
            client = docker.from_env(timeout=30)
            client.ping()
        except docker.errors.DockerException as exc:
            raise StackError(
                "no Docker engine answers; run `make setup` (it starts one when we are root "
                f"on Debian) or start Docker yourself ({exc.__class__.__name__})"
            ) from exc
        return client

    # -- compose CLI -------------------------------------------------------------------
    def compose_args(self) -> list[str]:
        args = ["docker", "compose", "--project-name", self.project]
        for f in self.compose_files:
            args += ["-f", str(f)]
        env_file = self.root / ".env"
        if env_file.is_file():
            args += ["--env-file", str(env_file)]
        return args

    def compose(
        self,
        *args: str,
        check: bool = True,
        capture: bool = True,
        timeout: float = 600,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        cmd = self.compose_args() + list(args)
        try:
            proc = subprocess.run(
                cmd,
                cwd=self.root,
                capture_output=capture,
                text=True,
                timeout=timeout,
                env={**os.environ, "COMPOSE_PROJECT_NAME": self.project, **(env or {})},
            )
        except FileNotFoundError as exc:
            raise StackError("the docker CLI is missing; run `make setup`") from exc
        except subprocess.TimeoutExpired as exc:
            raise StackError(f"`docker compose {' '.join(args)}` took over {timeout:.0f}s") from exc
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-5:]
            raise StackError(f"`docker compose {' '.join(args)}` failed: " + " | ".join(detail))
        return proc

    def services(self) -> list[str]:
        return self.compose("config", "--services").stdout.split()

    # -- containers --------------------------------------------------------------------
    def containers(self, service: str | None = None) -> list[Container]:
        labels = [f"{PROJECT_LABEL}={self.project}"]
        if service:
            labels.append(f"{SERVICE_LABEL}={service}")
        result: list[Container] = self.client.containers.list(all=True, filters={"label": labels})
        return result

    def container(self, service: str) -> Container:
        """The container of one service of this project; refuses anything else."""
        if service not in self.services():
            raise SafetyError(
                f"{service!r} is not a service of drill's compose project {self.project!r} "
                f"(services: {', '.join(self.services())}); drill only touches its own containers"
            )
        found = self.containers(service)
        if not found:
            raise StackError(f"service {service!r} has no container; run `drill up` first")
        return found[0]

    def owns(self, container: Container) -> bool:
        labels: dict[str, str] = container.labels
        return labels.get(PROJECT_LABEL) == self.project

    def exec(
        self, service: str, cmd: Sequence[str], *, user: str | None = None, timeout: float = 60
    ) -> ExecResult:
        """Run a command inside a service's container, bounded in time."""
        full = ["timeout", str(int(timeout)), *cmd]
        kwargs: dict[str, Any] = {"demux": False}
        if user:
            kwargs["user"] = user
        code, out = self.container(service).exec_run(full, **kwargs)
        text = out.decode(errors="replace") if isinstance(out, bytes) else str(out)
        return ExecResult(exit_code=int(code if code is not None else -1), output=text)

    def state(self) -> list[ServiceState]:
        rows = []
        for service in self.services():
            found = self.containers(service)
            if not found:
                rows.append(ServiceState(service, "missing", "none", ""))
                continue
            c = found[0]
            c.reload()
            health = c.attrs.get("State", {}).get("Health", {}).get("Status", "none")
            ports = ", ".join(
                f"{b['HostIp']}:{b['HostPort']}->{p}"
                for p, binds in (c.attrs.get("NetworkSettings", {}).get("Ports") or {}).items()
                for b in (binds or [])
            )
            rows.append(ServiceState(service, c.status, health, ports))
        return rows

    def healthy(self) -> bool:
        rows = self.state()
        return bool(rows) and all(
            r.state == "running" and r.health in ("healthy", "none") for r in rows
        )
