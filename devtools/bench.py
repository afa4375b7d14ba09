"""End-to-end benchmark on the real stack: publish generated pages, time until searchable.

Figures printed: articles/s end to end, p50/p95 latency from publish to searchable, the
worker's peak RSS, and the named baseline measured in the same run: the same pages through
``extract_article`` in this process (decode + extract, no Kafka, no engine), so the ratio says
what the streaming and indexing cost on top of the text work.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psutil
from aiokafka import AIOKafkaProducer

from connectors.urls import canonicalize, url_id
from devtools.demo import GeneratedArticle
from kernel.records import RawPage
from kernel.settings import Settings
from kernel.topics import PAGES
from pipeline.document import extract_article
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
    """Poll the engine and note when each expected document first became searchable."""
    seen: dict[str, float] = {}
    sink = open_sink(settings)
    deadline = time.monotonic() + deadline_s
    try:
        while len(seen) < len(expected) and time.monotonic() < deadline:
            body = {"size": 10_000, "_source": False, "query": {"match_all": {}}}
            response = await sink.search("articles", body)
            now = time.time()
            for hit in response.get("hits", {}).get("hits", []):
                if hit["_id"] in expected and hit["_id"] not in seen:
                    seen[hit["_id"]] = now
            await asyncio.sleep(0.25)
    finally:
        await sink.close()
    return seen


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )
