"""Fault injection: container, database and network faults, always rolled back.

Kept import-light on purpose: the fault proxy (`harness.faults.proxy`) runs in a container
that has pydantic but not the docker SDK, so nothing here may import the fault families.
Use `harness.faults.registry` and `harness.faults.manager` directly.
"""
