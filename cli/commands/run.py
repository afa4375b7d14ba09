"""``marsad run``: the service: the pipeline worker and the connectors, until stopped."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from cli.services import resolve
from cli.supervisor import Children
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.kafka_admin import ensure_topics


def run(args: argparse.Namespace) -> int:
    try:
        settings = resolve(Settings())
        ensure_topics(settings)
    except MarsadError as exc:
        print(f"marsad run: {exc}", file=sys.stderr)
        return 1
    env = {
        "MARSAD_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
        "MARSAD_SEARCH_URL": str(settings.search_url),
    }
    sources = str(args.sources or settings.sources_path())
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    children = Children()
    try:
        children.start("worker", "worker", env=env)
        children.start("connectors", "connect", "--sources", sources, env=env)
        print(f"marsad run: worker and connectors running on {sources}; Ctrl-C to stop", flush=True)
        while not stop.wait(1.0):
            if dead := children.failed():
                print(f"marsad run: stopped because a process exited: {dead}", file=sys.stderr)
                return 1
        return 0
    finally:
        children.stop()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="run the worker and the connectors until stopped")
    parser.add_argument("--sources", type=Path, help="sources file (default deploy/sources.yaml)")
    parser.set_defaults(func=run)
