"""`make setup` on a machine with no Docker where we are not root: one clear paragraph, exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to drop to nobody"
)
def test_no_docker_not_root_explains_and_installs_nothing() -> None:
    # pytest's own tmp folders are private to root; nobody needs one it can enter.
    tmp_path = Path(tempfile.mkdtemp(prefix="drill-setup-"))
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts/setup.sh", checkout / "scripts/setup.sh")
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    os.chmod(tmp_path, 0o777)
    os.chmod(checkout, 0o777)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DOCKER_HOST": "unix:///nonexistent.sock",
    }
    proc = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "bash",
            str(checkout / "scripts/setup.sh"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no Docker engine answers" in proc.stderr
    assert "make setup" in proc.stderr
    assert not (checkout / ".venv").exists(), "a half-installed venv was left behind"
    assert not (checkout / ".env").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
