"""Proxies and their toxics, with Toxiproxy's semantics and error messages.

Drill extension: every toxic carries a time to live (`ttl`, seconds, default 900) and a
proxy disabled through the API is enabled again after its `ttl`, so no network fault
outlives its owner. Toxiproxy clients never send `ttl` and ignore it in answers.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from harness.faults.proxy.link import STREAM_LIMIT, Chain, Link
from harness.faults.proxy.toxics import TOXICS, End, Stream, Toxic

log = logging.getLogger("drill.faultproxy")

DEFAULT_TTL_S = 900.0
MAX_TTL_S = 7 * 24 * 3600.0
RESOLVE_CACHE_S = 2.0
CONNECT_S = 10.0  # upstream connect, freshly resolved
CACHED_CONNECT_S = 0.1  # upstream connect to a cached address (same network: sub-ms when up)
_uids = itertools.count(1)


class ApiError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status

    def joined(self, detail: str) -> ApiError:
        return ApiError(f"{self.message}: {detail}", self.status)


ERR_BAD_BODY = ApiError("bad request body", 400)
ERR_MISSING_FIELD = ApiError("missing required field", 400)
ERR_PROXY_NOT_FOUND = ApiError("proxy not found", 404)
ERR_PROXY_EXISTS = ApiError("proxy already exists", 409)
ERR_INVALID_STREAM = ApiError("stream was invalid, can be either upstream or downstream", 400)
ERR_INVALID_TYPE = ApiError("invalid toxic type", 400)
ERR_TOXIC_EXISTS = ApiError("toxic already exists", 409)
ERR_TOXIC_NOT_FOUND = ApiError("toxic not found", 404)


def parse_ttl(value: Any, default: float = DEFAULT_TTL_S) -> float:
    if value is None or value == "":
        return default
    try:
        ttl = float(value)
    except (TypeError, ValueError) as exc:
        raise ERR_BAD_BODY.joined(f"ttl {value!r} is not a number of seconds") from exc
    if not 0 < ttl <= MAX_TTL_S:
        raise ERR_BAD_BODY.joined(f"ttl must be between 0 and {MAX_TTL_S:.0f} seconds")
    return ttl


def split_hostport(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ApiError(f"address {address}: missing port in address", 500)
    return host.strip("[]"), int(port)


@dataclass
class ToxicEntry:
    name: str
    type: str
    stream: Stream
    toxicity: float
    toxic: Toxic
    ttl_s: float
    expires_at: float  # time.monotonic()
    uid: int = field(default_factory=lambda: next(_uids))

    def to_json(self) -> dict[str, Any]:
        return {
            "attributes": self.toxic.attrs.model_dump(),
            "name": self.name,
            "type": self.type,
            "stream": str(self.stream),
            "toxicity": self.toxicity,
            "ttl": self.ttl_s,
        }


def build_toxic(body: dict[str, Any], names: set[str], ttl_default: float) -> ToxicEntry:
    """Toxiproxy's AddToxicJson, in its order of checks."""
    try:
        stream = Stream(body.get("stream") or "downstream")
    except ValueError as exc:
        raise ERR_INVALID_STREAM from exc
    kind = str(body.get("type") or "")
    name = str(body.get("name") or f"{kind}_{stream}")
    cls = TOXICS.get(kind)
    if cls is None:
        raise ERR_INVALID_TYPE
    if name in names:
        raise ERR_TOXIC_EXISTS
    toxicity = body.get("toxicity", 1.0)
    if not isinstance(toxicity, int | float) or isinstance(toxicity, bool):
        raise ERR_BAD_BODY.joined("toxicity must be a number")
    attrs = attributes(cls, {}, body.get("attributes"))
    ttl = parse_ttl(body.get("ttl"), ttl_default)
    return ToxicEntry(name, kind, stream, float(toxicity), cls(attrs), ttl, time.monotonic() + ttl)


def attributes(cls: type[Toxic], base: dict[str, Any], given: Any) -> Any:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ERR_BAD_BODY.joined("attributes must be an object")
    try:
        return cls.Attrs.model_validate({**base, **given})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ERR_BAD_BODY.joined(f"attributes.{where}: {first['msg']}") from exc


class Resolver:
    """Upstream names resolved off the loop, cached briefly (containers change address)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, int], tuple[float, str]] = {}

    async def resolve(self, host: str, port: int) -> str:
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
            return host
        except OSError:
            pass
        hit = self.cache.get((host, port))
        now = time.monotonic()
        if hit and hit[0] > now:
            return hit[1]
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        address = str(infos[0][4][0])
        self.cache[(host, port)] = (now + RESOLVE_CACHE_S, address)
        return address

    def forget(self, host: str, port: int) -> None:
        self.cache.pop((host, port), None)


class Proxy(Chain):
    def __init__(self, name: str, listen: str, upstream: str, resolver: Resolver) -> None:
        self.name, self.listen, self.upstream = name, listen or "0.0.0.0:0", upstream
        self.enabled = False
        self.server: asyncio.Server | None = None
        self.links: set[Link] = set()
        self.chains: dict[Stream, list[ToxicEntry]] = {s: [] for s in Stream}
        self.reenable_at: float | None = None
        self.resolver = resolver

    # -- Chain ---------------------------------------------------------------------------
    def toxics(self, stream: Stream) -> Sequence[ToxicEntry]:
        return self.chains[stream]

    def all_toxics(self) -> list[ToxicEntry]:
        return [*self.chains[Stream.UPSTREAM], *self.chains[Stream.DOWNSTREAM]]

    def find(self, name: str) -> ToxicEntry | None:
        return next((t for t in self.all_toxics() if t.name == name), None)

    def add_toxic(self, entry: ToxicEntry) -> None:
        self.chains[entry.stream] = [*self.chains[entry.stream], entry]
        self.toxics_changed()

    def remove_toxic(self, name: str) -> None:
        entry = self.find(name)
        if entry is None:
            raise ERR_TOXIC_NOT_FOUND
        self.chains[entry.stream] = [t for t in self.chains[entry.stream] if t is not entry]
        self.toxics_changed()

    def reset_toxics(self) -> None:
        self.chains = {s: [] for s in Stream}
        self.toxics_changed()

    def toxics_changed(self) -> None:
        for link in list(self.links):
            link.sync_toxics()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "toxics": [t.to_json() for t in self.all_toxics()],
        }

    # -- listening -----------------------------------------------------------------------
    async def start(self) -> None:
        if self.enabled:
            return
        host, port = split_hostport(self.listen)
        try:
            self.server = await asyncio.start_server(
                self.accept, host or None, port, limit=STREAM_LIMIT
            )
        except OSError as exc:
            raise ApiError(f"listen tcp {self.listen}: {exc.strerror or exc}", 500) from exc
        bound = self.server.sockets[0].getsockname()
        self.listen = f"{host or '0.0.0.0'}:{bound[1]}"
        self.enabled = True
        self.reenable_at = None
        log.info("proxy %s listening on %s -> %s", self.name, self.listen, self.upstream)

    async def stop(self) -> None:
        if not self.enabled:
            return
        self.enabled = False
        if self.server is not None:
            self.server.close()
            self.server = None
        for link in list(self.links):
            link.end(End.CLOSE)
        log.info("proxy %s stopped", self.name)

    async def connect_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A cached address may belong to a container that is gone, where a connect hangs
        instead of failing: give it a short try, then resolve afresh with the full timeout."""
        host, port = split_hostport(self.upstream)
        cached = (host, port) in self.resolver.cache
        for timeout in (CACHED_CONNECT_S, CONNECT_S) if cached else (CONNECT_S,):
            try:
                address = await self.resolver.resolve(host, port)
                return await asyncio.wait_for(
                    asyncio.open_connection(address, port, limit=STREAM_LIMIT), timeout
                )
            except (OSError, TimeoutError):
                self.resolver.forget(host, port)
                if timeout == CONNECT_S:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream = await self.connect_upstream()
        except (OSError, TimeoutError) as exc:
            log.warning("proxy %s: upstream %s unreachable: %s", self.name, self.upstream, exc)
            writer.close()
            return
        link = Link(self, (reader, writer), upstream)
        self.links.add(link)
        try:
            await link.run()
        finally:
            self.links.discard(link)
