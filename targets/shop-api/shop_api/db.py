"""PostgreSQL access with a client-side deadline on every call.

A frozen or firewalled database keeps TCP connections open without answering, and
libpq's blocking calls would then hang a worker forever (server-side statement_timeout
cannot fire on a frozen server). So connections are asynchronous and every wait is a
select() against a deadline: a stalled database gives a fast error, never a hung worker.
"""

from __future__ import annotations

import os
import queue
import select
import time
from collections.abc import Sequence
from typing import Any

import psycopg2
import psycopg2.extensions as ext
from prometheus_client import Histogram

QUERY_SECONDS = Histogram(
    "shop_db_query_duration_seconds",
    "Database round trips, by query name",
    ["query"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
)


class DatabaseError(Exception):
    """The database failed or did not answer within the deadline."""


def _dsn() -> str:
    env = os.environ.get
    return (
        f"host={env('SHOP_DB_HOST', 'db')} port={env('SHOP_DB_PORT', '5432')} "
        f"dbname={env('SHOP_DB_NAME', 'shop')} user={env('SHOP_DB_USER', 'shop')} "
        f"password={env('SHOP_DB_PASSWORD', 'shop')} application_name=shop-api "
        f"connect_timeout={max(1, int(timeout_s()))}"
    )


def timeout_s() -> float:
    return float(os.environ.get("SHOP_DB_TIMEOUT_S", "2"))


def _wait(conn: Any, deadline: float) -> None:
    while True:
        state = conn.poll()
        if state == ext.POLL_OK:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DatabaseError(f"database did not answer within {timeout_s():.1f}s")
        fd = conn.fileno()
        if state == ext.POLL_READ:
            select.select([fd], [], [], remaining)
        elif state == ext.POLL_WRITE:
            select.select([], [fd], [], remaining)
        else:  # pragma: no cover - libpq never returns anything else
            raise DatabaseError(f"unexpected poll state {state}")


class Pool:
    """A small pool of async connections; a connection that failed is thrown away."""

    def __init__(self, size: int = 8) -> None:
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue(maxsize=size)

    def _connect(self, deadline: float) -> Any:
        conn = psycopg2.connect(_dsn(), async_=True)
        _wait(conn, deadline)
        return conn

    def query(self, name: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + timeout_s()
        started = time.perf_counter()
        conn = None
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = self._connect(deadline)
            cur = conn.cursor()
            cur.execute(sql, params)
            _wait(conn, deadline)
            rows = cur.fetchall() if cur.description else []
        except (psycopg2.Error, OSError, DatabaseError) as exc:
            if conn is not None:
                conn.close()
            raise DatabaseError(str(exc).strip() or exc.__class__.__name__) from exc
        finally:
            QUERY_SECONDS.labels(name).observe(time.perf_counter() - started)
        try:
            self._idle.put_nowait(conn)
        except queue.Full:
            conn.close()
        return rows


pool = Pool()
