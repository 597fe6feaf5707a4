"""The incident service: alerts become incidents, on-call is paged, a war room opens.

Modules, from the wire inwards:

    app          create_app(settings): the FastAPI application and its background workers
    api          REST routes (alerts, incidents, drills, on-call) behind bearer-token auth
    public       the public status page and Statuspage-shaped /api/v2/summary.json
    intake       Alertmanager v4, generic JSON and PagerDuty v2 events -> AlertEvent
    service      incidents: open, dedupe, acknowledge, status, updates, roles, resolve
    warroom      war-room channel names, roles from the rotation, communication cadence
    oncall       ops/oncall.yaml: weekly rotation, overrides, escalation policy
    notify       ops/notifications/channels.yaml: which message goes to which channel
    outbox       durable delivery with retries, backoff and Retry-After
    channels     one class per notification channel behind a registry
    templating   jinja2 stakeholder templates from ops/notifications/
    db           SQLAlchemy tables (SQLite WAL by default)
    client       IncidentClient, used by the engine and the CLI (not by the server)

Only fastapi, uvicorn, pydantic, SQLAlchemy, httpx, jinja2, pyyaml, prometheus-client and
markdown-it-py are importable inside the container, so no server module imports anything else
(in particular not harness.settings, which needs python-dotenv).
"""
