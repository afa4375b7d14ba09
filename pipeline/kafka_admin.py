"""Create Marsad's topics with their declared partition counts (idempotent)."""

from __future__ import annotations

import logging

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from pipeline.settings import Settings
from pipeline.topics import ALL_TOPICS

log = logging.getLogger(__name__)


def ensure_topics(settings: Settings) -> list[str]:
    """Create every declared topic that does not exist yet; return the names created."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id="marsad-admin")
    try:
        existing = set(admin.list_topics())
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
