"""Toxics change the traffic as Toxiproxy's do, measured through a real echo round trip."""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.unit.faults.conftest import ProxyHarness


@contextmanager
def connect(port: int, timeout: float = 3) -> Iterator[socket.socket]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        yield sock
    finally:
        sock.close()


def round_trip_ms(sock: socket.socket, payload: bytes = b"ping") -> float:
    start = time.perf_counter()
    sock.sendall(payload)
    got = b""
    while len(got) < len(payload):
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid round trip"
        got += chunk
    assert got == payload
    return (time.perf_counter() - start) * 1000


def add(harness: ProxyHarness, toxic: dict[str, Any], proxy: str = "echo") -> dict[str, Any]:
    r = harness.api.post(f"/proxies/{proxy}/toxics", json=toxic)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_clean_path_echoes(harness: ProxyHarness) -> None:
    with connect(harness.create()) as sock:
        samples = [round_trip_ms(sock) for _ in range(50)]
        assert statistics.median(samples) < 5
        assert round_trip_ms(sock, b"x" * 200_000) < 1000


def test_latency_is_accurate(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "latency", "attributes": {"latency": 100}})
    with connect(port) as sock:
        samples = [round_trip_ms(sock) for _ in range(8)]
    assert 99 <= statistics.median(samples) <= 106, samples


def test_latency_applies_to_open_connections_and_goes_away(harness: ProxyHarness) -> None:
    port = harness.create()
    with connect(port) as sock:
        assert round_trip_ms(sock) < 20
        add(harness, {"type": "latency", "stream": "upstream", "attributes": {"latency": 60}})
        assert 59 <= round_trip_ms(sock) < 80
        harness.api.delete("/proxies/echo/toxics/latency_upstream")
        assert round_trip_ms(sock) < 20


def test_jitter_stays_in_bounds(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "latency", "attributes": {"latency": 50, "jitter": 30}})
    with connect(port) as sock:
        samples = [round_trip_ms(sock) for _ in range(15)]
    assert all(19 <= s <= 90 for s in samples), samples
    assert max(samples) - min(samples) > 5  # jitter is really applied


def test_toxicity_zero_never_applies(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "latency", "toxicity": 0.0, "attributes": {"latency": 200}})
    with connect(port) as sock:
        assert round_trip_ms(sock) < 50


def test_timeout_drops_data_then_closes(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "timeout", "attributes": {"timeout": 300}})
    with connect(port) as sock:
        start = time.monotonic()
        sock.sendall(b"hello")
        assert sock.recv(100) == b""  # nothing came back; closed by the toxic
        assert 0.28 <= time.monotonic() - start < 1.5


def test_timeout_zero_holds_forever(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "timeout", "attributes": {"timeout": 0}})
    with connect(port, timeout=0.5) as sock:
        sock.sendall(b"hello")
        with pytest.raises(TimeoutError):
            sock.recv(100)


def test_reset_peer_resets(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "reset_peer", "stream": "upstream", "attributes": {"timeout": 0}})
    with connect(port) as sock:
        sock.sendall(b"hello")
        with pytest.raises(ConnectionResetError):
            sock.recv(100)


def test_bandwidth_limits_rate(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "bandwidth", "attributes": {"rate": 100}})  # 100 KB/s
    with connect(port, timeout=5) as sock:
        elapsed = round_trip_ms(sock, b"x" * 50_000)
    assert 450 <= elapsed <= 800, elapsed


def test_limit_data_closes_after_bytes(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "limit_data", "attributes": {"bytes": 10}})
    with connect(port) as sock:
        sock.sendall(b"0123456789abcdef")
        got = b""
        while chunk := sock.recv(100):
            got += chunk
    assert got == b"0123456789"


def test_slow_close_delays_the_close(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "slow_close", "stream": "upstream", "attributes": {"delay": 300}})
    with connect(port) as sock:
        assert round_trip_ms(sock) < 50
        start = time.monotonic()
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(100) == b""
        assert time.monotonic() - start >= 0.28


def test_slicer_keeps_the_bytes(harness: ProxyHarness) -> None:
    port = harness.create()
    add(harness, {"type": "slicer", "attributes": {"average_size": 7, "size_variation": 3}})
    payload = bytes(range(256)) * 20
    with connect(port) as sock:
        round_trip_ms(sock, payload)


def test_disable_refuses_and_drops_connections(harness: ProxyHarness) -> None:
    port = harness.create()
    with connect(port) as sock:
        round_trip_ms(sock)
        harness.api.post("/proxies/echo", json={"enabled": False})
        assert sock.recv(100) == b""  # existing connection closed
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    harness.api.post("/proxies/echo", json={"enabled": True})
    with connect(port) as sock:
        assert round_trip_ms(sock) < 50


def test_upstream_down_closes_client(harness: ProxyHarness) -> None:
    r = harness.api.post(
        "/proxies", json={"name": "dead", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:1"}
    )
    port = int(r.json()["listen"].rsplit(":", 1)[1])
    with connect(port) as sock:
        sock.sendall(b"x")
        assert sock.recv(10) == b""
