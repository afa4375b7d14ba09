"""Restart of the dedupe stage on the real Kafka and OpenSearch: a worker is killed (SIGKILL)
mid-stream and another started; clusters continue across the restart, nothing is lost and
nothing is counted twice (outlet counts equal those of one uninterrupted in-memory run).

The probe that proves continuity copies a page the killed worker had processed *and
committed*: the new worker never reads that page, so it can only recognise the copy from the
state restored from the changelog."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from devtools.bench import raw_page
from devtools.demo import generate_articles
from devtools.stack import StackInfo
from kernel.records import RawPage
from kernel.settings import Settings
from kernel.topics import PAGES, SEQUENCED
from pipeline.dedupe import Deduplicator
from pipeline.enrich import article_input, enrichment_parts
from pipeline.sinks.factory import open_sink

from .support import (
    isolated,
    sequenced_in_order,
    start_worker,
    stop_worker,
    wait_until_consumed,
)

ARTICLES = 40


@pytest.fixture(scope="module")
def own(stack: StackInfo) -> Iterator[Settings]:
    with isolated(stack) as settings:
        yield settings


async def publish(settings: Settings, pages: list[RawPage]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for page in pages:
            await producer.send_and_wait(
                settings.topic(PAGES), page.to_bytes(), key=page.url_id.encode()
            )
    finally:
        await producer.stop()


async def search(settings: Settings, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    sink = open_sink(settings)
    try:
        await sink.refresh(kind)
        return await sink.search(kind, body)
    finally:
        await sink.close()


def count(settings: Settings) -> int:
    try:
        response = asyncio.run(search(settings, "articles", {"size": 0, "track_total_hits": True}))
    except Exception:  # noqa: BLE001 - the index does not exist before the first document
        return 0
    return int(response["hits"]["total"]["value"])


def committed_url_ids(settings: Settings) -> list[str]:
    """url_ids of the extracted articles the worker group has committed (the dedupe stage, on
    news.sequenced.v1)."""
    topic = TopicPartition(settings.topic(SEQUENCED), 0)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        offsets = admin.list_group_offsets({settings.worker_id: [topic]})
    except KafkaError as exc:
        if not exc.retriable:
            raise
        return []  # e.g. a fresh broker still creating __consumer_offsets: nothing known yet
    finally:
        admin.close()
    meta = offsets.get(settings.worker_id, {}).get(topic)
    committed = meta.offset if meta is not None and meta.offset > 0 else 0
    if not committed:
        return []
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    try:
        consumer.assign([topic])
        consumer.seek(topic, 0)
        found: list[str] = []
        while len(found) < committed:
            batch = consumer.poll(timeout_ms=1000).get(topic, [])
            found += [m.key.decode() for m in batch if m.offset < committed and m.key]
            if not batch:
                break
        return found
    finally:
        consumer.close()


def probe_of(page: RawPage) -> RawPage:
    """The same page re-published by another outlet under another URL."""
    return page.model_copy(
        update={
            "url_id": "f" * 32,
            "url": "https://probe.example/copy.html",
            "canonical_url": "https://probe.example/copy.html",
            "source_id": "probe-outlet",
        }
    )


def test_clusters_survive_a_killed_worker(own: Settings) -> None:
    pages = [raw_page(a) for a in generate_articles(20261122, ARTICLES)]
    half = ARTICLES // 2

    first = start_worker(own, "-a")
    asyncio.run(publish(own, pages[:half]))
    deadline = time.monotonic() + 180
    committed: list[str] = []
    while len(committed) < 3 and time.monotonic() < deadline:
        assert first.poll() is None, "worker A died on its own"
        time.sleep(0.5)
        committed = committed_url_ids(own)
    stop_worker(first, signal.SIGKILL)  # a crash: no clean shutdown, no final commit
    committed = committed_url_ids(own)
    assert len(committed) >= 3, "worker A should have committed some articles before the kill"
    asyncio.run(publish(own, pages[half:]))  # the stream goes on while no worker runs

    # a copy of a page worker A processed and committed: worker B never reads the original
    original_page = next(p for p in pages if p.url_id == committed[0])
    probe = probe_of(original_page)
    second = start_worker(own, "-b")
    try:
        wait_until_consumed(own, second)
        asyncio.run(publish(own, [probe]))
        wait_until_consumed(own, second)
    finally:
        stop_worker(second)

    # nothing lost, nothing duplicated
    assert count(own) == ARTICLES + 1

    # the probe's paragraphs joined the clusters founded before the restart ...
    def paragraphs(url_id: str) -> dict[int, dict[str, Any]]:
        body = {"size": 100, "query": {"term": {"url_id": url_id}}}
        hits = asyncio.run(search(own, "paragraphs", body))["hits"]["hits"]
        return {h["_source"]["paragraph_index"]: h["_source"] for h in hits}

    original, copy = paragraphs(original_page.url_id), paragraphs(probe.url_id)
    assert copy and set(copy) <= set(original)
    for index, doc in copy.items():
        assert doc["cluster_id"] == original[index]["cluster_id"]
        assert doc["verdict"] == "duplicate"
        # first seen by worker A on a committed page, which worker B never read: B knows it
        # only from the restored state
        assert doc["first_seen_url_id"] in committed

    # ... and their outlet counts equal those of one uninterrupted run over the same articles
    # in the order the workers decided on them (news.sequenced.v1, one partition, is that order:
    # clusters depend on it, and pages from four partitions interleave differently each run)
    _, config = enrichment_parts(own)
    dedup = Deduplicator(config)  # what the worker runs
    processed = sequenced_in_order(own)
    assert processed[-1].url_id == probe.url_id  # published last, after everything was consumed
    for article in processed:
        verdict = dedup.process(article_input(article))
    expected = {p.index: p.outlet_count for p in verdict.paragraphs}
    assert {i: d["outlet_count"] for i, d in copy.items()} == expected
    assert all(n >= 2 for n in expected.values())
