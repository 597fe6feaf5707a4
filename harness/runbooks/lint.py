"""Runbook lint: everything a reader or the executor would trip over, with file and line.

Rules (the `rule` of each Defect):
    front-matter      missing or invalid front matter field
    unknown-service   front matter `services` names a service docker-compose.yml lacks
    unknown-alert     front matter `alerts` names an alert no Prometheus rule defines
    no-verify         a numbered step has no verify block
    no-remediate      the runbook never remediates anything
    ends-unverified   the last executable block is not a verify (nothing proves the fix)
    command-service   a command names a compose service that does not exist
    command-container a command names a container the compose project does not create
    command-project   a command targets a compose project other than drill's
    command-proxy     a command names a fault-proxy proxy that proxies.json lacks
    ...and the parser's: outside-step, fence-options, unknown-kind, empty-block,
    no-steps, numbering, unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from harness.runbooks.commands import references
from harness.runbooks.context import RepoFacts
from harness.runbooks.models import Step, StepKind
from harness.runbooks.parser import Defect, Reading, read


def lint(paths: Iterable[Path], facts: RepoFacts) -> list[Defect]:
    defects: list[Defect] = []
    for path in paths:
        defects += lint_file(path, facts)
    return defects


def lint_file(path: Path, facts: RepoFacts) -> list[Defect]:
    reading = read(path)
    _check_meta_lists(reading, facts)
    _check_steps(reading, reading.steps)
    _check_commands(reading, reading.steps, facts)
    return sorted(reading.defects, key=lambda d: (str(d.path), d.line, d.rule))


def _check_meta_lists(reading: Reading, facts: RepoFacts) -> None:
    """Works from the raw front matter, so it runs even when other fields are missing."""
    for index, service in enumerate(_strings(reading.meta.get("services"))):
        if service not in facts.services:
            reading.add(
                reading.meta_lines.get(f"services[{index}]", 1),
                "unknown-service",
                f"service {service!r} is not in docker-compose.yml "
                f"(services: {', '.join(sorted(facts.services))})",
            )
    for index, alert in enumerate(_strings(reading.meta.get("alerts"))):
        if alert not in facts.alerts:
            known = ", ".join(sorted(facts.alerts)) or "none"
            reading.add(
                reading.meta_lines.get(f"alerts[{index}]", 1),
                "unknown-alert",
                f"alert {alert!r} is not defined by any rule in "
                f"targets/prometheus/rules/*.yml (defined: {known})",
            )


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _check_steps(reading: Reading, steps: list[Step]) -> None:
    for step in steps:
        if not step.has(StepKind.VERIFY):
            reading.add(
                step.line,
                "no-verify",
                f'step {step.number} "{step.title}" has no verify block: nothing '
                "checks that the step did what it says",
            )
    if steps and not any(s.has(StepKind.REMEDIATE) for s in steps):
        reading.add(
            steps[0].line,
            "no-remediate",
            "no step has a remediate block: the runbook never fixes anything",
        )
    blocks = [(step, block) for step in steps for block in step.blocks]
    if blocks and blocks[-1][1].kind != StepKind.VERIFY:
        step, block = blocks[-1]
        reading.add(
            block.line,
            "ends-unverified",
            f"the last block (step {step.number}) is {block.kind}, not verify: "
            "nothing proves the fault is gone",
        )


def _check_commands(reading: Reading, steps: list[Step], facts: RepoFacts) -> None:
    for block in (block for step in steps for block in step.blocks):
        for ref in references(block.script):
            line = block.line + 1 + ref.line  # the fence line, then the script's own lines
            reason = _reference_problem(ref.kind, ref.name, facts)
            if reason is not None:
                reading.add(line, f"command-{ref.kind}", f"{reason}: `{ref.command}`")


def _reference_problem(kind: str, name: str, facts: RepoFacts) -> str | None:
    if kind == "service" and name not in facts.services:
        return f"names service {name!r}, which docker-compose.yml does not define"
    if kind == "project" and name != facts.project:
        return f"targets compose project {name!r}; drill's project is {facts.project!r}"
    if kind == "proxy" and facts.proxies and name not in facts.proxies:
        return (
            f"names proxy {name!r}; targets/faultproxy/proxies.json has "
            f"{', '.join(sorted(facts.proxies))}"
        )
    if kind == "container" and facts.service_of_container(name) is None:
        if name in facts.services:
            return (
                f"names container {name!r}, but that is a service: its container is "
                f"{facts.project}-{name}-1 or use $(docker compose -p {facts.project} "
                f"ps -q {name})"
            )
        return f"names container {name!r}, which drill's compose project does not create"
    return None
