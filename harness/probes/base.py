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


def now_result(
    name: str,
    ok: bool,
    value: float | None,
    detail: str,
    started: tuple[float, datetime] | None = None,
) -> ProbeResult:
    """`started` stamps the result when the check began: a request that hangs for 3 s and
    then fails shows a symptom that existed when it was sent, not when it gave up."""
    mono, wall = started or (time.monotonic(), datetime.now(UTC))
    return ProbeResult(name, ok, value, detail, mono, wall)


def start_stamp() -> tuple[float, datetime]:
    return time.monotonic(), datetime.now(UTC)


class Probe(ABC):
    """One check of steady state; `check` never raises for a failing system, only reports."""

    name: str

    @abstractmethod
    def check(self) -> ProbeResult: ...

    def close(self) -> None:  # noqa: B027 - optional hook, most probes hold nothing
        """Release connections."""
