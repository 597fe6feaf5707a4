"""Durations as people write them in scenario files: `500ms`, `30s`, `5m`, `1h30m`, or seconds."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
PATTERN = r"^(\d+(\.\d+)?(ms|s|m|h))+$"


def parse_duration(value: Any) -> float:
    """Seconds from a number or a duration string; ValueError says what is accepted."""
    if isinstance(value, bool):
        raise ValueError(f"bad duration {value!r}: use seconds or e.g. 500ms, 30s, 5m, 1h")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not re.fullmatch(PATTERN, text):
            raise ValueError(f"bad duration {value!r}: use seconds or e.g. 500ms, 30s, 5m, 1h")
        seconds = sum(float(n) * _UNIT_S[u] for n, u in _PART.findall(text))
    else:
        raise ValueError(f"bad duration {value!r}: use seconds or e.g. 500ms, 30s, 5m, 1h")
    if seconds < 0:
        raise ValueError(f"bad duration {value!r}: must not be negative")
    return seconds


def format_duration(seconds: float) -> str:
    """Short human form for reports and the live view: 4.1s, 2m05s, 1h02m."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "description": "seconds"},
                {"type": "string", "pattern": PATTERN, "examples": ["500ms", "30s", "5m"]},
            ]
        }
    ),
]
PositiveDuration = Annotated[Duration, Field(gt=0)]
