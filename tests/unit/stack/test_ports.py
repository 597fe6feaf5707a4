"""A taken host port is named with its service and the variable that moves it."""

from __future__ import annotations

import socket

import pytest

from harness.errors import StackError
from harness.stack import lifecycle


class NoContainers:
    def containers(self) -> list[object]:
        return []


def test_taken_port_names_port_service_and_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        monkeypatch.setenv("DRILL_PROMETHEUS_PORT", str(taken))
        for _other, var in enumerate(
            [
                "DRILL_API_PORT",
                "DRILL_INCIDENTS_PORT",
                "DRILL_ALERTMANAGER_PORT",
                "DRILL_PROXY_PORT",
            ]
        ):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                monkeypatch.setenv(var, str(probe.getsockname()[1]))
        with pytest.raises(StackError) as err:
            lifecycle.check_ports(NoContainers())  # type: ignore[arg-type]
    message = str(err.value)
    assert str(taken) in message
    assert "prometheus" in message
    assert "DRILL_PROMETHEUS_PORT" in message


def test_free_ports_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    for spec in lifecycle.settings.PORTS.values():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            monkeypatch.setenv(spec.variable, str(probe.getsockname()[1]))
    lifecycle.check_ports(NoContainers())  # type: ignore[arg-type]
