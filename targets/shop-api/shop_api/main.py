"""Shop API endpoints and their Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pydantic import BaseModel, Field
from starlette.routing import Match

from shop_api import spool
from shop_api.db import DatabaseError, pool

REQUESTS = Counter(
    "shop_http_requests_total",
    "HTTP requests by route, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "shop_http_request_duration_seconds",
    "HTTP request latency by route",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_FLIGHT = Gauge("shop_http_in_flight", "HTTP requests being served")
DB_UP = Gauge("shop_db_up", "1 when the last database check succeeded")

app = FastAPI(title="drill shop API", version="1.0")


class OrderIn(BaseModel):
    product_id: int = Field(gt=0)
    quantity: int = Field(gt=0, le=100)


def _route(request: Request) -> str:
    # Label by route template, not raw path, so /orders/{id} stays one series.
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "unknown"))
    return "unmatched"


@app.middleware("http")
async def observe(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    route = _route(request)
    if route == "/metrics":
        return await call_next(request)
    IN_FLIGHT.inc()
    started = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        return response
    finally:
        IN_FLIGHT.dec()
        LATENCY.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(route, request.method, str(status)).inc()


def _db(name: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    try:
        rows = pool.query(name, sql, params)
    except DatabaseError as exc:
        DB_UP.set(0)
        raise HTTPException(status_code=503, detail=f"database unavailable: {exc}") from exc
    DB_UP.set(1)
    return rows


def _spool(order: OrderIn) -> None:
    try:
        spool.journal({"product_id": order.product_id, "quantity": order.quantity})
    except OSError as exc:
        raise HTTPException(status_code=507, detail=f"order spool unwritable: {exc}") from exc


@app.get("/health")
def health() -> dict[str, str]:
    if not spool.has_room():
        raise HTTPException(status_code=503, detail="order spool is full")
    _db("health", "SELECT 1")
    return {"status": "ok", "database": "up", "spool": "ok"}


@app.get("/products")
def products() -> list[dict[str, object]]:
    rows = _db("products", "SELECT id, name, price_cents, stock FROM products ORDER BY id")
    return [{"id": r[0], "name": r[1], "price_cents": r[2], "stock": r[3]} for r in rows]


@app.post("/orders", status_code=201)
def create_order(order: OrderIn) -> dict[str, object]:
    # Journal first: an order that cannot be spooled is refused before it touches stock.
    _spool(order)
    # One statement, so the async (autocommit) connection keeps stock and order consistent.
    rows = _db(
        "create_order",
        "WITH p AS (UPDATE products SET stock = stock - %s WHERE id = %s AND stock >= %s "
        "RETURNING id) INSERT INTO orders (product_id, quantity) SELECT id, %s FROM p "
        "RETURNING id, product_id, quantity, created_at",
        (order.quantity, order.product_id, order.quantity, order.quantity),
    )
    if not rows:
        raise HTTPException(status_code=409, detail="unknown product or not enough stock")
    return _order(rows[0])


@app.get("/orders/{order_id}")
def get_order(order_id: int) -> dict[str, object]:
    rows = _db(
        "get_order",
        "SELECT id, product_id, quantity, created_at FROM orders WHERE id = %s",
        (order_id,),
    )
    if not rows:
        raise HTTPException(status_code=404, detail=f"order {order_id} not found")
    return _order(rows[0])


def _order(row: tuple[object, ...]) -> dict[str, object]:
    created = row[3]
    return {
        "id": row[0],
        "product_id": row[1],
        "quantity": row[2],
        "created_at": created.isoformat() if hasattr(created, "isoformat") else str(created),
    }


@app.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
