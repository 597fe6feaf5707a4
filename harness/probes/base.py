"""Probe results and the small base class every probe kind implements."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    value: float | None  # latency in ms for HTTP, the query's value for Prometheus
    detail: str
    mono: float
    wall: datetime


def now_result(name: str, ok: bool, value: float | None, detail: str) -> ProbeResult:
    return ProbeResult(name, ok, value, detail, time.monotonic(), datetime.now(UTC))


class Probe(ABC):
    """One check of steady state; `check` never raises for a failing system, only reports."""

    name: str

    @abstractmethod
    def check(self) -> ProbeResult: ...

    def close(self) -> None:  # noqa: B027 - optional hook, most probes hold nothing
        """Release connections."""
