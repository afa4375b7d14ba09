"""Connector throughput against loopback outlets, politeness delays at zero.

    .venv/bin/python -m benchmarks.connectors.throughput [--outlets 50 --items 40] [--kafka]

One process serves the outlets (``tests.sites.fleet``), this one runs the connector:
discovery, robots.txt, fetching with the size cap and the address guard, state in SQLite, the
outbox. Three runs: every article new (publisher acknowledging at once), every feed unchanged
(conditional GET → 304), and, with ``--kafka``, every article new again published to the local
stack's Kafka (its own topic namespace, deleted afterwards). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import uuid
from pathlib import Path

from benchmarks.connectors.common import MB, Meter, NullKafka, fleet_server
from connectors.config import ConnectorConfig
from connectors.fetch import Fetcher, FetcherConfig
from connectors.outbox import RawPagePublisher
from connectors.publisher import PagePublisher
from connectors.runner import Connector
from connectors.sources import SourceRegistry
from connectors.state import StateStore
from tests.sites.fleet import Fleet, fleet_resolver


def line(label: str, pages: int, wall: float, cpu: float, extra: str = "") -> str:
    rate = pages / wall if wall else 0.0
    per_cpu = pages / cpu if cpu else 0.0
    return (
        f"| {label} | {pages} | {wall:.1f} s | {rate:.0f}/s | {cpu:.1f} s | {per_cpu:.0f}/CPU-s "
        f"| {extra} |"
    )


async def run(
    registry: SourceRegistry,
    publisher: RawPagePublisher,
    state: StateStore,
    concurrency: int,
    rounds: int = 1,
) -> list[tuple[int, float, float]]:
    """``rounds`` polls of every source with one connector: (pages, wall s, CPU s) each."""
    fetch_config = FetcherConfig(min_delay_s=0.0, concurrency=concurrency)
    config = ConnectorConfig(poll_concurrency=concurrency * 2, outbox_capacity=500)
    meter = Meter()
    results = []
    async with Fetcher(fetch_config, resolver=fleet_resolver) as fetcher:
        connector = Connector(registry, fetcher, publisher, state=state, config=config)
        for _ in range(rounds):
            meter.start()
            reports = await connector.run_once()
            usage = meter.stop()
            results.append((sum(r.fetched for r in reports), usage.wall_s, usage.cpu_s))
    return results


async def kafka_run(registry: SourceRegistry, concurrency: int, folder: Path) -> str:
    from kafka.admin import KafkaAdminClient  # noqa: PLC0415 - only with --kafka

    from cli.services import resolve  # noqa: PLC0415
    from kernel.settings import Settings  # noqa: PLC0415
    from kernel.topics import ALL_TOPICS, PAGES  # noqa: PLC0415
    from pipeline.kafka_admin import ensure_topics  # noqa: PLC0415

    settings = resolve(Settings()).model_copy(
        update={"topic_namespace": f"bench{uuid.uuid4().hex[:6]}."}
    )
    assert settings.kafka_bootstrap is not None  # noqa: S101
    ensure_topics(settings)
    try:
        async with PagePublisher(settings.kafka_bootstrap, topic=settings.topic(PAGES)) as kafka:
            state = StateStore(folder / "kafka.sqlite")
            [(pages, wall, cpu)] = await run(registry, kafka, state, concurrency)
            state.close()
        return line("all new, real Kafka (acks=all, gzip)", pages, wall, cpu)
    finally:
        admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        admin.delete_topics([settings.topic(t) for t in ALL_TOPICS])
        admin.close()


async def main_async(args: argparse.Namespace) -> None:
    fleet = Fleet(args.outlets, items=args.items)
    with fleet_server(args.outlets, items=args.items, period_s=1e9) as port:
        registry = fleet.sources(port)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            print(
                f"outlets={args.outlets} articles={args.outlets * args.items} "
                f"article_bytes~30000 concurrency={args.concurrency} min_delay=0\n"
            )
            print("| run | pages | wall | pages/s | CPU | pages per CPU-s | |")
            print("|---|---|---|---|---|---|---|")
            kafka = NullKafka()
            state = StateStore(folder / "state.sqlite")
            first, *again = await run(registry, kafka, state, args.concurrency, rounds=4)
            pages, wall, cpu = first
            mb = kafka.bytes * 3 / 4 / MB
            print(
                line("all new, acknowledging publisher", pages, wall, cpu, f"{mb / wall:.1f} MB/s")
            )
            polls = args.outlets * len(again)
            wall, cpu = sum(r[1] for r in again), sum(r[2] for r in again)
            print(line("all feeds unchanged (304)", polls, wall, cpu, "polls, not pages"))
            state.close()
            if args.kafka:
                print(await kafka_run(registry, args.concurrency, folder))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.connectors.throughput")
    parser.add_argument("--outlets", type=int, default=50)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--kafka", action="store_true", help="also publish to the local stack")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
