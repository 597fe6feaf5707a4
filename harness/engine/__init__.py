"""The drill run: timeline, clocks, responder, abort and rollback.

`run_drill` is imported lazily: harness.report reads the timeline and clocks modules, and
the run writes reports, so importing the package must not pull both in at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.engine.run import DrillOptions, DrillOutcome, Mode, run_drill

__all__ = ["DrillOptions", "DrillOutcome", "Mode", "run_drill"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from harness.engine import run

        return getattr(run, name)
    raise AttributeError(name)
