"""``marsad demo``: the running system fed by the sample Arabic sites served on loopback.

Serves the demo outlets on fixed loopback ports (fixed, so that a second run sees the same
URLs and so the same document ids), starts a worker, polls every feed once, waits until the
worker has committed every page, then prints the index size and a few search results.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from cli.commands.connect import connect
from cli.commands.search import format_hit, search
from cli.commands.worker import prepare
from cli.services import resolve
from cli.supervisor import Children
from devtools.demo import serve_demo_sites, write_sources_yaml
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.kafka_admin import pipeline_lag
from pipeline.sink import open_sink

QUERIES = ("احرار الشام", "جبهة النصرة", "الصواريخ")


def wait_for_worker(settings: Settings, children: Children, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    last: int | None = -1
    while time.monotonic() < deadline:
        if dead := children.failed():
            raise MarsadError(f"the worker exited early: {dead}")
        lag = pipeline_lag(settings)
        if lag == 0:
            return
        if lag != last:
            todo = "not started yet" if lag is None else f"{lag} records to go"
            print(f"  waiting for the worker: {todo}", flush=True)
            last = lag
        time.sleep(1.0)
    raise MarsadError(f"the worker did not catch up within {deadline_s:.0f}s")


async def index_size(settings: Settings) -> int:
    sink = open_sink(settings)
    try:
        await sink.refresh("articles")
        return await sink.count("articles")
    finally:
        await sink.close()


def run(args: argparse.Namespace) -> int:
    children = Children()
    try:
        settings = resolve(Settings())
        prepare(settings)
        ports = [args.port + i for i in range(4)]
        with serve_demo_sites(ports=ports) as demo:
            sources = settings.home / "demo" / "sources.yaml"
            write_sources_yaml(demo.outlets, sources)
            for outlet in demo.outlets:
                print(f"serving {outlet.name_latin} ({outlet.name_ar}) at {outlet.feed_url}")
            env = {
                "MARSAD_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
                "MARSAD_SEARCH_URL": str(settings.search_url),
            }
            worker_log = settings.home / "demo" / "worker.log"
            children.start("worker", "worker", env=env, log_to=worker_log)
            print(f"started the worker (log: {worker_log})", flush=True)
            print("polling the demo feeds once and publishing to Kafka...", flush=True)
            asyncio.run(connect(settings, sources, once=True, min_delay_s=0.1))
            wait_for_worker(settings, children, args.timeout)
        total = asyncio.run(index_size(settings))
        print(f"\nthe index {settings.index_prefix}-articles holds {total} articles\n")
        for query in QUERIES:
            count, hits = asyncio.run(search(settings, query, 2))
            print(f"── marsad search {query!r}: {count} article(s)")
            for rank, hit in enumerate(hits, 1):
                print(format_hit(rank, hit))
            print()
        count, hits = asyncio.run(search(settings, QUERIES[1], 3, unique=True))
        print(f"── marsad search --unique {QUERIES[1]!r}: {count} distinct paragraph cluster(s)")
        for rank, hit in enumerate(hits, 1):
            print(format_hit(rank, hit))
        return 0
    except (MarsadError, OSError) as exc:
        print(f"marsad demo: {exc}", file=sys.stderr)
        return 1
    finally:
        children.stop()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="ingest the sample Arabic sites end to end")
    parser.add_argument("--port", type=int, default=18801, help="first of 4 loopback ports")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for the worker"
    )
    parser.set_defaults(func=run)
