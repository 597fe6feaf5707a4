"""Slack: an incoming webhook for the incident channel, and the Web API for war rooms.

Block Kit limits respected here (and enforced by tests/fakes/slack.py): at most 50 blocks a
message, header text 150 characters (plain_text), section text 3000, context 10 elements.
The top-level `text` is the notification fallback and is kept short.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from harness.incidents.channels.base import (
    Channel,
    Delivery,
    Message,
    parse_retry_after,
    post_json,
    register,
    verdict,
)

MAX_BLOCKS = 50
HEADER_MAX = 150
SECTION_MAX = 3000
FALLBACK_MAX = 3000
# Web API errors worth retrying; every other `ok: false` is a request we must not repeat.
TRANSIENT = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunks(text: str, limit: int) -> list[str]:
    """Split on line boundaries into pieces no longer than `limit`."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def blocks(message: Message) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": _clip(message.subject, HEADER_MAX),
                "emoji": True,
            },
        }
    ]
    sections = _chunks(message.text, SECTION_MAX)[: MAX_BLOCKS - 3]
    out += [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections]
    if message.context:
        out.append({"type": "divider"})
        out.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _clip(message.context, SECTION_MAX)}],
            }
        )
    return out


def body(message: Message) -> dict[str, Any]:
    return {"text": _clip(message.subject, FALLBACK_MAX), "blocks": blocks(message)}


class SlackWebhookSettings(BaseModel):
    url: str = ""


@register
class SlackWebhookChannel(Channel):
    """Incoming webhook: POST {text, blocks}; Slack answers 200 "ok" or an error word."""

    type_name: ClassVar[str] = "slack_webhook"
    Settings: ClassVar[type[BaseModel]] = SlackWebhookSettings
    required: ClassVar[tuple[str, ...]] = ("url",)

    def send(self, message: Message, ref: str | None) -> Delivery:
        assert isinstance(self.settings, SlackWebhookSettings)
        response = post_json(self.http, self.settings.url, body(message))
        return response if isinstance(response, Delivery) else verdict(response)


class SlackApiSettings(BaseModel):
    token: str = ""
    api_url: str = "https://slack.com/api"
    is_private: bool = False


@register
class SlackApiChannel(Channel):
    """War rooms: conversations.create once per incident, then chat.postMessage into it."""

    type_name: ClassVar[str] = "slack_api"
    Settings: ClassVar[type[BaseModel]] = SlackApiSettings
    required: ClassVar[tuple[str, ...]] = ("token",)

    def _call(self, method: str, payload: dict[str, Any]) -> dict[str, Any] | Delivery:
        assert isinstance(self.settings, SlackApiSettings)
        headers = {
            "Authorization": f"Bearer {self.settings.token}",
            "Content-Type": "application/json; charset=utf-8",
        }
        url = f"{self.settings.api_url.rstrip('/')}/{method}"
        response = post_json(self.http, url, payload, headers)
        if isinstance(response, Delivery):
            return response
        if response.status_code != 200:
            return verdict(response)
        try:
            data: dict[str, Any] = response.json()
        except ValueError:
            return Delivery.later(f"{method}: answer is not JSON", 200)
        if data.get("ok") is True:
            return data
        error = str(data.get("error", "unknown_error"))
        if error in TRANSIENT:
            retry = parse_retry_after(response.headers.get("Retry-After"))
            return Delivery.later(f"{method}: {error}", 200, retry)
        return Delivery.failed(f"{method}: {error}", 200)

    def _channel(self, message: Message, ref: str | None) -> str | Delivery:
        if ref:
            return ref
        assert isinstance(self.settings, SlackApiSettings)
        name = message.war_room_channel.lstrip("#")
        if not name:
            return Delivery.failed("no war-room channel for this incident")
        answer = self._call(
            "conversations.create", {"name": name, "is_private": self.settings.is_private}
        )
        if isinstance(answer, Delivery):
            # The channel already exists (created before a restart): post by name.
            return name if answer.error.endswith(": name_taken") else answer
        return str(answer["channel"]["id"])

    def send(self, message: Message, ref: str | None) -> Delivery:
        channel = self._channel(message, ref)
        if isinstance(channel, Delivery):
            return channel
        answer = self._call("chat.postMessage", {"channel": channel, **body(message)})
        if isinstance(answer, Delivery):
            # Keep the channel we created even when the post must be retried.
            return Delivery(
                ok=False,
                retry=answer.retry,
                retry_after_s=answer.retry_after_s,
                status_code=answer.status_code,
                error=answer.error,
                ref=channel,
            )
        return Delivery.delivered(200, ref=channel)


__all__ = ["SlackApiChannel", "SlackWebhookChannel", "blocks", "body"]
