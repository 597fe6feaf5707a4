"""The set of proxies behind the control API: Toxiproxy's operations, plus TTL expiry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from harness.faults.proxy.core import (
    DEFAULT_TTL_S,
    ERR_BAD_BODY,
    ERR_MISSING_FIELD,
    ERR_PROXY_EXISTS,
    ERR_PROXY_NOT_FOUND,
    ERR_TOXIC_NOT_FOUND,
    ApiError,
    Proxy,
    Resolver,
    attributes,
    build_toxic,
    parse_ttl,
)

log = logging.getLogger("drill.faultproxy")

SWEEP_S = 0.25


def _str_field(body: dict[str, Any], key: str, default: str = "") -> str:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ERR_BAD_BODY.joined(f"{key} must be a string")
    return value


def _bool_field(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ERR_BAD_BODY.joined(f"{key} must be a boolean")
    return value


class ProxyCollection:
    def __init__(self, *, default_ttl_s: float = DEFAULT_TTL_S) -> None:
        self.proxies: dict[str, Proxy] = {}
        self.default_ttl_s = default_ttl_s
        self.resolver = Resolver()
        self.sweeper: asyncio.Task[None] | None = None

    def get(self, name: str) -> Proxy:
        proxy = self.proxies.get(name)
        if proxy is None:
            raise ERR_PROXY_NOT_FOUND
        return proxy

    # -- proxies -------------------------------------------------------------------------
    async def create(self, body: dict[str, Any]) -> Proxy:
        name, upstream = _str_field(body, "name"), _str_field(body, "upstream")
        if not name:
            raise ERR_MISSING_FIELD.joined("name")
        if not upstream:
            raise ERR_MISSING_FIELD.joined("upstream")
        if name in self.proxies:
            raise ERR_PROXY_EXISTS
        proxy = Proxy(name, _str_field(body, "listen"), upstream, self.resolver)
        if _bool_field(body, "enabled", True):
            await proxy.start()
        self.proxies[name] = proxy
        return proxy

    async def update(self, name: str, body: dict[str, Any], ttl: Any = None) -> Proxy:
        proxy = self.get(name)
        listen = _str_field(body, "listen", proxy.listen)
        upstream = _str_field(body, "upstream", proxy.upstream)
        enabled = _bool_field(body, "enabled", proxy.enabled)
        # Checked before anything changes, so a bad ttl leaves the proxy as it was.
        reenable_after = parse_ttl(body.get("ttl", ttl), self.default_ttl_s)
        if listen != proxy.listen or upstream != proxy.upstream:
            await proxy.stop()
            proxy.listen, proxy.upstream = listen, upstream
        if enabled and not proxy.enabled:
            await proxy.start()
        elif not enabled and proxy.enabled:
            await proxy.stop()
            proxy.reenable_at = time.monotonic() + reenable_after
        return proxy

    async def delete(self, name: str) -> None:
        proxy = self.get(name)
        await proxy.stop()
        del self.proxies[name]

    async def reset(self) -> None:
        for proxy in self.proxies.values():
            await proxy.start()
            proxy.reset_toxics()

    async def populate(self, body: Any) -> list[Proxy]:
        if not isinstance(body, list):
            raise ERR_BAD_BODY.joined("expected a JSON array of proxies")
        for i, item in enumerate(body, start=1):
            if not isinstance(item, dict):
                raise ERR_BAD_BODY.joined(f"proxy {i} is not an object")
            if not _str_field(item, "name"):
                raise ERR_MISSING_FIELD.joined(f"name at proxy {i}")
            if not _str_field(item, "upstream"):
                raise ERR_MISSING_FIELD.joined(f"upstream at proxy {i}")
        result = []
        for item in body:
            existing = self.proxies.get(item["name"])
            same = existing is not None and (
                existing.upstream == item["upstream"]
                and item.get("listen") in (None, "", existing.listen)
            )
            if existing is not None and same:
                result.append(existing)
                continue
            if existing is not None:
                await self.delete(existing.name)
            result.append(await self.create(item))
        return result

    # -- toxics --------------------------------------------------------------------------
    def add_toxic(self, name: str, body: dict[str, Any], ttl: Any = None) -> dict[str, Any]:
        proxy = self.get(name)
        if ttl is not None and "ttl" not in body:
            body = {**body, "ttl": ttl}
        entry = build_toxic(body, {t.name for t in proxy.all_toxics()}, self.default_ttl_s)
        proxy.add_toxic(entry)
        log.info("proxy %s: toxic %s (%s), ttl %.0fs", name, entry.name, entry.type, entry.ttl_s)
        return entry.to_json()

    def update_toxic(self, name: str, toxic: str, body: dict[str, Any]) -> dict[str, Any]:
        proxy = self.get(name)
        entry = proxy.find(toxic)
        if entry is None:
            raise ERR_TOXIC_NOT_FOUND
        new_attrs = attributes(
            type(entry.toxic), entry.toxic.attrs.model_dump(), body.get("attributes")
        )
        toxicity = body.get("toxicity", entry.toxicity)
        if not isinstance(toxicity, int | float) or isinstance(toxicity, bool):
            raise ERR_BAD_BODY.joined("toxicity must be a number")
        if "ttl" in body:
            entry.ttl_s = parse_ttl(body["ttl"])
            entry.expires_at = time.monotonic() + entry.ttl_s
        entry.toxic.attrs, entry.toxicity = new_attrs, float(toxicity)
        proxy.toxics_changed()
        return entry.to_json()

    def remove_toxic(self, name: str, toxic: str) -> None:
        self.get(name).remove_toxic(toxic)

    # -- time to live --------------------------------------------------------------------
    def start_sweeper(self) -> None:
        if self.sweeper is None:
            self.sweeper = asyncio.create_task(self.sweep_forever())

    async def stop_sweeper(self) -> None:
        if self.sweeper is not None:
            self.sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sweeper
            self.sweeper = None

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_S)
            try:
                await self.sweep(time.monotonic())
            except Exception:  # one bad proxy must not stop expiry of the others
                log.exception("ttl sweep failed")

    async def sweep(self, now: float) -> None:
        for proxy in list(self.proxies.values()):
            for entry in proxy.all_toxics():
                if entry.expires_at <= now:
                    log.warning("proxy %s: toxic %s expired (ttl)", proxy.name, entry.name)
                    proxy.remove_toxic(entry.name)
            if proxy.reenable_at is not None and proxy.reenable_at <= now:
                log.warning("proxy %s: disabled past its ttl, enabling", proxy.name)
                try:
                    await proxy.start()
                except ApiError as exc:
                    log.error("proxy %s: cannot enable: %s", proxy.name, exc.message)
                    proxy.reenable_at = now + 5

    async def close(self) -> None:
        await self.stop_sweeper()
        for proxy in self.proxies.values():
            await proxy.stop()
