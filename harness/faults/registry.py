"""Fault types by kind. A new fault is one class with `@register`; nothing else changes.

Built-ins are every module of this package; other packages add theirs through the
`drill.faults` entry-point group (the entry point names a module to import).
"""

from __future__ import annotations

from harness.errors import FaultError
from harness.faults.base import Fault

_REGISTRY: dict[str, type[Fault]] = {}
_loaded = False


def register(cls: type[Fault]) -> type[Fault]:
    if cls.kind in _REGISTRY and _REGISTRY[cls.kind] is not cls:
        raise FaultError(f"fault kind {cls.kind!r} is registered twice")
    _REGISTRY[cls.kind] = cls
    return cls


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    import importlib
    import pkgutil
    from importlib.metadata import entry_points

    import harness.faults as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg:  # the proxy package runs in its own container
            importlib.import_module(f"{package.__name__}.{info.name}")
    for entry in entry_points(group="drill.faults"):
        entry.load()
    _loaded = True


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
