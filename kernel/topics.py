"""Every Kafka topic Marsad uses, declared once, versioned, with explicit partition counts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int
    compression: str = "producer"


DAY_MS = 24 * 3600 * 1000

# Pages are kept 30 days so that `marsad replay` can re-run them into a new index version.
PAGES = TopicSpec("news.pages.v1", partitions=4, retention_ms=30 * DAY_MS)
# Extracted articles, each in the partition of its page (so a page partition's order is kept):
# read by the sequence stage in every worker (docs/scaling.md).
EXTRACTED = TopicSpec("news.extracted.v1", partitions=4, retention_ms=30 * DAY_MS)
# The dedupe stage's one total order: its decisions depend on what it saw first, so every
# extracted article passes through this one partition (the decision is ~0.4 ms an article).
# Kept as long as the pages: a replay reads the worker's processing order from it.
SEQUENCED = TopicSpec("news.sequenced.v1", partitions=1, retention_ms=30 * DAY_MS)
# Articles with their dedupe verdict, keyed by url_id: tagged, built into documents and indexed
# by the index stage in every worker.
DEDUPED = TopicSpec("news.deduped.v1", partitions=4, retention_ms=7 * DAY_MS)
# Enriched articles, as indexed. One partition: the alert rules that read it need every
# article of a key and one event-time watermark in one place (docs/alerting.md, Scaling).
ARTICLES = TopicSpec("news.articles.v1", partitions=1, retention_ms=14 * DAY_MS)
# Alert events (open / update / resolve), keyed by alert id; read by the notifiers.
ALERTS = TopicSpec("news.alerts.v1", partitions=1, retention_ms=30 * DAY_MS)
DLQ = TopicSpec("news.dlq.v1", partitions=1, retention_ms=30 * DAY_MS)

ALL_TOPICS: tuple[TopicSpec, ...] = (PAGES, EXTRACTED, SEQUENCED, DEDUPED, ARTICLES, ALERTS, DLQ)

# What the worker's consumer group reads from a page to its documents, in pipeline order (a lag
# read in this order is never 0 while a record is between two stages: a stage commits only
# once the next topic acknowledged what it wrote).
WORKER_TOPICS: tuple[TopicSpec, ...] = (PAGES, EXTRACTED, SEQUENCED, DEDUPED)
