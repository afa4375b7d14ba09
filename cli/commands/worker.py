"""``marsad worker``: run the Faust pipeline worker until stopped.

It serves ``GET /metrics`` and ``GET /health`` (:mod:`pipeline.web`) on ``--web-host`` and
``--web-port`` (default: the settings ``worker_web_host`` and ``worker_web_port``), bound first,
so that a taken port is reported at once and ``/health`` answers ``starting`` while the topics,
templates, lexicons and Faust are being set up; the address is printed and logged as
``worker web url=...``.

With ``MARSAD_ALERTS_ENABLED`` (the default) it also evaluates the alert rules
(``MARSAD_ALERTS_FILE``, default ``alerts.yaml`` of the deploy folder) on the indexed articles,
with the outlet groups of the source registry, and notifies through the webhook and e-mail the
settings configure (docs/alerting.md). A broken rule stops it at start, naming the rule and
the field.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from cli.services import resolve
from connectors.sources import load_sources
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.kafka_admin import ensure_topics
from pipeline.sampler import WorkerMonitor
from pipeline.sinks.factory import open_sink
from pipeline.web import announcement, serve

log = logging.getLogger(__name__)


async def install_templates(settings: Settings) -> None:
    sink = open_sink(settings)
    try:
        await sink.ensure_templates()
    finally:
        await sink.close()


def prepare(settings: Settings) -> None:
    """Create the topics and install the index templates (both idempotent)."""
    ensure_topics(settings)
    asyncio.run(install_templates(settings))


def run(args: argparse.Namespace) -> int:
    try:
        settings = resolve(Settings())
    except MarsadError as exc:
        print(f"marsad worker: {exc}", file=sys.stderr)
        return 1
    monitor = WorkerMonitor()
    host = args.web_host or settings.worker_web_host
    port = settings.worker_web_port if args.web_port is None else args.web_port
    try:
        endpoint = serve(host, port, monitor.health)  # /health says "starting" from now on
    except OSError as exc:
        print(f"marsad worker: cannot serve /metrics on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    print(f"marsad worker: {announcement(endpoint.url)}", flush=True)
    try:
        prepare(settings)
        from faust import Worker  # noqa: PLC0415 - heavy import, only for this command

        from pipeline.app import create_app  # noqa: PLC0415

        alerting = None
        if settings.alerts_enabled:
            from pipeline.alerting import alerting_parts  # noqa: PLC0415

            groups = load_sources(settings.sources_path()).outlet_groups()
            alerting = alerting_parts(settings, groups)
            print(
                f"marsad worker: {len(alerting.ruleset.rules)} alert rules from "
                f"{settings.alerts_path()}, {len(alerting.notifiers)} notifier(s)",
                flush=True,
            )
        app = create_app(settings, monitor=monitor, alerting=alerting)
        print(
            f"marsad worker: consuming {settings.topic_namespace}news.pages.v1 from "
            f"{settings.kafka_bootstrap}, indexing into {settings.search_url}",
            flush=True,
        )
        worker = Worker(app, loglevel=args.loglevel, quiet=True, redirect_stdouts=False)
        worker.execute_from_commandline()  # exits the process when the worker stops
    except MarsadError as exc:
        print(f"marsad worker: {exc}", file=sys.stderr)
        return 1
    finally:
        endpoint.close()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("worker", help="run the pipeline worker (Faust)")
    parser.add_argument("--loglevel", default="INFO")
    parser.add_argument("--web-host", help="address of /metrics and /health (worker_web_host)")
    parser.add_argument(
        "--web-port", type=int, help="port of /metrics and /health; 0: a free one (worker_web_port)"
    )
    parser.set_defaults(func=run)
