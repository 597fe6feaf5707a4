"""Benchmark the incident service on loopback.

1. Webhook throughput: Alertmanager v4 posts per second with 1 and with 50 concurrent
   senders, each run over a fresh database; every distinct alert group is posted several
   times, and the number of incidents created must equal the number of distinct groups.
2. Alert received -> first notification delivered on the local channel, p50 and p99,
   measured by the service's own timestamps (incident created_at -> page delivered_at).

The service runs as `python -m harness.incidents` in a subprocess with only the local
channel live. Every loop is bounded in count and in time.

    .venv/bin/python benchmarks/bench_incidents.py [--posts 3000] [--groups 150]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIME_LIMIT_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def body(group: int, repeat: int) -> dict[str, Any]:
    name = f"BenchAlert{group}"
    labels = {"alertname": name, "severity": "critical", "service": "api", "job": "api"}
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{name}"}}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "incidents",
        "groupLabels": {"alertname": name},
        "commonLabels": labels,
        "commonAnnotations": {"summary": f"{name} fired"},
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {},
                "startsAt": "2026-01-05T10:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph",
                "fingerprint": f"fp{group}",
                "repeat": repeat,
            }
        ],
    }


class Service:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DRILL_")}
        env.update(
            {
                "DRILL_API_TOKEN": TOKEN,
                "PYTHONPATH": str(ROOT),
                "DRILL_NOTIFY_FILE": str(folder / "notifications.jsonl"),
            }
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harness.incidents",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--db",
                f"sqlite:///{folder / 'incidents.db'}",
                "--ops-dir",
                str(ROOT / "ops"),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("service did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def throughput(senders: int, posts: int, groups: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-incidents-") as folder:
        service = Service(Path(folder))
        try:
            work = [(i % groups, i // groups) for i in range(posts)]
            lock = threading.Lock()
            errors: list[int] = []
            deadline = time.monotonic() + TIME_LIMIT_S

            def sender() -> None:
                with httpx.Client(base_url=service.url, headers=AUTH, timeout=10) as http:
                    while time.monotonic() < deadline:
                        with lock:
                            if not work:
                                return
                            group, repeat = work.pop()
                        answer = http.post("/api/v1/alerts/alertmanager", json=body(group, repeat))
                        if answer.status_code != 200:
                            with lock:
                                errors.append(answer.status_code)

            threads = [threading.Thread(target=sender) for _ in range(senders)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            incidents = httpx.get(
                f"{service.url}/api/v1/incidents", params={"limit": 500}, timeout=30
            ).json()
        finally:
            service.stop()
    return {
        "senders": senders,
        "posts": posts,
        "groups": groups,
        "errors": len(errors),
        "seconds": round(elapsed, 3),
        "posts_per_s": round(posts / elapsed, 1),
        "incidents": len(incidents),
        "dedupe_ok": len(incidents) == groups and not errors,
    }


def latency(samples: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-incidents-") as folder:
        service = Service(Path(folder))
        try:
            with httpx.Client(base_url=service.url, headers=AUTH, timeout=10) as http:
                for group in range(samples):
                    http.post("/api/v1/alerts/alertmanager", json=body(10_000 + group, 0))
                    time.sleep(0.02)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    incidents = http.get("/api/v1/incidents", params={"limit": 500}).json()
                    pages = [_page_delay(i) for i in incidents]
                    if len(incidents) == samples and all(p is not None for p in pages):
                        break
                    time.sleep(0.2)
        finally:
            service.stop()
    delays = sorted(p * 1000 for p in pages if p is not None)
    return {
        "samples": len(delays),
        "p50_ms": round(statistics.median(delays), 2),
        "p99_ms": round(delays[min(len(delays) - 1, int(len(delays) * 0.99))], 2),
        "max_ms": round(delays[-1], 2),
    }


def _page_delay(incident: dict[str, Any]) -> float | None:
    local = [
        n
        for n in incident["notifications"]
        if n["channel"] == "local" and n["status"] == "delivered"
    ]
    if not local:
        return None
    first = min(datetime.fromisoformat(n["delivered_at"]) for n in local)
    return (first - datetime.fromisoformat(incident["created_at"])).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--groups", type=int, default=150)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    results = {
        "throughput": [
            throughput(1, args.posts, args.groups),
            throughput(50, args.posts, args.groups),
        ],
        "alert_to_first_local_notification": latency(args.samples),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
