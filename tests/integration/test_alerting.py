"""Alerting on the real Kafka and OpenSearch: pages in, an alert on news.alerts.v1, in the alerts
index and at a webhook; and a worker killed (SIGKILL) in the middle of the alert's window.

The expected count is not written down by hand: an in-memory run of the extracted articles, in
the order the worker took them, through the worker's own enricher (the oracle) says how many
distinct paragraph clusters name the actor, and the worker's last alert event must carry exactly
that many (none lost across the kill, none counted twice when pages are processed again).
"""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiokafka import AIOKafkaProducer

from devtools.stack import StackInfo
from kernel.records import RawPage
from kernel.settings import Settings
from kernel.topics import ALERTS, ARTICLES, PAGES
from pipeline.dedupe import Deduplicator
from pipeline.enrich import DedupeEnricher, enrichment_parts
from pipeline.kafka_admin import consumer_lag
from pipeline.notifiers import verify_signature
from pipeline.sinks.factory import open_sink

from .alert_pages import surge_page
from .support import isolated, sequenced_in_order, start_worker, stop_worker, topic_records

SECRET = "integration-secret"  # noqa: S105 - a test key for a loopback receiver
RULES = """\
version: 1
allowed_lateness: 2h
rules:
  - id: nusra-surge
    kind: threshold
    key: [actor]
    match: {actor: [nusra]}
    window: 1d
    count: 6
    min_count: 6
    min_groups: 3
"""
DEADLINE_S = 180.0


class Hook(BaseHTTPRequestHandler):
    """A webhook receiver on loopback: answers ``statuses`` in turn, then 200."""

    statuses: ClassVar[list[int]] = []
    received: ClassVar[list[tuple[int, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        type(self).received.append((status, dict(self.headers.items()), body))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok" if status < 300 else b"busy")

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def hook() -> Iterator[tuple[str, type[Hook]]]:
    handler = type("TestHook", (Hook,), {"statuses": [503], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def own(stack: StackInfo) -> Iterator[Settings]:
    with isolated(stack) as settings:
        yield settings


def rules_file(settings: Settings) -> Path:
    path = settings.home / f"{settings.worker_id}-alerts.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


def pages(numbers: range, published: datetime, namespace: str) -> list[RawPage]:
    """Report ``n`` by outlet ``n``: every outlet its own group (none is in the registry)."""
    return [surge_page(n, f"outlet{n}", published, namespace) for n in numbers]


def oracle(settings: Settings) -> int:
    """Distinct paragraph clusters naming nusra: news.sequenced.v1 in the worker's order (a
    record redone after a kill included, a replay to the deduplicator as to the worker)
    through the worker's own enricher, in memory."""
    tagger, config = enrichment_parts(Settings())
    enricher = DedupeEnricher(lambda: Deduplicator(config), {}, tagger)
    clusters: set[str] = set()
    for article in sequenced_in_order(settings):
        record = enricher.enrich(article).article
        assert record is not None
        clusters |= {p.cluster_id for p in record.paragraphs if "nusra" in p.actors}
    return len(clusters)


async def _publish(settings: Settings, batch: list[RawPage]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for page in batch:
            await producer.send_and_wait(
                settings.topic(PAGES), page.to_bytes(), key=page.url_id.encode()
            )
    finally:
        await producer.stop()


def publish(settings: Settings, batch: list[RawPage]) -> None:
    asyncio.run(_publish(settings, batch))


def alert_events(settings: Settings) -> list[dict[str, Any]]:
    """Every event on news.alerts.v1, in order."""
    return [json.loads(value) for _, value in topic_records(settings, ALERTS)]


def indexed_events(settings: Settings) -> list[dict[str, Any]]:
    async def go() -> list[dict[str, Any]]:
        sink = open_sink(settings)
        try:
            await sink.refresh("alerts")
            response = await sink.search("alerts", {"size": 1000, "query": {"match_all": {}}})
        finally:
            await sink.close()
        return [hit["_source"] for hit in response["hits"]["hits"]]

    return asyncio.run(go())


def evaluated_articles(settings: Settings) -> int:
    """Articles on news.articles.v1 (ticks left out) once the worker has committed them all;
    -1 while it has not."""
    lag = consumer_lag(settings, settings.worker_id, settings.topic(ARTICLES))
    if lag != 0:
        return -1
    return sum(1 for key, _ in topic_records(settings, ARTICLES) if key != b"tick")


def wait_for(what: str, check: Any, worker: Any, deadline_s: float = DEADLINE_S) -> Any:
    """Poll ``check`` until it returns something truthy (an upper bound, not a timing test)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert worker.poll() is None, f"worker exited with {worker.returncode}"
        found = check()
        if found:
            return found
        time.sleep(1.0)
    raise AssertionError(f"{what}: not within {deadline_s:.0f}s")


def opens(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["change"] == "open" and e["rule"] == "nusra-surge"]


def test_a_surge_reaches_the_topic_the_index_and_a_webhook_retried_after_failing_once(
    own: Settings, hook: tuple[str, type[Hook]]
) -> None:
    url, handler = hook
    published = datetime.now(UTC) - timedelta(minutes=1)
    batch = pages(range(8), published, own.worker_id)
    env = {
        "MARSAD_ALERTS_FILE": str(rules_file(own)),
        "MARSAD_ALERT_WEBHOOK_URL": url,
        "MARSAD_ALERT_WEBHOOK_SECRET": SECRET,
    }
    worker = start_worker(own, "-alerts", env)
    try:
        publish(own, batch)
        wait_for("every article evaluated", lambda: evaluated_articles(own) >= len(batch), worker)
        expected = oracle(own)
        assert expected >= 6, f"the oracle finds only {expected} nusra clusters: fix the pages"

        def final() -> list[dict[str, Any]] | None:
            events = [e for e in alert_events(own) if e["rule"] == "nusra-surge"]
            return events if events and events[-1]["evidence"]["observed"] == expected else None

        events = wait_for("the alert with every cluster counted", final, worker)
        (opened,) = opens(events)
        assert opened["key"] == {"actor": "nusra"}
        assert opened["historical"] is False
        assert len(opened["evidence"]["groups"]) >= 3
        assert all(e["alert_id"] == opened["alert_id"] for e in events)

        def indexed() -> list[dict[str, Any]] | None:
            docs = [d for d in indexed_events(own) if d["alert_id"] == opened["alert_id"]]
            return docs if len(docs) == len(events) else None

        docs = wait_for("every event in the alerts index", indexed, worker)
        assert len(opens(docs)) == 1
        deliveries = wait_for(
            "every event at the webhook",
            lambda: handler.received if len(handler.received) == len(events) + 1 else None,
            worker,
        )
    finally:
        stop_worker(worker)
    (first_status, first, _), (second_status, second, body) = deliveries[:2]
    assert (first_status, second_status) == (503, 200)  # refused once, delivered on the retry
    assert first["X-Marsad-Delivery"] == second["X-Marsad-Delivery"]
    assert second["X-Marsad-Event"] == "open"
    assert verify_signature(
        SECRET.encode(), second["X-Marsad-Timestamp"], body, second["X-Marsad-Signature"]
    )
    assert json.loads(body)["alert_id"] == opened["alert_id"]


def test_a_worker_killed_mid_window_counts_every_cluster_once_and_opens_the_alert_once(
    own: Settings,
) -> None:
    published = datetime.now(UTC) - timedelta(minutes=1)
    first, rest = (
        pages(range(4), published, own.worker_id),
        pages(range(4, 10), published, own.worker_id),
    )
    env = {"MARSAD_ALERTS_FILE": str(rules_file(own))}

    worker = start_worker(own, "-a", env)
    try:
        publish(own, first)
        # every article of the first half evaluated and committed; the alert not open yet
        wait_for("the first half evaluated", lambda: evaluated_articles(own) >= 4, worker)
        assert opens(alert_events(own)) == []
    finally:
        stop_worker(worker, signal.SIGKILL)  # mid-window: no goodbye, no last commit

    publish(own, rest)
    worker = start_worker(own, "-b", env)
    try:
        wait_for("every article evaluated", lambda: evaluated_articles(own) >= 10, worker)
        expected = oracle(own)
        assert expected >= 6 + 1, f"the oracle finds only {expected} nusra clusters: fix the pages"

        def final() -> list[dict[str, Any]] | None:
            events = alert_events(own)
            return events if events and events[-1]["evidence"]["observed"] == expected else None

        events = wait_for("the alert with every cluster counted once", final, worker)
    finally:
        stop_worker(worker, signal.SIGKILL)  # and again, after the alert opened
    (opened,) = opens(events)
    assert max(e["evidence"]["observed"] for e in events) == expected  # never double counted

    # the same pages fetched again (a connector restarted): nothing new to count
    publish(own, first + rest)
    worker = start_worker(own, "-c", env)
    try:
        wait_for("the refetched pages evaluated", lambda: evaluated_articles(own) >= 20, worker)
    finally:
        stop_worker(worker)
    again = alert_events(own)
    assert opens(again) == [opened]  # exactly once on the topic
    assert max(e["evidence"]["observed"] for e in again) == expected
    docs = [d for d in indexed_events(own) if d["alert_id"] == opened["alert_id"]]
    assert len(opens(docs)) == 1  # and once in the index
