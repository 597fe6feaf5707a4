"""Markdown (markdown-it-py) + YAML front matter -> Runbook, with a line for every problem.

`read()` is lenient: it returns whatever it could build plus every problem it met, so the
linter can report them all at once. `parse()` is strict and raises RunbookError.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import ValidationError

from harness.errors import RunbookError
from harness.runbooks.models import Block, Runbook, RunbookMeta, Step, StepKind

STEP_HEADING = re.compile(r"^(?:step\s+)?(\d+)[.):]\s+(.+)$", re.IGNORECASE)
OPTION_NAMES = ("expect-exit", "expect-output", "retries", "interval", "timeout")


@dataclass(frozen=True)
class Defect:
    """One thing wrong with a runbook, where it is, and why it matters."""

    path: Path
    line: int
    rule: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.reason}"


@dataclass
class Reading:
    """What `read()` got out of one file."""

    path: Path
    runbook: Runbook | None = None
    defects: list[Defect] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    meta_lines: dict[str, int] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)  # read even when the front matter is bad

    def add(self, line: int, rule: str, reason: str) -> None:
        self.defects.append(Defect(self.path, line, rule, reason))


def parse(path: Path) -> Runbook:
    """A valid runbook, or RunbookError naming file, line and reason of every problem."""
    reading = read(path)
    if reading.defects or reading.runbook is None:
        detail = "; ".join(str(d) for d in reading.defects) or f"{path}: not a runbook"
        raise RunbookError(detail)
    return reading.runbook


def read(path: Path) -> Reading:
    reading = Reading(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reading.add(1, "unreadable", f"cannot read the file: {exc}")
        return reading
    front, body, body_offset = _split_front_matter(text, reading)
    if front is not None:
        _read_meta(front, reading)
    steps = reading.steps = _read_steps(body, body_offset, reading)
    meta = _validate_meta(reading)
    if meta is not None:
        reading.runbook = Runbook(path=path, meta=meta, steps=steps, meta_lines=reading.meta_lines)
    return reading


# -- front matter -------------------------------------------------------------------------
def _split_front_matter(text: str, reading: Reading) -> tuple[str | None, str, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        reading.add(1, "front-matter", "no YAML front matter: the file must open with a '---' line")
        return None, text, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    reading.add(1, "front-matter", "front matter is never closed by a '---' line")
    return None, text, 0


def _read_meta(front: str, reading: Reading) -> None:
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
        data = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        reading.add(line, "front-matter", f"front matter is not valid YAML: {exc}")
        return
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        reading.add(2, "front-matter", "front matter must be a YAML mapping (key: value lines)")
        return
    reading.meta = data
    for key_node, value_node in node.value:
        key = str(key_node.value)
        reading.meta_lines[key] = key_node.start_mark.line + 2  # +1 for 1-based, +1 for '---'
        if isinstance(value_node, yaml.SequenceNode):
            for i, item in enumerate(value_node.value):
                reading.meta_lines[f"{key}[{i}]"] = item.start_mark.line + 2


def _validate_meta(reading: Reading) -> RunbookMeta | None:
    if not reading.meta:
        return None
    try:
        return RunbookMeta.model_validate(reading.meta)
    except ValidationError as exc:
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else ""
            line = reading.meta_lines.get(key, 1)
            if error["type"] == "missing":
                reading.add(1, "front-matter", f"front matter lacks the required field {key!r}")
            else:
                reading.add(line, "front-matter", f"field {key!r}: {error['msg']}")
        return None


# -- steps and blocks ---------------------------------------------------------------------
def _read_steps(body: str, offset: int, reading: Reading) -> list[Step]:
    tokens = MarkdownIt("commonmark").parse(body)
    steps: list[Step] = []
    current: dict[str, Any] | None = None
    for index, token in enumerate(tokens):
        line = (token.map[0] if token.map else 0) + offset + 1
        if token.type == "heading_open":
            level = int(token.tag[1])
            if current is not None and level <= current["level"]:
                steps.append(_close_step(current))
                current = None
            match = STEP_HEADING.match(tokens[index + 1].content.strip())
            if match and current is None:  # a numbered sub-heading stays inside its step
                current = {
                    "level": level,
                    "number": int(match[1]),
                    "title": match[2].strip(),
                    "line": line,
                    "blocks": [],
                }
        elif token.type == "fence":
            block = _read_block(token, line, reading)
            if block is None:
                continue
            if current is None:
                reading.add(
                    line,
                    "outside-step",
                    f"{block.kind} block is not inside a numbered step ('## 1. Title')",
                )
            else:
                current["blocks"].append(block)
    if current is not None:
        steps.append(_close_step(current))
    _check_numbering(steps, reading)
    return steps


def _close_step(current: dict[str, Any]) -> Step:
    return Step(
        number=current["number"],
        title=current["title"],
        line=current["line"],
        blocks=current["blocks"],
    )


def _check_numbering(steps: list[Step], reading: Reading) -> None:
    if not steps:
        reading.add(1, "no-steps", "no numbered steps ('## 1. Title') found")
    for expected, step in enumerate(steps, start=1):
        if step.number != expected:
            reading.add(
                step.line, "numbering", f"step numbered {step.number} where {expected} was expected"
            )
            return


def _read_block(token: Token, line: int, reading: Reading) -> Block | None:
    info = token.info.strip()
    try:
        words = shlex.split(info)
    except ValueError as exc:
        reading.add(line, "fence-options", f"cannot read the fence info string {info!r}: {exc}")
        return None
    if not words:
        return None
    kind = words[0].lower()
    if kind not in set(StepKind):
        # A typo'd kind would silently turn a step into prose: flag near misses too.
        near_miss = kind.startswith(("diag", "remed", "verif"))
        if near_miss or any(w.split("=", 1)[0] in OPTION_NAMES for w in words[1:]):
            reading.add(
                line,
                "unknown-kind",
                f"fence kind {words[0]!r} has runbook options but is not one of "
                "diagnose, remediate, verify",
            )
        return None
    options = _read_options(words[1:], line, reading)
    if options is None:
        return None
    if not token.content.strip():
        reading.add(line, "empty-block", f"{kind} block has no command")
        return None
    try:
        return Block(kind=StepKind(kind), script=token.content, line=line, **options)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        reading.add(line, "fence-options", f"bad {kind} options: {reasons}")
        return None


def _read_options(words: list[str], line: int, reading: Reading) -> dict[str, Any] | None:
    options: dict[str, Any] = {}
    for word in words:
        name, sep, value = word.partition("=")
        if not sep or name not in OPTION_NAMES:
            reading.add(
                line,
                "fence-options",
                f"unknown fence option {word!r} (known: {', '.join(OPTION_NAMES)})",
            )
            return None
        try:
            options.update(_option(name, value))
        except (ValueError, re.error) as exc:
            reading.add(line, "fence-options", f"option {name}={value!r}: {exc}")
            return None
    return options


def _option(name: str, value: str) -> dict[str, Any]:
    if name == "expect-exit":
        if value == "any":
            return {"expect_exit": None}
        return {"expect_exit": [int(v) for v in value.split(",")]}
    if name == "expect-output":
        re.compile(value)
        return {"expect_output": value}
    if name == "retries":
        return {"retries": int(value)}
    if name == "interval":
        return {"interval_s": float(value)}
    return {"timeout_s": float(value)}
