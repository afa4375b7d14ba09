"""``marsad run``: the service: the pipeline worker and the connectors, until stopped.

Both serve Prometheus metrics, on ``worker_web_host``: the worker ``/metrics`` and ``/health``
on ``worker_web_port`` (6066 unless set), the connectors ``/metrics`` on ``metrics_port``
(:data:`CONNECTOR_METRICS_PORT` unless set). The ports are passed to the children explicitly, so
a taken port stops the service at once instead of moving elsewhere: the addresses printed at
start are the ones served. With ``worker_web_port=0`` the worker picks a free port and announces
it in its output (``worker web url=...``).
"""

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
from pipeline.web import DEFAULT_PORT, url_of

CONNECTOR_METRICS_PORT = 6067


def run(args: argparse.Namespace) -> int:
    try:
        settings = resolve(Settings())
        ensure_topics(settings)
    except MarsadError as exc:
        print(f"marsad run: {exc}", file=sys.stderr)
        return 1
    host = settings.worker_web_host
    worker_port = DEFAULT_PORT if settings.worker_web_port is None else settings.worker_web_port
    connector_port = settings.metrics_port or CONNECTOR_METRICS_PORT
    env = {
        "MARSAD_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
        "MARSAD_SEARCH_URL": str(settings.search_url),
        "MARSAD_WORKER_WEB_PORT": str(worker_port),
    }
    worker_url = url_of(host, worker_port) if worker_port else None
    connector_url = url_of(host, connector_port)
    sources = str(args.sources or settings.sources_path())
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    children = Children()
    try:
        children.start("worker", "worker", env=env, metrics=worker_url)
        children.start(
            "connectors",
            "connect",
            "--sources",
            sources,
            "--metrics-port",
            str(connector_port),
            "--metrics-host",
            host,
            env=env,
            metrics=connector_url,
        )
        print(f"marsad run: worker and connectors running on {sources}; Ctrl-C to stop", flush=True)
        worker_at = (
            f"{worker_url}/metrics and {worker_url}/health"
            if worker_url
            else "a free port (its output says: worker web url=...)"
        )
        print(f"marsad run: worker metrics at {worker_at}", flush=True)
        print(f"marsad run: connector metrics at {connector_url}/metrics", flush=True)
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
