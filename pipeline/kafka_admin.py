"""Create Marsad's topics with their declared partition counts (idempotent)."""

from __future__ import annotations

import logging
from typing import Any

from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from kernel.settings import Settings
from kernel.topics import ALL_TOPICS

log = logging.getLogger(__name__)


def _admin(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id="marsad-admin",
        **settings.kafka_security().kafka_python_kwargs(),  # nothing for PLAINTEXT
    )


def ensure_topics(settings: Settings) -> list[str]:
    """Create every declared topic that does not exist yet, and add partitions to one that has
    fewer than declared (``news.extracted.v1`` had one before the dedupe stage was sequenced:
    the worker writes each article into its page's partition, so nothing depends on the old
    count); return the names created."""
    admin = _admin(settings)
    try:
        existing = set(admin.list_topics())
        _grow(admin, settings, existing)
        missing = [
            NewTopic(
                name=settings.topic(spec),
                num_partitions=spec.partitions,
                replication_factor=settings.topic_replication,
                topic_configs={"retention.ms": str(spec.retention_ms)},
            )
            for spec in ALL_TOPICS
            if settings.topic(spec) not in existing
        ]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another process")
        created = [t.name for t in missing]
        if created:
            log.info("created topics %s", created)
        return created
    finally:
        admin.close()


def _grow(admin: Any, settings: Settings, existing: set[str]) -> None:
    declared = {
        settings.topic(s): s.partitions for s in ALL_TOPICS if settings.topic(s) in existing
    }
    if not declared:
        return
    grow = {
        meta["name"]: NewPartitions(total_count=declared[meta["name"]])
        for meta in admin.describe_topics(list(declared))
        if not meta.get("error_code") and len(meta["partitions"]) < declared[meta["name"]]
    }
    if grow:
        admin.create_partitions(grow)
        log.info("added partitions to %s", sorted(grow))


def consumer_lag(settings: Settings, group: str, topic: str) -> int | None:
    """Messages of ``topic`` not yet committed by ``group``.

    None while that cannot be told yet: before the group's first commit, or while the broker
    has no group coordinator (a fresh broker creates ``__consumer_offsets`` on first use).
    """
    from kafka import KafkaConsumer, TopicPartition  # noqa: PLC0415

    admin = _admin(settings)
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id="marsad-lag",
        enable_auto_commit=False,  # reads offsets only: no group, and no "group_id is None" warning
        **settings.kafka_security().kafka_python_kwargs(),  # nothing for PLAINTEXT
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        ends = consumer.end_offsets(tps)
        try:
            committed = admin.list_group_offsets({group: tps}).get(group, {})
        except KafkaError as exc:
            if not exc.retriable:
                raise
            return None  # e.g. a new broker still creating __consumer_offsets
        if not committed and any(ends.values()):
            return None
        lag = 0
        for tp in tps:
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else 0
            lag += max(0, ends[tp] - done)
        return lag
    finally:
        consumer.close()
        admin.close()


def pipeline_lag(settings: Settings) -> int | None:
    """What the worker's consumer group has not yet committed, over every topic it reads from a
    page to its documents (read in pipeline order)."""
    from kernel.topics import WORKER_TOPICS  # noqa: PLC0415

    total = 0
    for spec in WORKER_TOPICS:
        lag = consumer_lag(settings, settings.worker_id, settings.topic(spec))
        if lag is None:
            return None
        total += lag
    return total
