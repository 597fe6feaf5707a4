"""A local Statuspage REST API v1: create and update incidents with component statuses.

Enforced: `Authorization: OAuth <key>`; body wrapped in {"incident": {...}}; name required
(<= 255) on create; realtime status in investigating|identified|monitoring|resolved;
components map known component ids to a valid component status; deliver_notifications is a
boolean. Create answers 201 with the incident, update 200, unknown ids 404.
"""

from __future__ import annotations

import itertools
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.base import FakeState, read_json

STATUSES = {"investigating", "identified", "monitoring", "resolved"}
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}


class FakeStatuspage:
    def __init__(
        self,
        state: FakeState | None = None,
        *,
        key: str = "sp-key",
        page_id: str = "pg1",
        components: tuple[str, ...] = ("cmpapi", "cmpdb"),
    ) -> None:
        self.state = state or FakeState()
        self.key = key
        self.page_id = page_id
        self.components = dict.fromkeys(components, "operational")
        self.incidents: dict[str, dict[str, Any]] = {}
        self.updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.app = FastAPI()
        self.app.post("/v1/pages/{page_id}/incidents")(self.create)
        self.app.patch("/v1/pages/{page_id}/incidents/{incident_id}")(self.update)

    def problems(self, body: Any, *, create: bool) -> list[str]:
        incident = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(incident, dict):
            return ["incident is missing"]
        errors = []
        if create and not 0 < len(str(incident.get("name") or "")) <= 255:
            errors.append("name is required")
        if incident.get("status", "investigating") not in STATUSES:
            errors.append("status is invalid")
        for cid, status in (incident.get("components") or {}).items():
            if cid not in self.components or status not in COMPONENT_STATUSES:
                errors.append(f"component {cid} status {status} is invalid")
        if not isinstance(incident.get("deliver_notifications", True), bool):
            errors.append("deliver_notifications must be a boolean")
        return errors

    def _guard(self, request: Request, page_id: str, body: Any, *, create: bool) -> Response | None:
        if (answer := self.state.interfere()) is not None:
            return answer
        if request.headers.get("authorization") != f"OAuth {self.key}":
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        if page_id != self.page_id:
            return JSONResponse({"error": "Page not found"}, status_code=404)
        errors = self.problems(body, create=create)
        if errors:
            return JSONResponse({"error": errors}, status_code=422)
        return None

    def _apply(self, incident: dict[str, Any], change: dict[str, Any]) -> None:
        incident["status"] = change.get("status", incident["status"])
        self.components.update(change.get("components") or {})
        self.updates.append({"incident_id": incident["id"], **change})
        incident["incident_updates"].insert(
            0, {"status": incident["status"], "body": change.get("body", "")}
        )

    async def create(self, page_id: str, request: Request) -> Response:
        body = await read_json(request)
        self.state.record(request, body)
        if (answer := self._guard(request, page_id, body, create=True)) is not None:
            return answer
        change = body["incident"]
        incident_id = f"sp{next(self._ids):06d}"
        incident = {
            "id": incident_id,
            "name": change["name"],
            "status": "investigating",
            "page_id": page_id,
            "incident_updates": [],
            "shortlink": "https://stspg.io/x",
        }
        self.incidents[incident_id] = incident
        self._apply(incident, change)
        return JSONResponse(incident, status_code=201)

    async def update(self, page_id: str, incident_id: str, request: Request) -> Response:
        body = await read_json(request)
        self.state.record(request, body)
        if (answer := self._guard(request, page_id, body, create=False)) is not None:
            return answer
        incident = self.incidents.get(incident_id)
        if incident is None:
            return JSONResponse({"error": "Incident not found"}, status_code=404)
        self._apply(incident, body["incident"])
        return JSONResponse(incident)
