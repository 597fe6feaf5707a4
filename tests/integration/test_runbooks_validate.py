"""`drill runbooks validate` on the real stack: shipped runbooks are accurate, a wrong one
is not and names its failing step. Each case is one full auto-mode drill."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness import settings
from harness.stack import Stack

pytestmark = pytest.mark.docker

WRONG = Path(__file__).parent / "data" / "wrong-server-down.md"


def validate(
    report_dir: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "runbooks",
            "validate",
            *args,
            "--report-dir",
            str(report_dir),
            "--max-duration",
            "150",
        ],
        cwd=settings.root(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    reports = sorted(report_dir.rglob("report.json"))
    assert len(reports) == 1, f"expected one drill report; output:\n{proc.stdout}\n{proc.stderr}"
    return proc, json.loads(reports[0].read_text())


@pytest.mark.parametrize("name", ["server-down", "slow-api"])
def test_shipped_runbook_is_accurate(healthy_stack: Stack, tmp_path: Path, name: str):
    proc, report = validate(tmp_path, name)
    section = report["runbook"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert section["accurate"] is True, section
    assert section["steps"] and all(step["ok"] for step in section["steps"])
    assert report["metrics"]["time_to_mitigate_s"] is not None
    assert name in proc.stdout and "yes" in proc.stdout


def test_wrong_runbook_is_inaccurate_and_names_the_step(healthy_stack: Stack, tmp_path: Path):
    proc, report = validate(tmp_path, str(WRONG), "--scenario", "server-down")
    section = report["runbook"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert section["accurate"] is False
    failed = [s for s in section["steps"] if not s["ok"]]
    assert [(s["number"], s["kind"]) for s in failed] == [(2, "verify")]
    assert 'step 2 "Restart the monitoring" (verify' in (section["failed_step"] or "")
    assert 'step 2 "Restart the monitoring"' in proc.stdout.replace("\n", " ")
