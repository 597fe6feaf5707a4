"""FaultManager: validate, record, apply, and always revert faults.

Order of an injection: parse and check everything (nothing touched), record the fault in
the state file, make sure the watchdog runs, apply. If applying fails, what was applied
is reverted at once. SIGINT/SIGTERM revert this owner's faults before the process exits.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
import uuid
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import docker.errors
from pydantic import BaseModel

from harness import settings
from harness.errors import FaultError
from harness.faults import registry
from harness.faults.base import AppliedFault, Fault, FaultContext
from harness.faults.state import Heartbeat, StateFile
from harness.stack.compose import Stack

log = logging.getLogger("drill.faults")

DEFAULT_TTL_S = 900.0
MAX_TTL_S = 24 * 3600.0
Handler = Any  # what signal.getsignal returns


class FaultManager:
    def __init__(
        self,
        stack: Stack,
        *,
        owner: str,
        state_path: Path | None = None,
        proxy_url: str | None = None,
        watchdog: bool = True,
        handle_signals: bool = True,
    ) -> None:
        self.stack, self.owner = stack, owner
        self.state = StateFile(state_path or settings.state_dir() / "faults.json")
        self.ctx = FaultContext(stack, proxy_url)
        self.heartbeat = Heartbeat(self.state.path.parent, owner)
        self.use_watchdog, self.handle_signals = watchdog, handle_signals
        self.previous: dict[int, Handler] = {}

    # -- checking ------------------------------------------------------------------------
    def resolve(
        self, kind: str, target: str | None, params: dict[str, Any]
    ) -> tuple[Fault, str, BaseModel]:
        fault = registry.get(kind)()
        parsed = fault.parse(params)
        target = target or fault.default_target
        if not target:
            raise FaultError(f"{kind} needs a target service (--target SERVICE)")
        fault.check_target(self.ctx, target)
        return fault, target, parsed

    def validate(self, kind: str, target: str | None, params: dict[str, Any]) -> None:
        self.resolve(kind, target, params)

    def plan(self, kind: str, target: str | None, params: dict[str, Any]) -> list[str]:
        fault, target, parsed = self.resolve(kind, target, params)
        return [fault.describe(target, parsed), *fault.plan(target, parsed)]

    # -- applying ------------------------------------------------------------------------
    def inject(
        self,
        kind: str,
        target: str | None,
        params: dict[str, Any],
        *,
        ttl_s: float = DEFAULT_TTL_S,
        detached: bool = False,
    ) -> AppliedFault:
        if not 0 < ttl_s <= MAX_TTL_S:
            raise FaultError(f"ttl must be between 0 and {MAX_TTL_S:.0f} seconds, got {ttl_s}")
        fault, target, parsed = self.resolve(kind, target, params)
        now = time.time()
        applied = AppliedFault(
            id=uuid.uuid4().hex[:12],
            kind=kind,
            target=target,
            params=parsed.model_dump(mode="json"),
            injected_at=now,
            expires_at=now + ttl_s,
            owner=self.owner,
            revert_data=fault.prepare(self.ctx, target, parsed),
            detached=detached,
        )
        if not detached:
            self.heartbeat.start()
        self.state.put(applied)  # recorded before it is applied
        if self.use_watchdog:
            from harness.faults.watchdog import ensure_running

            ensure_running(self.state.path, self.stack.root)
        self.install_signal_handlers()
        try:
            fault.inject(self.ctx, applied)
        except Exception as exc:
            self._undo_failed(fault, applied)
            if isinstance(exc, FaultError):
                raise
            raise FaultError(f"{kind} on {target} failed: {exc}") from exc
        self.state.put(applied)  # revert data may have grown (a holder's PID)
        log.info("injected %s (%s), expires in %.0fs", applied, applied.id, ttl_s)
        return applied

    def _undo_failed(self, fault: Fault, applied: AppliedFault) -> None:
        try:
            fault.revert(self.ctx, applied)
            self.state.remove(applied.id)
        except Exception as exc:  # left in the state file for clear/recover/watchdog
            log.error("could not undo the failed %s: %s", applied, exc)

    # -- reverting -----------------------------------------------------------------------
    def revert(self, applied: AppliedFault) -> None:
        """Idempotent: reverting something already reverted or gone is fine."""
        fault = registry.get(applied.kind)()
        try:
            try:
                fault.revert(self.ctx, applied)
            except docker.errors.NotFound:
                # Compose replaced the container meanwhile: look the service up again.
                fault.revert(self.ctx, applied)
        except FaultError:
            raise
        except Exception as exc:
            raise FaultError(f"reverting {applied} failed: {exc}") from exc
        self.state.remove(applied.id)
        log.info("reverted %s (%s)", applied, applied.id)

    def revert_all(self, *, all_owners: bool = False) -> list[str]:
        """Revert newest first; return one line per fault that could not be reverted."""
        errors = []
        for applied in reversed(self.active(all_owners=all_owners)):
            try:
                self.revert(applied)
            except Exception as exc:  # keep going: every other fault must still be reverted
                errors.append(f"{applied}: {exc}")
        if not self.active():
            self.heartbeat.stop()
        return errors

    def active(self, *, all_owners: bool = False) -> list[AppliedFault]:
        faults = self.state.load()
        return faults if all_owners else [f for f in faults if f.owner == self.owner]

    def is_active(self, applied: AppliedFault) -> bool:
        return registry.get(applied.kind)().is_active(self.ctx, applied)

    # -- signals and lifetime ------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        if not self.handle_signals or self.previous:
            return
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.previous[sig] = signal.signal(sig, self._on_signal)

    def restore_signal_handlers(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous = {}

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.state.held_by_main_thread:  # interrupted inside the state lock: finish first
            self.state.deferred = lambda: self._on_signal(signum, frame)
            return
        previous = self.previous.get(signum)
        # A second Ctrl-C while reverting must not interrupt the revert.
        signal.signal(signum, signal.SIG_IGN)
        for line in self.revert_all():
            log.error("revert failed: %s", line)
        self.restore_signal_handlers()
        if callable(previous):
            previous(signum, frame)
        elif signum == signal.SIGINT and previous != signal.SIG_IGN:
            raise KeyboardInterrupt
        elif previous != signal.SIG_IGN:
            raise SystemExit(128 + signum)

    def close(self) -> None:
        self.restore_signal_handlers()
        if not self.active():
            self.heartbeat.stop()

    def __enter__(self) -> FaultManager:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(Exception):
            for line in self.revert_all():
                log.error("revert failed: %s", line)
        self.close()
