"""Bring the stack up and down, with the checks a user needs before it starts."""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Callable

from harness import settings
from harness.errors import StackError
from harness.stack.compose import Stack
from harness.stack.images import ImageBuilder, tree_hash

Report = Callable[[str], None]
MONITORING_CONFIG = ("targets/prometheus", "targets/alertmanager")


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((settings.HOST, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def published_by_stack(stack: Stack) -> set[int]:
    ports: set[int] = set()
    for container in stack.containers():
        for binds in (container.attrs.get("NetworkSettings", {}).get("Ports") or {}).values():
            ports.update(int(b["HostPort"]) for b in binds or [])
    return ports


def check_ports(stack: Stack) -> None:
    """Name the port, the service and the variable that moves it, before compose fails."""
    ours = published_by_stack(stack)
    for name, spec in settings.PORTS.items():
        number = settings.port(name)
        if number not in ours and port_in_use(number):
            raise StackError(
                f"port {settings.HOST}:{number} for {name} (service {spec.service}) is already "
                f"taken by another program; free it or move drill with {spec.variable}=<port> "
                f"(in the environment or .env)"
            )


def up(
    stack: Stack, *, report: Report = print, build: bool = True, timeout_s: float = 180
) -> float:
    """Build what is stale, start the project, wait for every healthcheck; returns seconds."""
    if build:
        ImageBuilder(stack, report).ensure_all()
    check_ports(stack)
    started = time.monotonic()
    stack.compose(
        "up",
        "-d",
        "--wait",
        "--wait-timeout",
        str(int(timeout_s)),
        "--remove-orphans",
        timeout=timeout_s + 60,
        env={"DRILL_CONFIG_HASH": config_hash(stack)},
    )
    return time.monotonic() - started


def config_hash(stack: Stack) -> str:
    """Prometheus and Alertmanager read bind-mounted files; a changed hash in their
    environment makes compose recreate them, so an edited rule or route takes effect."""
    return tree_hash(stack.root, MONITORING_CONFIG)


def ensure_up(stack: Stack, *, report: Report = print) -> None:
    """Start the stack unless every service is already running and healthy."""
    if not stack.healthy():
        up(stack, report=report)


def down(stack: Stack, *, volumes: bool = False) -> None:
    args = ["down", "--remove-orphans", "--timeout", "5"]
    if volumes:
        args.append("--volumes")
    stack.compose(*args)
