"""A local PagerDuty Events API v2 (/v2/enqueue) with its dedup_key semantics.

202 {"status": "success", "message": "Event processed", "dedup_key"} for a valid event; 400
{"status": "invalid event", ...} for an invalid one. A trigger for an open alert's dedup_key
adds to it; acknowledge/resolve act on the open alert; after resolve a trigger opens a new
alert; acknowledge/resolve for an unknown key are dropped. Events for one key only apply
through the routing key that opened it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.base import FakeState, read_json

SEVERITIES = {"critical", "error", "warning", "info"}


@dataclass
class PdAlert:
    dedup_key: str
    routing_key: str
    summary: str
    status: str = "triggered"
    log: list[str] = field(default_factory=list)


def problems(event: Any) -> list[str]:
    if not isinstance(event, dict):
        return ["body must be a JSON object"]
    errors = []
    if not isinstance(event.get("routing_key"), str) or len(event["routing_key"]) != 32:
        errors.append("'routing_key' must be a 32 character integration key")
    action = event.get("event_action")
    if action not in {"trigger", "acknowledge", "resolve"}:
        errors.append("'event_action' is invalid")
    key = event.get("dedup_key")
    if key is not None and (not isinstance(key, str) or len(key) > 255):
        errors.append("'dedup_key' must be a string of at most 255 characters")
    if action in {"acknowledge", "resolve"} and not key:
        errors.append("'dedup_key' is required for acknowledge and resolve")
    if action == "trigger":
        payload = event.get("payload")
        if not isinstance(payload, dict):
            return [*errors, "'payload' is missing"]
        summary = payload.get("summary")
        if not isinstance(summary, str) or not summary or len(summary) > 1024:
            errors.append("'payload.summary' must be 1..1024 characters")
        if not payload.get("source"):
            errors.append("'payload.source' is missing")
        if payload.get("severity") not in SEVERITIES:
            errors.append("'payload.severity' is invalid")
    return errors


class FakePagerDuty:
    def __init__(self, state: FakeState | None = None) -> None:
        self.state = state or FakeState()
        self.alerts: list[PdAlert] = []
        self.accepted: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/v2/enqueue")(self.enqueue)

    def open_alert(self, key: str) -> PdAlert | None:
        return next((a for a in self.alerts if a.dedup_key == key and a.status != "resolved"), None)

    async def enqueue(self, request: Request) -> Response:
        event = await read_json(request)
        self.state.record(request, event)
        if (answer := self.state.interfere()) is not None:
            return answer
        errors = problems(event)
        if errors:
            return JSONResponse(
                {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
                status_code=400,
            )
        key = event.get("dedup_key") or uuid.uuid4().hex
        self.accepted.append(event)
        self._apply(event, key)
        return JSONResponse(
            {"status": "success", "message": "Event processed", "dedup_key": key}, status_code=202
        )

    def _apply(self, event: dict[str, Any], key: str) -> None:
        alert = self.open_alert(key)
        if alert is not None and alert.routing_key != event["routing_key"]:
            return  # a different integration cannot touch this alert
        action = event["event_action"]
        if action == "trigger":
            if alert is None:
                self.alerts.append(
                    PdAlert(key, event["routing_key"], event["payload"]["summary"], log=["trigger"])
                )
            else:
                alert.log.append("trigger")
        elif alert is not None:
            alert.status = "acknowledged" if action == "acknowledge" else "resolved"
            alert.log.append(action)
