"""A new fault type is one registered class: the manager validates, records, injects and
reverts it with no other change, and plug-in packages arrive through an entry point."""

from __future__ import annotations

import signal
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from harness.errors import FaultError, SafetyError
from harness.faults import registry
from harness.faults.base import AppliedFault, Fault, FaultContext
from harness.faults.manager import FaultManager


class FakeContainer:
    def __init__(self) -> None:
        self.restarts = 0


class FakeStack:
    """Only what a fault needs: the project's services, by name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.api = FakeContainer()

    def container(self, service: str) -> FakeContainer:
        if service != "api":
            raise SafetyError(f"{service!r} is not a service of drill's compose project")
        return self.api


class RestartParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    times: int = Field(1, ge=1, le=3)


class RestartTwice(Fault):
    kind = "test.restart"
    Params = RestartParams
    summary = "Restart the container a few times."

    def plan(self, target: str, params: BaseModel) -> list[str]:
        return [f"restart {target}"]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        ctx.stack.container(applied.target).restarts += applied.params["times"]  # type: ignore[attr-defined]

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        ctx.stack.container(applied.target).restarts = 0  # type: ignore[attr-defined]

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        return bool(ctx.stack.container(applied.target).restarts)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    registry.register(RestartTwice)
    yield
    registry._REGISTRY.pop(RestartTwice.kind, None)


def manager(tmp_path: Path) -> tuple[FaultManager, FakeStack]:
    stack = FakeStack(tmp_path)
    m = FaultManager(
        stack,  # type: ignore[arg-type]
        owner="test",
        state_path=tmp_path / "faults.json",
        watchdog=False,
        handle_signals=False,
    )
    return m, stack


def test_registered_class_runs_through_the_manager(tmp_path: Path) -> None:
    assert "test.restart" in registry.kinds()
    m, stack = manager(tmp_path)
    applied = m.inject("test.restart", "api", {"times": 2}, ttl_s=60)
    assert stack.api.restarts == 2
    assert [f.id for f in m.active()] == [applied.id], "not recorded in the state file"
    assert m.is_active(applied)
    m.revert(applied)
    m.revert(applied)  # idempotent
    assert stack.api.restarts == 0
    assert m.active() == []
    m.close()


def test_its_params_and_target_are_checked_before_anything_is_touched(tmp_path: Path) -> None:
    m, stack = manager(tmp_path)
    with pytest.raises(FaultError, match="times"):
        m.inject("test.restart", "api", {"times": 9}, ttl_s=60)
    with pytest.raises(SafetyError, match="not a service"):
        m.inject("test.restart", "postgres-of-someone-else", {}, ttl_s=60)
    assert stack.api.restarts == 0
    assert m.active() == []
    m.close()


def test_plugin_faults_arrive_through_the_entry_point_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = types.ModuleType("drill_plugin_faults")

    class EntryPoint:
        def load(self) -> Any:
            @registry.register
            class Plugin(RestartTwice):
                kind = "plugin.restart"

            sys.modules[module.__name__] = module
            return module

    seen: list[str] = []

    def entry_points(group: str) -> list[EntryPoint]:
        seen.append(group)
        return [EntryPoint()]

    monkeypatch.setattr("importlib.metadata.entry_points", entry_points)
    monkeypatch.setattr(registry, "_loaded", False)
    assert "plugin.restart" in registry.kinds()
    assert seen == ["drill.faults"]
    monkeypatch.delitem(registry._REGISTRY, "plugin.restart")
    monkeypatch.delitem(sys.modules, module.__name__)


@pytest.mark.timeout(10)  # the old deadlock hung here forever
def test_a_signal_inside_the_state_lock_reverts_once_the_lock_is_free(tmp_path: Path) -> None:
    # SIGTERM landing while the main thread writes the state file used to deadlock: the
    # handler waited for the flock its own process held. Now it runs when the lock is let go.
    m, stack = manager(tmp_path)
    m.inject("test.restart", "api", {}, ttl_s=60)
    original = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as exited:
            with m.state.locked():
                m._on_signal(signal.SIGTERM, None)
                assert stack.api.restarts == 1, "reverted while the lock was still held"
        assert exited.value.code == 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, original)
    assert stack.api.restarts == 0
    assert m.active() == []
