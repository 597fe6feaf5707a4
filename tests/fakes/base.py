"""What every fake SaaS shares: a request log, an outage switch, scripted failures, and a
real uvicorn server on 127.0.0.1 in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeState:
    """Controls shared by the fakes. `now` is injectable so an outage can be "30 s" long
    on a manual clock."""

    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    requests: list[Recorded] = field(default_factory=list)
    outage_until: datetime | None = None
    # Answers to give before behaving normally: (status, headers, body)
    script: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Request, body: Any) -> None:
        with self.lock:
            self.requests.append(
                Recorded(request.method, request.url.path, dict(request.headers), body)
            )

    def interfere(self) -> Response | None:
        """An outage (503) or the next scripted answer, if any."""
        with self.lock:
            if self.outage_until is not None and self.now() < self.outage_until:
                return JSONResponse({"error": "service unavailable"}, status_code=503)
            if self.script:
                status, headers, body = self.script.pop(0)
                return JSONResponse(body, status_code=status, headers=headers)
        return None


async def read_json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Running:
    """A FastAPI app served by uvicorn on 127.0.0.1; stop() and start() keep the port."""

    def __init__(self, app: FastAPI, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> Running:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            access_log=False,
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"server on {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=10)
        self.server = None

    def __enter__(self) -> Running:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
