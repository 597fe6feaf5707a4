"""JSON Schema for scenario files, kept at scenarios/schema.json (a unit test keeps it current).

Regenerate with `python -m harness.scenario.schema`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness import settings
from harness.scenario.model import Scenario

SCHEMA_ID = "scenarios/schema.json"


def scenario_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "drill scenario"
    return schema


def schema_text() -> str:
    return json.dumps(scenario_schema(), indent=2, sort_keys=True) + "\n"


def write_schema(root: Path | None = None) -> Path:
    path = (root or settings.root()) / SCHEMA_ID
    path.write_text(schema_text())
    return path


if __name__ == "__main__":
    print(write_schema())
