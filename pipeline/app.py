"""The Faust application: wires the index stage to ``news.pages.v1`` and the DLQ.

Created by a factory from one settings object (no module-level app), run by
``marsad worker``. Offsets are acknowledged only when :meth:`IndexStage.process` returned,
that is after the engine acknowledged the document or the DLQ acknowledged the letter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import faust

from pipeline.records import DeadLetter
from pipeline.settings import Settings
from pipeline.sink import SearchSink, open_sink
from pipeline.stage import DependencyUnavailable, IndexStage, SourceRecord
from pipeline.topics import DLQ, PAGES

log = logging.getLogger(__name__)


def create_app(
    settings: Settings, sink_factory: Callable[[Settings], SearchSink] = open_sink
) -> faust.App:
    app = faust.App(
        settings.worker_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        datadir=str(settings.home / "faust"),
        web_enabled=False,
        topic_allow_declare=False,
        topic_partitions=PAGES.partitions,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        producer_acks=-1,
        producer_compression_type="gzip",
    )
    pages = app.topic(settings.topic(PAGES), key_type=bytes, value_type=bytes)
    dlq = app.topic(settings.topic(DLQ), key_type=bytes, value_type=bytes)

    async def send_dead_letter(letter: DeadLetter) -> None:
        future = await dlq.send(
            key=letter.key.encode() if letter.key else None, value=letter.to_bytes()
        )
        await future  # acknowledged by Kafka before the source offset may be committed

    @app.agent(pages, name="index-pages")
    async def index_pages(stream: Any) -> None:
        sink = sink_factory(settings)
        try:
            stage = IndexStage(sink, send_dead_letter)
            async for event in stream.events():
                message = event.message
                record = SourceRecord(
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    key=event.key,
                    value=event.value if isinstance(event.value, bytes) else b"",
                )
                try:
                    await stage.process(record)
                except DependencyUnavailable as exc:
                    log.critical("stopping worker: %s", exc)
                    await app.crash(exc)  # leaves the offset uncommitted
                    return
        finally:
            await sink.close()

    return app
