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
    CpuWatch,
    MemoryWatch,
    TextWork,
    baseline_pages_per_s,
    breakdown,
    format_breakdown,
    free_port,
    percentile,
    publish,
    raw_page,
    scrape_steps,
    text_work_baseline,
    watch_visibility,
)
from devtools.commands.demo import wait_for_worker
from devtools.demo import generate_articles
from devtools.stack import status
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


def service_pids(settings: Settings) -> dict[str, int]:
    """The running services of the local stack (broker, engine), by name."""
    return {
        service.name: service.pid
        for service in status(settings).services
        if service.running and service.pid is not None
    }


def baselines(
    settings: Settings, warmup: list[RawPage], sample: list[RawPage]
) -> tuple[float, TextWork]:
    """The two in-process baselines, after a warm-up: decode + extract (pages/s), and the
    whole text work."""
    baseline_pages_per_s(warmup)  # first calls load what extraction loads lazily
    baseline = baseline_pages_per_s(sample)
    print(
        f"baseline (decode + extract in one process, no Kafka/engine): {baseline:.0f} pages/s",
        flush=True,
    )
    text_work = text_work_baseline(settings, sample)
    print(
        f"baseline (the whole text work in one process: decode, extract, dedupe, tag, build"
        f" documents; no Kafka/engine): {text_work.per_s:.0f} articles/s",
        flush=True,
    )
    return baseline, text_work


def start_workers(children: Children, settings: Settings, count: int) -> list[str]:
    """``count`` worker processes in the bench's consumer group; their /metrics addresses."""
    env = {
        "MARSAD_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
        "MARSAD_SEARCH_URL": str(settings.search_url),
        "MARSAD_TOPIC_NAMESPACE": settings.topic_namespace,
        "MARSAD_INDEX_PREFIX": settings.index_prefix,
        "MARSAD_WORKER_ID": settings.worker_id,
    }
    urls = []
    for n in range(1, count + 1):
        port = free_port()
        name = "worker" if n == 1 else f"worker-{n}"
        log = settings.home / "bench" / f"{name}.log"
        children.start(name, "worker", env=env | {"MARSAD_WORKER_WEB_PORT": str(port)}, log_to=log)
        urls.append(f"http://127.0.0.1:{port}/metrics")
    return urls


def summed_steps(urls: list[str], before: list[dict[str, float]]) -> dict[str, float]:
    """Each worker's step CPU since ``before``, summed over the workers."""
    steps: dict[str, float] = {}
    for url, first in zip(urls, before, strict=True):
        for key, value in scrape_steps(url).items():
            steps[key] = steps.get(key, 0.0) + value - first.get(key, 0.0)
    return steps


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
    baseline, text_work = baselines(
        settings, warmup, measured[: min(args.baseline_articles, len(measured))]
    )
    children = Children()
    try:
        metrics_urls = start_workers(children, settings, args.workers)
        pids = [proc.pid for _, proc in children.procs]
        watch = MemoryWatch(pids[0])
        asyncio.run(publish(settings, warmup))
        wait_for_worker(settings, children, 300)
        print(
            f"{args.workers} worker(s) warmed up on {len(warmup)} pages; publishing "
            f"{len(measured)}...",
            flush=True,
        )
        watch.reset()
        cpu = CpuWatch(
            {f"worker-{n}": pid for n, pid in enumerate(pids, 1)} | service_pids(settings)
        )
        steps_before = [scrape_steps(url) for url in metrics_urls]
        cpu.start()
        seen, sent = asyncio.run(publish_and_watch(settings, measured, args.rate, args.timeout))
        measured_cpu = cpu.stop()
        steps = summed_steps(metrics_urls, steps_before)
        workers_cpu = sum(v for k, v in measured_cpu.items() if k.startswith("worker-"))
        processes = {"worker": workers_cpu} | {
            k: v for k, v in measured_cpu.items() if not k.startswith("worker-")
        }
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
    print(f"workers: {args.workers} process(es); the first one's peak RSS: {peak / 2**20:.0f} MiB")
    print(f"ratio end-to-end / baseline (decode + extract): {rate / baseline:.2f}")
    print(f"ratio end-to-end / baseline (whole text work): {rate / text_work.per_s:.2f}")
    print()
    print(format_breakdown(breakdown(len(seen), steps, processes, text_work), len(seen), steps))
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
    parser.add_argument(
        "--baseline-articles",
        type=int,
        default=500,
        help="articles the in-process baselines run on (the first of the measured ones)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes in the consumer group (their CPU and steps are summed)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench topics and index")
    parser.set_defaults(func=run)
