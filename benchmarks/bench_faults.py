"""Fault proxy and fault injection figures, measured side by side in one run.

    .venv/bin/python benchmarks/bench_faults.py [--quick] [--no-stack]

1. Proxy overhead with no toxic on loopback: added p50/p99 per request/response round
   trip, and bulk throughput, against a direct connection to the same upstream.
2. Injected latency accuracy: 200 ms, and 200 ± 50 ms jitter (p50/p99 of the added delay).
3. Time from `inject` returning to the fault being observable from outside, for
   container.kill, container.pause and net.latency on the running stack (skipped if down).

Upstream and proxy run as their own processes so the client measures real hops.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UPSTREAM = r"""
import asyncio, sys
async def handle(r, w):
    mode = await r.readexactly(1)
    if mode == b"e":                       # echo
        while d := await r.read(65536):
            w.write(d); await w.drain()
    else:                                  # sink: count bytes until EOF, answer the count
        n = 0
        while d := await r.read(1 << 20):
            n += len(d)
        w.write(str(n).encode()); await w.drain()
    w.close()
async def main():
    s = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(s.sockets[0].getsockname()[1], flush=True)
    await s.serve_forever()
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def connect(port: int, mode: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(mode)
    return sock


def round_trips(port: int, n: int, size: int = 64) -> list[float]:
    payload = b"x" * size
    samples = []
    with connect(port, b"e") as sock:
        for _ in range(n):
            start = time.perf_counter()
            sock.sendall(payload)
            got = 0
            while got < size:
                got += len(sock.recv(65536))
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def throughput_mb_s(port: int, total: int) -> float:
    block = b"\0" * (1 << 20)
    with connect(port, b"s") as sock:
        start = time.perf_counter()
        for _ in range(total // len(block)):
            sock.sendall(block)
        sock.shutdown(socket.SHUT_WR)
        count = int(sock.recv(64))
        elapsed = time.perf_counter() - start
    assert count == total, (count, total)
    return total / elapsed / 1e6


class Local:
    """An upstream and a fault proxy, each its own process, on 127.0.0.1."""

    def __init__(self) -> None:
        self.upstream = subprocess.Popen(
            [sys.executable, "-c", UPSTREAM], stdout=subprocess.PIPE, text=True
        )
        assert self.upstream.stdout is not None
        self.upstream_port = int(self.upstream.stdout.readline())
        self.api_port = free_port()
        self.proxy = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harness.faults.proxy",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.api_port),
            ],
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        self.api = httpx.Client(base_url=f"http://127.0.0.1:{self.api_port}", timeout=5)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.api.get("/version")
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        body = {
            "name": "bench",
            "listen": "127.0.0.1:0",
            "upstream": f"127.0.0.1:{self.upstream_port}",
        }
        self.proxy_port = int(self.api.post("/proxies", json=body).json()["listen"].split(":")[1])

    def toxic(self, attrs: dict[str, int] | None) -> None:
        self.api.delete("/proxies/bench/toxics/bench")
        if attrs is not None:
            body = {"name": "bench", "type": "latency", "attributes": attrs}
            self.api.post("/proxies/bench/toxics", json=body).raise_for_status()

    def close(self) -> None:
        self.api.close()
        for proc in (self.proxy, self.upstream):
            proc.terminate()
            proc.wait(5)


def bench_overhead(local: Local, n: int, bulk: int) -> dict[str, float]:
    round_trips(local.upstream_port, 200)  # warm up both paths
    round_trips(local.proxy_port, 200)
    direct, proxied = [], []
    for _ in range(5):  # interleaved batches, so drift hits both alike
        direct += round_trips(local.upstream_port, n // 5)
        proxied += round_trips(local.proxy_port, n // 5)
    d_tp = statistics.median(throughput_mb_s(local.upstream_port, bulk) for _ in range(3))
    p_tp = statistics.median(throughput_mb_s(local.proxy_port, bulk) for _ in range(3))
    return {
        "direct_p50_ms": pct(direct, 0.5),
        "direct_p99_ms": pct(direct, 0.99),
        "proxy_p50_ms": pct(proxied, 0.5),
        "proxy_p99_ms": pct(proxied, 0.99),
        "added_p50_ms": pct(proxied, 0.5) - pct(direct, 0.5),
        "added_p99_ms": pct(proxied, 0.99) - pct(direct, 0.99),
        "direct_mb_s": d_tp,
        "proxy_mb_s": p_tp,
        "throughput_ratio": p_tp / d_tp,
    }


def bench_latency(local: Local, n: int, jitter: int) -> dict[str, float]:
    base = pct(round_trips(local.proxy_port, 200), 0.5)
    local.toxic({"latency": 200, "jitter": jitter})
    added = [s - base for s in round_trips(local.proxy_port, n)]
    local.toxic(None)
    return {
        "requested_ms": 200,
        "jitter_ms": jitter,
        "added_p50_ms": pct(added, 0.5),
        "added_p99_ms": pct(added, 0.99),
        "added_min_ms": min(added),
        "added_max_ms": max(added),
    }


def bench_observable() -> dict[str, float] | str:
    from harness import settings
    from harness.faults.manager import FaultManager
    from harness.stack.compose import Stack

    url = f"{settings.url('api')}/health"
    try:
        if httpx.get(url, timeout=3).status_code != 200:
            return "stack not healthy: skipped"
    except httpx.HTTPError:
        return "stack not up: skipped"
    stack = Stack()
    manager = FaultManager(stack, owner="bench", handle_signals=False)
    base = 0.0
    results = {}
    checks: dict[str, tuple[str, dict[str, str], Callable[[bool, float], bool]]] = {
        "container.kill": ("api", {}, lambda ok, ms: not ok),
        "container.pause": ("api", {}, lambda ok, ms: not ok or ms > base + 100),
        "net.latency": ("api", {"latency": "200"}, lambda ok, ms: ms - base >= 180),
    }
    try:
        for kind, (target, params, seen) in checks.items():
            wait_health(url)
            base = pct([probe(url, 5)[1] for _ in range(10)], 0.5)  # read by `seen`
            applied = manager.inject(kind, target, params, ttl_s=120)
            t0 = time.perf_counter()
            while True:
                started = (time.perf_counter() - t0) * 1000
                ok, ms = probe(url, 0.15 if kind == "container.pause" else 2)
                if seen(ok, ms):
                    results[f"{kind}_first_failing_probe_started_ms"] = started
                    results[f"{kind}_observed_after_ms"] = (time.perf_counter() - t0) * 1000
                    break
                if started > 10_000:
                    results[f"{kind}_first_failing_probe_started_ms"] = float("nan")
                    break
            manager.revert(applied)
            wait_health(url)
    finally:
        manager.revert_all()
    return results


def probe(url: str, timeout: float) -> tuple[bool, float]:
    start = time.perf_counter()
    try:
        ok = httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        ok = False
    return ok, (time.perf_counter() - start) * 1000


def wait_health(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not probe(url, 2)[0]:
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--no-stack", action="store_true", help="skip part 3")
    args = parser.parse_args()
    n, bulk = (2000, 64 << 20) if args.quick else (10000, 256 << 20)
    local = Local()
    try:
        report: dict[str, object] = {
            "overhead": bench_overhead(local, n, bulk),
            "latency_200": bench_latency(local, 40 if args.quick else 100, 0),
            "latency_200_jitter_50": bench_latency(local, 60 if args.quick else 200, 50),
        }
    finally:
        local.close()
    report["inject_to_observable"] = "skipped" if args.no_stack else bench_observable()
    print_report(report)


def print_report(report: dict[str, object]) -> None:
    o = report["overhead"]
    assert isinstance(o, dict)
    print("== proxy overhead, no toxic, loopback (64-byte request/response) ==")
    print(f"  direct  p50 {o['direct_p50_ms']:.3f} ms  p99 {o['direct_p99_ms']:.3f} ms")
    print(f"  proxied p50 {o['proxy_p50_ms']:.3f} ms  p99 {o['proxy_p99_ms']:.3f} ms")
    print(
        f"  added   p50 {o['added_p50_ms']:.3f} ms  p99 {o['added_p99_ms']:.3f} ms"
        "   (aim: <= 0.25 ms at p50)"
    )
    print(
        f"  bulk    direct {o['direct_mb_s']:.0f} MB/s  proxied {o['proxy_mb_s']:.0f} MB/s"
        f"  ratio {o['throughput_ratio']:.0%}   (aim: >= 50 %)"
    )
    for key, label in (("latency_200", "200 ms"), ("latency_200_jitter_50", "200 ± 50 ms")):
        r = report[key]
        assert isinstance(r, dict)
        print(f"== injected latency {label} ==")
        print(
            f"  added p50 {r['added_p50_ms']:.1f} ms  p99 {r['added_p99_ms']:.1f} ms  "
            f"min {r['added_min_ms']:.1f}  max {r['added_max_ms']:.1f}"
        )
    print("== inject returned -> observable from outside (127.0.0.1:8080/health) ==")
    obs = report["inject_to_observable"]
    if isinstance(obs, dict):
        for kind in ("container.kill", "container.pause", "net.latency"):
            print(
                f"  {kind:16} first failing probe started at "
                f"{obs[f'{kind}_first_failing_probe_started_ms']:.1f} ms, "
                f"symptom confirmed at {obs.get(f'{kind}_observed_after_ms', float('nan')):.1f} ms"
            )
    else:
        print(f"  {obs}")
    print(json.dumps(report, default=str))


if __name__ == "__main__":
    main()
