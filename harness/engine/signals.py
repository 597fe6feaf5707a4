"""SIGTERM and SIGHUP become an interrupt in the main thread, so `finally` rolls back.

While rolling back, further signals are noted and ignored: a second Ctrl-C must not leave a
fault half-reverted (`drill recover` is there for the SIGKILL case).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class DrillInterrupted(KeyboardInterrupt):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _install(handler: Callable[[int, FrameType | None], Any]) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {s: signal.signal(s, handler) for s in HANDLED}


def _restore(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@contextmanager
def interrupts_raise() -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise DrillInterrupted(signum)

    previous = _install(handler)
    try:
        yield
    finally:
        _restore(previous)


@contextmanager
def interrupts_deferred(on_signal: Callable[[int], None]) -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        on_signal(signum)

    previous = _install(handler)
    try:
        yield
    finally:
        _restore(previous)
