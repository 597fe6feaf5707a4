"""The watchdog: a detached process that reverts faults nobody looks after any more.

    python -m harness.faults.watchdog --state .drill/faults.json --root CHECKOUT

It follows the state file once a second and reverts every fault whose TTL has passed, or
whose owner's heartbeat went stale (the harness was SIGKILLed). Faults left on purpose
(`detached`, from `drill fault inject` without --duration) wait only for their TTL.
It holds an flock so only one runs, and exits once nothing is left.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from harness.faults.base import AppliedFault
from harness.faults.state import STALE_AFTER_S, StateFile, beat_age

log = logging.getLogger("drill.watchdog")

TICK_S = 1.0
IDLE_EXIT_TICKS = 5
RETRY_S = 5.0
GIVE_UP_AFTER = 60  # about five minutes of retries


def lock_path(state_path: Path) -> Path:
    return state_path.with_name("watchdog.lock")


def try_lock(state_path: Path) -> IO[str] | None:
    handle = open(lock_path(state_path), "a")  # noqa: SIM115 - held for the process's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def is_running(state_path: Path) -> bool:
    handle = try_lock(state_path)
    if handle is None:
        return True
    handle.close()
    return False


def ensure_running(state_path: Path, root: Path) -> None:
    """Start the watchdog unless one is running; it detaches from our session."""
    if is_running(state_path):
        return
    logfile = open(state_path.with_name("watchdog.log"), "a")  # noqa: SIM115
    with logfile:
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harness.faults.watchdog",
                "--state",
                str(state_path),
                "--root",
                str(root),
            ],
            stdin=subprocess.DEVNULL,
            stdout=logfile,
            stderr=logfile,
            start_new_session=True,
            cwd=root,
            env={**os.environ, "DRILL_ROOT": str(root)},
        )


def why_due(applied: AppliedFault, state_dir: Path, now: float) -> str | None:
    if now >= applied.expires_at:
        return "its time to live passed"
    if not applied.detached and beat_age(state_dir, applied.owner, now) > STALE_AFTER_S:
        return f"its owner {applied.owner!r} stopped beating"
    return None


def run(state_path: Path, root: Path) -> int:
    from harness.faults.manager import FaultManager
    from harness.stack.compose import Stack

    handle = try_lock(state_path)
    if handle is None:
        return 0  # another watchdog follows this state file
    state = StateFile(state_path)
    manager = FaultManager(
        Stack(root=root),
        owner="watchdog",
        state_path=state_path,
        watchdog=False,
        handle_signals=False,
    )
    idle = 0
    retry_at: dict[str, float] = {}
    failures: dict[str, int] = {}
    while idle < IDLE_EXIT_TICKS:
        # Faults it gave up on stay recorded for `drill recover`, but keep no watchdog alive.
        faults = [f for f in state.load() if failures.get(f.id, 0) < GIVE_UP_AFTER]
        idle = 0 if faults else idle + 1
        now = time.time()
        for applied in faults:
            reason = why_due(applied, state_path.parent, now)
            if reason is None or retry_at.get(applied.id, 0) > now:
                continue
            log.warning("reverting %s (%s): %s", applied, applied.id, reason)
            try:
                manager.revert(applied)
            except Exception as exc:  # retried; one stuck fault must not block the others
                failures[applied.id] = failures.get(applied.id, 0) + 1
                log.error("revert of %s failed (%d): %s", applied, failures[applied.id], exc)
                retry_at[applied.id] = now + RETRY_S
        time.sleep(TICK_S)
    with contextlib.suppress(OSError):
        handle.close()
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m harness.faults.watchdog")
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s watchdog %(levelname)s %(message)s")
    sys.exit(run(args.state.resolve(), args.root.resolve()))


if __name__ == "__main__":
    main()
