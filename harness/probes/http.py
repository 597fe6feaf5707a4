"""HTTP probe: status and latency of one request to a drill service on 127.0.0.1."""

from __future__ import annotations

import time

import httpx

from harness import settings
from harness.probes.base import Probe, ProbeResult, now_result, start_stamp
from harness.scenario.model import HttpProbe


class HttpCheck(Probe):
    def __init__(
        self,
        spec: HttpProbe,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.spec = spec
        self.name = spec.name
        # A fresh connection per check: a killed server must show up as a failure, not hide
        # behind a pooled keep-alive socket that happens to still be open.
        self._client = httpx.Client(
            base_url=base_url or settings.url(spec.service),
            timeout=spec.timeout,
            limits=httpx.Limits(max_keepalive_connections=0),
            transport=transport,
        )

    def check(self) -> ProbeResult:
        spec = self.spec
        stamp = start_stamp()
        started = time.perf_counter()
        try:
            response = self._client.request(spec.method, spec.path, json=spec.json_body)
        except httpx.HTTPError as exc:
            elapsed_ms = (time.perf_counter() - started) * 1000
            return now_result(
                self.name, False, elapsed_ms, f"{type(exc).__name__}: {exc}"[:200], stamp
            )
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code != spec.expect_status:
            return now_result(
                self.name,
                False,
                elapsed_ms,
                f"status {response.status_code} (want {spec.expect_status})",
                stamp,
            )
        if spec.max_latency is not None and elapsed_ms > spec.max_latency * 1000:
            return now_result(
                self.name,
                False,
                elapsed_ms,
                f"{elapsed_ms:.0f} ms > {spec.max_latency * 1000:.0f} ms",
                stamp,
            )
        return now_result(self.name, True, elapsed_ms, f"status {response.status_code}", stamp)

    def close(self) -> None:
        self._client.close()
