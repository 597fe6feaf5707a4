"""A generic JSON webhook, signed with HMAC-SHA256 when a secret is set."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import ClassVar

import httpx
from pydantic import BaseModel

from harness.incidents.channels.base import Channel, Delivery, Message, register, verdict


class WebhookSettings(BaseModel):
    url: str = ""
    secret: str = ""


@register
class WebhookChannel(Channel):
    type_name: ClassVar[str] = "webhook"
    Settings: ClassVar[type[BaseModel]] = WebhookSettings
    required: ClassVar[tuple[str, ...]] = ("url",)

    def send(self, message: Message, ref: str | None) -> Delivery:
        assert isinstance(self.settings, WebhookSettings)
        body = json.dumps(message.model_dump(), separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Drill-Event": message.kind}
        if self.settings.secret:
            digest = hmac.new(self.settings.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Drill-Signature"] = f"sha256={digest}"
        try:
            response = self.http.post(self.settings.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Delivery.later(f"{type(exc).__name__}: {exc}")
        return verdict(response)
