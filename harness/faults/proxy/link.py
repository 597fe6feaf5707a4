"""One proxied connection: two pumps (client -> upstream, upstream -> client).

With no toxic on a direction a pump copies straight from reader to writer, so the clean
path costs one read and one write per chunk. Once a toxic is present, chunks are stamped
and queued to a consumer task that runs the toxic chain; reading goes on meanwhile, so a
latency toxic delays data without throttling it. The pump returns to the direct path only
after the queue has drained, which keeps byte order intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness.faults.proxy.toxics import Chunk, End, Stream

if TYPE_CHECKING:
    from harness.faults.proxy.core import ToxicEntry

log = logging.getLogger("drill.faultproxy")

# Big reads and a big stream limit keep bulk transfers to few loop wake-ups; small
# request/response traffic is unaffected (a read returns what has arrived).
READ_SIZE = 1024 * 1024
STREAM_LIMIT = 4 * 1024 * 1024
HIGH_WATER = 1024 * 1024
QUEUE_CHUNKS = 256


class Chain:
    """What a link asks its proxy for: the toxics of one direction, in order."""

    def toxics(self, stream: Stream) -> Sequence[ToxicEntry]:
        raise NotImplementedError


class Pump:
    def __init__(
        self, link: Link, stream: Stream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.link, self.stream, self.reader, self.writer = link, stream, reader, writer
        self.queue: asyncio.Queue[Chunk | None] = asyncio.Queue(QUEUE_CHUNKS)
        self.pending = 0
        self.consumer: asyncio.Task[None] | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        reader, writer, chain = self.reader, self.writer, self.link.chain
        while True:
            data = await reader.read(READ_SIZE)
            if not data:
                break
            if self.pending == 0 and not chain.toxics(self.stream):
                writer.write(data)
                if writer.transport.get_write_buffer_size() > HIGH_WATER:
                    await writer.drain()
                continue
            self.pending += 1
            if self.consumer is None:
                self.consumer = asyncio.create_task(self.consume())
            await self.queue.put(Chunk(data, loop.time()))
        if self.consumer is not None:
            await self.queue.put(None)
            await self.consumer
        else:
            await self.finish()

    async def consume(self) -> None:
        while True:
            chunk = await self.queue.get()
            if chunk is None:
                await self.finish()
                return
            end = await self.link.run_chain(self.stream, chunk, self.write)
            self.pending -= 1
            if end:
                self.link.end(end)
                return
            if self.pending == 0 and self.queue.empty():
                # Back to the direct path; the next toxic chunk starts a new consumer.
                self.consumer = None
                return

    async def write(self, chunk: Chunk) -> End | None:
        self.writer.write(chunk.data)
        await self.writer.drain()
        return None

    async def finish(self) -> None:
        """The sender closed its side: pass the close on (after slow_close), half-close."""
        for entry, state in self.link.active(self.stream):
            await entry.toxic.on_eof(state)
        with contextlib.suppress(OSError, RuntimeError):
            if self.writer.can_write_eof():
                self.writer.write_eof()
        self.link.half_closed(self.stream)


class Link:
    def __init__(
        self,
        chain: Chain,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    ) -> None:
        self.chain = chain
        self.client_writer, self.upstream_writer = client[1], upstream[1]
        self.pumps = {
            Stream.UPSTREAM: Pump(self, Stream.UPSTREAM, client[0], upstream[1]),
            Stream.DOWNSTREAM: Pump(self, Stream.DOWNSTREAM, upstream[0], client[1]),
        }
        # Toxicity is rolled once per toxic and connection, as Toxiproxy does.
        self.rolls: dict[int, bool] = {}
        self.states: dict[int, dict[str, Any]] = {}
        self.timers: dict[int, asyncio.Task[None]] = {}
        self.closed_streams: set[Stream] = set()
        self.done = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def run(self) -> None:
        self.sync_toxics()
        self.tasks = [asyncio.create_task(self.guard(p)) for p in self.pumps.values()]
        await self.done.wait()
        for task in self.tasks:
            task.cancel()
        for pump in self.pumps.values():
            if pump.consumer is not None:
                pump.consumer.cancel()

    async def guard(self, pump: Pump) -> None:
        try:
            await pump.run()
        except (ConnectionError, OSError):
            self.end(End.CLOSE)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug in a toxic must not leak the connection
            log.exception("link pump failed")
            self.end(End.CLOSE)

    # -- toxics --------------------------------------------------------------------------
    def active(self, stream: Stream) -> list[tuple[ToxicEntry, dict[str, Any]]]:
        result = []
        for entry in self.chain.toxics(stream):
            if self.roll(entry):
                result.append((entry, self.states.setdefault(entry.uid, entry.toxic.new_state())))
        return result

    def roll(self, entry: ToxicEntry) -> bool:
        if entry.uid not in self.rolls:
            self.rolls[entry.uid] = random.random() < entry.toxicity
        return self.rolls[entry.uid]

    async def run_chain(self, stream: Stream, chunk: Chunk, write: Any) -> End | None:
        chain = self.active(stream)

        async def step(i: int, piece: Chunk) -> End | None:
            if i == len(chain):
                result: End | None = await write(piece)
                return result
            entry, state = chain[i]
            return await entry.toxic.on_chunk(piece, state, lambda c: step(i + 1, c))

        return await step(0, chunk)

    def sync_toxics(self) -> None:
        """Called when the proxy's toxics change: start or cancel close timers."""
        live: set[int] = set()
        for stream in Stream:
            for entry, _state in self.active(stream):
                live.add(entry.uid)
                ms = entry.toxic.timer_ms()
                if ms > 0 and entry.uid not in self.timers:
                    self.timers[entry.uid] = asyncio.create_task(self.close_after(ms))
        for uid in list(self.timers):
            if uid not in live:
                self.timers.pop(uid).cancel()
        for uid in list(self.states):
            if uid not in live:
                del self.states[uid]

    async def close_after(self, ms: int) -> None:
        await asyncio.sleep(ms / 1000)
        self.end(End.CLOSE)

    # -- ending --------------------------------------------------------------------------
    def half_closed(self, stream: Stream) -> None:
        self.closed_streams.add(stream)
        if len(self.closed_streams) == 2:
            self.end(End.CLOSE)

    def end(self, how: End) -> None:
        if self.done.is_set():
            return
        for writer in (self.client_writer, self.upstream_writer):
            if how is End.RESET:
                reset(writer)
            else:
                writer.close()
        for timer in self.timers.values():
            timer.cancel()
        self.done.set()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0 so the kernel sends RST instead of FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
