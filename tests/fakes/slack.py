"""A local Slack: incoming webhooks and the Web API methods the service uses.

Rules enforced (Slack's documented ones): at most 50 blocks; header text plain_text <= 150;
section text <= 3000; context <= 10 elements; top-level text <= 40000; a message needs text
or blocks; channel names are lowercase letters, digits, '-' and '_', 80 characters at most,
and unique; Web API calls need a bearer token.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tests.fakes.base import FakeState, read_json

NAME = re.compile(r"^[a-z0-9_-]+$")
BLOCK_TYPES = {"header", "section", "divider", "context", "actions", "image", "rich_text"}


def block_errors(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["invalid_payload"]
    text, blocks = body.get("text"), body.get("blocks")
    errors = []
    if not text and not blocks:
        errors.append("no_text")
    if isinstance(text, str) and len(text) > 40000:
        errors.append("msg_too_long")
    if blocks is None:
        return errors
    if not isinstance(blocks, list) or len(blocks) > 50:
        return [*errors, "invalid_blocks"]
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            return [*errors, "invalid_blocks"]
        errors += _one_block(block)
    return errors


def _one_block(block: dict[str, Any]) -> list[str]:
    kind = block["type"]
    text = block.get("text") or {}
    if kind == "header":
        if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= 150:
            return ["invalid_blocks"]
    if kind == "section":
        if (
            text.get("type") not in {"mrkdwn", "plain_text"}
            or not 0 < len(text.get("text", "")) <= 3000
        ):
            return ["invalid_blocks"]
    if kind == "context":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= 10 or any(len(e.get("text", "")) > 3000 for e in elements):
            return ["invalid_blocks"]
    return []


class FakeSlack:
    def __init__(self, state: FakeState | None = None, token: str = "xoxb-test") -> None:
        self.state = state or FakeState()
        self.token = token
        self.webhook_messages: list[dict[str, Any]] = []
        self.channels: dict[str, str] = {}  # id -> name
        self.posts: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.app = FastAPI()
        self.app.post("/services/T000/B000/XXXX")(self.webhook)
        self.app.post("/api/conversations.create")(self.create)
        self.app.post("/api/chat.postMessage")(self.post_message)

    async def webhook(self, request: Request) -> Response:
        body = await read_json(request)
        self.state.record(request, body)
        if (answer := self.state.interfere()) is not None:
            return answer
        if "application/json" not in request.headers.get("content-type", ""):
            return PlainTextResponse("invalid_payload", status_code=400)
        errors = block_errors(body)
        if errors:
            return PlainTextResponse(errors[0], status_code=400)
        self.webhook_messages.append(body)
        return PlainTextResponse("ok")

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def create(self, request: Request) -> Response:
        body = await read_json(request) or {}
        self.state.record(request, body)
        if (answer := self.state.interfere()) is not None:
            return answer
        if not self._authorised(request):
            return JSONResponse({"ok": False, "error": "not_authed"})
        name = body.get("name", "")
        if not name:
            return JSONResponse({"ok": False, "error": "invalid_name_required"})
        if len(name) > 80:
            return JSONResponse({"ok": False, "error": "invalid_name_maxlength"})
        if not NAME.match(name):
            return JSONResponse({"ok": False, "error": "invalid_name_specials"})
        if name in self.channels.values():
            return JSONResponse({"ok": False, "error": "name_taken"})
        channel_id = f"C{next(self._ids):08d}"
        self.channels[channel_id] = name
        return JSONResponse(
            {"ok": True, "channel": {"id": channel_id, "name": name, "is_channel": True}}
        )

    async def post_message(self, request: Request) -> Response:
        body = await read_json(request) or {}
        self.state.record(request, body)
        if (answer := self.state.interfere()) is not None:
            return answer
        if not self._authorised(request):
            return JSONResponse({"ok": False, "error": "not_authed"})
        channel = str(body.get("channel", "")).lstrip("#")
        if channel not in self.channels and channel not in self.channels.values():
            return JSONResponse({"ok": False, "error": "channel_not_found"})
        errors = block_errors(body)
        if errors:
            return JSONResponse({"ok": False, "error": errors[0]})
        self.posts.append(body)
        return JSONResponse({"ok": True, "channel": channel, "ts": f"{len(self.posts)}.000100"})
