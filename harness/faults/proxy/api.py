"""Toxiproxy's HTTP API (routes, status codes, JSON bodies and error messages).

    POST   /reset                              204
    GET    /proxies                            200 {name: proxy}
    POST   /proxies                            201 proxy | 400 | 409 | 500 (listen failed)
    POST   /populate                           201 {"proxies": [...]}
    GET    /proxies/{proxy}                    200 | 404
    POST|PATCH /proxies/{proxy}                200 | 404
    DELETE /proxies/{proxy}                    204 | 404
    GET    /proxies/{proxy}/toxics             200 [toxic]
    POST   /proxies/{proxy}/toxics             200 toxic | 400 | 404 | 409
    GET|POST|PATCH|DELETE /proxies/{proxy}/toxics/{toxic}   200 / 204 | 404
    GET    /version                            200 {"version": ...}

Errors are `{"error": message, "status": code}` as Toxiproxy writes them. Drill's one
addition is `ttl` (seconds) on a toxic, or on a proxy update that disables it, accepted
in the body or as a `?ttl=` query parameter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from harness.faults.proxy.collection import ProxyCollection
from harness.faults.proxy.core import ERR_BAD_BODY, ERR_TOXIC_NOT_FOUND, ApiError
from harness.faults.proxy.http import Request, Response

VERSION = "2.12.0+drill"

Route = Callable[[Request, re.Match[str]], Awaitable[Response]]


def ok(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode())


def error(exc: ApiError) -> Response:
    # Go's http.Error: text/plain and a trailing newline around the JSON.
    body = json.dumps({"error": exc.message, "status": exc.status}) + "\n"
    return Response(exc.status, body.encode(), "text/plain; charset=utf-8")


def json_body(request: Request, *, default: Any = None) -> Any:
    if not request.body.strip():
        if default is not None:
            return default
        raise ERR_BAD_BODY.joined("EOF")
    try:
        return json.loads(request.body)
    except ValueError as exc:
        raise ERR_BAD_BODY.joined(str(exc)) from exc


def json_object(request: Request) -> dict[str, Any]:
    body = json_body(request)
    if not isinstance(body, dict):
        raise ERR_BAD_BODY.joined("expected a JSON object")
    return body


class ControlApi:
    def __init__(self, collection: ProxyCollection) -> None:
        self.c = collection
        p, t = r"(?P<proxy>[^/]+)", r"(?P<toxic>[^/]+)"
        table: list[tuple[str, dict[str, Route]]] = [
            (r"/reset", {"POST": self.reset}),
            (r"/version", {"GET": self.version}),
            (r"/populate", {"POST": self.populate}),
            (r"/proxies", {"GET": self.proxy_index, "POST": self.proxy_create}),
            (
                rf"/proxies/{p}",
                {
                    "GET": self.proxy_show,
                    "POST": self.proxy_update,
                    "PATCH": self.proxy_update,
                    "DELETE": self.proxy_delete,
                },
            ),
            (rf"/proxies/{p}/toxics", {"GET": self.toxic_index, "POST": self.toxic_create}),
            (
                rf"/proxies/{p}/toxics/{t}",
                {
                    "GET": self.toxic_show,
                    "POST": self.toxic_update,
                    "PATCH": self.toxic_update,
                    "DELETE": self.toxic_delete,
                },
            ),
        ]
        self.routes = [(re.compile(pattern + r"/?\Z"), methods) for pattern, methods in table]

    async def __call__(self, request: Request) -> Response:
        # Toxiproxy refuses browsers, so a web page cannot drive it (CSRF).
        if request.headers.get("user-agent", "").startswith("Mozilla/"):
            return Response(403, b"User agent not allowed\n", "text/plain; charset=utf-8")
        for pattern, methods in self.routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            route = methods.get(request.method)
            if route is None:
                return Response(405, b"", "text/plain; charset=utf-8")
            try:
                return await route(request, match)
            except ApiError as exc:
                return error(exc)
        return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")

    async def version(self, request: Request, m: re.Match[str]) -> Response:
        body = json.dumps({"version": VERSION}) + "\n"
        return Response(200, body.encode(), "application/json;charset=utf-8")

    async def reset(self, request: Request, m: re.Match[str]) -> Response:
        await self.c.reset()
        return Response(204)

    async def populate(self, request: Request, m: re.Match[str]) -> Response:
        proxies = await self.c.populate(json_body(request))
        return ok({"proxies": [p.to_json() for p in proxies]}, 201)

    async def proxy_index(self, request: Request, m: re.Match[str]) -> Response:
        return ok({name: p.to_json() for name, p in self.c.proxies.items()})

    async def proxy_create(self, request: Request, m: re.Match[str]) -> Response:
        proxy = await self.c.create(json_object(request))
        return ok(proxy.to_json(), 201)

    async def proxy_show(self, request: Request, m: re.Match[str]) -> Response:
        return ok(self.c.get(m["proxy"]).to_json())

    async def proxy_update(self, request: Request, m: re.Match[str]) -> Response:
        self.c.get(m["proxy"])  # 404 before a body error, as Toxiproxy orders them
        proxy = await self.c.update(m["proxy"], json_object(request), request.query.get("ttl"))
        return ok(proxy.to_json())

    async def proxy_delete(self, request: Request, m: re.Match[str]) -> Response:
        await self.c.delete(m["proxy"])
        return Response(204)

    async def toxic_index(self, request: Request, m: re.Match[str]) -> Response:
        return ok([t.to_json() for t in self.c.get(m["proxy"]).all_toxics()])

    async def toxic_create(self, request: Request, m: re.Match[str]) -> Response:
        self.c.get(m["proxy"])
        return ok(self.c.add_toxic(m["proxy"], json_object(request), request.query.get("ttl")))

    async def toxic_show(self, request: Request, m: re.Match[str]) -> Response:
        entry = self.c.get(m["proxy"]).find(m["toxic"])
        if entry is None:
            raise ERR_TOXIC_NOT_FOUND
        return ok(entry.to_json())

    async def toxic_update(self, request: Request, m: re.Match[str]) -> Response:
        proxy = self.c.get(m["proxy"])
        if proxy.find(m["toxic"]) is None:
            raise ERR_TOXIC_NOT_FOUND
        return ok(self.c.update_toxic(m["proxy"], m["toxic"], json_object(request)))

    async def toxic_delete(self, request: Request, m: re.Match[str]) -> Response:
        self.c.remove_toxic(m["proxy"], m["toxic"])
        return Response(204)
