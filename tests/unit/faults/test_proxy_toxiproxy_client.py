"""An ecosystem Toxiproxy client (PyPI `toxiproxy-python`) drives our proxy unchanged."""

from __future__ import annotations

import socket
import time

import pytest

from tests.unit.faults.conftest import ProxyHarness

toxiproxy = pytest.importorskip("toxiproxy")
from toxiproxy.api import APIConsumer  # noqa: E402


def _rtt_ms(port: int) -> float:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.perf_counter()
        sock.sendall(b"ping")
        assert sock.recv(16) == b"ping"
        return (time.perf_counter() - start) * 1000


def test_toxiproxy_python_client(harness: ProxyHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(APIConsumer, "host", "127.0.0.1")
    monkeypatch.setattr(APIConsumer, "port", harness.proxy.port)
    server = toxiproxy.Toxiproxy()
    assert server.running()
    assert b"version" in server.version()

    proxy = server.create(upstream=f"127.0.0.1:{harness.echo_port}", name="client_made")
    port = int(proxy.listen.rsplit(":", 1)[1])
    assert "client_made" in server.proxies()
    with pytest.raises(toxiproxy.server.ProxyExists):
        server.create(upstream="127.0.0.1:1", name="client_made")

    assert _rtt_ms(port) < 50
    proxy.add_toxic(type="latency", attributes={"latency": 120})
    assert list(proxy.toxics()) == ["latency_downstream"]
    assert 119 <= _rtt_ms(port) < 170
    proxy.destroy_toxic("latency_downstream")
    assert proxy.toxics() == {}
    assert _rtt_ms(port) < 50

    with proxy.down():
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1)
    assert _rtt_ms(port) < 50

    assert server.reset()
    server.destroy(proxy)
    assert server.get_proxy("client_made") is None
