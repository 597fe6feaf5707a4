"""A small HTTP/1.1 server on asyncio streams for the control API.

It shares the event loop with the proxied connections and costs them nothing while idle,
which a framework with its own worker model would not guarantee. It understands what
Toxiproxy clients send: keep-alive, Content-Length or chunked bodies, query strings.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote, urlsplit

log = logging.getLogger("drill.faultproxy")

MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
IDLE_S = 60.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response]]


class BadRequest(Exception):
    pass


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError as exc:
        raise BadRequest("request head too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError as exc:
        raise BadRequest("malformed request line") from exc
    headers = {}
    for line in lines[1:]:
        if line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    url = urlsplit(target)
    body = await read_body(reader, headers)
    return Request(method.upper(), unquote(url.path), dict(parse_qsl(url.query)), headers, body)


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            total += size
            if total > MAX_BODY:
                raise BadRequest("body too large")
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = int(headers.get("content-length", "0") or 0)
    if length > MAX_BODY:
        raise BadRequest("body too large")
    return await reader.readexactly(length) if length else b""


def encode(response: Response, keep_alive: bool) -> bytes:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    head = [f"HTTP/1.1 {response.status} {reason}"]
    if response.status != 204:
        head += [f"Content-Type: {response.content_type}", f"Content-Length: {len(response.body)}"]
    head += [f"{k}: {v}" for k, v in response.headers.items()]
    head.append(f"Connection: {'keep-alive' if keep_alive else 'close'}")
    body = b"" if response.status == 204 else response.body
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


async def serve_connection(
    handler: Handler, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                request = await asyncio.wait_for(read_request(reader), IDLE_S)
            except (BadRequest, ValueError, asyncio.IncompleteReadError) as exc:
                writer.write(encode(Response(400, f"{exc}\n".encode(), "text/plain"), False))
                break
            if request is None:
                break
            keep_alive = request.headers.get("connection", "").lower() != "close"
            try:
                response = await handler(request)
            except Exception:  # a handler bug is a 500, not a dead control API
                log.exception("control API handler failed")
                response = Response(500, b'{"error":"internal error","status":500}\n')
            writer.write(encode(response, keep_alive))
            await writer.drain()
            if not keep_alive:
                break
    except (TimeoutError, ConnectionError):
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            writer.close()


async def start(handler: Handler, host: str, port: int) -> asyncio.Server:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_connection(handler, reader, writer)

    return await asyncio.start_server(on_client, host, port, limit=MAX_HEAD)
