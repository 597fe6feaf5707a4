"""The one interface every fault implements, and the record of an applied fault.

A fault class is stateless: `plan` says what it would do, `prepare` reads what revert
needs (original limits, ...) without touching anything, `inject` applies it, `revert`
undoes it (idempotent: reverting twice, or something already gone, is fine) and
`is_active` checks from outside that it is still in place.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from harness import settings
from harness.errors import FaultError
from harness.stack.compose import Stack

if TYPE_CHECKING:
    from harness.faults.network import ProxyControl


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class AppliedFault:
    id: str
    kind: str
    target: str
    params: dict[str, Any]
    injected_at: float  # Unix time
    expires_at: float  # Unix time: the watchdog reverts it then, whoever owns it
    owner: str
    revert_data: dict[str, Any] = field(default_factory=dict)
    detached: bool = False  # left in place on purpose (`drill fault inject` without duration)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AppliedFault:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def __str__(self) -> str:
        shown = " ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.kind} on {self.target}" + (f" ({shown})" if shown else "")


@dataclass
class FaultContext:
    """What faults act through: the compose project and the fault proxy's control API."""

    stack: Stack
    proxy_url: str | None = None

    @cached_property
    def proxy(self) -> ProxyControl:
        from harness.faults.network import ProxyControl

        return ProxyControl(self.proxy_url or settings.url("faultproxy"))


class Fault(ABC):
    kind: ClassVar[str]
    Params: ClassVar[type[BaseModel]] = NoParams
    summary: ClassVar[str]
    # Services a fault may aim at (None: any service of the project).
    targets: ClassVar[tuple[str, ...] | None] = None
    default_target: ClassVar[str | None] = None

    def parse(self, params: dict[str, Any]) -> BaseModel:
        from pydantic import ValidationError

        try:
            return self.Params.model_validate(params)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}"
                for e in exc.errors()
            )
            raise FaultError(f"{self.kind}: bad parameter ({problems})") from exc

    def check_target(self, ctx: FaultContext, target: str) -> None:
        """Refuse anything that is not a service of drill's own compose project."""
        ctx.stack.container(target)  # raises SafetyError, naming the project's services
        if self.targets is not None and target not in self.targets:
            raise FaultError(
                f"{self.kind} only applies to {', '.join(self.targets)} (got {target!r})"
            )

    def describe(self, target: str, params: BaseModel) -> str:
        shown = json.dumps(params.model_dump(mode="json"))
        return f"{self.kind} on {target} {shown}"

    @abstractmethod
    def plan(self, target: str, params: BaseModel) -> list[str]:
        """Human-readable steps, for --dry-run."""

    def prepare(self, ctx: FaultContext, target: str, params: BaseModel) -> dict[str, Any]:
        return {}

    @abstractmethod
    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None: ...

    @abstractmethod
    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None: ...

    @abstractmethod
    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool: ...
