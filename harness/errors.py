"""Errors drill raises on purpose.

    DrillError                 any failure a user can act on; the CLI prints it as one line, exit 2
    ├── ConfigError            settings, .env, missing tools
    ├── StackError             Docker engine, compose project, images, ports
    ├── ScenarioError          a scenario file is wrong (names file, line and field)
    ├── FaultError             a fault cannot be injected or reverted
    │   └── SafetyError        a target outside drill's own compose project
    ├── ProbeError             a probe is misconfigured
    ├── RunbookError           a runbook is malformed or cannot run
    ├── ChannelError           a notification channel failed
    └── IncidentServiceError   the incident service answered badly or not at all

Anything else escaping to the CLI is a bug and shows its traceback.
"""

from __future__ import annotations


class DrillError(Exception):
    """Base of every error a user can act on."""


class ConfigError(DrillError):
    pass


class StackError(DrillError):
    pass


class ScenarioError(DrillError):
    pass


class FaultError(DrillError):
    pass


class SafetyError(FaultError):
    pass


class ProbeError(DrillError):
    pass


class RunbookError(DrillError):
    pass


class ChannelError(DrillError):
    pass


class IncidentServiceError(DrillError):
    pass
