from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import RunbookError
from harness.runbooks import StepKind, parse, read
from tests.unit.runbooks.conftest import HEADER, line_of, write

BODY = """
# Title

Intro text with a display-only query:

```promql
up{job="api"}
```

## Steps

### 1. Look

```diagnose expect-exit=any
docker compose -p drill ps
```

```verify retries=30 interval=0.5 timeout=40 expect-output="ok"
curl -fsS http://127.0.0.1:8080/health
```

#### A sub-heading stays inside step 1

```remediate expect-exit=0,3
true
```

### 2. Fix

```remediate
docker compose -p drill start api
```

```verify
true
```

## After the incident

```text
not a step
```
"""


def test_parses_meta_steps_blocks_and_options(tmp_path: Path):
    path = write(tmp_path, HEADER + BODY)
    runbook = parse(path)
    assert runbook.meta.id == "t" and runbook.meta.severity == "SEV2"
    assert str(runbook.meta.last_validated) == "2026-12-01"
    assert [(s.number, s.title) for s in runbook.steps] == [(1, "Look"), (2, "Fix")]
    look, fix = runbook.steps
    assert [b.kind for b in look.blocks] == [StepKind.DIAGNOSE, StepKind.VERIFY, StepKind.REMEDIATE]
    diagnose, verify, remediate = look.blocks
    assert diagnose.expect_exit is None
    assert (verify.retries, verify.interval_s, verify.timeout_s) == (30, 0.5, 40.0)
    assert verify.expect_output == "ok" and verify.expect_exit == [0]
    assert remediate.expect_exit == [0, 3]
    assert fix.blocks[0].script == "docker compose -p drill start api\n"


def test_line_numbers_are_file_lines(tmp_path: Path):
    path = write(tmp_path, HEADER + BODY)
    runbook = parse(path)
    assert runbook.steps[0].line == line_of(path, "### 1. Look")
    assert runbook.steps[1].line == line_of(path, "### 2. Fix")
    assert runbook.steps[0].blocks[1].line == line_of(path, "```verify retries=30")
    assert runbook.steps[1].blocks[0].line == line_of(path, "```remediate", 2)
    assert runbook.meta_lines["severity"] == line_of(path, "severity:")
    assert runbook.meta_lines["alerts[0]"] == line_of(path, "alerts:")


def test_step_heading_forms(tmp_path: Path):
    text = (
        HEADER
        + "\n## Step 1: Colon form\n\n```verify\ntrue\n```\n\n## 2) Paren\n\n```verify\ntrue\n```\n"
    )
    assert [s.title for s in parse(write(tmp_path, text)).steps] == ["Colon form", "Paren"]


def test_strict_parse_raises_with_file_line_and_reason(tmp_path: Path):
    path = write(tmp_path, HEADER + "\n## 1. A\n\n```verify retries=x\ntrue\n```\n")
    with pytest.raises(RunbookError) as info:
        parse(path)
    assert f"{path}:{line_of(path, 'retries=x')}:" in str(info.value)
    assert "retries" in str(info.value)


def test_lenient_read_collects_every_problem(tmp_path: Path):
    path = write(tmp_path, 'no front matter\n\n```verify expect-output="("\ntrue\n```\n')
    reading = read(path)
    assert reading.runbook is None
    assert {d.rule for d in reading.defects} == {"front-matter", "fence-options", "no-steps"}


def test_unclosed_front_matter(tmp_path: Path):
    reading = read(write(tmp_path, "---\nid: x\n\n## 1. A\n"))
    assert any("never closed" in d.reason for d in reading.defects)


def test_empty_block_is_a_defect(tmp_path: Path):
    path = write(tmp_path, HEADER + "\n## 1. A\n\n```verify\n```\n")
    reading = read(path)
    assert [(d.rule, d.line) for d in reading.defects] == [
        ("empty-block", line_of(path, "```verify"))
    ]


def test_numbered_sub_heading_stays_inside_its_step(tmp_path: Path):
    text = HEADER + (
        "\n## 1. Outer\n\n```remediate\ntrue\n```\n\n#### 1. Inner detail\n\n"
        "```verify\ntrue\n```\n\n## 2. Next\n\n```verify\ntrue\n```\n"
    )
    steps = parse(write(tmp_path, text)).steps
    assert [(s.number, s.title, len(s.blocks)) for s in steps] == [(1, "Outer", 2), (2, "Next", 1)]
