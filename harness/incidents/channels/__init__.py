"""Notification channels: one class each, registered by type name.

Adding a channel is writing one module here (or in another package, named by a
`drill.channels` entry point) with a `@register`ed Channel subclass and naming its type in
ops/notifications/channels.yaml; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

from harness.incidents.channels.base import Channel, Delivery, Message, get, kinds, register

# Registration happens on import: every module of this package, then any plug-ins.
for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")
for _entry in entry_points(group="drill.channels"):
    _entry.load()

__all__ = ["Channel", "Delivery", "Message", "get", "kinds", "register"]
