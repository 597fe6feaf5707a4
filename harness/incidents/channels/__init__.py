"""Notification channels: one class each, registered by type name.

Adding a channel is writing one module with a `@register`ed Channel subclass and naming its
type in ops/notifications/channels.yaml; nothing else changes.
"""

from __future__ import annotations

from harness.incidents.channels import (  # noqa: F401  (registration happens on import)
    email,
    jira,
    local,
    pagerduty,
    slack,
    statuspage,
    webhook,
)
from harness.incidents.channels.base import Channel, Delivery, Message, get, kinds, register

__all__ = ["Channel", "Delivery", "Message", "get", "kinds", "register"]
