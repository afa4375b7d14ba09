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
# One partition: the dedupe stage that reads it keeps global state (docs/foundation.md, Scaling).
# Kept as long as the pages: a replay reads the worker's processing order from it.
EXTRACTED = TopicSpec("news.extracted.v1", partitions=1, retention_ms=30 * DAY_MS)
# Enriched articles, as indexed. One partition: the alert rules that read it need every
# article of a key and one event-time watermark in one place (docs/alerting.md, Scaling).
ARTICLES = TopicSpec("news.articles.v1", partitions=1, retention_ms=14 * DAY_MS)
# Alert events (open / update / resolve), keyed by alert id; read by the notifiers.
ALERTS = TopicSpec("news.alerts.v1", partitions=1, retention_ms=30 * DAY_MS)
DLQ = TopicSpec("news.dlq.v1", partitions=1, retention_ms=30 * DAY_MS)

ALL_TOPICS: tuple[TopicSpec, ...] = (PAGES, EXTRACTED, ARTICLES, ALERTS, DLQ)
