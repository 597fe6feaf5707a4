"""Where drill finds its files, ports and secrets.

Every host port is on 127.0.0.1 and can be moved with an environment variable; the
compose file reads the same variables, so the CLI and the stack always agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import dotenv_values

from harness.errors import ConfigError

PROJECT_NAME = "drill"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Port:
    service: str
    variable: str
    default: int
    container_port: int


# service -> published port. The API and the fault proxy's control port are published by
# the `faultproxy` service, because client -> API traffic crosses the proxy.
PORTS: dict[str, Port] = {
    "api": Port("faultproxy", "DRILL_API_PORT", 8080, 8080),
    "incidents": Port("incidents", "DRILL_INCIDENTS_PORT", 8090, 8090),
    "prometheus": Port("prometheus", "DRILL_PROMETHEUS_PORT", 9090, 9090),
    "alertmanager": Port("alertmanager", "DRILL_ALERTMANAGER_PORT", 9093, 9093),
    "faultproxy": Port("faultproxy", "DRILL_PROXY_PORT", 8474, 8474),
}


def find_root(start: Path | None = None) -> Path:
    """The checkout that holds docker-compose.yml (DRILL_ROOT wins)."""
    if env := os.environ.get("DRILL_ROOT"):
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "docker-compose.yml").is_file() and (candidate / "harness").is_dir():
            return candidate
    package_root = Path(__file__).resolve().parent.parent
    if (package_root / "docker-compose.yml").is_file():
        return package_root
    raise ConfigError(
        "cannot find the drill checkout (docker-compose.yml); run drill from inside it "
        "or set DRILL_ROOT"
    )


@lru_cache(maxsize=1)
def root() -> Path:
    return find_root()


def env_file_values() -> dict[str, str]:
    path = root() / ".env"
    if not path.is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def setting(name: str, default: str | None = None) -> str | None:
    """Environment first, then the git-ignored .env written by `make setup`."""
    if name in os.environ:
        return os.environ[name]
    try:
        return env_file_values().get(name, default)
    except ConfigError:
        return default


def port(name: str) -> int:
    spec = PORTS[name]
    value = setting(spec.variable)
    if value is None:
        return spec.default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{spec.variable}={value!r} is not a port number") from exc


def url(name: str) -> str:
    return f"http://{HOST}:{port(name)}"


def api_token() -> str:
    token = setting("DRILL_API_TOKEN")
    if not token:
        raise ConfigError("DRILL_API_TOKEN is not set; run `make setup` to write it to .env")
    return token


def state_dir() -> Path:
    """Run-time state (active faults, heartbeats); git-ignored."""
    path = Path(setting("DRILL_STATE_DIR") or root() / ".drill")
    path.mkdir(parents=True, exist_ok=True)
    return path
