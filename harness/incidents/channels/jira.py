"""Jira: create one issue per incident over REST (v2 plain description, v3 ADF).

POST {url}/rest/api/{2|3}/issue with basic auth (email + API token); 201 answers
{"id", "key", "self"} and the key becomes the incident's Jira reference.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from pydantic import BaseModel

from harness.incidents.channels.base import Channel, Delivery, Message, register, verdict


class JiraSettings(BaseModel):
    url: str = ""
    email: str = ""
    api_token: str = ""
    project: str = "OPS"
    issue_type: str = "Task"
    api_version: int = 2


def adf(text: str) -> dict[str, Any]:
    """Atlassian Document Format: one paragraph per non-empty line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]}
        for line in text.splitlines()
        if line.strip()
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


@register
class JiraChannel(Channel):
    type_name: ClassVar[str] = "jira"
    Settings: ClassVar[type[BaseModel]] = JiraSettings
    required: ClassVar[tuple[str, ...]] = ("url", "email", "api_token", "project")

    def issue(self, message: Message) -> dict[str, Any]:
        assert isinstance(self.settings, JiraSettings)
        text = f"{message.text}\n\n{message.context}\n{message.url}".strip()
        labels = ["incident", message.severity.lower()] + (["drill"] if message.is_drill else [])
        fields: dict[str, Any] = {
            "project": {"key": self.settings.project},
            "summary": message.subject.replace("\n", " ")[:255],
            "issuetype": {"name": self.settings.issue_type},
            "description": adf(text) if self.settings.api_version >= 3 else text,
            "labels": labels,
        }
        return {"fields": fields}

    def send(self, message: Message, ref: str | None) -> Delivery:
        assert isinstance(self.settings, JiraSettings)
        if ref:
            return Delivery.delivered(ref=ref)  # one issue per incident, already there
        s = self.settings
        url = f"{s.url.rstrip('/')}/rest/api/{s.api_version}/issue"
        try:
            response = self.http.post(
                url,
                json=self.issue(message),
                auth=(s.email, s.api_token),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            return Delivery.later(f"{type(exc).__name__}: {exc}")
        result = verdict(response)
        if result.ok:
            return Delivery.delivered(response.status_code, ref=_key(response))
        return result


def _key(response: httpx.Response) -> str | None:
    try:
        return str(response.json()["key"])
    except (ValueError, KeyError, TypeError):
        return None
