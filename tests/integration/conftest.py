"""One compose stack for the whole Docker suite.

A Docker test that finds no engine fails with a message saying what to do: CI must never
pass by skipping the tests that prove drill works.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import docker
import docker.errors
import pytest

from harness.stack import Stack, lifecycle

NO_DOCKER = (
    "these tests need a running Docker engine and drill's images: run `make setup` "
    "(it installs and starts Docker when we are root on Debian) or start Docker, then rerun"
)


def _docker_or_fail() -> None:
    try:
        docker.from_env(timeout=10).ping()
    except docker.errors.DockerException as exc:
        pytest.fail(f"{NO_DOCKER} ({exc.__class__.__name__}: {exc})", pytrace=False)


def wait_healthy(stack: Stack, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if stack.healthy():
            return
        time.sleep(0.5)
    rows = ", ".join(f"{r.service}={r.state}/{r.health}" for r in stack.state())
    raise AssertionError(f"stack not healthy after {timeout_s:.0f}s: {rows}")


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    _docker_or_fail()
    s = Stack()
    lifecycle.up(s, report=lambda msg: print(f"[stack] {msg}"))
    yield s
    if os.environ.get("DRILL_KEEP_STACK") != "1":
        lifecycle.down(s, volumes=True)


@pytest.fixture()
def healthy_stack(stack: Stack) -> Iterator[Stack]:
    """The shared stack, brought back to health before and after a test that breaks it."""
    if not stack.healthy():
        lifecycle.up(stack, build=False)
    wait_healthy(stack)
    yield stack
    if not stack.healthy():
        lifecycle.up(stack, build=False)
        wait_healthy(stack)
