from __future__ import annotations

from pathlib import Path

import pytest

from harness.runbooks import RepoFacts

DATA = Path(__file__).parent / "data"


@pytest.fixture
def facts() -> RepoFacts:
    """The repo as the linter sees it, without reading the real checkout."""
    return RepoFacts(
        project="drill",
        services=frozenset({"db", "faultproxy", "api", "incidents", "prometheus", "alertmanager"}),
        container_names={},
        alerts=frozenset({"ApiDown", "ApiHighErrorRatio", "DatabaseUnreachable"}),
        proxies=frozenset({"api", "db"}),
    )


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing needle: tests derive lines from the file."""
    hits = [i for i, line in enumerate(path.read_text().splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def write(tmp_path: Path, text: str, name: str = "rb.md") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


HEADER = """---
id: t
title: Test runbook
alerts: [ApiDown]
services: [api]
severity: SEV2
owner: me
last_validated: 2026-12-01
---
"""
