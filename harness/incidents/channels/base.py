"""One base class for every notification channel, a registry, and the delivery verdict.

A channel turns a rendered Message into one service's wire format and says what happened:
delivered, retry later (5xx, 429, network), or failed for good (any other 4xx). The outbox
decides when to retry; a channel never sleeps.
"""

from __future__ import annotations

import email.utils
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    """A rendered stakeholder message, stored in the outbox as JSON until delivered."""

    model_config = ConfigDict(frozen=True)

    kind: str
    incident: str  # "INC-7"
    number: int
    subject: str
    text: str
    context: str = ""
    is_drill: bool = False
    severity: str = "SEV3"
    status: str = "triggered"
    service: str = ""
    customer_status: str | None = None
    url: str = ""
    war_room_channel: str = ""
    # our component id -> Statuspage component status while this message applies
    components: dict[str, str] = Field(default_factory=dict)
    recipients: list[dict[str, str]] = Field(default_factory=list)
    links: dict[str, str] = Field(default_factory=dict)
    dedup_key: str = ""


@dataclass(frozen=True)
class Delivery:
    ok: bool
    retry: bool = False
    retry_after_s: float | None = None
    status_code: int | None = None
    error: str = ""
    # A new reference the service gave us (Statuspage incident id, Slack channel id).
    ref: str | None = None

    @classmethod
    def delivered(cls, status_code: int | None = None, ref: str | None = None) -> Delivery:
        return cls(ok=True, status_code=status_code, ref=ref)

    @classmethod
    def failed(cls, error: str, status_code: int | None = None) -> Delivery:
        return cls(ok=False, retry=False, status_code=status_code, error=error)

    @classmethod
    def later(
        cls, error: str, status_code: int | None = None, retry_after_s: float | None = None
    ) -> Delivery:
        return cls(
            ok=False, retry=True, status_code=status_code, error=error, retry_after_s=retry_after_s
        )


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delay-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def verdict(response: httpx.Response, ok_codes: tuple[int, ...] = ()) -> Delivery:
    """The common HTTP rule: 2xx delivered, 408/429/5xx later, other 4xx failed for good."""
    code = response.status_code
    if 200 <= code < 300 or code in ok_codes:
        return Delivery.delivered(code)
    detail = f"HTTP {code}: {response.text[:300]}"
    if code == 429 or code == 408 or code >= 500:
        return Delivery.later(detail, code, parse_retry_after(response.headers.get("Retry-After")))
    return Delivery.failed(detail, code)


def post_json(
    http: httpx.Client, url: str, body: Any, headers: dict[str, str] | None = None
) -> httpx.Response | Delivery:
    """POST and translate transport errors into a retryable Delivery."""
    try:
        return http.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        return Delivery.later(f"{type(exc).__name__}: {exc}")


class Channel(ABC):
    """A notification channel. Subclasses set `type_name`, `Settings` and implement `send`."""

    type_name: ClassVar[str]
    Settings: ClassVar[type[BaseModel]]
    # Settings that must be non-empty for the channel to be live.
    required: ClassVar[tuple[str, ...]] = ()
    # Outside channels talk to someone else's service; the silence switch stops them.
    outside: ClassVar[bool] = True

    def __init__(self, name: str, settings: BaseModel, http: httpx.Client) -> None:
        self.name = name
        self.settings = settings
        self.http = http

    @abstractmethod
    def send(self, message: Message, ref: str | None) -> Delivery:
        """Deliver one message. `ref` is what this channel stored for the incident before."""


_REGISTRY: dict[str, type[Channel]] = {}
C = TypeVar("C", bound=type[Channel])


def register(cls: C) -> C:
    _REGISTRY[cls.type_name] = cls
    return cls


def get(kind: str) -> type[Channel]:
    return _REGISTRY[kind]


def kinds() -> list[str]:
    return sorted(_REGISTRY)


Factory = Callable[[str, BaseModel, httpx.Client], Channel]
