"""Run a runbook's blocks on the host, one after another, stopping at the first failure.

Each block is one `bash -e -c` script in its own process group, so a timeout kills the
whole pipeline (a `curl | grep` leaves nothing behind). A block with `retries=N` is tried
up to N times, `interval` seconds apart, but never past its deadline: `timeout=` on the
fence, else the executor's `step_timeout_s` — that bounds all attempts together.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.errors import RunbookError
from harness.runbooks.models import Block, Runbook, RunbookResult, Step, StepResult

OUTPUT_LIMIT = 64 * 1024  # keep the tail: the end of the output is where the error is


@dataclass(frozen=True)
class Attempt:
    exit_code: int | None
    output: str
    failure: str | None


def execute(
    runbook: Runbook,
    *,
    cwd: Path,
    env: Mapping[str, str],
    step_timeout_s: float = 120,
    on_step: Callable[[StepResult], None] | None = None,
) -> RunbookResult:
    """Every block in order; the first failure stops the run and is `failed_step`.

    `env` is laid over the harness's own environment (commands need PATH and HOME
    for the docker CLI plugins).
    """
    full_env = {**os.environ, **env}
    results: list[StepResult] = []
    pairs = runbook.blocks()
    for index, (step, block) in enumerate(pairs):
        result = run_block(step, block, cwd=cwd, env=full_env, default_timeout_s=step_timeout_s)
        results.append(result)
        if on_step is not None:
            on_step(result)
        if not result.ok:
            return RunbookResult(
                ok=False, steps=results, failed_step=result, skipped=len(pairs) - index - 1
            )
    return RunbookResult(ok=bool(results), steps=results, failed_step=None)


def run_block(
    step: Step, block: Block, *, cwd: Path, env: Mapping[str, str], default_timeout_s: float
) -> StepResult:
    budget = block.timeout_s or default_timeout_s
    started = time.monotonic()
    deadline = started + budget
    attempts = 0
    attempt = Attempt(None, "", "never ran")
    while attempts < block.retries:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        attempts += 1
        attempt = _attempt(block, cwd=cwd, env=env, timeout_s=remaining)
        if attempt.failure is None or attempts >= block.retries:
            break
        time.sleep(max(0.0, min(block.interval_s, deadline - time.monotonic())))
    failure = attempt.failure
    if failure is not None and attempts > 1:
        failure = f"{failure} (gave up after {attempts} attempts in {budget:g} s budget)"
    return StepResult(
        number=step.number,
        title=step.title,
        kind=block.kind,
        ok=failure is None,
        duration_s=time.monotonic() - started,
        exit_code=attempt.exit_code,
        output=attempt.output,
        failure=failure,
        attempts=attempts,
        line=block.line,
        command=block.script.strip(),
    )


def _attempt(block: Block, *, cwd: Path, env: Mapping[str, str], timeout_s: float) -> Attempt:
    exit_code, output, timed_out = run_script(block.script, cwd=cwd, env=env, timeout_s=timeout_s)
    if timed_out:
        return Attempt(None, output, f"timed out after {timeout_s:.1f} s")
    if block.expect_exit is not None and exit_code not in block.expect_exit:
        wanted = ",".join(str(c) for c in block.expect_exit)
        return Attempt(exit_code, output, f"exit status {exit_code}, expected {wanted}")
    if block.expect_output is not None and not re.search(block.expect_output, output, re.M):
        return Attempt(
            exit_code, output, f"output does not match expect-output={block.expect_output!r}"
        )
    return Attempt(exit_code, output, None)


def run_script(
    script: str, *, cwd: Path, env: Mapping[str, str], timeout_s: float
) -> tuple[int | None, str, bool]:
    """(exit status, combined stdout+stderr, timed out) of one bash script."""
    try:
        proc = subprocess.Popen(
            ["bash", "-e", "-c", script],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise RunbookError(f"cannot start bash in {cwd}: {exc}") from exc
    try:
        out, _ = proc.communicate(timeout=timeout_s)
        return proc.returncode, _tail(out), False
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = _drain(proc)
        return None, _tail(out), True
    finally:
        if proc.poll() is None:  # interrupted (Ctrl-C): leave no stray commands behind
            _kill_group(proc)
            proc.wait()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """TERM the whole group, then KILL whatever ignored it (a child may outlive bash)."""
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue


def _drain(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes | None]:
    try:
        return proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        return b"", None


def _tail(out: bytes | None) -> str:
    text = (out or b"").decode(errors="replace")
    return text if len(text) <= OUTPUT_LIMIT else "...\n" + text[-OUTPUT_LIMIT:]
