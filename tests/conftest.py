"""Shared test set-up: tests never write into the checkout's own run state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("DRILL_ROOT", str(ROOT))
    monkeypatch.setenv("DRILL_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    yield
