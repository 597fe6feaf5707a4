"""Load scenario YAML files into `Scenario`, with errors that name file, line and field.

The YAML is composed into a node tree first (nodes keep their line numbers), so a pydantic
error's `loc` — ("fault", "type") — can be walked back to the line a person must edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from harness import settings
from harness.errors import ScenarioError
from harness.scenario.model import Scenario

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str


@dataclass(frozen=True)
class Checkout:
    """What a scenario is checked against: the repo root, its compose services, fault kinds."""

    root: Path
    services: frozenset[str]
    fault_kinds: frozenset[str] | None  # None: the fault registry is not importable
    fault_params: dict[str, type[BaseModel]] = field(default_factory=dict)

    @classmethod
    def discover(cls, root: Path | None = None) -> Checkout:
        root = root or settings.root()
        return cls(root=root, services=compose_services(root), **_fault_registry())


def compose_services(root: Path) -> frozenset[str]:
    path = root / "docker-compose.yml"
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read the compose file ({exc})") from exc
    return frozenset((data or {}).get("services") or {})


def _fault_registry() -> dict[str, Any]:
    # The registry is optional here: a checkout without the fault room (or with a half-built
    # one) still validates everything else.
    try:
        from harness.faults import registry

        kinds = list(registry.kinds())
    except ImportError:
        return {"fault_kinds": None}
    return {
        "fault_kinds": frozenset(kinds),
        "fault_params": {k: registry.get(k).Params for k in kinds},
    }


def line_of(root_node: yaml.Node | None, loc: Loc) -> int:
    """1-based line of the deepest node `loc` reaches (a missing field points at its parent)."""
    if root_node is None:
        return 1
    node, line = root_node, root_node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == part), None)
            if match is None:
                continue  # union tags ("http") and missing keys: stay on the parent
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
    return line


def _dotted(loc: Loc) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")


def _format(path: Path, node: yaml.Node | None, problems: Iterable[Problem]) -> str:
    lines = [
        f"{path}:{line_of(node, p.loc)}: {_dotted(p.loc) or '<root>'}: {p.message}"
        for p in problems
    ]
    return "\n".join(lines)


def _parse_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario ({exc.strerror})") from exc
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ScenarioError(f"{path}:{line}: YAML syntax: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: YAML syntax: {exc}") from exc


def _pydantic_problems(exc: ValidationError, prefix: Loc = ()) -> list[Problem]:
    return [Problem(prefix + tuple(e["loc"]), e["msg"]) for e in exc.errors()]


def check(scenario: Scenario, checkout: Checkout) -> list[Problem]:
    """What the model alone cannot know: fault kind and params, compose service, files."""
    problems: list[Problem] = []
    fault = scenario.fault
    if checkout.fault_kinds is not None and fault.type not in checkout.fault_kinds:
        known = ", ".join(sorted(checkout.fault_kinds))
        problems.append(
            Problem(("fault", "type"), f"unknown fault type {fault.type!r} (known: {known})")
        )
    elif params_model := checkout.fault_params.get(fault.type):
        try:
            params_model.model_validate(fault.params)
        except ValidationError as exc:
            problems += _pydantic_problems(exc, ("fault", "params"))
    if fault.target not in checkout.services:
        have = ", ".join(sorted(checkout.services))
        problems.append(
            Problem(
                ("fault", "target"),
                f"unknown target service {fault.target!r} (docker-compose.yml has: {have})",
            )
        )
    files: list[tuple[Loc, str]] = [
        (("runbook",), scenario.runbook),
        (("load", "locustfile"), scenario.load.locustfile),
    ]
    for loc, rel in files:
        if not (checkout.root / rel).is_file():
            problems.append(Problem(loc, f"file {rel!r} does not exist under {checkout.root}"))
    if scenario.targets.respond > scenario.targets.resolve:
        problems.append(Problem(("targets", "respond"), "respond target exceeds resolve target"))
    return problems


def load_scenario(path: Path, checkout: Checkout | None = None) -> Scenario:
    """One file, fully checked; ScenarioError lists every problem as `file:line: field: why`."""
    data, node = _parse_yaml(path)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format(path, node, _pydantic_problems(exc))) from exc
    problems = check(scenario, checkout or Checkout.discover())
    if problems:
        raise ScenarioError(_format(path, node, problems))
    return scenario


def scenario_files(root: Path | None = None) -> list[Path]:
    return sorted(((root or settings.root()) / "scenarios").glob("*.yaml"))


def resolve_scenario_path(arg: str, root: Path | None = None) -> Path:
    """A path as given, or a bare name looked up as scenarios/<name>.yaml."""
    path = Path(arg)
    if path.is_file():
        return path
    candidate = (root or settings.root()) / "scenarios" / f"{arg.removesuffix('.yaml')}.yaml"
    if candidate.is_file():
        return candidate
    raise ScenarioError(f"{arg}: no such scenario file (try `drill list`)")


def load_all(paths: Sequence[Path], checkout: Checkout | None = None) -> list[Scenario]:
    checkout = checkout or Checkout.discover()
    return [load_scenario(p, checkout) for p in paths]
