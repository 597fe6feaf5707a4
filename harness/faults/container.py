"""Container faults: kill, stop, pause, CPU throttle, memory pressure, disk fill."""

from __future__ import annotations

import signal
import time
from typing import Any

from docker.models.containers import Container
from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.errors import FaultError
from harness.faults.base import AppliedFault, Fault, FaultContext, NoParams
from harness.faults.registry import register

HEALTH_WAIT_S = 90.0
FILL_FILE = ".drill-disk-fill"


def update_limits(c: Container, **limits: Any) -> None:
    if c.client is None or c.id is None:
        raise FaultError(f"container {c.name} has no engine client")
    c.client.api.update_container(c.id, **limits)


def wait_running(
    container: Container, *, healthy: bool = True, timeout: float = HEALTH_WAIT_S
) -> None:
    """Until the container runs (and its healthcheck passes, if it has one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        container.reload()
        state = container.attrs.get("State", {})
        health = state.get("Health", {}).get("Status")
        if state.get("Running") and not state.get("Paused"):
            if not healthy or health in (None, "healthy"):
                return
        time.sleep(0.2)
    raise FaultError(f"{container.name} did not come back healthy within {timeout:.0f}s")


def start_if_down(container: Container) -> None:
    container.reload()
    if container.status == "paused":
        container.unpause()
    elif container.status != "running":
        container.start()
    wait_running(container)


class ContainerDownFault(Fault):
    """A fault that takes the container down; reverting starts it again."""

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        start_if_down(ctx.stack.container(applied.target))

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        c = ctx.stack.container(applied.target)
        c.reload()
        return c.status != "running"


class KillParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signal: str = "SIGKILL"

    @field_validator("signal")
    @classmethod
    def known_signal(cls, value: str) -> str:
        name = value.upper() if value.upper().startswith("SIG") else f"SIG{value.upper()}"
        if name not in signal.Signals.__members__:
            raise ValueError(f"unknown signal {value!r}")
        return name


@register
class ContainerKill(ContainerDownFault):
    kind = "container.kill"
    Params = KillParams
    summary = "Send a signal (default SIGKILL) to the service's container; revert starts it."

    def plan(self, target: str, params: BaseModel) -> list[str]:
        return [
            f"docker kill --signal {params.signal} <{target}>",  # type: ignore[attr-defined]
            f"revert: docker start <{target}>, wait healthy",
        ]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        ctx.stack.container(applied.target).kill(signal=applied.params["signal"])


class StopParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timeout: int = Field(10, ge=0, le=120, description="seconds before SIGKILL")


@register
class ContainerStop(ContainerDownFault):
    kind = "container.stop"
    Params = StopParams
    summary = "Stop the service's container (SIGTERM, then SIGKILL); revert starts it."

    def plan(self, target: str, params: BaseModel) -> list[str]:
        return [
            f"docker stop -t {params.timeout} <{target}>",  # type: ignore[attr-defined]
            f"revert: docker start <{target}>, wait healthy",
        ]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        ctx.stack.container(applied.target).stop(timeout=applied.params["timeout"])


class PauseFault(Fault):
    """Freeze every process of the container (cgroup freezer)."""

    def plan(self, target: str, params: BaseModel) -> list[str]:
        return [f"docker pause <{target}>", f"revert: docker unpause <{target}>"]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        ctx.stack.container(applied.target).pause()

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        c = ctx.stack.container(applied.target)
        c.reload()
        if c.status == "paused":
            c.unpause()

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        c = ctx.stack.container(applied.target)
        c.reload()
        return c.status == "paused"


@register
class ContainerPause(PauseFault):
    kind = "container.pause"
    Params = NoParams
    summary = "Freeze the service's processes (docker pause); revert unpauses."


class CpuParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cpus: float = Field(0.05, gt=0, le=64, description="CPU quota in CPUs")


@register
class ContainerCpuThrottle(Fault):
    kind = "container.cpu-throttle"
    Params = CpuParams
    summary = "Cap the container's CPU quota (docker update); revert restores the quota."
    period = 100_000

    def plan(self, target: str, params: BaseModel) -> list[str]:
        quota = int(params.cpus * self.period)  # type: ignore[attr-defined]
        return [
            f"docker update --cpu-period {self.period} --cpu-quota {quota} <{target}>",
            f"revert: restore the original CPU quota of <{target}>",
        ]

    def prepare(self, ctx: FaultContext, target: str, params: BaseModel) -> dict[str, Any]:
        hc = ctx.stack.container(target).attrs["HostConfig"]
        return {"cpu_quota": hc.get("CpuQuota") or 0, "cpu_period": hc.get("CpuPeriod") or 0}

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        c = ctx.stack.container(applied.target)
        quota = max(int(applied.params["cpus"] * self.period), 1000)
        update_limits(c, cpu_period=self.period, cpu_quota=quota)

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        c = ctx.stack.container(applied.target)
        quota = applied.revert_data.get("cpu_quota") or -1  # -1: no limit
        period = applied.revert_data.get("cpu_period") or self.period
        update_limits(c, cpu_period=period, cpu_quota=quota)

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        c = ctx.stack.container(applied.target)
        c.reload()
        quota = c.attrs["HostConfig"].get("CpuQuota") or 0
        return 0 < quota <= max(int(applied.params["cpus"] * self.period), 1000)


def set_memory(c: Container, memory: int, swap: int) -> None:
    """cgroup v1 wants memory <= memory+swap at every step, so order the two writes."""
    c.reload()
    current = c.attrs["HostConfig"].get("Memory") or 0
    if current and memory < current:
        update_limits(c, mem_limit=memory)
        update_limits(c, mem_limit=memory, memswap_limit=swap)
    else:
        update_limits(c, mem_limit=current or memory, memswap_limit=swap)
        update_limits(c, mem_limit=memory, memswap_limit=swap)


class MemoryParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit_mb: int = Field(48, ge=6, le=65536, description="memory limit, no swap")


@register
class ContainerMemoryPressure(Fault):
    kind = "container.memory-pressure"
    Params = MemoryParams
    summary = "Tight memory limit without swap (pressure or OOM kill); revert lifts it."

    def plan(self, target: str, params: BaseModel) -> list[str]:
        mb = params.limit_mb  # type: ignore[attr-defined]
        return [
            f"docker update --memory {mb}m --memory-swap {mb}m <{target}>",
            f"revert: restore the memory limit of <{target}>, start it if it was OOM-killed",
        ]

    def prepare(self, ctx: FaultContext, target: str, params: BaseModel) -> dict[str, Any]:
        hc = ctx.stack.container(target).attrs["HostConfig"]
        total = int(ctx.stack.client.info().get("MemTotal") or 0)
        return {"memory": hc.get("Memory") or 0, "swap": hc.get("MemorySwap") or 0, "host": total}

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        limit = applied.params["limit_mb"] * 1024 * 1024
        set_memory(ctx.stack.container(applied.target), limit, limit)

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        c = ctx.stack.container(applied.target)
        data = applied.revert_data
        # Docker cannot remove a memory limit once set; the host's memory is the same thing.
        memory = data.get("memory") or data.get("host") or 64 * 1024**3
        swap = data.get("swap") if (data.get("swap") or 0) > memory else 2 * memory
        set_memory(c, int(memory), int(swap or 0))
        start_if_down(c)

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        c = ctx.stack.container(applied.target)
        c.reload()
        return bool(c.attrs["HostConfig"].get("Memory") == applied.params["limit_mb"] * 1024**2)


class DiskParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    percent: int = Field(
        95, ge=1, le=100, description="target usage of the volume (100 leaves no byte free)"
    )
    max_mb: int = Field(2048, ge=1, le=20480, description="never write more than this")
    path: str | None = Field(None, description="directory to fill (default: data volume)")


@register
class ContainerDiskFill(Fault):
    kind = "container.disk-fill"
    Params = DiskParams
    summary = "Fill the service's data volume to a percentage with one file; revert deletes it."

    def plan(self, target: str, params: BaseModel) -> list[str]:
        p: Any = params
        where = p.path or "<data volume>"
        return [
            f"write {where}/{FILL_FILE} inside <{target}> until {p.percent}% used "
            f"(at most {p.max_mb} MB)",
            f"revert: rm {where}/{FILL_FILE}",
        ]

    def prepare(self, ctx: FaultContext, target: str, params: BaseModel) -> dict[str, Any]:
        path = params.path or data_mount(ctx.stack.container(target))  # type: ignore[attr-defined]
        return {"file": f"{path.rstrip('/')}/{FILL_FILE}", "dir": path}

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        d, f = applied.revert_data["dir"], applied.revert_data["file"]
        size, used, avail = disk_usage(ctx, applied.target, d)
        want = int(size * applied.params["percent"] / 100) - used
        # Below 100 % keep a margin, so a shared host disk is never filled to the last byte;
        # 100 % is for a size-limited volume (tmpfs) that must really run out of space.
        margin = 0 if applied.params["percent"] == 100 else 8 * 1024**2
        cap = min(max(want, 0), avail - margin, applied.params["max_mb"] * 1024**2)
        if cap <= 0:
            return
        if margin:
            mb = cap // 1024**2
            if mb == 0:
                return
            script = (
                f"fallocate -l {mb}M {f} 2>/dev/null || "
                f"dd if=/dev/zero of={f} bs=1M count={mb} 2>/dev/null; sync"
            )
        else:  # exact byte count: bounded by max_mb, and leaves nothing free
            script = f"head -c {cap} /dev/zero > {f} 2>/dev/null; sync"
        ctx.stack.exec(applied.target, ["sh", "-c", script], timeout=300)

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        c = ctx.stack.container(applied.target)
        c.reload()
        if c.status != "running":
            start_if_down(c)
        ctx.stack.exec(applied.target, ["rm", "-f", applied.revert_data["file"]], timeout=60)

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        result = ctx.stack.exec(applied.target, ["test", "-e", applied.revert_data["file"]])
        return result.exit_code == 0


def data_mount(container: Container) -> str:
    for mount in container.attrs.get("Mounts", []):
        if mount.get("Type") in ("volume", "tmpfs") and mount.get("RW", True):
            return str(mount["Destination"])
    raise FaultError(f"{container.name} has no writable data volume; pass --param path=DIR")


def disk_usage(ctx: FaultContext, service: str, path: str) -> tuple[int, int, int]:
    out = ctx.stack.exec(service, ["df", "-P", "-B1", path])
    try:
        fields = out.output.strip().splitlines()[-1].split()
        return int(fields[1]), int(fields[2]), int(fields[3])
    except (IndexError, ValueError) as exc:
        raise FaultError(f"cannot read disk usage of {path} in {service}: {out.output!r}") from exc
