"""The scenario file's shape (pydantic). Checks that need the checkout — fault types, compose
services, runbook files — live in `harness.scenario.loader`, so this model stays pure and its
JSON Schema (scenarios/schema.json) is what editors autocomplete against."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.scenario.durations import Duration, PositiveDuration

DEFAULT_RESPOND_S = 900.0
DEFAULT_RESOLVE_S = 1800.0


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


class Comparison(StrEnum):
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="
    NE = "!="

    def holds(self, value: float, threshold: float) -> bool:
        return {
            "<": value < threshold,
            "<=": value <= threshold,
            ">": value > threshold,
            ">=": value >= threshold,
            "==": value == threshold,
            "!=": value != threshold,
        }[self.value]


class LoadSpec(Strict):
    """Locust, headless in a subprocess; users and spawn rate are bounded on purpose."""

    locustfile: str = Field("scenarios/locustfile.py", description="path from the repo root")
    users: int = Field(4, ge=1, le=50)
    spawn_rate: float = Field(4.0, gt=0, le=50)
    enabled: bool = True


class HttpProbe(Strict):
    """GET (or another method) against one of drill's published services on 127.0.0.1."""

    type: Literal["http"] = "http"
    name: str
    service: Literal["api", "incidents", "prometheus", "alertmanager"] = "api"
    path: str = Field("/health", pattern=r"^/", description="path only; the host is 127.0.0.1")
    method: Literal["GET", "HEAD", "POST"] = "GET"
    json_body: dict[str, Any] | None = Field(None, description="JSON body for POST")
    expect_status: int = Field(200, ge=100, le=599)
    max_latency: PositiveDuration | None = Field(None, description="slower counts as failing")
    timeout: PositiveDuration = 3.0


class PrometheusProbe(Strict):
    """An instant PromQL query whose first value is compared with a threshold."""

    type: Literal["prometheus"] = "prometheus"
    name: str
    query: str = Field(min_length=1)
    op: Comparison = Comparison.LT
    threshold: float
    empty_ok: bool = Field(False, description="an empty result passes (e.g. no errors yet)")
    timeout: PositiveDuration = 2.0


Probe = Annotated[HttpProbe | PrometheusProbe, Field(discriminator="type")]


class FaultSpec(Strict):
    type: str = Field(description="a registered fault kind, e.g. container.kill")
    target: str = Field(description="a service of docker-compose.yml")
    params: dict[str, Any] = Field(default_factory=dict)
    duration: Duration | None = Field(
        None, description="revert after this long; omit to keep the fault until resolved"
    )


class Targets(Strict):
    respond: PositiveDuration = DEFAULT_RESPOND_S
    resolve: PositiveDuration = DEFAULT_RESOLVE_S


class AbortSpec(Strict):
    max_duration: PositiveDuration = Field(
        300.0, description="the drill ends (targets not yet met count as missed) after this"
    )
    steady_state_timeout: PositiveDuration = Field(
        90.0, description="give up (error, nothing injected) if steady state is not reached"
    )


class Scenario(Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    severity: Severity = Severity.SEV1
    description: str = ""
    runbook: str = Field(description="path from the repo root, e.g. ops/runbooks/server-down.md")
    load: LoadSpec = Field(default_factory=lambda: LoadSpec())
    steady_state: list[Probe] = Field(min_length=1)
    fault: FaultSpec
    expected_alerts: list[str] = Field(default_factory=list)
    targets: Targets = Field(default_factory=lambda: Targets())
    abort: AbortSpec = Field(default_factory=lambda: AbortSpec())
    probe_interval: PositiveDuration = 1.0
    recovery_checks: int = Field(
        2, ge=1, le=30, description="consecutive passing checks that count as mitigated"
    )
