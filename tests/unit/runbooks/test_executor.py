"""The executor against real bash commands: timing, capture, stop-at-failure, expectations."""

from __future__ import annotations

import time
from pathlib import Path

from harness.runbooks import StepKind, StepResult, execute, parse
from tests.unit.runbooks.conftest import HEADER, write


def run(tmp_path: Path, body: str, **kwargs):
    runbook = parse(write(tmp_path, HEADER + body))
    return execute(runbook, cwd=tmp_path, env={"GREETING": "hello"}, **kwargs)


def test_runs_in_order_captures_output_and_env(tmp_path: Path):
    seen: list[StepResult] = []
    result = run(
        tmp_path,
        """
## 1. One

```diagnose
echo "$GREETING from $(pwd)"; echo to-stderr >&2
```

```remediate
touch made-by-step-1
```

## 2. Two

```verify expect-output="^made-by-step-1$"
ls
```
""",
        on_step=seen.append,
    )
    assert result.ok and result.failed_step is None
    assert [s.number for s in result.steps] == [1, 1, 2]
    assert [s.kind for s in result.steps] == [
        StepKind.DIAGNOSE,
        StepKind.REMEDIATE,
        StepKind.VERIFY,
    ]
    assert result.steps[0].output == f"hello from {tmp_path}\nto-stderr\n"
    assert (tmp_path / "made-by-step-1").exists()
    assert seen == result.steps
    assert result.passed == result.total == 3


def test_stops_at_first_failure_and_names_it(tmp_path: Path):
    result = run(
        tmp_path,
        """
## 1. Fails

```remediate
echo partial; exit 3
```

```verify
touch should-not-exist
```

## 2. Never

```verify
true
```
""",
    )
    assert not result.ok
    failed = result.failed_step
    assert failed is not None and failed.exit_code == 3 and failed.output == "partial\n"
    assert failed.failure == "exit status 3, expected 0"
    assert failed.label().startswith('step 1 "Fails" (remediate, line ')
    assert len(result.steps) == 1 and result.skipped == 2 and result.total == 3
    assert not (tmp_path / "should-not-exist").exists()


def test_bash_errexit_stops_a_multi_line_block(tmp_path: Path):
    result = run(tmp_path, "\n## 1. A\n\n```verify\nfalse\necho unreachable\n```\n")
    assert not result.ok and "unreachable" not in result.steps[0].output


def test_expected_exit_status_and_output_pattern(tmp_path: Path):
    ok = run(
        tmp_path,
        """
## 1. A

```diagnose expect-exit=2,4
exit 4
```

```diagnose expect-exit=any
exit 9
```

```verify expect-output="status.*ok"
echo '{"status": "ok"}'
```
""",
    )
    assert ok.ok and [s.exit_code for s in ok.steps] == [4, 9, 0]
    bad = run(tmp_path, '\n## 1. A\n\n```verify expect-output="^ready$"\necho not ready\n```\n')
    assert not bad.ok
    assert "does not match expect-output='^ready$'" in (bad.steps[0].failure or "")


def test_duration_is_measured(tmp_path: Path):
    result = run(tmp_path, "\n## 1. A\n\n```verify\nsleep 0.3\n```\n")
    assert 0.3 <= result.steps[0].duration_s < 2


def test_timeout_kills_the_whole_process_group(tmp_path: Path):
    started = time.monotonic()
    result = run(
        tmp_path,
        """
## 1. Hangs

```verify timeout=1
sleep 30 | cat
```
""",
        step_timeout_s=60,
    )
    assert time.monotonic() - started < 5
    step = result.steps[0]
    assert not step.ok and step.exit_code is None
    assert step.failure is not None and step.failure.startswith("timed out after 1.0 s")


def test_step_timeout_applies_when_the_fence_sets_none(tmp_path: Path):
    result = run(tmp_path, "\n## 1. A\n\n```verify\nsleep 10\n```\n", step_timeout_s=0.5)
    assert not result.ok and result.steps[0].failure is not None
    assert "timed out" in result.steps[0].failure


def test_retries_until_the_check_passes(tmp_path: Path):
    # passes on the third attempt: each attempt appends a line to a counter file
    result = run(
        tmp_path,
        """
## 1. Eventually

```verify retries=10 interval=0.05
echo x >> attempts
test "$(wc -l < attempts)" -ge 3
```
""",
    )
    assert result.ok and result.steps[0].attempts == 3
    assert (tmp_path / "attempts").read_text().count("x") == 3


def test_retries_give_up_within_the_deadline(tmp_path: Path):
    started = time.monotonic()
    result = run(
        tmp_path, "\n## 1. Never\n\n```verify retries=1000 interval=0.1 timeout=1\nfalse\n```\n"
    )
    elapsed = time.monotonic() - started
    step = result.steps[0]
    assert not step.ok and 0.9 <= elapsed < 3
    assert 2 <= step.attempts < 1000
    assert step.failure is not None and "gave up after" in step.failure


def test_output_is_kept_to_its_tail(tmp_path: Path):
    result = run(tmp_path, "\n## 1. A\n\n```verify\nyes a | head -c 200000; echo END\n```\n")
    out = result.steps[0].output
    assert out.endswith("END\n") and len(out) < 70_000
