"""create_app(settings): the incident service as one FastAPI application.

Background work (the outbox's channel workers and the escalation/cadence scheduler) runs in
daemon threads started by the lifespan, unless settings.workers is false (tests then call
`app.state.outbox.process_all()` and `app.state.service.tick()` themselves).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from harness.incidents import api
from harness.incidents.clock import Clock, SystemClock
from harness.incidents.comms import Communicator
from harness.incidents.config import ServiceSettings
from harness.incidents.db import make_engine, make_sessions
from harness.incidents.metrics import Metrics
from harness.incidents.notify import Channels, load_config
from harness.incidents.oncall import load_roster
from harness.incidents.outbox import Outbox
from harness.incidents.public import page_context, summary
from harness.incidents.service import IncidentService
from harness.incidents.templating import Templates
from harness.incidents.views import parse_id

log = logging.getLogger("harness.incidents")
PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=True,
)


def _data_dir(settings: ServiceSettings) -> Path:
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent
    return Path.cwd() / ".drill"


class Scheduler:
    """Runs service.tick() every tick_s seconds (escalation, overdue-update reminders)."""

    def __init__(self, service: IncidentService, every_s: float) -> None:
        self.service = service
        self.every_s = every_s
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="scheduler")

    def _run(self) -> None:
        while not self.stopping.wait(self.every_s):
            try:
                self.service.tick()
            except Exception:  # noqa: BLE001 - one bad pass must not stop escalation for good
                log.exception("scheduler pass failed")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


def build(settings: ServiceSettings, clock: Clock) -> dict[str, Any]:
    """Everything the app holds, wired together (also handy for tests)."""
    engine = make_engine(settings.db_url)
    sessions = make_sessions(engine)
    roster = load_roster(settings.ops_dir / "oncall.yaml")
    folder = settings.ops_dir / "notifications"
    config = load_config(folder / "channels.yaml")
    channels = Channels(config, data_dir=_data_dir(settings), silence=settings.silence_outside)
    comms = Communicator(
        channels=channels,
        templates=Templates(folder),
        roster=roster,
        public_url=settings.public_url,
    )
    metrics = Metrics(sessions)
    write_lock = threading.RLock()
    outbox = Outbox(
        sessions=sessions,
        channels=channels,
        clock=clock,
        policy=config.outbox,
        on_result=metrics.delivery,
        write_lock=write_lock,
    )
    service = IncidentService(
        write_lock=write_lock,
        sessions=sessions,
        clock=clock,
        roster=roster,
        comms=comms,
        settings=settings,
        wake=outbox.wake,
        observe_ack=metrics.acknowledged,
    )
    return {
        "engine": engine,
        "sessions": sessions,
        "channels": channels,
        "metrics": metrics,
        "outbox": outbox,
        "service": service,
        "config": config,
    }


def create_app(settings: ServiceSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or ServiceSettings.from_env()
    parts = build(settings, clock or SystemClock())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = Scheduler(parts["service"], settings.tick_s)
        if settings.workers:
            parts["outbox"].start()
            scheduler.start()
        if not settings.api_token:
            log.warning("DRILL_API_TOKEN is empty: every write and the webhook answer 401")
        try:
            yield
        finally:
            if settings.workers:
                scheduler.stop()
                parts["outbox"].stop()
            parts["channels"].close()
            parts["engine"].dispose()

    app = FastAPI(
        title="drill incident service",
        version="1.0.0",
        lifespan=lifespan,
        description="Alerts become incidents; on-call is paged; war rooms open.",
    )
    for name, value in parts.items():
        setattr(app.state, name, value)
    app.state.settings = settings
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.include_router(api.writes)
    app.include_router(api.reads)
    _public_routes(app)
    return app


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """FastAPI's own 422 echoes the input back; escape it, or a lone surrogate sent by a
    hostile client would turn the 422 into a 500 while encoding the answer."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    body = json.dumps({"detail": jsonable_encoder(errors)}, ensure_ascii=True, default=str)
    return Response(body, status_code=422, media_type="application/json")


def _public_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["public"])
    def healthz(request: Request) -> dict[str, Any]:
        with request.app.state.sessions() as session:
            session.execute(text("SELECT 1"))
        return {"ok": True, "channels": sorted(request.app.state.channels.live)}

    @app.get("/api/v2/summary.json", tags=["public"])
    def summary_json(request: Request) -> dict[str, Any]:
        state = request.app.state
        with state.sessions() as session:
            return summary(
                session,
                state.config.status_page,
                state.settings.public_url,
                state.service.clock.now(),
            )

    @app.get("/status", tags=["public"], response_class=HTMLResponse)
    def status_page(request: Request) -> HTMLResponse:
        state = request.app.state
        with state.sessions() as session:
            context = page_context(
                session,
                state.config.status_page,
                state.settings.public_url,
                state.service.clock.now(),
            )
        return HTMLResponse(PAGES.get_template("status.html.j2").render(**context))

    @app.get(
        "/war-rooms/{incident_id}",
        tags=["public"],
        response_class=HTMLResponse,
        responses={404: {"description": "No war room for this incident"}},
    )
    def war_room_page(incident_id: api.IncidentId, request: Request) -> HTMLResponse:
        state = request.app.state
        number = parse_id(incident_id)
        incident = api._call(lambda: state.service.get(number or 0))
        if not incident["war_room"]:
            raise HTTPException(404, f"{incident_id} has no war room")
        dashboard = incident["dashboard_url"] or state.service.roster.war_room.links.get(
            "dashboard", ""
        )
        links = {"dashboard": dashboard}
        return HTMLResponse(
            PAGES.get_template("warroom.html.j2").render(incident=incident, links=links)
        )

    @app.get("/metrics", tags=["public"])
    def metrics(request: Request) -> Response:
        return Response(
            generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
        )
