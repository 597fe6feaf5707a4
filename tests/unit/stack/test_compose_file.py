"""The compose file is valid and publishes nothing beyond 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import settings

ROOT = Path(__file__).resolve().parents[3]


def compose_config(env: dict[str, str] | None = None) -> dict:
    if not shutil.which("docker"):
        pytest.fail("the docker CLI is missing: run `make setup`")
    proc = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(Path.home()), **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_compose_config_is_valid_and_names_every_service() -> None:
    config = compose_config()
    assert config["name"] == settings.PROJECT_NAME
    assert set(config["services"]) == {
        "db",
        "faultproxy",
        "api",
        "incidents",
        "prometheus",
        "alertmanager",
    }
    for name, service in config["services"].items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        assert service.get("pull_policy") == "never", f"{name} would try a registry"


def test_every_published_port_is_loopback_only() -> None:
    published = [
        (name, p) for name, s in compose_config()["services"].items() for p in s.get("ports", [])
    ]
    assert published, "the stack publishes no port at all"
    for name, port in published:
        assert port["host_ip"] == "127.0.0.1", f"{name} publishes {port} beyond loopback"


def test_host_ports_follow_their_variables() -> None:
    moved = {spec.variable: str(40000 + i) for i, spec in enumerate(settings.PORTS.values())}
    config = compose_config(moved)
    published = {
        (name, int(p["target"])): int(p["published"])
        for name, s in config["services"].items()
        for p in s.get("ports", [])
    }
    for spec in settings.PORTS.values():
        assert published[(spec.service, spec.container_port)] == int(moved[spec.variable])


def test_monitoring_services_are_recreated_when_their_config_changes() -> None:
    # `drill up` passes the hash of the bind-mounted configuration; a new hash is a new
    # environment, which makes compose recreate the container with the edited files.
    config = compose_config({"DRILL_CONFIG_HASH": "abc123"})
    for service in ("prometheus", "alertmanager"):
        assert config["services"][service]["environment"]["DRILL_CONFIG_HASH"] == "abc123"
