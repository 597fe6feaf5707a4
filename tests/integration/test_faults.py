"""Every fault type against the running stack: injected, observed from outside, reverted.

Observations go through the published ports on 127.0.0.1 (the client -> API path crosses
the fault proxy) or through `docker exec` in the db container, never through our own
bookkeeping.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from harness import settings
from harness.faults.manager import FaultManager
from harness.stack.compose import Stack

pytestmark = pytest.mark.docker

CORE = ("db", "faultproxy", "api")
ROOT = Path(__file__).resolve().parents[2]
DRILL = [sys.executable, "-m", "harness"]


@pytest.fixture(scope="module")
def fstack(request: pytest.FixtureRequest) -> Stack:
    # DRILL_FAULT_TESTS_RUNNING_STACK=1 uses a stack that is already up (quick local runs).
    if os.environ.get("DRILL_FAULT_TESTS_RUNNING_STACK") == "1":
        return Stack()
    stack: Stack = request.getfixturevalue("stack")
    return stack


def wait_for(check: Callable[[], bool], timeout: float, what: str, step: float = 0.05) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(step)
    raise AssertionError(f"{what} not seen within {timeout}s")


def core_healthy(stack: Stack) -> bool:
    rows = {r.service: r for r in stack.state()}
    return (
        all(rows[s].state == "running" and rows[s].health in ("healthy", "none") for s in CORE)
        and health_ok()
    )


def health_ok(timeout: float = 2.5) -> bool:
    try:
        return httpx.get(f"{settings.url('api')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def health_fails() -> bool:
    return not health_ok(timeout=1.0)


@pytest.fixture
def manager(fstack: Stack, tmp_path: Path) -> Iterator[FaultManager]:
    wait_for(lambda: core_healthy(fstack), 90, "healthy stack before the test", step=0.5)
    m = FaultManager(fstack, owner=f"pytest-{os.getpid()}", handle_signals=False)
    try:
        yield m
    finally:
        assert m.revert_all() == []
        wait_for(lambda: core_healthy(fstack), 90, "healthy stack after revert", step=0.5)


def psql(stack: Stack, query: str, timeout: float = 10) -> tuple[int, str]:
    cmd = ["psql", "-X", "-At", "-h", "127.0.0.1", "-U", "shop", "-d", "shop", "-c", query]
    result = stack.exec("db", cmd, timeout=timeout)
    return result.exit_code, result.output


def p50_ms(url: str, n: int = 9) -> float:
    samples = []
    with httpx.Client(timeout=10) as client:
        for _ in range(n):
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


# -- container faults ----------------------------------------------------------------------
def test_container_kill_fails_health_within_2s(manager: FaultManager) -> None:
    applied = manager.inject("container.kill", "api", {})
    assert wait_for(health_fails, 2.0, "/health failing after container.kill") < 2.0
    assert manager.is_active(applied)
    manager.revert(applied)
    manager.revert(applied)  # idempotent
    assert not manager.is_active(applied)


def test_container_stop(manager: FaultManager) -> None:
    applied = manager.inject("container.stop", "api", {"timeout": "1"})
    wait_for(health_fails, 3.0, "/health failing after container.stop")
    manager.revert(applied)
    assert health_ok()


def test_container_pause_freezes(manager: FaultManager, fstack: Stack) -> None:
    applied = manager.inject("container.pause", "api", {})
    wait_for(health_fails, 3.0, "/health hanging while paused")
    assert fstack.container("api").status == "paused"
    manager.revert(applied)
    assert health_ok()


def test_cpu_throttle(manager: FaultManager, fstack: Stack) -> None:
    applied = manager.inject("container.cpu-throttle", "api", {"cpus": "0.05"})
    quota = fstack.exec("api", ["cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"]).output.strip()
    if not quota.lstrip("-").isdigit():  # cgroup v2
        quota = fstack.exec("api", ["cat", "/sys/fs/cgroup/cpu.max"]).output.split()[0]
    assert quota == "5000"
    manager.revert(applied)
    assert not manager.is_active(applied)


def test_memory_pressure(manager: FaultManager, fstack: Stack) -> None:
    applied = manager.inject("container.memory-pressure", "api", {"limit_mb": "48"})
    limit = fstack.exec("api", ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]).output
    assert limit.strip() == str(48 * 1024 * 1024)
    manager.revert(applied)
    assert not manager.is_active(applied)
    limit = fstack.exec("api", ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]).output
    assert int(limit.strip()) > 1024**3


def test_disk_fill(manager: FaultManager, fstack: Stack) -> None:
    def used() -> int:
        out = fstack.exec("db", ["df", "-P", "-B1", "/var/lib/postgresql/data"]).output
        return int(out.strip().splitlines()[-1].split()[2])

    before = used()
    applied = manager.inject("container.disk-fill", "db", {"percent": "99", "max_mb": "64"})
    assert used() - before >= 60 * 1024**2
    assert manager.is_active(applied)
    manager.revert(applied)
    assert not manager.is_active(applied)
    assert used() - before < 32 * 1024**2


# -- database faults -----------------------------------------------------------------------
def test_db_stall(manager: FaultManager) -> None:
    applied = manager.inject("db.stall", None, {})
    wait_for(health_fails, 4.0, "/health failing while the db is frozen")
    manager.revert(applied)
    wait_for(health_ok, 10, "/health back")


def test_db_lock_blocks_queries(manager: FaultManager, fstack: Stack) -> None:
    assert psql(fstack, "SELECT count(*) FROM products")[0] == 0
    applied = manager.inject("db.lock", "db", {})
    code, out = psql(fstack, "SET statement_timeout = 1000; SELECT count(*) FROM products")
    assert code != 0 and "statement timeout" in out
    assert manager.is_active(applied)
    manager.revert(applied)
    assert psql(fstack, "SET statement_timeout = 1000; SELECT count(*) FROM products")[0] == 0


def test_db_connections_exhausted(manager: FaultManager, fstack: Stack) -> None:
    applied = manager.inject("db.connections", "db", {})
    code, out = psql(fstack, "SELECT 1")
    assert code != 0 and "too many clients" in out
    manager.revert(applied)
    wait_for(lambda: psql(fstack, "SELECT 1")[0] == 0, 5, "connections free again")


def test_db_down(manager: FaultManager, fstack: Stack) -> None:
    applied = manager.inject("db.down", None, {})
    wait_for(health_fails, 4.0, "/health failing with the db down")
    manager.revert(applied)
    wait_for(health_ok, 20, "/health back after db restart", step=0.5)


# -- network faults ------------------------------------------------------------------------
def test_net_latency_through_api_proxy(manager: FaultManager) -> None:
    url = f"{settings.url('api')}/health"
    base = p50_ms(url)
    applied = manager.inject("net.latency", "api", {"latency": "200"})
    added = p50_ms(url) - base
    assert 190 <= added <= 230, added
    manager.revert(applied)
    assert p50_ms(url) - base < 20


def test_net_latency_on_db_path(manager: FaultManager) -> None:
    url = f"{settings.url('api')}/products"
    base = p50_ms(url, 5)
    applied = manager.inject("net.latency", "db", {"latency": "150"})
    assert p50_ms(url, 5) - base >= 140
    manager.revert(applied)


def test_net_timeout(manager: FaultManager) -> None:
    applied = manager.inject("net.timeout", "api", {"timeout": "0"})
    with pytest.raises(httpx.TimeoutException):
        httpx.get(f"{settings.url('api')}/health", timeout=1.0)
    manager.revert(applied)
    assert health_ok()


def test_net_reset(manager: FaultManager) -> None:
    applied = manager.inject("net.reset", "api", {})
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{settings.url('api')}/health", timeout=2.0)
    manager.revert(applied)
    assert health_ok()


def test_net_bandwidth(manager: FaultManager) -> None:
    url = f"{settings.url('api')}/metrics"
    size = len(httpx.get(url, timeout=5).content)
    assert size > 3000
    applied = manager.inject("net.bandwidth", "api", {"rate": "1"})
    start = time.monotonic()
    httpx.get(url, timeout=30)
    assert time.monotonic() - start >= (size / 1000) * 0.7
    manager.revert(applied)


def test_net_down(manager: FaultManager) -> None:
    applied = manager.inject("net.down", "api", {})
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{settings.url('api')}/health", timeout=2.0)
    assert manager.is_active(applied)
    manager.revert(applied)
    assert health_ok()
