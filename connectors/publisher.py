"""Publishes fetched pages to ``news.pages.v1``; returns only once Kafka acknowledged."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from connectors.exceptions import PublishError
from pipeline.records import RawPage
from pipeline.topics import PAGES

log = logging.getLogger(__name__)


class PagePublisher:
    """Idempotent, compressed, fully acknowledged producer of raw pages."""

    def __init__(self, bootstrap: str, *, topic: str = PAGES.name) -> None:
        self._topic = topic
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            enable_idempotence=True,
            compression_type="gzip",
            max_request_size=8 * 1024 * 1024,
            request_timeout_ms=30_000,
            client_id="marsad-connector",
        )

    async def __aenter__(self) -> PagePublisher:
        await self._producer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._producer.stop()

    async def publish(self, page: RawPage) -> tuple[int, int]:
        """Send one page keyed by its url_id; return (partition, offset) once acknowledged."""
        try:
            meta = await self._producer.send_and_wait(
                self._topic, value=page.to_bytes(), key=page.url_id.encode("ascii")
            )
        except KafkaError as exc:
            raise PublishError(f"Kafka did not acknowledge {page.url}: {exc!r}") from exc
        return meta.partition, meta.offset
