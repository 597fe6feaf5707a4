"""The target stack, end to end through real parts: API, PostgreSQL, Prometheus,
Alertmanager and the incident service."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest

from harness import settings
from harness.stack import Stack

pytestmark = pytest.mark.docker


def prom_query(expr: str) -> list[dict]:
    r = httpx.get(f"{settings.url('prometheus')}/api/v1/query", params={"query": expr}, timeout=5)
    r.raise_for_status()
    return r.json()["data"]["result"]


def wait_for(predicate, timeout_s: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout_s:.0f}s (last: {last!r})")


def test_order_round_trip_reaches_postgres(healthy_stack: Stack) -> None:
    api = settings.url("api")
    products = httpx.get(f"{api}/products", timeout=5).json()
    assert len(products) >= 5
    created = httpx.post(
        f"{api}/orders", json={"product_id": products[0]["id"], "quantity": 3}, timeout=5
    )
    assert created.status_code == 201, created.text
    order = created.json()
    assert httpx.get(f"{api}/orders/{order['id']}", timeout=5).json()["quantity"] == 3
    row = healthy_stack.exec(
        "db",
        [
            "psql",
            "-U",
            "shop",
            "-d",
            "shop",
            "-tAc",
            f"SELECT product_id, quantity FROM orders WHERE id = {order['id']}",
        ],
    )
    assert row.exit_code == 0, row.output
    assert row.output.strip() == f"{products[0]['id']}|3"


def test_bad_order_is_a_4xx_not_a_500(healthy_stack: Stack) -> None:
    api = settings.url("api")
    assert httpx.post(f"{api}/orders", json={"product_id": "x"}, timeout=5).status_code == 422
    assert (
        httpx.post(
            f"{api}/orders", json={"product_id": 999999, "quantity": 1}, timeout=5
        ).status_code
        == 409
    )
    assert httpx.get(f"{api}/orders/999999999", timeout=5).status_code == 404


def test_prometheus_counts_the_requests(healthy_stack: Stack) -> None:
    expr = 'sum(shop_http_requests_total{route="/products",status="200"})'
    before = float((prom_query(expr) or [{"value": [0, "0"]}])[0]["value"][1])
    for _ in range(5):
        assert httpx.get(f"{settings.url('api')}/products", timeout=5).status_code == 200
    wait_for(
        lambda: float((prom_query(expr) or [{"value": [0, "0"]}])[0]["value"][1]) >= before + 5,
        15,
        "Prometheus counting the five requests",
    )


def test_rules_and_alertmanager_config_pass_their_checkers(stack: Stack) -> None:
    root = stack.root
    cmd = [
        "docker",
        "run",
        "--rm",
        "-v",
        f"{root}/targets:/t:ro",
        "drill-base:bookworm",
        "sh",
        "-c",
        "promtool check rules /t/prometheus/rules/*.yml && "
        "promtool check config --syntax-only /t/prometheus/prometheus.yml && "
        "amtool check-config /t/alertmanager/alertmanager.yml",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout + proc.stderr


def test_api_down_alert_reaches_the_incident_service(healthy_stack: Stack) -> None:
    token = settings.api_token()
    headers = {"Authorization": f"Bearer {token}"}
    alerts_url = f"{settings.url('incidents')}/api/v1/alerts"

    def api_down_alerts() -> list[dict]:
        body = httpx.get(alerts_url, headers=headers, timeout=5).json()
        items = body if isinstance(body, list) else body.get("alerts", body.get("items", []))
        return [
            a
            for a in items
            if a.get("alertname", a.get("labels", {}).get("alertname")) == "ApiDown"
            and a.get("status") == "firing"
        ]

    seen_before = {a.get("fingerprint") + str(a.get("starts_at")) for a in api_down_alerts()}
    healthy_stack.container("api").stop(timeout=2)
    try:
        fired = wait_for(
            lambda: [
                a
                for a in api_down_alerts()
                if a.get("fingerprint") + str(a.get("starts_at")) not in seen_before
            ],
            30,
            "an ApiDown alert at the incident service",
        )
        assert fired[0]["labels"]["severity"] == "critical"
    finally:
        healthy_stack.container("api").start()
