"""A local Jira REST API: POST /rest/api/{2,3}/issue with basic auth.

Enforced: fields.project.key is a known project, summary is 1..255 characters without line
breaks, issuetype.name is a known type, v2 descriptions are strings and v3 ones ADF
documents, labels have no spaces. 201 {"id", "key", "self"}; 400 {"errorMessages", "errors"}.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.base import FakeState, read_json


class FakeJira:
    def __init__(
        self,
        state: FakeState | None = None,
        *,
        email: str = "bot@shop.example",
        token: str = "jira-token",
        project: str = "OPS",
    ) -> None:
        self.state = state or FakeState()
        self.auth = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        self.project = project
        self.issues: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/rest/api/{version}/issue")(self.create)

    def errors(self, version: str, body: Any) -> dict[str, str]:
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            return {"fields": "fields is required"}
        errors = {}
        if (fields.get("project") or {}).get("key") != self.project:
            errors["project"] = "valid project is required"
        summary = fields.get("summary")
        if not isinstance(summary, str) or not 0 < len(summary) <= 255 or "\n" in summary:
            errors["summary"] = "Summary must be less than 255 characters, on one line."
        if (fields.get("issuetype") or {}).get("name") not in {"Task", "Bug", "Incident"}:
            errors["issuetype"] = "valid issue type is required"
        description = fields.get("description")
        if version == "2" and not isinstance(description, str | None):
            errors["description"] = "Operation value must be a string"
        if (
            version == "3"
            and description is not None
            and (not isinstance(description, dict) or description.get("type") != "doc")
        ):
            errors["description"] = "Operation value must be an Atlassian Document"
        if any(" " in label for label in fields.get("labels", [])):
            errors["labels"] = "The label can't contain spaces."
        return errors

    async def create(self, version: str, request: Request) -> Response:
        body = await read_json(request)
        self.state.record(request, body)
        if (answer := self.state.interfere()) is not None:
            return answer
        if request.headers.get("authorization") != self.auth:
            return JSONResponse({"errorMessages": ["not authenticated"]}, status_code=401)
        if version not in {"2", "3"}:
            return JSONResponse({"errorMessages": ["no such API"]}, status_code=404)
        errors = self.errors(version, body)
        if errors:
            return JSONResponse({"errorMessages": [], "errors": errors}, status_code=400)
        number = len(self.issues) + 1
        self.issues.append(body)
        key = f"{self.project}-{number}"
        return JSONResponse(
            {
                "id": str(10000 + number),
                "key": key,
                "self": f"{request.base_url}rest/api/{version}/issue/{10000 + number}",
            },
            status_code=201,
        )
