"""Run the fault proxy until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from harness.faults.proxy import FaultProxy
from harness.faults.proxy.core import DEFAULT_TTL_S


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 -m harness.faults.proxy",
        description="TCP fault proxy with a Toxiproxy-compatible control API",
    )
    parser.add_argument("--host", default="127.0.0.1", help="control API address")
    parser.add_argument("--port", type=int, default=8474, help="control API port")
    parser.add_argument("--config", type=Path, help="JSON list of proxies to create at start")
    parser.add_argument(
        "--default-ttl",
        type=float,
        default=DEFAULT_TTL_S,
        help="seconds a toxic lives when its creator gave no ttl",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    proxy = FaultProxy(host=args.host, port=args.port, default_ttl_s=args.default_ttl)
    await proxy.start(args.config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await proxy.stop()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = parse_args(argv)
    try:  # uvloop's event loop roughly halves the proxy's per-byte cost; asyncio's works too
        import uvloop
    except ImportError:
        asyncio.run(serve(args))
    else:
        uvloop.run(serve(args))


if __name__ == "__main__":
    main()
