"""python3 -m harness.incidents --host H --port P: run the incident service with uvicorn."""

from __future__ import annotations

import argparse
import logging

import uvicorn

from harness.incidents.app import create_app
from harness.incidents.config import ServiceSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python3 -m harness.incidents")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--db", help="SQLAlchemy URL (default: DRILL_INCIDENTS_DB)")
    parser.add_argument("--ops-dir", help="folder with oncall.yaml and notifications/")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    overrides: dict[str, object] = {}
    if args.db:
        overrides["db_url"] = args.db
    if args.ops_dir:
        overrides["ops_dir"] = args.ops_dir
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    app = create_app(ServiceSettings.from_env(**overrides))
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
