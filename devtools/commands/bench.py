"""``marsad bench``: the end-to-end benchmark (a benchmark, never a timed test)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from kafka.admin import KafkaAdminClient

from cli.commands.worker import prepare
from cli.services import resolve
from cli.supervisor import Children
from devtools.bench import (
    MemoryWatch,
    baseline_pages_per_s,
    percentile,
    publish,
    raw_page,
    watch_visibility,
)
from devtools.commands.demo import wait_for_worker
from devtools.demo import generate_articles
from kernel.exceptions import MarsadError
from kernel.records import RawPage
from kernel.settings import Settings
from kernel.topics import ALL_TOPICS


async def publish_and_watch(
    settings: Settings, pages: list[RawPage], rate: float, timeout_s: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Publish (paced or not) while watching the index; return (seen, sent) times."""
    ids = {p.url_id for p in pages}
    watcher = asyncio.create_task(watch_visibility(settings, ids, timeout_s))
    sent = await publish(settings, pages, rate)
    return await watcher, sent


def bench_settings(base: Settings) -> Settings:
    run_id = f"bench{int(time.time())}"
    return base.model_copy(
        update={
            "topic_namespace": f"{run_id}.",
            "index_prefix": run_id,
            "worker_id": f"marsad-{run_id}",
        }
    )


def cleanup(settings: Settings) -> None:
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        **settings.kafka_security().kafka_python_kwargs(),  # nothing for PLAINTEXT
    )
    try:
        admin.delete_topics([settings.topic(t) for t in ALL_TOPICS])
    finally:
        admin.close()
    from opensearchpy import OpenSearch  # noqa: PLC0415

    client = OpenSearch(hosts=[settings.search_url])
    client.indices.delete(index=f"{settings.index_prefix}-*", ignore_unavailable=True)
    client.indices.delete_index_template(name=f"{settings.index_prefix}-articles", ignore=[404])
    client.close()


def run(args: argparse.Namespace) -> int:
    try:
        settings = bench_settings(resolve(Settings()))
        prepare(settings)
    except MarsadError as exc:
        print(f"marsad bench: {exc}", file=sys.stderr)
        return 1
    print(
        f"generating {args.articles} articles (seed {args.seed}) from the sample bulletins...",
        flush=True,
    )
    articles = list(generate_articles(args.seed, args.articles + args.warmup))
    pages = [raw_page(a) for a in articles]
    warmup, measured = pages[: args.warmup], pages[args.warmup :]
    baseline = baseline_pages_per_s(measured[: min(500, len(measured))])
    print(
        f"baseline (decode + extract in one process, no Kafka/engine): {baseline:.0f} pages/s",
        flush=True,
    )
    env = {
        "MARSAD_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
        "MARSAD_SEARCH_URL": str(settings.search_url),
        "MARSAD_TOPIC_NAMESPACE": settings.topic_namespace,
        "MARSAD_INDEX_PREFIX": settings.index_prefix,
        "MARSAD_WORKER_ID": settings.worker_id,
    }
    children = Children()
    try:
        children.start("worker", "worker", env=env, log_to=settings.home / "bench" / "worker.log")
        watch = MemoryWatch(children.procs[0][1].pid)
        asyncio.run(publish(settings, warmup))
        wait_for_worker(settings, children, 300)
        print(f"worker warmed up on {len(warmup)} pages; publishing {len(measured)}...", flush=True)
        watch.reset()
        seen, sent = asyncio.run(publish_and_watch(settings, measured, args.rate, args.timeout))
        peak = watch.stop()
    except MarsadError as exc:
        print(f"marsad bench: {exc}", file=sys.stderr)
        return 1
    finally:
        children.stop()
        if not args.keep:
            cleanup(settings)
    if not seen:
        print("marsad bench: no document became searchable", file=sys.stderr)
        return 1
    latencies = [seen[k] - sent[k] for k in seen]
    elapsed = max(seen.values()) - min(sent.values())
    rate = len(seen) / elapsed
    print(
        f"\nend to end: {len(seen)}/{len(sent)} articles searchable in {elapsed:.1f}s"
        f" = {rate:.1f} articles/s"
    )
    print(
        f"latency publish→searchable: p50 {percentile(latencies, 50):.2f}s"
        f"  p95 {percentile(latencies, 95):.2f}s"
    )
    print(f"published {'all at once' if not args.rate else f'at {args.rate:.0f} articles/s'}")
    print(f"worker peak RSS: {peak / 2**20:.0f} MiB")
    print(f"ratio end-to-end / baseline: {rate / baseline:.2f}")
    return 0 if len(seen) == len(sent) else 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("bench", help="end-to-end benchmark on the real stack")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--rate", type=float, default=0.0, help="articles/s to publish at (0: all at once)"
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds to wait for the index"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench topics and index")
    parser.set_defaults(func=run)
