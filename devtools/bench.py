"""End-to-end benchmark on the real stack: publish generated pages, time until searchable.

Figures printed: articles/s end to end, p50/p95 latency from publish to searchable, the
worker's peak RSS, and the named baseline measured in the same run: the same pages through
``extract_article`` in this process (decode + extract, no Kafka, no engine), so the ratio says
what the streaming and indexing cost on top of the text work.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import statistics
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psutil
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from connectors.urls import canonicalize, url_id
from devtools.demo import GeneratedArticle
from kernel.records import ExtractedArticle, RawPage
from kernel.settings import Settings
from kernel.topics import PAGES
from pipeline.dedupe import Deduplicator
from pipeline.document import extract_article
from pipeline.enrich import DedupeEnricher, enrichment_parts
from pipeline.metrics import STEP_CPU, cpu_step
from pipeline.sinks.factory import open_sink


def raw_page(article: GeneratedArticle) -> RawPage:
    return RawPage(
        url_id=url_id(article.url),
        url=article.url,
        canonical_url=canonicalize(article.url),
        source_id=f"bench-{article.outlet_id}",
        outlet=article.outlet_id,
        fetched_at=datetime.now(UTC),
        published_at=article.published,
        http_status=200,
        content_type=f"text/html; charset={article.charset}",
        charset=article.charset,
        body_b64=RawPage.encode_body(article.html),
    )


def baseline_pages_per_s(pages: list[RawPage]) -> float:
    started = time.perf_counter()
    for page in pages:
        extract_article(page, source_offset="bench")
    return len(pages) / (time.perf_counter() - started)


@dataclass
class MemoryWatch:
    """Samples the peak RSS of a process and its children in a background thread."""

    pid: int
    peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        proc = psutil.Process(self.pid)
        while not self._stop.wait(0.2):
            try:
                rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(True))
            except psutil.Error:
                return
            self.peak_bytes = max(self.peak_bytes, rss)

    def reset(self) -> None:
        """Forget the peak so far (after warm-up)."""
        self.peak_bytes = 0

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_bytes


async def publish(settings: Settings, pages: list[RawPage], rate: float = 0.0) -> dict[str, float]:
    """Send every page, all at once or ``rate`` per second; return each url_id's send time."""
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        compression_type="gzip",
        max_request_size=8 * 1024 * 1024,
        linger_ms=5,
        **settings.kafka_security().aiokafka_kwargs(),  # nothing for PLAINTEXT
    )
    sent: dict[str, float] = {}
    await producer.start()
    try:
        futures = []
        started = time.monotonic()
        for i, page in enumerate(pages):
            if rate > 0 and (ahead := started + i / rate - time.monotonic()) > 0:
                await asyncio.sleep(ahead)
            sent[page.url_id] = time.time()
            futures.append(
                await producer.send(
                    settings.topic(PAGES), page.to_bytes(), key=page.url_id.encode()
                )
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return sent


async def watch_visibility(
    settings: Settings, expected: set[str], deadline_s: float
) -> dict[str, float]:
    """Poll the engine and note when each expected document first became searchable.

    A poll asks only for documents indexed since a little before the newest one seen (the
    worker indexes in order), so the watching itself costs the engine little; every
    ``SWEEP_EVERY`` polls one asks for everything, in case a document came late."""
    seen: dict[str, float] = {}
    newest = ""
    sink = open_sink(settings)
    deadline = time.monotonic() + deadline_s
    try:
        for poll in itertools.count():
            if len(seen) >= len(expected) or time.monotonic() >= deadline:
                break
            query: dict[str, Any] = {"match_all": {}}
            if newest and poll % SWEEP_EVERY:
                query = {"range": {"indexed_at": {"gte": f"{newest}||-{WATCH_MARGIN_S}s"}}}
            body = {"size": 10_000, "_source": ["indexed_at"], "query": query}
            response = await sink.search("articles", body)
            now = time.time()
            for hit in response.get("hits", {}).get("hits", []):
                if hit["_id"] in expected and hit["_id"] not in seen:
                    seen[hit["_id"]] = now
                    newest = max(newest, hit["_source"].get("indexed_at") or "")
            await asyncio.sleep(0.25)
    finally:
        await sink.close()
    return seen


SWEEP_EVERY = 40
WATCH_MARGIN_S = 15


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )


def text_work_baseline(settings: Settings, pages: list[RawPage]) -> TextWork:
    """The whole text work of the worker in this one process, no Kafka and no engine: each page
    decoded from its record, extracted, the article encoded and decoded again (the hop through
    ``news.extracted.v1``), deduplicated, tagged and its index documents built, the dedupe
    state changes written to an in-memory table. Per-step CPU from the same
    ``marsad_step_cpu_seconds_total`` counters the worker keeps."""
    tagger, config = enrichment_parts(settings)
    table: dict[bytes, bytes] = {}
    enricher = DedupeEnricher(lambda: Deduplicator(config), table, tagger)
    records = [page.to_bytes() for page in pages]
    before = step_cpu_now()

    async def work() -> None:
        for i, value in enumerate(records):
            with cpu_step("extract"):
                page = RawPage.model_validate_json(value)
                article = extract_article(page, source_offset=f"baseline:{i}")
            encoded = article.to_bytes()
            with cpu_step("decode"):
                article = ExtractedArticle.model_validate_json(encoded)
            await enricher.commit(enricher.enrich(article))

    cpu_started, started = time.process_time(), time.perf_counter()
    asyncio.run(work())
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - started
    steps = {k: v - before.get(k, 0.0) for k, v in step_cpu_now().items()}
    return TextWork(len(pages), wall, cpu, steps)


@dataclass(frozen=True)
class TextWork:
    articles: int
    wall_s: float
    cpu_s: float
    steps: dict[str, float]

    @property
    def per_s(self) -> float:
        return self.articles / self.wall_s


def step_cpu_now() -> dict[str, float]:
    """This process's ``marsad_step_cpu_seconds_total``, by step."""
    return {
        sample.labels["step"]: sample.value
        for family in STEP_CPU.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    }


def scrape_steps(metrics_url: str) -> dict[str, float]:
    """The worker's ``marsad_step_cpu_seconds_total`` (and bulk call totals) from /metrics."""
    with urllib.request.urlopen(metrics_url, timeout=10) as response:  # noqa: S310 - loopback
        text = response.read().decode()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "marsad_step_cpu_seconds_total":
                found[sample.labels["step"]] = sample.value
            elif sample.name in (
                "marsad_index_bulk_seconds_sum",
                "marsad_index_bulk_seconds_count",
            ):
                key = sample.name.removeprefix("marsad_index_")
                found[key] = found.get(key, 0.0) + sample.value
    return found


@dataclass
class CpuWatch:
    """CPU seconds (user + system, children included) of named processes between start and
    stop: the worker, the broker, the engine."""

    pids: dict[str, int]
    _started: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def _cpu(pid: int) -> float:
        proc = psutil.Process(pid)
        total = 0.0
        for one in (proc, *proc.children(recursive=True)):
            times = one.cpu_times()
            total += float(times.user + times.system)
        return total

    def start(self) -> None:
        self._started = {name: self._cpu(pid) for name, pid in self.pids.items()}

    def stop(self) -> dict[str, float]:
        return {name: self._cpu(pid) - self._started[name] for name, pid in self.pids.items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


STEP_ORDER = ("extract", "decode", "dedupe", "tag", "document", "alerts")


Row = tuple[str, float, float | None]


def breakdown(
    articles: int,
    worker_steps: dict[str, float],
    processes: dict[str, float],
    baseline: TextWork,
) -> list[Row]:
    """CPU per article in milliseconds: the worker's steps, the rest of the worker, the broker
    and the engine, each beside the same figure of the in-process baseline (None: it has no
    such part)."""

    def run_ms(seconds: float) -> float:
        return 1000 * seconds / articles

    def base_ms(seconds: float) -> float:
        return 1000 * seconds / baseline.articles

    rows: list[Row] = [
        (
            f"worker: {step}",
            run_ms(worker_steps.get(step, 0.0)),
            base_ms(baseline.steps.get(step, 0.0)),
        )
        for step in STEP_ORDER
    ]
    worker_total = processes.get("worker", 0.0)
    counted = sum(worker_steps.get(step, 0.0) for step in STEP_ORDER)
    rows.append(
        (
            "worker: rest (Kafka clients, Faust, HTTP)",
            run_ms(worker_total - counted),
            base_ms(baseline.cpu_s - sum(baseline.steps.values())),
        )
    )
    rows.append(("worker process, all", run_ms(worker_total), base_ms(baseline.cpu_s)))
    rows += [(name, run_ms(cpu), None) for name, cpu in processes.items() if name != "worker"]
    rows.append(("all processes", run_ms(sum(processes.values())), base_ms(baseline.cpu_s)))
    return rows


def format_breakdown(rows: list[Row], articles: int, worker_steps: dict[str, float]) -> str:
    """The table ``marsad bench`` prints, and the bulk calls' count and mean wall time."""
    width = max(len(label) for label, _, _ in rows) + 2
    lines = [f"{'CPU per article (ms), ' + str(articles) + ' articles':<{width}}  run  baseline"]
    for label, run, base in rows:
        lines.append(
            f"  {label:<{width}}{run:8.2f}" + (f"  {base:8.2f}" if base is not None else "")
        )
    calls = worker_steps.get("bulk_seconds_count", 0.0)
    if calls:
        mean_ms = 1000 * worker_steps.get("bulk_seconds_sum", 0.0) / calls
        lines.append(
            f"  bulk calls: {calls:.0f} ({calls / articles:.2f} per article),"
            f" {mean_ms:.1f} ms wall each on average"
        )
    return "\n".join(lines)
