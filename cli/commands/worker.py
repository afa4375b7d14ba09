"""``marsad worker``: run the Faust pipeline worker until stopped."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from cli.services import resolve
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.kafka_admin import ensure_topics
from pipeline.sink import open_sink

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
        prepare(settings)
    except MarsadError as exc:
        print(f"marsad worker: {exc}", file=sys.stderr)
        return 1
    from faust import Worker  # noqa: PLC0415 - heavy import, only for this command

    from pipeline.app import create_app  # noqa: PLC0415

    app = create_app(settings)
    print(
        f"marsad worker: consuming {settings.topic_namespace}news.pages.v1 from "
        f"{settings.kafka_bootstrap}, indexing into {settings.search_url}",
        flush=True,
    )
    worker = Worker(app, loglevel=args.loglevel, quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()  # exits the process when the worker stops
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("worker", help="run the pipeline worker (Faust)")
    parser.add_argument("--loglevel", default="INFO")
    parser.set_defaults(func=run)
