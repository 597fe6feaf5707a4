"""Load generation: locust in a subprocess and its stats."""

from harness.load.runner import LoadRunner
from harness.load.stats import LoadSample, LoadStats, read_stats

__all__ = ["LoadRunner", "LoadSample", "LoadStats", "read_stats"]
