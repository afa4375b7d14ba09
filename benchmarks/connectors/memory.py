"""Connector memory over a long run with thousands of sources.

    .venv/bin/python -m benchmarks.connectors.memory [--outlets 3000 --minutes 15]

3,000 generated outlets, each its own host name on one loopback server in another process;
each publishes a new article every ``--period`` seconds. The connector runs as in production
(``run_forever``: adaptive polling, robots.txt, one request at a time per host with a 1 s
minimum delay, state in SQLite) with a publisher that acknowledges at once, so what grows is
the connector's own memory. RSS is sampled every 10 s. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path

from benchmarks.connectors.common import MB, Meter, NullKafka, fleet_server
from connectors.config import ConnectorConfig
from connectors.fetch import Fetcher, FetcherConfig
from connectors.runner import Connector
from connectors.schedule import PollingPolicy
from connectors.state import StateStore
from tests.sites.fleet import Fleet, fleet_resolver


def polls_done(connector: Connector) -> int:
    total = 0.0
    for metric in connector.metrics.polls.collect():
        total += sum(s.value for s in metric.samples if s.name.endswith("_total"))
    return int(total)


async def main_async(args: argparse.Namespace) -> None:
    fleet = Fleet(args.outlets, items=args.items, period_s=args.period)
    meter = Meter()
    with (
        fleet_server(args.outlets, items=args.items, period_s=args.period) as port,
        tempfile.TemporaryDirectory() as tmp,
    ):
        registry = fleet.sources(port, poll_interval_s=args.interval)
        state_path = Path(tmp) / "state.sqlite"
        state = StateStore(state_path)
        kafka = NullKafka()
        fetch_config = FetcherConfig(min_delay_s=args.min_delay, concurrency=args.concurrency)
        config = ConnectorConfig(poll_concurrency=args.poll_concurrency, outbox_capacity=500)
        policy = PollingPolicy(floor_s=args.interval / 4)
        print(
            f"outlets={args.outlets} items={args.items} new article every {args.period:.0f}s "
            f"per outlet, base poll interval {args.interval:.0f}s, min_delay={args.min_delay}s, "
            f"concurrency={args.concurrency}, poll_concurrency={args.poll_concurrency}, "
            f"minutes={args.minutes}"
        )
        print(f"rss before start: {meter.rss_mib():.0f} MiB")
        print("| minute | RSS MiB | published | polls | outbox | state file MiB |")
        print("|---|---|---|---|---|---|")
        samples: list[tuple[float, float]] = []
        meter.start()
        async with Fetcher(fetch_config, resolver=fleet_resolver) as fetcher:
            connector = Connector(
                registry, fetcher, kafka, state=state, config=config, policy=policy
            )
            stop = asyncio.Event()
            run = asyncio.create_task(connector.run_forever(stop))
            began = time.monotonic()
            next_print = 60.0
            while (elapsed := time.monotonic() - began) < args.minutes * 60:
                await asyncio.sleep(10)
                rss = meter.rss_mib()
                samples.append((elapsed, rss))
                if elapsed >= next_print:
                    size = sum(p.stat().st_size for p in Path(tmp).glob("state.sqlite*")) / MB
                    print(
                        f"| {elapsed / 60:.0f} | {rss:.0f} | {kafka.count} | "
                        f"{polls_done(connector)} | {connector.outbox.waiting} | {size:.1f} |",
                        flush=True,
                    )
                    next_print += 60
            stop.set()
            result = await run
        usage = meter.stop()
        state.close()
    peak = max(r for _, r in samples)
    half = [r for t, r in samples if t >= args.minutes * 30]
    slope = (half[-1] - half[0]) / (args.minutes / 2) if len(half) > 1 else 0.0
    print(
        f"\npublished {kafka.count} pages, {polls_done(connector)} polls in "
        f"{usage.wall_s / 60:.1f} min, CPU {usage.cpu_s:.0f} s; stop: {result.reason}, "
        f"handed back {result.handed_back}"
    )
    print(
        f"RSS: after 1 min {samples[5][1]:.0f} MiB, peak {peak:.0f} MiB, end {samples[-1][1]:.0f}"
        f" MiB; second half {half[0]:.0f} → {half[-1]:.0f} MiB ({slope:+.1f} MiB/min)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.connectors.memory")
    parser.add_argument("--outlets", type=int, default=3000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--period", type=float, default=300.0)
    parser.add_argument("--interval", type=float, default=120.0)
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--min-delay", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--poll-concurrency", type=int, default=256)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
