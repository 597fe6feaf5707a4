"""The offline default: print the message and append it to a JSON-lines file."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from harness.incidents.channels.base import Channel, Delivery, Message, register
from harness.incidents.clock import iso, utcnow


class LocalSettings(BaseModel):
    path: str = ""
    console: bool = True


@register
class LocalChannel(Channel):
    type_name: ClassVar[str] = "local"
    Settings: ClassVar[type[BaseModel]] = LocalSettings
    outside: ClassVar[bool] = False
    _lock = threading.Lock()

    @property
    def path(self) -> Path:
        assert isinstance(self.settings, LocalSettings)
        return Path(self.settings.path)

    def send(self, message: Message, ref: str | None) -> Delivery:
        assert isinstance(self.settings, LocalSettings)
        record = {"at": iso(utcnow()), "channel": self.name, **message.model_dump()}
        line = json.dumps(record, ensure_ascii=False)
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
        except OSError as exc:
            return Delivery.later(f"cannot write {self.path}: {exc}")
        if self.settings.console:
            print(f"[notify:{message.kind}] {message.subject}", file=sys.stdout, flush=True)
        return Delivery.delivered()
