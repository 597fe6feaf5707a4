"""Locust's CSV output read back: totals and the per-second history for the report graph."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class LoadSample:
    at: float  # unix seconds
    users: int
    rps: float
    failures_per_s: float
    total_requests: int
    total_failures: int


@dataclass(frozen=True)
class LoadStats:
    requests: int = 0
    failures: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    rps: float = 0.0
    history: tuple[LoadSample, ...] = field(default_factory=tuple)

    def as_report(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "failures": self.failures,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "rps": round(self.rps, 2),
            "history": [
                {"at": s.at, "users": s.users, "rps": s.rps, "failures_per_s": s.failures_per_s}
                for s in self.history
            ],
        }


def _num(value: str | None) -> float | None:
    if value is None or value in ("", "N/A"):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def read_stats(prefix: Path) -> LoadStats:
    """Stats from `<prefix>_stats.csv` and `<prefix>_stats_history.csv` (missing files: zeros)."""
    totals = next(
        (r for r in _rows(Path(f"{prefix}_stats.csv")) if r.get("Name") == "Aggregated"), None
    )
    history = tuple(
        LoadSample(
            at=_num(r.get("Timestamp")) or 0.0,
            users=int(_num(r.get("User Count")) or 0),
            rps=_num(r.get("Requests/s")) or 0.0,
            failures_per_s=_num(r.get("Failures/s")) or 0.0,
            total_requests=int(_num(r.get("Total Request Count")) or 0),
            total_failures=int(_num(r.get("Total Failure Count")) or 0),
        )
        for r in _rows(Path(f"{prefix}_stats_history.csv"))
        if r.get("Name") == "Aggregated"
    )
    if totals is None:
        last = history[-1] if history else None
        return LoadStats(
            requests=last.total_requests if last else 0,
            failures=last.total_failures if last else 0,
            history=history,
        )
    return LoadStats(
        requests=int(_num(totals.get("Request Count")) or 0),
        failures=int(_num(totals.get("Failure Count")) or 0),
        p50_ms=_num(totals.get("50%")),
        p95_ms=_num(totals.get("95%")),
        rps=_num(totals.get("Requests/s")) or 0.0,
        history=history,
    )
