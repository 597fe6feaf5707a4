"""Prometheus probe: an instant query compared with a threshold; also the alerts APIs."""

from __future__ import annotations

from typing import Any

import httpx

from harness import settings
from harness.errors import ProbeError
from harness.probes.base import Probe, ProbeResult, now_result
from harness.scenario.model import PrometheusProbe


def instant_value(client: httpx.Client, query: str) -> float | None:
    """First sample of an instant query; None for an empty vector. ProbeError on bad queries."""
    response = client.get("/api/v1/query", params={"query": query})
    body: dict[str, Any] = response.json()
    if response.status_code == 400 or body.get("status") != "success":
        raise ProbeError(f"Prometheus rejected {query!r}: {body.get('error', response.text)}")
    data = body["data"]
    if data["resultType"] == "scalar":
        return float(data["result"][1])
    if data["resultType"] == "vector" and data["result"]:
        return float(data["result"][0]["value"][1])
    return None


class PrometheusCheck(Probe):
    def __init__(
        self,
        spec: PrometheusProbe,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.spec = spec
        self.name = spec.name
        self._client = httpx.Client(
            base_url=base_url or settings.url("prometheus"),
            timeout=spec.timeout,
            transport=transport,
        )

    def check(self) -> ProbeResult:
        spec = self.spec
        try:
            value = instant_value(self._client, spec.query)
        except (httpx.HTTPError, ValueError) as exc:
            return now_result(self.name, False, None, f"Prometheus: {type(exc).__name__}")
        if value is None:
            return now_result(self.name, spec.empty_ok, None, "empty result")
        ok = spec.op.holds(value, spec.threshold)
        return now_result(
            self.name,
            ok,
            value,
            f"{value:g} {spec.op.value} {spec.threshold:g}" + ("" if ok else " is false"),
        )

    def close(self) -> None:
        self._client.close()


def prometheus_alerts(client: httpx.Client) -> list[dict[str, Any]]:
    """Pending and firing alerts from Prometheus's /api/v1/alerts."""
    body = client.get("/api/v1/alerts").json()
    alerts: list[dict[str, Any]] = body.get("data", {}).get("alerts", [])
    return alerts


def alertmanager_alerts(client: httpx.Client) -> list[dict[str, Any]]:
    """Active alerts from Alertmanager's /api/v2/alerts."""
    alerts: list[dict[str, Any]] = client.get("/api/v2/alerts").json()
    return alerts
