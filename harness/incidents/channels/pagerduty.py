"""PagerDuty Events API v2: trigger on a page, acknowledge on ack, resolve on resolution.

One dedup_key per incident, so a retried or repeated trigger lands on the same PagerDuty
alert instead of opening another. 202 is accepted, 400 is never retried, 429 and 5xx are.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from harness.incidents.channels.base import (
    Channel,
    Delivery,
    Message,
    post_json,
    register,
    verdict,
)

ACTIONS = {
    "page": "trigger",
    "escalation": "trigger",
    "acknowledged": "acknowledge",
    "resolution": "resolve",
}
SEVERITY = {"SEV1": "critical", "SEV2": "error", "SEV3": "warning", "SEV4": "info"}


class PagerDutySettings(BaseModel):
    routing_key: str = ""
    url: str = "https://events.pagerduty.com/v2/enqueue"
    source: str = "drill-incidents"
    client: str = "drill incident service"


@register
class PagerDutyChannel(Channel):
    type_name: ClassVar[str] = "pagerduty"
    Settings: ClassVar[type[BaseModel]] = PagerDutySettings
    required: ClassVar[tuple[str, ...]] = ("routing_key",)

    def event(self, message: Message) -> dict[str, Any]:
        assert isinstance(self.settings, PagerDutySettings)
        action = ACTIONS.get(message.kind, "trigger")
        event: dict[str, Any] = {
            "routing_key": self.settings.routing_key,
            "event_action": action,
            "dedup_key": message.dedup_key[:255],
        }
        if action != "trigger":
            return event
        event["payload"] = {
            "summary": message.subject[:1024],
            "source": message.service or self.settings.source,
            "severity": SEVERITY.get(message.severity, "warning"),
            "component": message.service or "unknown",
            "group": "drill" if message.is_drill else "production",
            "class": message.kind,
            "custom_details": {
                "incident": message.incident,
                "status": message.status,
                "drill": message.is_drill,
                "text": message.text[:4000],
            },
        }
        event["client"] = self.settings.client
        if message.url:
            event["client_url"] = message.url
            event["links"] = [{"href": message.url, "text": message.incident}]
        return event

    def send(self, message: Message, ref: str | None) -> Delivery:
        assert isinstance(self.settings, PagerDutySettings)
        response = post_json(self.http, self.settings.url, self.event(message))
        if isinstance(response, Delivery):
            return response
        return verdict(response)
