"""Toxic types with Toxiproxy's names, attributes and behaviour.

A toxic sees the chunks of one direction of one connection. `on_chunk` passes data on
through `emit` (possibly later, in pieces, or not at all) and may end the connection;
`on_eof` runs when the sender closed its side. Attribute names and units are Toxiproxy's:
milliseconds for latency/jitter/timeout/delay, KB/s for rate, microseconds for the slicer
delay, bytes for limit_data.
"""

from __future__ import annotations

import asyncio
import random
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Stream(StrEnum):
    UPSTREAM = "upstream"  # client -> upstream
    DOWNSTREAM = "downstream"  # upstream -> client


class End(StrEnum):
    """How a toxic ends the connection."""

    CLOSE = "close"
    RESET = "reset"  # RST: SO_LINGER 0, unsent data discarded


@dataclass(frozen=True)
class Chunk:
    data: bytes
    at: float  # loop time the proxy read it; latency counts from here


Emit = Callable[[Chunk], Awaitable[End | None]]


class Attributes(BaseModel):
    # Go's decoder ignores unknown keys, so do we.
    model_config = ConfigDict(extra="ignore")


async def sleep_until(loop: asyncio.AbstractEventLoop, deadline: float) -> None:
    delay = deadline - loop.time()
    if delay > 0:
        await asyncio.sleep(delay)


class Toxic(ABC):
    type_name: ClassVar[str]
    Attrs: ClassVar[type[Attributes]]

    def __init__(self, attrs: Attributes) -> None:
        self.attrs = attrs

    def new_state(self) -> dict[str, Any]:
        """Per-connection state, kept while the toxic stays on the link."""
        return {}

    def timer_ms(self) -> int:
        """If > 0, the link is closed this long after the toxic reaches it."""
        return 0

    @abstractmethod
    async def on_chunk(self, chunk: Chunk, state: dict[str, Any], emit: Emit) -> End | None: ...

    async def on_eof(self, state: dict[str, Any]) -> None:
        return None


TOXICS: dict[str, type[Toxic]] = {}


def toxic_type(cls: type[Toxic]) -> type[Toxic]:
    TOXICS[cls.type_name] = cls
    return cls


class LatencyAttrs(Attributes):
    latency: int = 0
    jitter: int = 0


@toxic_type
class Latency(Toxic):
    """Each chunk is delayed by latency ± jitter ms, counted from when it was read."""

    type_name = "latency"
    Attrs = LatencyAttrs
    attrs: LatencyAttrs

    def delay_s(self) -> float:
        delay = self.attrs.latency
        if self.attrs.jitter > 0:
            delay += random.randint(-self.attrs.jitter, self.attrs.jitter)
        return max(delay, 0) / 1000

    async def on_chunk(self, chunk: Chunk, state: dict[str, Any], emit: Emit) -> End | None:
        loop = asyncio.get_running_loop()
        await sleep_until(loop, chunk.at + self.delay_s())
        return await emit(chunk)


class BandwidthAttrs(Attributes):
    rate: int = 0  # KB/s


@toxic_type
class Bandwidth(Toxic):
    """Data passes at `rate` KB/s; big chunks go out in 100 ms slices."""

    type_name = "bandwidth"
    Attrs = BandwidthAttrs
    attrs: BandwidthAttrs

    async def on_chunk(self, chunk: Chunk, state: dict[str, Any], emit: Emit) -> End | None:
        rate = self.attrs.rate * 1000  # bytes per second
        if rate <= 0:
            return await emit(chunk)
        loop = asyncio.get_running_loop()
        # The link's clock: when the bytes sent so far would have finished at this rate.
        free_at = max(state.get("free_at", 0.0), loop.time())
        data, slice_size = chunk.data, max(rate // 10, 1)
        while data:
            piece, data = data[:slice_size], data[slice_size:]
            free_at += len(piece) / rate
            await sleep_until(loop, free_at)
            state["free_at"] = free_at
            if end := await emit(Chunk(piece, chunk.at)):
                return end
        return None


class SlowCloseAttrs(Attributes):
    delay: int = 0


@toxic_type
class SlowClose(Toxic):
    """The close is passed on `delay` ms late."""

    type_name = "slow_close"
    Attrs = SlowCloseAttrs
    attrs: SlowCloseAttrs

    async def on_chunk(self, chunk: Chunk, state: dict[str, Any], emit: Emit) -> End | None:
        return await emit(chunk)

    async def on_eof(self, state: dict[str, Any]) -> None:
        await asyncio.sleep(max(self.attrs.delay, 0) / 1000)


class TimeoutAttrs(Attributes):
    timeout: int = 0


@toxic_type
class Timeout(Toxic):
    """No data gets through; the connection is closed after `timeout` ms (0: never)."""

    type_name = "timeout"
    Attrs = TimeoutAttrs
    attrs: TimeoutAttrs

    def timer_ms(self) -> int:
        return max(self.attrs.timeout, 0)

    async def on_chunk(self, chunk: Chunk, state: dict[str, Any], emit: Emit) -> End | None:
        return None  # dropped on the floor, as Toxiproxy does


class ResetPeerAttrs(Attributes):
    timeout: int = 0


@toxic_type
class ResetPeer(Toxic):
    """The next data resets the connection (TCP RST), `timeout` ms later."""

    type_name = "reset_peer"
    Attrs = ResetPeerAttrs
    attrs: ResetPeerAttrs

    async def on_chunk(self, chunk: Chunk, state: dict[str, Any], emit: Emit) -> End | None:
        await asyncio.sleep(max(self.attrs.timeout, 0) / 1000)
        return End.RESET


class LimitDataAttrs(Attributes):
    bytes: int = 0


@toxic_type
class LimitData(Toxic):
    """The connection is closed once `bytes` bytes have passed."""

    type_name = "limit_data"
    Attrs = LimitDataAttrs
    attrs: LimitDataAttrs

    def new_state(self) -> dict[str, Any]:
        return {"sent": 0}

    async def on_chunk(self, chunk: Chunk, state: dict[str, Any], emit: Emit) -> End | None:
        remaining = max(self.attrs.bytes - state["sent"], 0)
        data = chunk.data[:remaining]
        if data:
            state["sent"] += len(data)
            if end := await emit(Chunk(data, chunk.at)):
                return end
        return End.CLOSE if state["sent"] >= self.attrs.bytes else None


class SlicerAttrs(Attributes):
    average_size: int = 0
    size_variation: int = 0
    delay: int = 0  # microseconds between slices


@toxic_type
class Slicer(Toxic):
    """Chunks are cut into pieces of about `average_size` bytes."""

    type_name = "slicer"
    Attrs = SlicerAttrs
    attrs: SlicerAttrs

    def cuts(self, start: int, end: int) -> list[int]:
        avg, var = max(self.attrs.average_size, 1), max(self.attrs.size_variation, 0)
        if (end - start) - avg <= var:
            return [start, end]
        mid = start + (end - start) // 2 + (random.randint(-var, var) if var else 0)
        mid = min(max(mid, start + 1), end - 1)
        return self.cuts(start, mid) + self.cuts(mid, end)[1:]

    async def on_chunk(self, chunk: Chunk, state: dict[str, Any], emit: Emit) -> End | None:
        bounds = self.cuts(0, len(chunk.data))
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            if end := await emit(Chunk(chunk.data[lo:hi], chunk.at)):
                return end
            if self.attrs.delay > 0:
                await asyncio.sleep(self.attrs.delay / 1_000_000)
        return None
