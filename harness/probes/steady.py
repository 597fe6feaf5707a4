"""Steady state: every probe of a scenario passing at once, checked concurrently."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from harness.probes.base import Probe, ProbeResult, now_result
from harness.probes.http import HttpCheck
from harness.probes.prometheus import PrometheusCheck
from harness.scenario.model import HttpProbe, PrometheusProbe


@dataclass(frozen=True)
class SteadyResult:
    ok: bool
    results: tuple[ProbeResult, ...]

    @property
    def failing(self) -> tuple[ProbeResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    def summary(self) -> str:
        bad = self.failing
        if not bad:
            return "all probes pass"
        return "; ".join(f"{r.name}: {r.detail}" for r in bad)


def build_probe(spec: HttpProbe | PrometheusProbe) -> Probe:
    if isinstance(spec, HttpProbe):
        return HttpCheck(spec)
    return PrometheusCheck(spec)


class SteadyState:
    """Runs all probes in parallel, so one slow probe does not stretch the probe interval."""

    def __init__(self, probes: Sequence[Probe]) -> None:
        self.probes = list(probes)
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, len(self.probes)), thread_name_prefix="probe"
        )

    @classmethod
    def from_specs(cls, specs: Sequence[HttpProbe | PrometheusProbe]) -> SteadyState:
        return cls([build_probe(s) for s in specs])

    def evaluate(self) -> SteadyResult:
        results = tuple(self._pool.map(_safe_check, self.probes))
        return SteadyResult(ok=all(r.ok for r in results), results=results)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        for probe in self.probes:
            probe.close()


def _safe_check(probe: Probe) -> ProbeResult:
    # A probe bug must read as a failing probe on the timeline, not kill the drill loop.
    try:
        return probe.check()
    except Exception as exc:  # noqa: BLE001
        return now_result(probe.name, False, None, f"probe error: {type(exc).__name__}: {exc}")
