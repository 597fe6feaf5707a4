"""Faults never outlive their owner or TTL, never touch foreign containers, and bad input
changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from docker.models.containers import Container

from harness import settings
from harness.faults import registry
from harness.faults.base import AppliedFault
from harness.faults.manager import FaultManager
from harness.faults.state import StateFile
from harness.stack.compose import Stack
from tests.integration.test_faults import core_healthy, health_ok, wait_for

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
DRILL = [sys.executable, "-m", "harness"]


@pytest.fixture(scope="module")
def fstack(request: pytest.FixtureRequest) -> Stack:
    if os.environ.get("DRILL_FAULT_TESTS_RUNNING_STACK") == "1":
        return Stack()
    stack: Stack = request.getfixturevalue("stack")
    return stack


THREE_FAULTS = [
    ("net.latency", "api", {"latency": "300"}),
    ("container.cpu-throttle", "api", {"cpus": "0.2"}),
    ("db.lock", "db", {}),
]


def drill(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DRILL, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def state() -> StateFile:
    return StateFile(settings.state_dir() / "faults.json")


def any_active(stack: Stack, faults: list[AppliedFault]) -> list[str]:
    manager = FaultManager(stack, owner="observer", watchdog=False, handle_signals=False)
    return [str(f) for f in faults if manager.is_active(f)]


@pytest.fixture
def clean(fstack: Stack) -> Iterator[Stack]:
    wait_for(lambda: core_healthy(fstack), 90, "healthy stack", step=0.5)
    yield fstack
    drill("recover")
    wait_for(lambda: core_healthy(fstack), 90, "healthy stack after the test", step=0.5)


OWNER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from harness.faults.manager import FaultManager
    from harness.stack.compose import Stack
    ttl = float(sys.argv[1])
    m = FaultManager(Stack(), owner="doomed-owner")
    for kind, target, params in {faults!r}:
        m.inject(kind, target, params, ttl_s=ttl)
    print("READY", flush=True)
    time.sleep(600)
    """
)


def start_owner(ttl: float) -> subprocess.Popen[str]:
    script = OWNER_SCRIPT.format(faults=THREE_FAULTS)
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(ttl)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "READY", proc.stderr.read() if proc.stderr else line
    return proc


def test_sigkill_then_recover(clean: Stack) -> None:
    proc = start_owner(ttl=600)
    faults = state().load()
    assert sorted(f.kind for f in faults) == sorted(k for k, _, _ in THREE_FAULTS)
    assert len(any_active(clean, faults)) == 3
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    result = drill("recover")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("reverted") >= 1  # the watchdog may have raced us to some
    assert state().load() == []
    assert any_active(clean, faults) == []
    wait_for(lambda: core_healthy(clean), 30, "healthy after recover", step=0.5)


def test_ttl_reverts_without_anyone(clean: Stack) -> None:
    for kind, target, params in THREE_FAULTS:
        args = [f"--param={k}={v}" for k, v in params.items()]
        result = drill("fault", "inject", kind, "--target", target, "--ttl", "20s", *args)
        assert result.returncode == 0, result.stderr
    faults = state().load()
    assert len(faults) == 3 and all(f.detached for f in faults)
    assert len(any_active(clean, faults)) == 3
    # Detached faults outlive their exited injector, well past the heartbeat limit (10 s),
    # until their TTL.
    time.sleep(max(0.0, min(f.injected_at for f in faults) + 14 - time.time()))
    log = settings.state_dir() / "watchdog.log"
    assert len(any_active(clean, faults)) == 3, log.read_text() if log.exists() else ""
    wait_for(lambda: not state().load(), 60, "every fault gone by its TTL", step=1)
    assert any_active(clean, faults) == []
    wait_for(lambda: core_healthy(clean), 30, "healthy after TTL expiry", step=0.5)


@pytest.fixture
def outsider(fstack: Stack) -> Iterator[Container]:
    name = f"drill-outsider-{uuid.uuid4().hex[:6]}"
    container = fstack.client.containers.run(
        "drill-base:bookworm", ["sleep", "300"], name=name, detach=True, auto_remove=False
    )
    try:
        yield container
    finally:
        container.remove(force=True)


def test_foreign_container_survives_every_fault(fstack: Stack, outsider: Container) -> None:
    manager = FaultManager(fstack, owner="pytest-outsider", handle_signals=False)
    for kind in registry.kinds():
        with pytest.raises(Exception) as info:
            manager.inject(kind, outsider.name, {})
        assert "not a service of drill's compose project" in str(info.value), kind
    for kind in ("container.kill", "container.pause", "db.down", "net.down"):
        result = drill("fault", "inject", kind, "--target", str(outsider.name))
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "drill only touches its own containers" in lines[0], lines
    assert drill("recover").returncode == 0
    outsider.reload()
    assert outsider.status == "running"
    assert state().load() == []


@pytest.mark.parametrize(
    "args",
    [
        ["fault", "inject", "no.such-fault", "--target", "api"],
        ["fault", "inject", "net.latency", "--target", "api", "--param", "latency=-5"],
        ["fault", "inject", "container.kill", "--target", "nosuchservice"],
        ["fault", "inject", "container.kill", "--target", "api", "--duration", "soon"],
        ["fault", "inject", "net.latency", "--target", "api", "--param", "latency"],
        ["fault", "inject", "net.latency", "--target", "incidents"],
    ],
)
def test_bad_input_is_one_line_exit_2(fstack: Stack, args: list[str]) -> None:
    result = drill(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert state().load() == []
    assert health_ok()


def test_dry_run_touches_nothing(fstack: Stack) -> None:
    result = drill("fault", "inject", "container.kill", "--target", "api", "--dry-run")
    assert result.returncode == 0 and "dry run" in result.stdout
    assert state().load() == []
    assert fstack.container("api").status == "running"


def test_duration_reverts_on_time(clean: Stack) -> None:
    start = time.monotonic()
    result = drill(
        "fault", "inject", "net.latency", "--target", "api", "-p", "latency=100", "--duration", "2s"
    )
    assert result.returncode == 0, result.stderr
    assert 2 <= time.monotonic() - start < 15
    assert "reverted" in result.stdout
    assert state().load() == []


def test_sigterm_reverts_before_exit(clean: Stack) -> None:
    proc = subprocess.Popen(
        [*DRILL, "fault", "inject", "container.pause", "--target", "api", "--duration", "5m"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: bool(state().load()), 20, "the fault recorded")
    wait_for(lambda: clean.container("api").status == "paused", 10, "api paused")
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    assert state().load() == []
    clean.container("api").reload()
    assert clean.container("api").status == "running"
