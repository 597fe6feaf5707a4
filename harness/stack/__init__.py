"""Control of drill's own compose project: up, down, health, exec, container lookup."""

from harness.stack.compose import ServiceState, Stack

__all__ = ["Stack", "ServiceState"]
