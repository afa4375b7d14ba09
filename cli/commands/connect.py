"""``marsad connect``: poll the sources, fetch new articles, publish them to Kafka.

Runs until SIGINT/SIGTERM (then finishes or hands back in-flight work), or once with
``--once``. What was fetched, conditional-GET validators and each source's schedule and health
persist in ``<MARSAD_HOME>/connectors/state.sqlite``, so a restart does not fetch again what was
already published. Exit status: 0 when stopped, 1 on a configuration error or when Kafka stayed
unreachable past the deadline (the pages fetched meanwhile are handed back, not lost).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from prometheus_client import start_http_server

from cli.services import resolve
from connectors.config import ConnectorConfig
from connectors.fetch import Fetcher, FetcherConfig
from connectors.metrics import ConnectorMetrics
from connectors.publisher import PagePublisher
from connectors.runner import Connector
from connectors.sources import load_sources
from connectors.state import StateStore
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from kernel.topics import PAGES
from pipeline.kafka_admin import ensure_topics

log = logging.getLogger(__name__)


def default_state_path(settings: Settings) -> Path:
    return settings.home / "connectors" / "state.sqlite"


async def connect(
    settings: Settings,
    sources: Path,
    *,
    once: bool,
    min_delay_s: float,
    state_path: Path | None = None,
    metrics_port: int = 0,
    metrics_host: str = "127.0.0.1",
    fetcher_config: FetcherConfig | None = None,
    config: ConnectorConfig | None = None,
) -> int:
    """Run the connectors; ``state_path`` None keeps the state in memory (forgotten on exit)."""
    registry = load_sources(sources)
    if settings.kafka_bootstrap is None:
        raise MarsadError("no Kafka bootstrap address configured")
    fetch_config = fetcher_config or FetcherConfig(min_delay_s=min_delay_s)
    metrics = ConnectorMetrics()
    if metrics_port:
        try:
            start_http_server(metrics_port, addr=metrics_host, registry=metrics.registry)
        except OSError as exc:
            raise MarsadError(
                f"cannot serve the connectors' metrics on {metrics_host}:{metrics_port} ({exc}): "
                "choose another port with --metrics-port or MARSAD_METRICS_PORT"
            ) from exc
        log.info("metrics serving address=%s:%d", metrics_host, metrics_port)
    state = StateStore(state_path) if state_path is not None else StateStore()
    try:
        async with (
            Fetcher(fetch_config) as fetcher,
            PagePublisher(
                settings.kafka_bootstrap,
                topic=settings.topic(PAGES),
                security=settings.kafka_security(),
            ) as publisher,
        ):
            connector = Connector(
                registry, fetcher, publisher, state=state, metrics=metrics, config=config
            )
            if once:
                for r in await connector.run_once():
                    outcome = r.summary.outcome if r.summary else "?"
                    print(
                        f"{r.source}: outcome={outcome} discovered={r.discovered} new={r.new} "
                        f"published={r.published} failed={r.failed}",
                        flush=True,
                    )
                return 1 if connector.outbox.stalled.is_set() else 0
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            print(
                f"marsad connect: polling {len(registry.sources)} sources (Ctrl-C to stop)",
                flush=True,
            )
            result = await connector.run_forever(stop)
            print(
                f"marsad connect: stopped ({result.reason}); {result.handed_back} page(s) handed "
                f"back, {result.polls_cancelled} poll(s) cut short",
                flush=True,
            )
            return 0 if result.reason == "stopped" else 1
    finally:
        state.close()


def run(args: argparse.Namespace) -> int:
    try:
        settings = resolve(Settings())
        ensure_topics(settings)
        sources = args.sources or settings.sources_path()
        state_path = None if args.forget else (args.state or default_state_path(settings))
        fetcher_config = FetcherConfig(
            min_delay_s=args.min_delay,
            concurrency=args.concurrency,
            total_timeout_s=args.timeout,
            read_timeout_s=min(20.0, args.timeout),
        )
        return asyncio.run(
            connect(
                settings,
                sources,
                once=args.once,
                min_delay_s=args.min_delay,
                state_path=state_path,
                metrics_port=args.metrics_port or settings.metrics_port,
                metrics_host=args.metrics_host,
                fetcher_config=fetcher_config,
            )
        )
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
    parser.add_argument(
        "--concurrency", type=int, default=16, help="requests in flight at once, all hosts"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="deadline of one request, in seconds"
    )
    parser.add_argument(
        "--state", type=Path, help="state file (default <MARSAD_HOME>/connectors/state.sqlite)"
    )
    parser.add_argument(
        "--forget", action="store_true", help="keep no state: fetch everything in the feeds"
    )
    parser.add_argument(
        "--metrics-port", type=int, default=0, help="serve Prometheus metrics on this port"
    )
    parser.add_argument("--metrics-host", default="127.0.0.1", help="address of the metrics port")
    parser.set_defaults(func=run)
