"""Scenario files: the model, YAML loading with file/line errors, and the JSON Schema."""

from harness.scenario.durations import format_duration, parse_duration
from harness.scenario.loader import (
    Checkout,
    load_all,
    load_scenario,
    resolve_scenario_path,
    scenario_files,
)
from harness.scenario.model import HttpProbe, PrometheusProbe, Scenario, Targets

__all__ = [
    "Checkout",
    "HttpProbe",
    "PrometheusProbe",
    "Scenario",
    "Targets",
    "format_duration",
    "load_all",
    "load_scenario",
    "parse_duration",
    "resolve_scenario_path",
    "scenario_files",
]
