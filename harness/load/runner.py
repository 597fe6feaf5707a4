"""Locust headless in a subprocess (it monkey-patches with gevent; keep it out of the harness).

Bounded three ways: the scenario's users and spawn rate, locust's own `--run-time`, and a
stop that escalates from SIGTERM (locust writes its CSV on the way out) to SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from harness import settings
from harness.errors import ConfigError
from harness.load.stats import LoadStats, read_stats
from harness.scenario.model import LoadSpec


class LoadRunner:
    def __init__(
        self,
        spec: LoadSpec,
        *,
        out_dir: Path,
        run_time_s: float,
        host: str | None = None,
        root: Path | None = None,
    ) -> None:
        self.spec = spec
        self.root = root or settings.root()
        self.host = host or settings.url("api")
        self.prefix = out_dir / "load"
        self.run_time_s = max(5, int(run_time_s))
        self.log_path = out_dir / "locust.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        locustfile = self.root / self.spec.locustfile
        if not locustfile.is_file():
            raise ConfigError(f"locustfile {locustfile} does not exist")
        return [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(locustfile),
            "--headless",
            "--host",
            self.host,
            "--users",
            str(self.spec.users),
            "--spawn-rate",
            str(self.spec.spawn_rate),
            "--run-time",
            f"{self.run_time_s}s",
            "--csv",
            str(self.prefix),
            "--only-summary",
            "--stop-timeout",
            "2",
            "--exit-code-on-error",
            "0",
            "--loglevel",
            "WARNING",
        ]

    def start(self) -> None:
        if not self.spec.enabled:
            return
        self.prefix.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            # Own session: a Ctrl-C in the terminal reaches the harness, which stops locust
            # in order (so its stats are written) rather than both dying at once.
            self._proc = subprocess.Popen(
                self.command(),
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout_s: float = 10.0) -> LoadStats:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        return self.stats()

    def stats(self) -> LoadStats:
        return read_stats(self.prefix)
