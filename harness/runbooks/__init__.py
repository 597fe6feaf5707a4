"""Executable runbooks: parse the Markdown, lint it against the repo, run its blocks.

parse(path) -> Runbook                    strict; RunbookError names file:line: reason
read(path) -> Reading                     lenient; every Defect found while parsing
lint(paths, RepoFacts.load()) -> [Defect]
execute(runbook, cwd=, env=, step_timeout_s=, on_step=) -> RunbookResult
assess(result, steady_state_ok=, fault_active=) -> Accuracy
report_section(runbook, result, accuracy) -> report.json "runbook" object
"""

from __future__ import annotations

from harness.runbooks.accuracy import Accuracy, assess, report_section, step_env
from harness.runbooks.context import RepoFacts
from harness.runbooks.executor import execute
from harness.runbooks.lint import lint, lint_file
from harness.runbooks.models import (
    Block,
    Runbook,
    RunbookMeta,
    RunbookResult,
    Step,
    StepKind,
    StepResult,
)
from harness.runbooks.parser import Defect, Reading, parse, read

__all__ = [
    "Accuracy",
    "Block",
    "Defect",
    "Reading",
    "RepoFacts",
    "Runbook",
    "RunbookMeta",
    "RunbookResult",
    "Step",
    "StepKind",
    "StepResult",
    "assess",
    "execute",
    "lint",
    "lint_file",
    "parse",
    "read",
    "report_section",
    "step_env",
]
