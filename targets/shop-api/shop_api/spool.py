"""The order spool: every accepted order is journaled to local disk before the database.

It is the API's own disk, a size-limited volume, so a drill can fill it for real: a full
disk then refuses orders (507) and fails /health, as a service with a full log or spool
volume does in production.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from pathlib import Path

from prometheus_client import Gauge

SPOOL_DIR = Path(os.environ.get("SHOP_SPOOL_DIR", "/var/spool/shop"))
MIN_FREE_BYTES = 64 * 1024


def _usage() -> tuple[int, int]:
    try:
        usage = shutil.disk_usage(SPOOL_DIR)
    except OSError:
        return 0, 0
    return usage.total, usage.free


SIZE = Gauge("shop_spool_size_bytes", "Size of the order spool volume")
FREE = Gauge("shop_spool_free_bytes", "Free bytes on the order spool volume")
SIZE.set_function(lambda: float(_usage()[0]))
FREE.set_function(lambda: float(_usage()[1]))


def has_room() -> bool:
    return _usage()[1] >= MIN_FREE_BYTES


def journal(record: dict[str, object]) -> None:
    """Append one line and flush it to the disk; raises OSError when the disk is full."""
    # A write into a half-used page can still succeed on a full disk; refuse below the
    # reserve instead, as the order would otherwise be journaled nowhere the next time.
    if not has_room():
        raise OSError(errno.ENOSPC, "no space left on the spool volume")
    SPOOL_DIR.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": time.time(), **record}) + "\n"
    path = SPOOL_DIR / time.strftime("orders-%Y%m%d.jsonl")
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
