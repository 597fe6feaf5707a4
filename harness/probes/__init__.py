"""HTTP and Prometheus probes and steady-state evaluation."""

from harness.probes.base import Probe, ProbeResult
from harness.probes.steady import SteadyResult, SteadyState, build_probe

__all__ = ["Probe", "ProbeResult", "SteadyResult", "SteadyState", "build_probe"]
