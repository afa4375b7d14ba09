"""The Faust application: two agents wired to their topics and the DLQ.

``extract-pages`` reads ``news.pages.v1`` (4 partitions, scales with workers) and forwards
clean articles to ``news.extracted.v1``; ``index-articles`` reads that single-partition topic,
enriches (dedupe, tags) and indexes. Each event is acknowledged only when its stage returned,
that is after the next hop (Kafka, the engine, or the DLQ) acknowledged; Faust commits only
acknowledged offsets.

After a (re)start with table state to restore, stream partitions are held in the Kafka client
until they have been sought and Faust has emptied its queues (:class:`SeekThenResumeRecovery`);
otherwise records fetched during recovery are silently skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import faust
from aiokafka import TopicPartition
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.transport.consumer import Consumer, ThreadDelegateConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.types import TP
from faust.types.transports import ConsumerT

from kernel.records import DeadLetter, ExtractedArticle
from kernel.settings import Settings
from kernel.topics import DLQ, EXTRACTED, PAGES
from pipeline.dedupe import Deduplicator, standard_config
from pipeline.enrich import DedupeEnricher
from pipeline.sink import SearchSink, open_sink
from pipeline.stages import (
    BasicEnricher,
    DependencyUnavailable,
    Enricher,
    ExtractStage,
    IndexStage,
    SourceRecord,
)
from pipeline.tagging import Tagger

log = logging.getLogger(__name__)

EnricherFactory = Callable[[faust.App], Callable[[], Enricher]]


def basic_enricher(app: faust.App) -> Callable[[], Enricher]:
    return BasicEnricher


def dedupe_enricher(settings: Settings) -> EnricherFactory:
    """Deduplication (state in a changelog-backed table, one partition) and tagging."""

    def factory(app: faust.App) -> Callable[[], Enricher]:
        table = app.Table(
            "dedupe-state",
            partitions=EXTRACTED.partitions,
            key_type=bytes,
            value_type=bytes,
            help="Deduplicator state records (pipeline.dedupe), rebuilt into memory at start",
        )
        config = standard_config(retention=timedelta(days=settings.dedupe_retention_days))
        tagger = Tagger.load(settings.lexicons_path())  # validated: a broken lexicon stops here
        return lambda: DedupeEnricher(lambda: Deduplicator(config), table, tagger)

    return factory


async def _set_fetching(consumer: ConsumerT, tps: set[TP], *, paused: bool) -> None:
    """Pause or resume ``tps`` in the Kafka client itself, on the consumer's own thread.

    Faust pauses a partition only in its own bookkeeping, while the client goes on fetching
    it; a paused partition's records can still be taken out of the client (its position moves
    past them) and then be discarded by Faust. A partition paused in the client gives up
    nothing until resumed; its position stays where it was.
    """
    thread = cast(AIOKafkaConsumerThread, cast(ThreadDelegateConsumer, consumer)._thread)
    client = thread._ensure_consumer()
    partitions = [TopicPartition(tp.topic, tp.partition) for tp in tps]

    async def apply() -> None:
        (client.pause if paused else client.resume)(*partitions)

    await thread.call_thread(apply)


class SeekThenResumeRecovery(Recovery):
    """Faust's table recovery, made not to lose stream records when it completes.

    When a worker starts with table state to restore (faust-streaming#596): Faust reads the
    changelog with its fetcher running, and the stream partitions, paused only in Faust's
    bookkeeping, are still fetched by the client. Records taken out of the client in that
    time are discarded, or queued and then discarded when Faust empties its queues at the end
    of recovery, while the consumer's position has moved past them. Faust's seek to the
    committed offsets undoes this only for a partition that has a committed offset and only
    if the seek came last. Otherwise the worker skips those records until its next restart,
    and, as they are never acknowledged, its commits stop at the gap (seen: a worker started
    after a killed one kept a fixed lag and never indexed the rest).

    Here the stream partitions are paused in the client first, then sought (to the committed
    offset, or to the earliest one where nothing was committed, as
    ``consumer_auto_offset_reset="earliest"`` would), then Faust empties its queues, and only
    then are the partitions resumed. Otherwise this is Faust's ``on_recovery_completed``.
    """

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        app = cast(faust.App, self.app)
        consumer = app.consumer
        self.log.info("Restore complete!")
        await app.on_rebalance_complete.send()
        self._set_recovery_ended()
        callbacks = [
            asyncio.ensure_future(
                table.on_recovery_completed(
                    self.actives_for_table[table], self.standbys_for_table[table]
                )
            )
            for table in self.tables.values()
        ]
        if callbacks:
            await asyncio.wait(callbacks)
        assignment = consumer.assignment()
        if app.consumer_generation_id != generation_id:
            self.log.warning("Recovery rebalancing again (generation %s)", generation_id)
            return
        streams = {tp for tp in assignment if not self._is_changelog_tp(tp)}
        timeout = app.conf.broker_request_timeout
        if streams:
            await self._wait(_set_fetching(consumer, streams, paused=True), timeout=timeout)
            self.log.info("Seek stream partitions to committed offsets.")
            await self._wait(consumer.perform_seek(), timeout=timeout)
            committed = cast(Consumer, consumer)._committed_offset
            uncommitted = [tp for tp in streams if not committed.get(tp)]
            if uncommitted:
                earliest = await consumer.earliest_offsets(*uncommitted)
                await self._wait(consumer.seek_wait(earliest), timeout=timeout)
        self.completed.set()
        app.flow_control.resume()  # empties the agents' queues
        consumer.resume_flow()
        if streams:
            consumer.resume_partitions(streams)
            await self._wait(_set_fetching(consumer, streams, paused=False), timeout=timeout)
        await app._fetcher.maybe_start()
        self.tables.on_actives_ready()
        if not app.assignor.assigned_standbys():
            self.tables.on_standbys_ready()
        app.on_rebalance_end()
        self.log.info("Worker ready")


class SeekThenResumeTableManager(TableManager):
    """Faust's table manager, recovering with :class:`SeekThenResumeRecovery`."""

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = SeekThenResumeRecovery(
                self.app, self, beacon=self.beacon, loop=self.loop
            )
        return self._recovery


def _record(event: Any) -> SourceRecord:
    message = event.message
    value = event.value if isinstance(event.value, bytes) else b""
    return SourceRecord(message.topic, message.partition, message.offset, event.key, value)


async def _stop(app: faust.App, exc: Exception) -> None:
    """Stop the worker without acknowledging the event in hand: it is redone after restart."""
    if isinstance(exc, DependencyUnavailable):
        log.critical("stopping worker: %s", exc)
    else:
        log.critical("stopping worker: %s: %s", type(exc).__name__, exc, exc_info=exc)
    await app.crash(exc)


def create_app(
    settings: Settings,
    sink_factory: Callable[[Settings], SearchSink] = open_sink,
    enricher_factory: EnricherFactory | None = None,
) -> faust.App:
    app = faust.App(
        settings.worker_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        datadir=str(settings.home / "faust"),
        web_enabled=False,
        topic_partitions=EXTRACTED.partitions,
        topic_replication_factor=settings.topic_replication,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        # a worker that died is out of the group within seconds, not a minute, so its
        # partitions move to the survivors quickly (seen: a killed worker stalled a new one)
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        producer_acks=-1,
        producer_compression_type="gzip",
        TableManager=SeekThenResumeTableManager,
    )
    pages = app.topic(settings.topic(PAGES), key_type=bytes, value_type=bytes)
    extracted = app.topic(settings.topic(EXTRACTED), key_type=bytes, value_type=bytes)
    dlq = app.topic(settings.topic(DLQ), key_type=bytes, value_type=bytes)
    make_enricher = (enricher_factory or dedupe_enricher(settings))(app)

    async def send_dead_letter(letter: DeadLetter) -> None:
        key = letter.key.encode() if letter.key else None
        await (await dlq.send(key=key, value=letter.to_bytes()))  # wait for Kafka's ack

    async def forward(article: ExtractedArticle) -> None:
        key = article.url_id.encode()
        await (await extracted.send(key=key, value=article.to_bytes()))

    @app.agent(pages, name="extract-pages")
    async def extract_pages(stream: Any) -> None:
        stage = ExtractStage(forward, send_dead_letter)
        async for event in stream.events():
            try:
                await stage.process(_record(event))
            except Exception as exc:  # noqa: BLE001 - Kafka itself failed: stop, do not ack
                await _stop(app, exc)
                return

    @app.agent(extracted, name="index-articles")
    async def index_articles(stream: Any) -> None:
        sink = sink_factory(settings)
        try:
            stage = IndexStage(sink, send_dead_letter, make_enricher())
            async for event in stream.events():
                try:
                    await stage.process(_record(event))
                except Exception as exc:  # noqa: BLE001 - engine or Kafka down past the deadline
                    await _stop(app, exc)
                    return
        finally:
            await sink.close()

    return app
