"""Stack figures: cold image build, `drill up` to all-healthy, idle memory per service.

Run: .venv/bin/python benchmarks/bench_stack.py [--cold]
--cold removes drill's images first so the build is measured from nothing (takes minutes).
"""

from __future__ import annotations

import argparse
import time

from harness.stack import Stack, lifecycle
from harness.stack.images import BASE_TAG, SERVICE_IMAGES, ImageBuilder


def cold_build(stack: Stack) -> float:
    lifecycle.down(stack, volumes=True)
    for tag in [s.tag for s in SERVICE_IMAGES] + [BASE_TAG]:
        try:
            stack.client.images.remove(tag, force=True)
        except Exception:  # noqa: BLE001 - absent already is fine
            pass
    started = time.monotonic()
    ImageBuilder(stack, report=lambda m: None).ensure_all(force=True)
    return time.monotonic() - started


def memory_mib(stack: Stack) -> dict[str, float]:
    usage = {}
    for service in stack.services():
        c = stack.container(service)
        stats = c.stats(stream=False)
        mem = stats["memory_stats"]
        cache = mem.get("stats", {}).get("cache", 0) or mem.get("stats", {}).get("inactive_file", 0)
        usage[service] = (mem.get("usage", 0) - cache) / 2**20
    return usage


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", action="store_true", help="measure a build from no images")
    args = parser.parse_args()
    stack = Stack()
    if args.cold:
        print(f"cold image build: {cold_build(stack):.1f} s")
    lifecycle.down(stack, volumes=True)
    lifecycle.up(stack, report=lambda m: None)  # images ready, so only start-up is timed next
    lifecycle.down(stack, volumes=True)
    seconds = lifecycle.up(stack, report=lambda m: None)
    print(f"drill up to all-healthy (fresh volumes, images built): {seconds:.1f} s")
    time.sleep(10)  # let start-up work settle before reading idle memory
    total = 0.0
    for service, mib in sorted(memory_mib(stack).items()):
        total += mib
        print(f"idle memory {service:<13} {mib:7.1f} MiB")
    print(f"idle memory {'total':<13} {total:7.1f} MiB")


if __name__ == "__main__":
    main()
