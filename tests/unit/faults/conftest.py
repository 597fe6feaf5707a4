"""An in-process fault proxy and echo server on 127.0.0.1, on their own event loop thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import httpx
import pytest

from harness.faults.proxy import FaultProxy


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def _finish_tasks() -> None:
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


class ProxyHarness:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.proxy = FaultProxy(host="127.0.0.1", port=0)
        self.echo: asyncio.Server = self.call(asyncio.start_server(_echo, "127.0.0.1", 0))
        self.echo_port: int = self.echo.sockets[0].getsockname()[1]
        self.call(self.proxy.start())
        self.api = httpx.Client(base_url=self.proxy.url, timeout=5)

    def call(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(10)

    def create(self, name: str = "echo", **extra: Any) -> int:
        body = {"name": name, "listen": "127.0.0.1:0", "upstream": f"127.0.0.1:{self.echo_port}"}
        response = self.api.post("/proxies", json={**body, **extra})
        assert response.status_code == 201, response.text
        return int(response.json()["listen"].rsplit(":", 1)[1])

    def close(self) -> None:
        self.api.close()
        self.call(self.proxy.stop())
        self.echo.close()
        # Finish every connection handler on the loop before stopping it: a handler left
        # pending would run its `finally` on a closed loop and warn (an error under -W error).
        self.call(_finish_tasks())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def harness() -> Iterator[ProxyHarness]:
    h = ProxyHarness()
    try:
        yield h
    finally:
        h.close()
