"""``marsad connect``: poll the sources, fetch new articles, publish them to Kafka."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from connectors.fetch import Fetcher
from connectors.publisher import PagePublisher
from connectors.runner import Connector
from connectors.sources import load_sources
from pipeline.exceptions import MarsadError
from pipeline.kafka_admin import ensure_topics
from pipeline.services import resolve
from pipeline.settings import Settings
from pipeline.topics import PAGES

log = logging.getLogger(__name__)


async def connect(settings: Settings, sources: Path, *, once: bool, min_delay_s: float) -> int:
    registry = load_sources(sources)
    if settings.kafka_bootstrap is None:
        raise MarsadError("no Kafka bootstrap address configured")
    async with (
        Fetcher(min_delay_s=min_delay_s) as fetcher,
        PagePublisher(settings.kafka_bootstrap, topic=settings.topic(PAGES)) as publisher,
    ):
        connector = Connector(registry, fetcher, publisher)
        if once:
            reports = await connector.run_once()
            for r in reports:
                print(
                    f"{r.source}: discovered={r.discovered} new={r.new} "
                    f"published={r.published} failed={r.failed}",
                    flush=True,
                )
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        print(
            f"marsad connect: polling {len(registry.sources)} sources (Ctrl-C to stop)", flush=True
        )
        await connector.run_forever(stop)
        return 0


def run(args: argparse.Namespace) -> int:
    try:
        settings = resolve(Settings())
        ensure_topics(settings)
        sources = args.sources or settings.sources_file
        return asyncio.run(connect(settings, sources, once=args.once, min_delay_s=args.min_delay))
    except MarsadError as exc:
        print(f"marsad connect: {exc}", file=sys.stderr)
        return 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("connect", help="poll sources and publish pages to Kafka")
    parser.add_argument("--sources", type=Path, help="sources file (default deploy/sources.yaml)")
    parser.add_argument("--once", action="store_true", help="poll every source once and exit")
    parser.add_argument(
        "--min-delay", type=float, default=1.0, help="seconds between requests to one host"
    )
    parser.set_defaults(func=run)
