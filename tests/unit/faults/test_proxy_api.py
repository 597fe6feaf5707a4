"""The control API answers as Toxiproxy's does: routes, status codes, bodies, errors."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from tests.unit.faults.conftest import ProxyHarness


def test_version_is_json(harness: ProxyHarness) -> None:
    r = harness.api.get("/version")
    assert r.status_code == 200
    assert r.json()["version"].startswith("2.")


def test_create_show_list_delete(harness: ProxyHarness) -> None:
    port = harness.create("one")
    shown = harness.api.get("/proxies/one").json()
    assert shown == {
        "name": "one",
        "listen": f"127.0.0.1:{port}",
        "upstream": f"127.0.0.1:{harness.echo_port}",
        "enabled": True,
        "toxics": [],
    }
    assert set(harness.api.get("/proxies").json()) == {"one"}
    assert harness.api.delete("/proxies/one").status_code == 204
    assert harness.api.get("/proxies/one").status_code == 404
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"upstream": "127.0.0.1:1"}, 400, "missing required field: name"),
        ({"name": "x"}, 400, "missing required field: upstream"),
    ],
)
def test_create_errors(
    harness: ProxyHarness, body: dict[str, Any], status: int, message: str
) -> None:
    r = harness.api.post("/proxies", json=body)
    assert r.status_code == status
    assert r.json() == {"error": message, "status": status}


def test_duplicate_proxy_is_409(harness: ProxyHarness) -> None:
    harness.create("dup")
    r = harness.api.post("/proxies", json={"name": "dup", "upstream": "127.0.0.1:1"})
    assert (r.status_code, r.json()["error"]) == (409, "proxy already exists")


def test_bad_json_is_400(harness: ProxyHarness) -> None:
    r = harness.api.post("/proxies", content=b"{nope")
    assert r.status_code == 400
    assert r.json()["error"].startswith("bad request body")


def test_listen_conflict_is_500(harness: ProxyHarness) -> None:
    port = harness.create("first")
    r = harness.api.post(
        "/proxies", json={"name": "second", "listen": f"127.0.0.1:{port}", "upstream": "x:1"}
    )
    assert r.status_code == 500
    assert "listen tcp" in r.json()["error"]
    assert "second" not in harness.api.get("/proxies").json()


def test_unknown_proxy_and_toxic_are_404(harness: ProxyHarness) -> None:
    assert harness.api.get("/proxies/nope").json() == {"error": "proxy not found", "status": 404}
    r = harness.api.post("/proxies/nope/toxics", json={"type": "latency"})
    assert r.status_code == 404
    harness.create()
    r = harness.api.get("/proxies/echo/toxics/nope")
    assert r.json() == {"error": "toxic not found", "status": 404}
    assert harness.api.delete("/proxies/echo/toxics/nope").status_code == 404


def test_toxic_create_defaults_and_errors(harness: ProxyHarness) -> None:
    harness.create()
    r = harness.api.post("/proxies/echo/toxics", json={"type": "latency"})
    assert r.status_code == 200  # Toxiproxy answers 200, not 201, for a new toxic
    toxic = r.json()
    assert toxic["name"] == "latency_downstream"
    assert toxic["stream"] == "downstream" and toxic["toxicity"] == 1.0
    assert toxic["attributes"] == {"latency": 0, "jitter": 0}
    again = harness.api.post("/proxies/echo/toxics", json={"type": "latency"})
    assert (again.status_code, again.json()["error"]) == (409, "toxic already exists")
    bad_type = harness.api.post("/proxies/echo/toxics", json={"type": "nope"})
    assert (bad_type.status_code, bad_type.json()["error"]) == (400, "invalid toxic type")
    bad_stream = harness.api.post("/proxies/echo/toxics", json={"type": "latency", "stream": "x"})
    assert bad_stream.status_code == 400
    assert bad_stream.json()["error"].startswith("stream was invalid")
    bad_attr = harness.api.post(
        "/proxies/echo/toxics",
        json={"type": "latency", "name": "l2", "attributes": {"latency": "slow"}},
    )
    assert bad_attr.status_code == 400


def test_toxic_update_merges_attributes(harness: ProxyHarness) -> None:
    harness.create()
    harness.api.post(
        "/proxies/echo/toxics", json={"type": "latency", "attributes": {"latency": 5, "jitter": 1}}
    )
    r = harness.api.post(
        "/proxies/echo/toxics/latency_downstream", json={"attributes": {"latency": 50}}
    )
    assert r.status_code == 200
    assert r.json()["attributes"] == {"latency": 50, "jitter": 1}
    listed = harness.api.get("/proxies/echo/toxics").json()
    assert [t["attributes"]["latency"] for t in listed] == [50]


def test_unknown_route_and_method(harness: ProxyHarness) -> None:
    assert harness.api.get("/nothing").status_code == 404
    assert harness.api.delete("/proxies").status_code == 405


def test_browsers_are_refused(harness: ProxyHarness) -> None:
    r = harness.api.get("/proxies", headers={"User-Agent": "Mozilla/5.0"})
    assert r.status_code == 403


def test_populate_and_reset(harness: ProxyHarness) -> None:
    up = f"127.0.0.1:{harness.echo_port}"
    body = [{"name": "a", "listen": "127.0.0.1:0", "upstream": up}, {"name": "b", "upstream": up}]
    r = harness.api.post("/populate", json=body)
    assert r.status_code == 201
    assert [p["name"] for p in r.json()["proxies"]] == ["a", "b"]
    missing = harness.api.post("/populate", json=[{"name": "c"}])
    assert missing.json()["error"] == "missing required field: upstream at proxy 1"
    harness.api.post("/proxies/a/toxics", json={"type": "timeout"})
    harness.api.post("/proxies/b", json={"enabled": False})
    assert harness.api.post("/reset").status_code == 204
    proxies = harness.api.get("/proxies").json()
    assert proxies["a"]["toxics"] == [] and proxies["b"]["enabled"] is True


def test_toxic_ttl_expires(harness: ProxyHarness) -> None:
    harness.create()
    r = harness.api.post("/proxies/echo/toxics?ttl=0.5", json={"type": "timeout"})
    assert r.json()["ttl"] == 0.5
    harness.api.post("/proxies/echo/toxics", json={"type": "latency", "ttl": 0.5})
    harness.api.post("/proxies/echo/toxics", json={"type": "slicer", "ttl": 60})
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        names = [t["name"] for t in harness.api.get("/proxies/echo/toxics").json()]
        if names == ["slicer_downstream"]:
            break
        time.sleep(0.1)
    assert names == ["slicer_downstream"]


def test_bad_ttl_is_400(harness: ProxyHarness) -> None:
    harness.create()
    r = harness.api.post("/proxies/echo/toxics", json={"type": "timeout", "ttl": -1})
    assert r.status_code == 400
    assert harness.api.get("/proxies/echo/toxics").json() == []


def test_disabled_proxy_comes_back_after_ttl(harness: ProxyHarness) -> None:
    port = harness.create()
    r = harness.api.post("/proxies/echo?ttl=0.5", json={"enabled": False})
    assert r.json()["enabled"] is False
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    deadline = time.monotonic() + 3
    while not harness.api.get("/proxies/echo").json()["enabled"]:
        assert time.monotonic() < deadline, "proxy was never re-enabled"
        time.sleep(0.1)
    socket.create_connection(("127.0.0.1", port), timeout=1).close()
