"""Atlassian Statuspage: open an incident on the first customer update, patch it after.

POST   {api}/pages/{page_id}/incidents               {"incident": {...}}  -> 201 {"id", ...}
PATCH  {api}/pages/{page_id}/incidents/{incident_id} {"incident": {...}}  -> 200
Authorization: OAuth <api key>. Component statuses ride along in incident.components;
drill incidents go out with deliver_notifications false so no subscriber is told.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, Field

from harness.incidents.channels.base import Channel, Delivery, Message, register, verdict

IMPACT = {"SEV1": "critical", "SEV2": "major", "SEV3": "minor", "SEV4": "minor"}


class StatuspageSettings(BaseModel):
    api_key: str = ""
    page_id: str = ""
    api_url: str = "https://api.statuspage.io/v1"
    components: dict[str, str] = Field(default_factory=dict)
    deliver_notifications: bool = True
    deliver_notifications_drill: bool = False


@register
class StatuspageChannel(Channel):
    type_name: ClassVar[str] = "statuspage"
    Settings: ClassVar[type[BaseModel]] = StatuspageSettings
    required: ClassVar[tuple[str, ...]] = ("api_key", "page_id")

    def incident(self, message: Message, *, create: bool) -> dict[str, Any]:
        assert isinstance(self.settings, StatuspageSettings)
        s = self.settings
        components = {
            s.components[ours]: status
            for ours, status in message.components.items()
            if s.components.get(ours)
        }
        deliver = s.deliver_notifications_drill if message.is_drill else s.deliver_notifications
        body: dict[str, Any] = {
            "status": message.customer_status or "investigating",
            "body": message.text,
            "deliver_notifications": deliver,
            "metadata": {"drill": {"incident": message.incident, "is_drill": message.is_drill}},
        }
        if components:
            body["components"] = components
            body["component_ids"] = sorted(components)
        if create:
            body["name"] = message.subject[:255]
            body["impact_override"] = IMPACT.get(message.severity, "minor")
        return {"incident": body}

    def send(self, message: Message, ref: str | None) -> Delivery:
        assert isinstance(self.settings, StatuspageSettings)
        s = self.settings
        base = f"{s.api_url.rstrip('/')}/pages/{s.page_id}/incidents"
        headers = {"Authorization": f"OAuth {s.api_key}"}
        try:
            if ref:
                response = self.http.patch(
                    f"{base}/{ref}", json=self.incident(message, create=False), headers=headers
                )
            else:
                response = self.http.post(
                    base, json=self.incident(message, create=True), headers=headers
                )
        except httpx.HTTPError as exc:
            return Delivery.later(f"{type(exc).__name__}: {exc}")
        if response.status_code == 420:  # Statuspage's own "slow down"
            return Delivery.later("HTTP 420: rate limited", 420)
        result = verdict(response)
        if result.ok and not ref:
            try:
                return Delivery.delivered(response.status_code, ref=str(response.json()["id"]))
            except (ValueError, KeyError, TypeError):
                return Delivery.failed("Statuspage created an incident without an id")
        return result
