"""REST routes. HTTP errors live here only; the service raises NotFound and Conflict."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from harness.incidents import intake
from harness.incidents.oncall import Roster
from harness.incidents.schemas import (
    ActorBody,
    AlertmanagerWebhook,
    DrillBody,
    GenericAlert,
    IntakeResult,
    PagerDutyEvent,
    RoleBody,
    Status,
    StatusBody,
    UpdateBody,
)
from harness.incidents.service import Conflict, IncidentService, NotFound
from harness.incidents.views import parse_id
from harness.incidents.warroom import person

bearer = HTTPBearer(auto_error=False, description="DRILL_API_TOKEN")
T = TypeVar("T")
IncidentId = Annotated[str, Path(pattern=r"^INC-[0-9]{1,9}$", examples=["INC-1"])]
Incident = dict[str, Any]
ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "No or wrong bearer token"}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"description": "No such incident"},
    409: {"description": "Not allowed in this state"},
}


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    expected: str = request.app.state.settings.api_token
    given = credentials.credentials if credentials else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}
        )


def service(request: Request) -> IncidentService:
    svc: IncidentService = request.app.state.service
    return svc


Service = Annotated[IncidentService, Depends(service)]
writes = APIRouter(dependencies=[Depends(require_token)])
reads = APIRouter()


def _number(incident_id: str) -> int:
    number = parse_id(incident_id)
    if number is None:
        raise HTTPException(404, f"{incident_id} does not exist")
    return number


def _call(action: Callable[[], T]) -> T:
    try:
        return action()
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except Conflict as exc:
        raise HTTPException(409, str(exc)) from exc


def _count(request: Request, source: str, n: int) -> None:
    request.app.state.metrics.alerts.labels(source).inc(n)


@writes.post("/api/v1/alerts/alertmanager", tags=["alerts"], responses=ERRORS)
def alertmanager_webhook(body: AlertmanagerWebhook, svc: Service, request: Request) -> IntakeResult:
    """Alertmanager webhook_config receiver (payload version 4)."""
    _count(request, "alertmanager", len(body.alerts))
    return svc.ingest(intake.from_alertmanager(body))


@writes.post("/api/v1/alerts", tags=["alerts"], responses=ERRORS)
def generic_alert(body: GenericAlert, svc: Service, request: Request) -> IntakeResult:
    """A generic JSON alert."""
    _count(request, "generic", 1)
    return svc.ingest([intake.from_generic(body)])


@writes.post(
    "/api/v1/alerts/pagerduty",
    tags=["alerts"],
    status_code=202,
    responses={**ERRORS, 400: {"description": "Event object is invalid"}},
)
def pagerduty_event(body: PagerDutyEvent, svc: Service, request: Request) -> JSONResponse:
    """An event shaped like PagerDuty Events API v2 (`/v2/enqueue`)."""
    if body.event_action == "trigger" and body.payload is None:
        return _pd_invalid("'payload' is missing or blank")
    if body.event_action != "trigger" and not body.dedup_key:
        return _pd_invalid("'dedup_key' is missing or blank")
    key = body.dedup_key or uuid.uuid4().hex
    event = intake.from_pagerduty(body, key)
    _count(request, "pagerduty", 1)
    if body.event_action == "acknowledge":
        number = svc.open_incident_for(event.group_key)
        if number is not None:
            svc.acknowledge(number, by="pagerduty")
    else:
        svc.ingest([event])
    return JSONResponse(
        {"status": "success", "message": "Event processed", "dedup_key": key}, status_code=202
    )


def _pd_invalid(error: str) -> JSONResponse:
    return JSONResponse(
        {"status": "invalid event", "message": "Event object is invalid", "errors": [error]},
        status_code=400,
    )


@reads.get("/api/v1/alerts", tags=["alerts"])
def list_alerts(
    svc: Service, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    return svc.alerts(limit)


@reads.get("/api/v1/incidents", tags=["incidents"])
def list_incidents(
    svc: Service,
    drill_id: Annotated[str | None, Query(max_length=128)] = None,
    status: Annotated[
        str | None, Query(pattern="^(triggered|acknowledged|mitigated|resolved)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Incident]:
    return svc.list_incidents(drill_id=drill_id, status=status, limit=limit)


@reads.get(
    "/api/v1/incidents/{incident_id}",
    tags=["incidents"],
    responses={404: {"description": "No such incident"}},
)
def get_incident(incident_id: IncidentId, svc: Service) -> Incident:
    return _call(lambda: svc.get(_number(incident_id)))


@writes.post("/api/v1/incidents/{incident_id}/ack", tags=["incidents"], responses=NOT_FOUND)
def acknowledge(incident_id: IncidentId, svc: Service, body: ActorBody | None = None) -> Incident:
    by = body.by if body else "api"
    return _call(lambda: svc.acknowledge(_number(incident_id), by=by))


@writes.post("/api/v1/incidents/{incident_id}/resolve", tags=["incidents"], responses=NOT_FOUND)
def resolve(incident_id: IncidentId, svc: Service, body: ActorBody | None = None) -> Incident:
    actor = body or ActorBody()
    return _call(
        lambda: svc.set_status(_number(incident_id), Status.RESOLVED, by=actor.by, note=actor.note)
    )


@writes.post("/api/v1/incidents/{incident_id}/status", tags=["incidents"], responses=NOT_FOUND)
def set_status(incident_id: IncidentId, body: StatusBody, svc: Service) -> Incident:
    return _call(
        lambda: svc.set_status(_number(incident_id), body.status, by=body.by, note=body.note)
    )


@writes.post("/api/v1/incidents/{incident_id}/updates", tags=["incidents"], responses=NOT_FOUND)
def post_update(incident_id: IncidentId, body: UpdateBody, svc: Service) -> Incident:
    status = body.customer_status.value if body.customer_status else None
    return _call(
        lambda: svc.post_update(
            _number(incident_id),
            text=body.text,
            audience=body.audience,
            customer_status=status,
            by=body.by,
        )
    )


@writes.post("/api/v1/incidents/{incident_id}/roles", tags=["incidents"], responses=NOT_FOUND)
def assign_role(incident_id: IncidentId, body: RoleBody, svc: Service) -> Incident:
    return _call(
        lambda: svc.assign_role(_number(incident_id), role=body.role.value, who=body.person)
    )


@writes.post("/api/v1/drills", tags=["drills"], status_code=201, responses=ERRORS)
def register_drill(body: DrillBody, svc: Service) -> dict[str, Any]:
    """Incidents opened while a drill is registered are linked to it and marked drill."""
    return svc.register_drill(body.drill_id, body.scenario, body.started_at, body.clock_scale)


@writes.post(
    "/api/v1/drills/{drill_id}/end",
    tags=["drills"],
    responses={**ERRORS, 404: {"description": "No such drill"}},
)
def end_drill(drill_id: Annotated[str, Path(max_length=128)], svc: Service) -> dict[str, Any]:
    return _call(lambda: svc.end_drill(drill_id))


@reads.get("/api/v1/drills", tags=["drills"])
def list_drills(svc: Service) -> list[dict[str, Any]]:
    return svc.drills()


def shift(roster: Roster, at: Any) -> dict[str, Any]:
    start, end = roster.shift_bounds(at)
    on_call = roster.on_call(at)
    return {
        "shift_start": start.isoformat(),
        "shift_end": end.isoformat(),
        **{role: person(e) for role, e in on_call.items()},
    }


@reads.get("/api/v1/oncall", tags=["on-call"])
def oncall(svc: Service) -> dict[str, Any]:
    """Who is on call now and in the next shift."""
    now = svc.clock.now()
    _, end = svc.roster.shift_bounds(now)
    return {
        "now": shift(svc.roster, now),
        "next": shift(svc.roster, end + timedelta(seconds=1)),
        "escalation": svc.roster.escalation.model_dump(),
    }
