"""The runbooks we ship: lint clean against the real checkout, one per scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness import settings
from harness.cli.runbook_cmds import shipped_runbooks
from harness.runbooks import RepoFacts, StepKind, lint, parse
from harness.runbooks.validate import pairings, select

ROOT = settings.root()
SCENARIOS = (
    "server-down",
    "database-stall",
    "database-down",
    "slow-api",
    "cpu-saturation",
    "connection-exhaustion",
    "disk-full",
    "dependency-timeout",
)
SECTIONS = (
    "## Symptoms",
    "## Impact",
    "## Dashboards and queries",
    "## Decision points",
    "## Escalation",
    "## What to tell whom",
    "## Steps",
)


def test_every_shipped_runbook_lints_clean():
    paths = shipped_runbooks(ROOT)
    assert {p.stem for p in paths} >= {*SCENARIOS, "triage"}
    defects = lint(paths, RepoFacts.load(ROOT))
    assert defects == [], "\n".join(map(str, defects))


@pytest.mark.parametrize("name", [*SCENARIOS, "triage"])
def test_runbook_has_the_sections_a_responder_needs(name: str):
    path = ROOT / "ops" / "runbooks" / f"{name}.md"
    text = path.read_text()
    missing = [s for s in SECTIONS if s not in text]
    assert not missing, f"{path} lacks {missing}"
    runbook = parse(path)
    assert runbook.meta.id == name
    kinds = {b.kind for _, b in runbook.blocks()}
    assert kinds == set(StepKind)
    assert "```promql" in text


def test_every_scenario_names_its_runbook_and_it_says_so():
    found = {p.scenario_name: p.runbook for p in pairings(ROOT)}
    assert set(found) >= set(SCENARIOS)
    for name in SCENARIOS:
        assert found[name] == (ROOT / "ops" / "runbooks" / f"{name}.md").resolve()
        assert parse(found[name]).meta.scenario == name


def test_alert_rules_point_at_runbooks_that_exist_and_answer_them():
    for rules in (ROOT / "targets" / "prometheus" / "rules").glob("*.yml"):
        for group in yaml.safe_load(rules.read_text())["groups"]:
            for rule in group["rules"]:
                path = ROOT / rule["annotations"]["runbook"]
                assert path.is_file(), f"{rule['alert']} points at missing {path}"
                assert rule["alert"] in parse(path).meta.alerts


def test_select_by_name_path_and_explicit_scenario(tmp_path: Path):
    assert [p.scenario_name for p in select(["server-down"], scenario=None)] == ["server-down"]
    draft = tmp_path / "draft.md"
    draft.write_text((ROOT / "ops/runbooks/server-down.md").read_text())
    chosen = select([str(draft)], scenario="slow-api")
    assert chosen[0].runbook == draft.resolve() and chosen[0].scenario_name == "slow-api"
