"""drill's fault proxy: an asyncio TCP proxy with Toxiproxy's control API.

    python3 -m harness.faults.proxy --host 0.0.0.0 --port 8474 --config proxies.json

Modules: `toxics` (toxic types), `link` (one proxied connection), `core` (a proxy and
its toxics), `collection` (the API's operations and TTL expiry), `http` and `api` (the
control server). Imports stdlib and pydantic only: it runs in the app image.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from harness.faults.proxy import http
from harness.faults.proxy.api import ControlApi
from harness.faults.proxy.collection import ProxyCollection
from harness.faults.proxy.core import DEFAULT_TTL_S, ApiError

__all__ = ["FaultProxy", "ProxyCollection"]

log = logging.getLogger("drill.faultproxy")


class FaultProxy:
    """The control server plus its proxies, on the running event loop."""

    def __init__(self, *, host: str, port: int, default_ttl_s: float = DEFAULT_TTL_S) -> None:
        self.host, self.port = host, port
        self.collection = ProxyCollection(default_ttl_s=default_ttl_s)
        self.server: asyncio.Server | None = None

    async def start(self, config: Path | None = None) -> None:
        if config is not None:
            await self.populate_file(config)
        self.collection.start_sweeper()
        self.server = await http.start(ControlApi(self.collection), self.host, self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        log.info("control API on %s:%d", self.host, self.port)

    async def populate_file(self, config: Path) -> None:
        try:
            proxies = await self.collection.populate(json.loads(config.read_text()))
        except (OSError, ValueError) as exc:
            log.error("cannot read config %s: %s", config, exc)
        except ApiError as exc:
            log.error("config %s: %s", config, exc.message)
        else:
            log.info("populated %d proxies from %s", len(proxies), config)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        await self.collection.close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
