"""Network faults through the fault proxy's Toxiproxy API on 127.0.0.1.

`--target db` is the API -> database path (proxy "db"), `--target api` the client -> API
path (proxy "api"). Each fault's toxics are named `drill-<id>-<stream>` so several faults
can coexist, and carry the fault's TTL so the proxy drops them by itself if nobody does.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from harness.errors import FaultError
from harness.faults.base import AppliedFault, Fault, FaultContext, NoParams
from harness.faults.registry import register

PROXIES = {"db": "db", "api": "api"}


class ProxyControl:
    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=timeout)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise FaultError(f"fault proxy at {self.base_url} unreachable: {exc}") from exc

    def check(self, response: httpx.Response, *ok: int) -> httpx.Response:
        if response.status_code not in ok:
            raise FaultError(
                f"fault proxy answered {response.status_code} to {response.request.method} "
                f"{response.request.url.path}: {response.text.strip()[:200]}"
            )
        return response

    def add_toxic(self, proxy: str, toxic: dict[str, Any]) -> None:
        self.check(self.request("POST", f"/proxies/{proxy}/toxics", json=toxic), 200, 201)

    def remove_toxic(self, proxy: str, name: str) -> None:
        # 404: already gone (expired or removed), which is what revert wants.
        self.check(self.request("DELETE", f"/proxies/{proxy}/toxics/{name}"), 204, 404)

    def toxics(self, proxy: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.check(
            self.request("GET", f"/proxies/{proxy}/toxics"), 200
        ).json()
        return data

    def set_enabled(self, proxy: str, enabled: bool, ttl_s: float | None = None) -> None:
        body: dict[str, Any] = {"enabled": enabled}
        if ttl_s is not None:
            body["ttl"] = ttl_s
        self.check(self.request("POST", f"/proxies/{proxy}", json=body), 200)

    def enabled(self, proxy: str) -> bool:
        return bool(self.check(self.request("GET", f"/proxies/{proxy}"), 200).json()["enabled"])


def ttl_left(applied: AppliedFault) -> float:
    return max(round(applied.expires_at - time.time(), 1), 1.0)


class ToxicFault(Fault):
    """A fault made of one toxic per stream listed in `streams`."""

    toxic_type: str
    streams: tuple[str, ...] = ("downstream",)

    def check_target(self, ctx: FaultContext, target: str) -> None:
        super().check_target(ctx, target)
        if target not in PROXIES:
            raise FaultError(
                f"{self.kind}: no fault proxy in front of {target!r}; network faults take "
                f"--target {' or '.join(PROXIES)}"
            )

    def attributes(self, params: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in params.items() if k != "stream"}

    def names(self, applied: AppliedFault) -> list[tuple[str, str]]:
        streams = (applied.params["stream"],) if "stream" in applied.params else self.streams
        return [(f"drill-{applied.id}-{s}", s) for s in streams]

    def plan(self, target: str, params: BaseModel) -> list[str]:
        proxy, attrs = PROXIES.get(target, target), self.attributes(params.model_dump())
        stream = getattr(params, "stream", None)
        streams = (stream,) if stream else self.streams
        return [
            f"POST /proxies/{proxy}/toxics type={self.toxic_type} stream={s} attributes={attrs}"
            for s in streams
        ] + [f"revert: DELETE /proxies/{proxy}/toxics/drill-<id>-<stream>"]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        proxy = PROXIES[applied.target]
        for name, stream in self.names(applied):
            ctx.proxy.add_toxic(
                proxy,
                {
                    "name": name,
                    "type": self.toxic_type,
                    "stream": stream,
                    "toxicity": 1.0,
                    "attributes": self.attributes(applied.params),
                    "ttl": ttl_left(applied),
                },
            )

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        for name, _stream in self.names(applied):
            ctx.proxy.remove_toxic(PROXIES[applied.target], name)

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        present = {t["name"] for t in ctx.proxy.toxics(PROXIES[applied.target])}
        return any(name in present for name, _ in self.names(applied))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LatencyParams(Strict):
    latency: int = Field(1000, ge=0, le=600_000, description="ms added")
    jitter: int = Field(0, ge=0, le=600_000, description="± ms")
    stream: str = Field("downstream", pattern="^(upstream|downstream)$")


@register
class NetLatency(ToxicFault):
    kind = "net.latency"
    Params = LatencyParams
    summary = "Add latency ± jitter (ms) to traffic into the target, through the fault proxy."
    toxic_type = "latency"


class TimeoutParams(Strict):
    timeout: int = Field(0, ge=0, le=3_600_000, description="ms before closing; 0 = never")


@register
class NetTimeout(ToxicFault):
    kind = "net.timeout"
    Params = TimeoutParams
    summary = "Data stops flowing both ways; connections close after `timeout` ms (0: never)."
    toxic_type = "timeout"
    streams = ("upstream", "downstream")


class ResetParams(Strict):
    timeout: int = Field(0, ge=0, le=3_600_000, description="ms before the reset")


@register
class NetReset(ToxicFault):
    kind = "net.reset"
    Params = ResetParams
    summary = "Connections into the target are reset (TCP RST) on their next data."
    toxic_type = "reset_peer"
    streams = ("upstream",)


class BandwidthParams(Strict):
    rate: int = Field(1, ge=0, le=10_000_000, description="KB/s")
    stream: str = Field("downstream", pattern="^(upstream|downstream)$")


@register
class NetBandwidth(ToxicFault):
    kind = "net.bandwidth"
    Params = BandwidthParams
    summary = "Limit the bandwidth (KB/s) of traffic from the target."
    toxic_type = "bandwidth"


@register
class NetDown(ToxicFault):
    kind = "net.down"
    Params = NoParams
    summary = "Disable the target's proxy: connections are refused, open ones dropped."
    toxic_type = ""

    def plan(self, target: str, params: BaseModel) -> list[str]:
        proxy = PROXIES.get(target, target)
        return [
            f"POST /proxies/{proxy} enabled=false",
            f"revert: POST /proxies/{proxy} enabled=true",
        ]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        ctx.proxy.set_enabled(PROXIES[applied.target], False, ttl_left(applied))

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        ctx.proxy.set_enabled(PROXIES[applied.target], True)

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        return not ctx.proxy.enabled(PROXIES[applied.target])
