"""The record of applied faults on disk, and the heartbeats of their owners.

The state file is rewritten atomically (temp file, fsync, rename) under an flock, and a
fault is recorded before it is applied, so whatever kills the harness, `drill recover`
and the watchdog know what to put back.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from harness.errors import FaultError
from harness.faults.base import AppliedFault

HEARTBEAT_S = 1.0
STALE_AFTER_S = 10.0


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # A signal handler that reverts must not wait for the lock its own process holds
        # (flock is per open file, so it would wait forever): it defers itself to here.
        self.holder: int | None = None  # thread ident inside the lock
        self.deferred: Callable[[], None] | None = None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        try:
            with open(self.path.with_name(self.path.name + ".lock"), "a") as handle:
                self.holder = threading.get_ident()  # before flock: waiting counts too
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    self.holder = None
        finally:
            deferred, self.deferred = self.deferred, None
            if deferred is not None:
                deferred()

    @property
    def held_by_main_thread(self) -> bool:
        """Signal handlers run in the main thread: is it the one inside the lock?"""
        return self.holder is not None and self.holder == threading.main_thread().ident

    def load(self) -> list[AppliedFault]:
        try:
            raw = json.loads(self.path.read_text() or "[]")
        except FileNotFoundError:
            return []
        except ValueError as exc:
            raise FaultError(f"fault state {self.path} is corrupt ({exc}); inspect it") from exc
        return [AppliedFault.from_json(item) for item in raw.get("faults", [])]

    def _write(self, faults: list[AppliedFault]) -> None:
        data = json.dumps({"faults": [f.to_json() for f in faults]}, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".faults-")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def put(self, applied: AppliedFault) -> None:
        with self.locked():
            faults = [f for f in self.load() if f.id != applied.id]
            self._write([*faults, applied])

    def remove(self, fault_id: str) -> None:
        with self.locked():
            self._write([f for f in self.load() if f.id != fault_id])


def heartbeat_path(state_dir: Path, owner: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", owner)[:100]
    return state_dir / "heartbeats" / f"{safe}.beat"


def beat_age(state_dir: Path, owner: str, now: float | None = None) -> float:
    try:
        mtime = heartbeat_path(state_dir, owner).stat().st_mtime
    except FileNotFoundError:
        return float("inf")
    return (now or time.time()) - mtime


class Heartbeat:
    """Touches the owner's heartbeat file every second from a daemon thread."""

    def __init__(self, state_dir: Path, owner: str) -> None:
        self.path = heartbeat_path(state_dir, owner)
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def touch(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()

    def start(self) -> None:
        if self.thread is not None:
            return
        self.touch()
        self.thread = threading.Thread(target=self.run, name="drill-heartbeat", daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop_event.wait(HEARTBEAT_S):
            with contextlib.suppress(OSError):
                self.touch()

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(2)
            self.thread = None
        with contextlib.suppress(OSError):
            self.path.unlink()
