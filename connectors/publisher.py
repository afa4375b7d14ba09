"""Publishes fetched pages to ``news.pages.v1``; returns only once Kafka acknowledged.

Idempotent producer (``acks=all``): while the broker is away, aiokafka keeps the batches and
sends them again with their sequence numbers when it is back, so a page waiting for its
acknowledgement is not duplicated. Raw pages are gzip-compressed on the wire.

Connecting is retried with the project's one back-off (:mod:`kernel.retry`): from 0.5 s,
doubling, capped at 10 s, jittered, until the start deadline; connectors restarted together
after a broker outage do not knock in step.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    KafkaError,
    MessageSizeTooLargeError,
    TopicAuthorizationFailedError,
    UnsupportedVersionError,
)

from connectors.exceptions import PublishError
from kernel.kafka_security import KafkaSecurity
from kernel.records import RawPage
from kernel.retry import RetryPolicy
from kernel.topics import PAGES

log = logging.getLogger(__name__)

REFUSED_FOR_GOOD = (
    MessageSizeTooLargeError,
    TopicAuthorizationFailedError,
    UnsupportedVersionError,
)


class PagePublisher:
    """Idempotent, compressed, fully acknowledged producer of raw pages."""

    def __init__(
        self,
        bootstrap: str,
        *,
        topic: str = PAGES.name,
        start_deadline_s: float = 120.0,
        stop_timeout_s: float = 30.0,
        security: KafkaSecurity | None = None,
    ) -> None:
        self._topic = topic
        self._bootstrap = bootstrap
        self._security = security or KafkaSecurity()
        self._start_deadline_s = start_deadline_s
        self._start_retry = RetryPolicy(
            first_delay_s=0.5, max_delay_s=10.0, deadline_s=start_deadline_s
        )
        self._stop_timeout_s = stop_timeout_s
        self._producer: AIOKafkaProducer | None = None

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            acks="all",
            enable_idempotence=True,
            compression_type="gzip",
            max_request_size=8 * 1024 * 1024,
            request_timeout_ms=30_000,
            linger_ms=5,
            client_id="marsad-connector",
            **self._security.aiokafka_kwargs(),  # nothing for PLAINTEXT
        )

    async def __aenter__(self) -> PagePublisher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Connect, retrying while the broker does not answer, up to the start deadline."""
        retries = self._start_retry.start()
        while True:
            producer = self._new_producer()
            try:
                await producer.start()
            except KafkaError as exc:
                await producer.stop()
                delay = retries.next_delay()
                if delay is None:
                    raise PublishError(
                        f"Kafka at {self._bootstrap} did not answer within "
                        f"{self._start_deadline_s:.0f}s: {exc!r}"
                    ) from exc
                log.warning(
                    "kafka not answering bootstrap=%s retry_in=%.1fs", self._bootstrap, delay
                )
                await asyncio.sleep(delay)
                continue
            self._producer = producer
            return

    async def stop(self) -> None:
        """Flush and close; gives up after ``stop_timeout_s`` if the broker is away."""
        if self._producer is None:
            return
        producer, self._producer = self._producer, None
        try:
            await asyncio.wait_for(producer.stop(), self._stop_timeout_s)
        except TimeoutError:
            log.warning("kafka producer did not flush within %.0fs", self._stop_timeout_s)

    async def publish(self, page: RawPage) -> tuple[int, int]:
        """Send one page keyed by its url_id; return (partition, offset) once acknowledged."""
        if self._producer is None:
            raise PublishError("publisher not started")
        try:
            meta = await self._producer.send_and_wait(
                self._topic, value=page.to_bytes(), key=page.url_id.encode("ascii")
            )
        except REFUSED_FOR_GOOD as exc:
            raise PublishError(f"Kafka refused {page.url}: {exc!r}", retriable=False) from exc
        except KafkaError as exc:
            raise PublishError(f"Kafka did not acknowledge {page.url}: {exc!r}") from exc
        return meta.partition, meta.offset
