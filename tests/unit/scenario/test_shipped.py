"""The shipped scenarios validate against the real checkout, and the schema file is current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness import settings
from harness.cli import app
from harness.scenario import Checkout, load_scenario, scenario_files
from harness.scenario.schema import SCHEMA_ID, schema_text

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = {
    "server-down",
    "database-stall",
    "database-down",
    "slow-api",
    "cpu-saturation",
    "connection-exhaustion",
    "disk-full",
    "dependency-timeout",
}


def test_all_shipped_scenarios_exist() -> None:
    assert {p.stem for p in scenario_files(ROOT)} >= SHIPPED


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_scenario_is_valid(name: str) -> None:
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", Checkout.discover(ROOT))
    assert scenario.name == name
    assert scenario.runbook == f"ops/runbooks/{name}.md"
    assert scenario.expected_alerts, "every scenario names the alert it should fire"


def test_schema_file_is_current() -> None:
    path = ROOT / SCHEMA_ID
    assert path.read_text() == schema_text(), "run `python -m harness.scenario.schema`"
    schema = json.loads(path.read_text())
    assert {"name", "fault", "steady_state", "runbook"} <= set(schema["required"])


def test_validate_exits_2_on_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (ROOT / "scenarios/server-down.yaml").read_text().replace("target: api", "target: nowhere")
    )
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:" in result.output and "fault.target" in result.output


def test_validate_exits_0_on_a_good_file() -> None:
    settings.root.cache_clear()
    result = CliRunner().invoke(app, ["validate", str(ROOT / "scenarios/server-down.yaml")])
    assert result.exit_code == 0, result.output
