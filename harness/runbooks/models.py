"""What a runbook is once parsed, and what running it produced.

A runbook is Markdown with YAML front matter. Its numbered steps (`## 1. Title`) hold
fenced code blocks whose info string starts with a kind — ``diagnose``, ``remediate``
or ``verify`` — followed by options:

    ```verify expect-exit=0 expect-output="ok" retries=30 interval=1 timeout=60
    curl -fsS http://127.0.0.1:${DRILL_API_PORT:-8080}/health
    ```

Fences with any other info string (``promql``, ``text``...) are for people only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
REQUIRED_META = ("id", "title", "alerts", "services", "severity", "owner", "last_validated")


class StepKind(StrEnum):
    DIAGNOSE = "diagnose"
    REMEDIATE = "remediate"
    VERIFY = "verify"


class RunbookMeta(BaseModel):
    """The front matter. Unknown keys are kept so teams can add their own."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    title: str
    alerts: list[str]
    services: list[str]
    severity: str = Field(pattern=r"^SEV[1-4]$")
    owner: str
    last_validated: dt.date
    scenario: str | None = None


class Block(BaseModel):
    """One executable fenced code block."""

    model_config = ConfigDict(frozen=True)

    kind: StepKind
    script: str
    line: int  # 1-based line of the opening fence
    expect_exit: list[int] | None = Field(default_factory=lambda: [0])  # None = any status
    expect_output: str | None = None  # regular expression searched in stdout+stderr
    retries: int = Field(default=1, ge=1, le=1000)
    interval_s: float = Field(default=1.0, ge=0, le=600)
    timeout_s: float | None = Field(default=None, gt=0, le=3600)


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    title: str
    line: int  # 1-based line of the heading
    blocks: list[Block]

    def has(self, kind: StepKind) -> bool:
        return any(b.kind == kind for b in self.blocks)


class Runbook(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: Path
    meta: RunbookMeta
    steps: list[Step]
    # 1-based line of each front-matter key, so lint can point at the field it blames.
    meta_lines: dict[str, int] = Field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.stem

    def blocks(self) -> list[tuple[Step, Block]]:
        return [(step, block) for step in self.steps for block in step.blocks]


@dataclass(frozen=True)
class StepResult:
    """The outcome of one executable block (a step with three blocks gives three results)."""

    number: int
    title: str
    kind: StepKind
    ok: bool
    duration_s: float
    exit_code: int | None  # None when the command was killed by the timeout
    output: str
    failure: str | None = None
    attempts: int = 1
    line: int = 0
    command: str = ""

    def label(self) -> str:
        """How a person names this step: `step 2 "Start the API" (verify, line 31)`."""
        return f'step {self.number} "{self.title}" ({self.kind}, line {self.line})'

    def to_report(self) -> dict[str, object]:
        return {
            "number": self.number,
            "title": self.title,
            "kind": str(self.kind),
            "ok": self.ok,
            "duration_s": round(self.duration_s, 3),
            "exit_code": self.exit_code,
            "attempts": self.attempts,
            "failure": self.failure,
            "line": self.line,
            "output": self.output[-2000:],
        }


@dataclass(frozen=True)
class RunbookResult:
    ok: bool
    steps: list[StepResult] = field(default_factory=list)
    failed_step: StepResult | None = None
    skipped: int = 0  # blocks never run because an earlier one failed

    @property
    def passed(self) -> int:
        return sum(1 for s in self.steps if s.ok)

    @property
    def total(self) -> int:
        return len(self.steps) + self.skipped

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.steps)
