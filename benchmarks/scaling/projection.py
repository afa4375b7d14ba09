"""From the measured per-article figures to the fleet for a rate: cores, partitions, memory.

Only arithmetic here: each figure it takes is measured by ``benchmarks.scaling.run`` (or, for
the engine, quoted from docs/benchmarks.md and said so); what it returns is extrapolated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TARGET_PER_DAY = 5_000_000
"""Ten times Media Cloud's 500,000 stories a day."""
AVERAGE_RATE = TARGET_PER_DAY / 86_400  # 57.9 articles/s
BURST_RATE = 300.0
"""About 5x the average, for minutes at a time (docs/scaling.md)."""
BUSY = 0.7
"""A worker process planned at most this busy, for headroom (GC, rebalances, catch-up)."""
ENGINE_MS_QUOTED = 15.1
"""OpenSearch CPU per article (1 shard, refresh 1 s), docs/benchmarks.md 2026-12-07: not
measured by this run."""


@dataclass(frozen=True)
class PerArticle:
    """CPU milliseconds per article (one core) and bytes per retained article."""

    decision_stage_ms: float
    """The dedupe stage alone (decode, decide, verdict bytes, table writes): its slowest slice."""
    decision_kafka_ms: float
    """The dedupe worker's Kafka clients: consume a sequenced record, produce a deduped record,
    produce the article's changelog records."""
    partitioned_stage_ms: float
    """extract + sequence + index stages."""
    partitioned_kafka_ms: float
    """Their Kafka clients: consume page, produce + consume extracted, produce sequenced,
    consume deduped, produce the enriched article."""
    broker_ms: float | None
    """The broker's CPU for every record an article makes, changelog included."""
    state_bytes: float
    """The deduplicator's memory per retained article."""
    table_bytes: float
    """The dedupe table's memory per retained article (the worker's Faust table is in memory
    too: ``store="memory://"``)."""
    changelog_bytes: float
    """The compacted changelog per retained article (keys + values)."""
    restore_ms: float
    """CPU to rebuild the state from the table, per retained article."""

    @property
    def decision_ms(self) -> float:
        return self.decision_stage_ms + self.decision_kafka_ms

    @property
    def partitioned_ms(self) -> float:
        return self.partitioned_stage_ms + self.partitioned_kafka_ms


@dataclass(frozen=True)
class Plan:
    rate: float
    decision_utilisation: float
    """Of one core; above 1 the single partition cannot keep up."""
    partitioned_cores: float
    partitioned_workers: int
    """Worker processes at most :data:`BUSY` busy (one core each: one Python process)."""
    partitions: int
    """Of news.pages.v1, news.extracted.v1 and news.deduped.v1: at least one per worker (a
    partition is read by one worker of the group), in steps of 4."""
    broker_cores: float | None
    engine_cores: float
    retained_articles: float
    state_gb: float
    table_gb: float
    changelog_gb: float
    restore_hours: float


def plan(rate: float, figures: PerArticle, retention_days: float) -> Plan:
    cores = rate * figures.partitioned_ms / 1000
    workers = max(1, math.ceil(cores / BUSY))
    retained = TARGET_PER_DAY * retention_days
    return Plan(
        rate=rate,
        decision_utilisation=rate * figures.decision_ms / 1000,
        partitioned_cores=cores,
        partitioned_workers=workers,
        partitions=4 * math.ceil(workers / 4),
        broker_cores=None if figures.broker_ms is None else rate * figures.broker_ms / 1000,
        engine_cores=rate * ENGINE_MS_QUOTED / 1000,
        retained_articles=retained,
        state_gb=retained * figures.state_bytes / 1e9,
        table_gb=retained * figures.table_bytes / 1e9,
        changelog_gb=retained * figures.changelog_bytes / 1e9,
        restore_hours=retained * figures.restore_ms / 1000 / 3600,
    )
