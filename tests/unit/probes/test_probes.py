"""HTTP and Prometheus probes against httpx mock transports; steady state is all-of."""

from __future__ import annotations

import time

import httpx

from harness.probes.http import HttpCheck
from harness.probes.prometheus import PrometheusCheck
from harness.probes.steady import SteadyState
from harness.scenario.model import HttpProbe, PrometheusProbe


def http(handler, **spec) -> HttpCheck:
    return HttpCheck(
        HttpProbe(name="h", **spec),
        base_url="http://127.0.0.1:1",
        transport=httpx.MockTransport(handler),
    )


def test_http_status_and_latency() -> None:
    assert http(lambda r: httpx.Response(200)).check().ok
    bad = http(lambda r: httpx.Response(503)).check()
    assert not bad.ok and bad.detail == "status 503 (want 200)"

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.06)
        return httpx.Response(200)

    result = http(slow, max_latency=0.05).check()
    assert not result.ok and result.value is not None and result.value >= 60


def test_http_connection_error_is_a_failure_not_an_exception() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    result = http(refuse).check()
    assert not result.ok and "ConnectError" in result.detail


def test_http_posts_json_body() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(201)

    assert (
        http(handler, method="POST", path="/orders", json_body={"product_id": 1}, expect_status=201)
        .check()
        .ok
    )
    assert seen == [b'{"product_id":1}']


def prom(value: object, **spec) -> PrometheusCheck:
    result = [] if value is None else [{"metric": {}, "value": [0, str(value)]}]
    body = {"status": "success", "data": {"resultType": "vector", "result": result}}
    return PrometheusCheck(
        PrometheusProbe(name="p", query="up", **spec),
        base_url="http://127.0.0.1:1",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=body)),
    )


def test_prometheus_threshold() -> None:
    assert prom(0.01, op="<", threshold=0.05).check().ok
    assert not prom(0.2, op="<", threshold=0.05).check().ok
    assert prom(1, op=">=", threshold=1).check().value == 1.0
    assert not prom(None, threshold=1).check().ok
    assert prom(None, threshold=1, empty_ok=True).check().ok


def test_steady_state_needs_every_probe() -> None:
    steady = SteadyState([http(lambda r: httpx.Response(200)), prom(0.5, threshold=0.1)])
    result = steady.evaluate()
    assert not result.ok and [r.name for r in result.failing] == ["p"]
    assert "p: 0.5 < 0.1 is false" in result.summary()
    steady.close()
