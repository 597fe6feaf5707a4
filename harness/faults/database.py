"""Database faults on the `db` service: stall, lock, connection exhaustion, down.

The lock and the idle sessions are held by a process started inside the db container
(`setsid`, so it outlives the `docker exec`), named `drill-fault-<id>` in
pg_stat_activity and bounded by the fault's TTL even if nothing reverts it. Revert kills
that process by its recorded PID and terminates any backend still carrying the name.
"""

from __future__ import annotations

import shlex
import time

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import FaultError
from harness.faults.base import AppliedFault, Fault, FaultContext, NoParams
from harness.faults.container import PauseFault, start_if_down
from harness.faults.registry import register

DB = "db"
PSQL = ["psql", "-X", "-q", "-At", "-h", "/var/run/postgresql", "-U", "shop", "-d", "shop"]


# Finds the holder by its unique name; the name is split ("$1" is the fault id) so this
# script's own command line never matches itself.
FIND_HOLDER = (
    'n="drill-fault-$1"; found=""; '
    'for p in /proc/[0-9]*; do grep -qsF "$n" "$p/cmdline" && found="$found ${p#/proc/}"; done; '
)


def app_name(applied: AppliedFault) -> str:
    return f"drill-fault-{applied.id}"


def hold_seconds(applied: AppliedFault) -> int:
    """Whatever happens, the holder gives up when the fault's TTL ends."""
    return max(int(applied.expires_at - time.time()) + 5, 5)


def sql(ctx: FaultContext, query: str, *, timeout: float = 20) -> str:
    result = ctx.stack.exec(DB, [*PSQL, "-c", query], timeout=timeout)
    if result.exit_code != 0:
        raise FaultError(f"psql in db failed ({result.exit_code}): {result.output.strip()[:200]}")
    return result.output.strip()


def kill_holder(ctx: FaultContext, applied: AppliedFault) -> None:
    name = app_name(applied)
    # Only processes whose command line carries this fault's unique name; this also finds
    # a holder whose PID was never recorded (harness killed mid-inject).
    ctx.stack.exec(DB, ["sh", "-c", FIND_HOLDER + "kill $found; exit 0", "sh", applied.id])
    for _ in range(50):
        left = sql(
            ctx,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            f"WHERE application_name = '{name}'",
        )
        if left == "0":
            return
        time.sleep(0.1)
    raise FaultError(f"sessions named {name} survived pg_terminate_backend")


def sessions(ctx: FaultContext, applied: AppliedFault) -> int:
    out = sql(
        ctx, f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{app_name(applied)}'"
    )
    return int(out or 0)


def start_holder(ctx: FaultContext, applied: AppliedFault, command: str, ready: str) -> int:
    """Start `command` detached in the db container, wait until `ready` (a shell test) holds."""
    script = (
        f"setsid nohup sh -c {shlex.quote(command)} >/dev/null 2>&1 & pid=$!; "
        f"i=0; while [ $i -lt 200 ]; do if {ready}; then echo $pid; exit 0; fi; "
        "sleep 0.05; i=$((i+1)); done; echo $pid; exit 3"
    )
    result = ctx.stack.exec(DB, ["sh", "-c", script], timeout=30)
    lines = result.output.strip().splitlines()
    pid = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    if result.exit_code != 0:
        raise FaultError(f"{applied.kind}: the holder did not get ready: {result.output[-200:]}")
    return pid


@register
class DbStall(PauseFault):
    kind = "db.stall"
    Params = NoParams
    summary = "Freeze the database process (docker pause db): connections hang."
    targets = (DB,)
    default_target = DB


class LockParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    table: str = Field("products", pattern=r"^[a-z_][a-z0-9_]*$")


@register
class DbLock(Fault):
    kind = "db.lock"
    Params = LockParams
    summary = "A transaction holds ACCESS EXCLUSIVE on a hot table: queries on it block."
    targets = (DB,)
    default_target = DB

    def plan(self, target: str, params: BaseModel) -> list[str]:
        table = params.table  # type: ignore[attr-defined]
        return [
            f"in db: BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; pg_sleep(ttl)",
            "revert: kill the holder, pg_terminate_backend its session",
        ]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        name, table = app_name(applied), applied.params["table"]
        query = (
            f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; "
            f"SELECT pg_sleep({hold_seconds(applied)}); COMMIT;"
        )
        conninfo = f"host=/var/run/postgresql user=shop dbname=shop application_name={name}"
        command = "exec " + shlex.join(["psql", "-X", "-q", conninfo, "-c", query])
        probe = shlex.join(
            [
                *PSQL,
                "-c",
                "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                f"WHERE a.application_name = '{name}' AND l.mode = 'AccessExclusiveLock' "
                f"AND l.granted AND l.relation = '{table}'::regclass",
            ]
        )
        ready = f'[ "$({probe})" = 1 ]'
        pid = start_holder(ctx, applied, command, ready)
        applied.revert_data["pid"] = pid

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        kill_holder(ctx, applied)

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        return sessions(ctx, applied) > 0


HOLDER = """
import sys, time, psycopg2
app, status, evict = sys.argv[1], sys.argv[4], sys.argv[3] == "1"
deadline = time.time() + float(sys.argv[2])
conns, evicted, full = [], False, False
while time.time() < deadline:
    try:
        conns.append(psycopg2.connect(host="/var/run/postgresql", user="shop", dbname="shop",
                                      application_name=app))
        continue
    except psycopg2.OperationalError:
        pass
    if evict and not evicted and conns:
        conns[0].autocommit = True
        conns[0].cursor().execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
            " AND backend_type = 'client backend' AND application_name <> %s", (app,))
        evicted = True
        continue
    if not full:
        open(status, "w").write(str(len(conns)))
        full = True
    time.sleep(0.05)
"""


class ConnectionsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    evict: bool = Field(True, description="also end the app's sessions so it must reconnect")


@register
class DbConnections(Fault):
    kind = "db.connections"
    Params = ConnectionsParams
    summary = "Idle sessions take every connection slot (max_connections exhausted)."
    targets = (DB,)
    default_target = DB

    def plan(self, target: str, params: BaseModel) -> list[str]:
        evict = " and end the app's sessions" if params.evict else ""  # type: ignore[attr-defined]
        return [
            f"in db: open idle sessions until max_connections is reached{evict}",
            "revert: kill the holder (its sessions close)",
        ]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        name = app_name(applied)
        status = f"/tmp/{name}.full"
        argv = [
            "python3",
            "-c",
            HOLDER,
            name,
            str(hold_seconds(applied)),
            "1" if applied.params["evict"] else "0",
            status,
        ]
        pid = start_holder(ctx, applied, shlex.join(argv), f"[ -e {status} ]")
        applied.revert_data["pid"] = pid

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        kill_holder(ctx, applied)

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        check = FIND_HOLDER + '[ -n "$found" ]'
        return ctx.stack.exec(DB, ["sh", "-c", check, "sh", applied.id]).exit_code == 0


@register
class DbDown(Fault):
    kind = "db.down"
    Params = NoParams
    summary = "Kill the database container; revert starts it and waits until it is healthy."
    targets = (DB,)
    default_target = DB

    def plan(self, target: str, params: BaseModel) -> list[str]:
        return ["docker kill <db>", "revert: docker start <db>, wait healthy"]

    def inject(self, ctx: FaultContext, applied: AppliedFault) -> None:
        ctx.stack.container(DB).kill()

    def revert(self, ctx: FaultContext, applied: AppliedFault) -> None:
        start_if_down(ctx.stack.container(DB))

    def is_active(self, ctx: FaultContext, applied: AppliedFault) -> bool:
        c = ctx.stack.container(DB)
        c.reload()
        return c.status != "running"
