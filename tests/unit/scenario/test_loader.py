"""Scenario files: good ones load; every bad one names file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from harness.errors import ScenarioError
from harness.scenario import Checkout, load_scenario, parse_duration
from harness.scenario.loader import line_of

GOOD = """\
name: server-down
title: API server down
severity: SEV1
runbook: ops/runbooks/server-down.md
load:
  locustfile: scenarios/locustfile.py
  users: 2
steady_state:
  - name: api-health
    type: http
    path: /health
    max_latency: 500ms
  - name: api-up
    type: prometheus
    query: min(up{job="api"})
    op: ">="
    threshold: 1
fault:
  type: container.kill
  target: api
  params: {}
expected_alerts: [ApiDown]
targets:
  respond: 15m
  resolve: 30m
probe_interval: 1s
"""


class KillParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signal: str = "SIGKILL"
    grace: int = Field(0, ge=0)


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    (tmp_path / "ops/runbooks").mkdir(parents=True)
    (tmp_path / "ops/runbooks/server-down.md").write_text("# runbook\n")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios/locustfile.py").write_text("")
    return Checkout(
        root=tmp_path,
        services=frozenset({"api", "db"}),
        fault_kinds=frozenset({"container.kill"}),
        fault_params={"container.kill": KillParams},
    )


def write(checkout: Checkout, text: str, name: str = "s.yaml") -> Path:
    path = checkout.root / "scenarios" / name
    path.write_text(textwrap.dedent(text))
    return path


def error_of(checkout: Checkout, text: str) -> str:
    path = write(checkout, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, checkout)
    return str(info.value)


def test_good_scenario_loads_with_durations_in_seconds(checkout: Checkout) -> None:
    scenario = load_scenario(write(checkout, GOOD), checkout)
    assert scenario.targets.respond == 900 and scenario.targets.resolve == 1800
    assert scenario.steady_state[0].max_latency == 0.5  # type: ignore[union-attr]
    assert scenario.fault.duration is None and scenario.abort.max_duration == 300


def test_wrong_type_names_file_line_and_field(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("users: 2", "users: many"))
    assert message.startswith(f"{checkout.root / 'scenarios/s.yaml'}:7: load.users:")
    assert "integer" in message


def test_unknown_fault_type(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("type: container.kill", "type: container.explode"))
    assert ":19: fault.type: unknown fault type 'container.explode'" in message
    assert "container.kill" in message  # says what is known


def test_unknown_target_service(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("target: api", "target: mainframe"))
    assert ":20: fault.target: unknown target service 'mainframe'" in message
    assert "api, db" in message


def test_bad_duration(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("respond: 15m", "respond: 15 minutes"))
    assert ":24: targets.respond:" in message and "bad duration" in message


def test_bad_duration_inside_a_probe_list(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("max_latency: 500ms", "max_latency: fast"))
    assert ":12: steady_state[0].http.max_latency:" in message


def test_missing_runbook(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("server-down.md", "nope.md"))
    assert ":4: runbook: file 'ops/runbooks/nope.md' does not exist" in message


def test_missing_field_points_at_its_parent(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("  target: api\n", ""))
    assert ":18: fault.target: Field required" in message


def test_fault_params_checked_by_the_fault_class(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("params: {}", "params: {grace: -1}"))
    assert ":21: fault.params.grace:" in message


def test_unknown_key_is_refused(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD + "colour: red\n")
    assert ":27: colour: Extra inputs are not permitted" in message


def test_every_problem_is_listed(checkout: Checkout) -> None:
    bad = GOOD.replace("target: api", "target: x").replace("server-down.md", "x.md")
    assert len(error_of(checkout, bad).splitlines()) == 2


def test_yaml_syntax_error_has_a_line(checkout: Checkout) -> None:
    message = error_of(checkout, GOOD.replace("users: 2", "users: [2"))
    assert "YAML syntax" in message and "s.yaml:" in message


def test_line_of_walks_sequences_and_mappings() -> None:
    import yaml

    node = yaml.compose("a:\n  - x: 1\n  - x: 2\n    y: 3\n")
    assert line_of(node, ("a", 1, "y")) == 4
    assert line_of(node, ("a", 0, "missing")) == 2


@pytest.mark.parametrize(
    "text,seconds",
    [("500ms", 0.5), ("30s", 30), ("5m", 300), ("1h", 3600), ("1m30s", 90), (12, 12.0)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["5 minutes", "-3s", "s", True, None, -1])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)
