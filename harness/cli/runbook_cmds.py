"""Placeholder until this room's commands land."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this room's commands to the root `drill` app."""
