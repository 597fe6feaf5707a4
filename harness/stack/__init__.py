"""Control of drill's own compose project: up, down, health, exec, container lookup."""

from harness.stack.compose import Stack, ServiceState

__all__ = ["Stack", "ServiceState"]
