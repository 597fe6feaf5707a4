"""Fault types by kind. A new fault is one class with `@register`; nothing else changes."""

from __future__ import annotations

from harness.errors import FaultError
from harness.faults.base import Fault

_REGISTRY: dict[str, type[Fault]] = {}
_BUILTINS = ("harness.faults.container", "harness.faults.database", "harness.faults.network")


def register(cls: type[Fault]) -> type[Fault]:
    if cls.kind in _REGISTRY and _REGISTRY[cls.kind] is not cls:
        raise FaultError(f"fault kind {cls.kind!r} is registered twice")
    _REGISTRY[cls.kind] = cls
    return cls


def _load_builtins() -> None:
    import importlib

    for module in _BUILTINS:
        importlib.import_module(module)


def get(kind: str) -> type[Fault]:
    _load_builtins()
    try:
        return _REGISTRY[kind]
    except KeyError:
        families = ", ".join(sorted({k.split(".")[0] + ".*" for k in _REGISTRY}))
        raise FaultError(
            f"unknown fault type {kind!r} ({families}); see `drill fault list`"
        ) from None


def kinds() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)
