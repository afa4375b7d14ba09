"""The Faust application: two agents wired to their topics and the DLQ.

``extract-pages`` reads ``news.pages.v1`` (4 partitions, scales with workers) and forwards
clean articles to ``news.extracted.v1``; ``index-articles`` reads that single-partition topic in
batches (``batch_size`` articles, or what came within ``batch_wait_s``), enriches
(dedupe, tags) and indexes each batch in one bulk request. Each event is acknowledged only when
its stage returned, that is after the next hop (Kafka, the engine, or the DLQ) acknowledged;
Faust commits only acknowledged offsets.

After a (re)start with table state to restore, stream partitions are held in the Kafka client
until they have been sought and Faust has emptied its queues
(:class:`pipeline.seams.faust_recovery.SeekThenResumeRecovery`, a seam on Faust's internals);
otherwise records fetched during recovery are silently skipped.

Each agent reports its progress to a :class:`pipeline.sampler.WorkerMonitor`, which also
samples consumer lag and the deduplicator's size; ``marsad worker`` serves it at ``/health``
and ``/metrics`` (:mod:`pipeline.web`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import faust

from kernel.kafka_security import KafkaSecurity
from kernel.records import DeadLetter, EnrichedArticle, ExtractedArticle, Tick, utcnow
from kernel.settings import Settings
from kernel.topics import ALERTS, ARTICLES, DLQ, EXTRACTED, PAGES
from pipeline.alerting import Alerting, load_marks, published_deliveries
from pipeline.alerts import AlertEvent, AlertState
from pipeline.dedupe import Deduplicator
from pipeline.enrich import DedupeEnricher, enrichment_parts
from pipeline.health import StageProgress
from pipeline.sampler import WorkerMonitor
from pipeline.seams.faust_recovery import SeekThenResumeTableManager
from pipeline.sinks.factory import open_sink
from pipeline.sinks.types import SearchSink
from pipeline.stages import (
    BasicEnricher,
    DependencyUnavailable,
    Enricher,
    ExtractStage,
    IndexStage,
    SourceRecord,
)
from pipeline.stages.alerts import TICK_KEY, AlertStage, NotifyStage, alert_record

log = logging.getLogger(__name__)

EnricherFactory = Callable[[faust.App], Callable[[], Enricher]]


def basic_enricher(app: faust.App) -> Callable[[], Enricher]:
    return BasicEnricher


def dedupe_enricher(settings: Settings, monitor: WorkerMonitor | None = None) -> EnricherFactory:
    """Deduplication (state in a changelog-backed table, one partition) and tagging; the
    deduplicator's size is sampled by ``monitor``."""

    def factory(app: faust.App) -> Callable[[], Enricher]:
        table = app.Table(
            "dedupe-state",
            partitions=EXTRACTED.partitions,
            key_type=bytes,
            value_type=bytes,
            # the index stage writes a batch's state after the batch, outside Faust's per-event
            # context: the producer's partitioner places the records, not the current event's
            # partition (the same one while news.extracted.v1 has one partition)
            use_partitioner=True,
            help="Deduplicator state records (pipeline.dedupe), rebuilt into memory at start",
        )
        tagger, config = enrichment_parts(settings)

        def deduplicator() -> Deduplicator:
            dedup = Deduplicator(config)
            if monitor is not None:
                monitor.watch_dedupe(dedup.stats)
            return dedup

        return lambda: DedupeEnricher(deduplicator, table, tagger)

    return factory


def broker_credentials(security: KafkaSecurity) -> dict[str, Any]:
    """Faust's ``broker_credentials`` for ``security``, as keyword arguments of ``faust.App``:
    none for PLAINTEXT (the app is built exactly as without security)."""
    if security.protocol == "PLAINTEXT":
        return {}
    credentials: faust.types.auth.CredentialsT
    if security.uses_sasl:
        credentials = faust.SASLCredentials(
            username=security.sasl_username,
            password=security.sasl_password,
            mechanism=security.sasl_mechanism,
            ssl_context=security.ssl_context(),  # None for SASL_PLAINTEXT
        )
    else:
        credentials = faust.SSLCredentials(security.ssl_context())
    return {"broker_credentials": credentials}


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


async def _in_batches(
    app: faust.App,
    stream: Any,
    settings: Settings,
    progress: StageProgress,
    handle: Callable[[list[SourceRecord]], Awaitable[object]],
) -> None:
    """Hand ``stream``'s records to ``handle`` in batches (``batch_size`` records, or what
    came within ``batch_wait_s``) and acknowledge a batch only once ``handle`` returned;
    if it raises (Kafka or the engine down past the deadline), stop the worker with the batch
    unacknowledged, to be redone after restart."""
    batches = stream.noack_take(settings.batch_size, within=settings.batch_wait_s)
    async for events in batches:
        progress.started(time.monotonic())
        try:
            await handle([_record(event) for event in events])
        except Exception as exc:  # noqa: BLE001 - a dependency failed: stop, do not ack
            await _stop(app, exc)
            return
        for event in events:
            await stream.ack(event)
        progress.finished(time.monotonic(), len(events))


TICK_EVERY_S = 30.0
PRODUCER_LINGER_S = 0.005


def create_app(
    settings: Settings,
    sink_factory: Callable[[Settings], SearchSink] = open_sink,
    enricher_factory: EnricherFactory | None = None,
    monitor: WorkerMonitor | None = None,
    alerting: Alerting | None = None,
) -> faust.App:
    """The worker's app; its agents report to ``monitor`` (a fresh one if None). With
    ``alerting``, enriched articles are also evaluated against its rules and the alert events
    indexed and notified (agents ``evaluate-alerts`` and ``notify-alerts``)."""
    if monitor is None:
        monitor = WorkerMonitor()
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
        # a few ms to gather what a step produces (an article's dedupe state changes, a batch's
        # articles) into one request per partition: without it each record was its own
        # produce request, which cost the worker and the broker more CPU than the dedupe itself
        producer_linger=PRODUCER_LINGER_S,
        TableManager=SeekThenResumeTableManager,
        **broker_credentials(settings.kafka_security()),
    )
    pages = app.topic(settings.topic(PAGES), key_type=bytes, value_type=bytes)
    extracted = app.topic(settings.topic(EXTRACTED), key_type=bytes, value_type=bytes)
    dlq = app.topic(settings.topic(DLQ), key_type=bytes, value_type=bytes)
    articles = app.topic(settings.topic(ARTICLES), key_type=bytes, value_type=bytes)
    make_enricher = (enricher_factory or dedupe_enricher(settings, monitor))(app)
    watched = {settings.topic(PAGES), settings.topic(EXTRACTED)}
    if alerting is not None:
        watched |= {settings.topic(ARTICLES), settings.topic(ALERTS)}
    monitor.install(app, topics=watched)
    extract_progress = monitor.stage(ExtractStage.name, "extract-pages")
    index_progress = monitor.stage(IndexStage.name, "index-articles")

    async def send_dead_letter(letter: DeadLetter) -> None:
        key = letter.key.encode() if letter.key else None
        await (await dlq.send(key=key, value=letter.to_bytes()))  # wait for Kafka's ack

    async def forward(article: ExtractedArticle) -> Awaitable[object]:
        """Queued in order; the returned future is Kafka's acknowledgement."""
        return await extracted.send(key=article.url_id.encode(), value=article.to_bytes())

    async def publish(article: EnrichedArticle) -> Awaitable[object]:
        return await articles.send(key=article.url_id.encode(), value=article.to_bytes())

    @app.agent(pages, name="extract-pages")
    async def extract_pages(stream: Any) -> None:
        stage = ExtractStage(forward, send_dead_letter)
        await _in_batches(app, stream, settings, extract_progress, stage.process_batch)

    @app.agent(extracted, name="index-articles")
    async def index_articles(stream: Any) -> None:
        sink = sink_factory(settings)
        try:
            stage = IndexStage(sink, send_dead_letter, make_enricher(), publish=publish)
            await _in_batches(app, stream, settings, index_progress, stage.process_batch)
        finally:
            await sink.close()

    if alerting is not None:
        _alert_agents(
            app,
            settings,
            alerting,
            monitor=monitor,
            articles=articles,
            send_dead_letter=send_dead_letter,
            sink_factory=sink_factory,
        )
    return app


def _alert_agents(
    app: faust.App,
    settings: Settings,
    alerting: Alerting,
    *,
    monitor: WorkerMonitor,
    articles: Any,
    send_dead_letter: Callable[[DeadLetter], Any],
    sink_factory: Callable[[Settings], SearchSink],
) -> None:
    """``evaluate-alerts`` on news.articles.v1 (state: table ``alert-state``, keyed by rule and
    alert key), ``notify-alerts`` on news.alerts.v1, and the timer that ticks event time on."""
    alerts = app.topic(settings.topic(ALERTS), key_type=bytes, value_type=bytes)
    table = app.Table(
        "alert-state",
        partitions=ARTICLES.partitions,
        key_type=bytes,
        value_type=bytes,
        help="Alert evaluator state records (pipeline.alerts), rebuilt into memory at start",
    )
    evaluate_progress = monitor.stage(AlertStage.name, "evaluate-alerts")
    notify_progress = monitor.stage(NotifyStage.name, "notify-alerts")

    async def send_alert(event: AlertEvent) -> None:
        key, value = alert_record(event)
        await (await alerts.send(key=key, value=value))

    async def published() -> set[str]:
        return await published_deliveries(settings)

    async def marks() -> list[Any]:
        sink = sink_factory(settings)
        try:
            return await load_marks(sink, alerting.ruleset)
        finally:
            await sink.close()

    @app.timer(interval=TICK_EVERY_S)  # type: ignore[untyped-decorator]  # faust's is untyped
    async def tick() -> None:
        await articles.send(key=TICK_KEY, value=Tick(tick=utcnow()).to_bytes())

    @app.agent(articles, name="evaluate-alerts")
    async def evaluate_alerts(stream: Any) -> None:
        def make_evaluator(state: AlertState) -> Any:
            return alerting.evaluator(state)

        stage = AlertStage(
            make_evaluator=make_evaluator,
            table=table,
            send=send_alert,
            dead_letter=send_dead_letter,
            groups=alerting.groups,
            published=published,
            load_marks=marks,
        )
        async for event in stream.events():
            evaluate_progress.started(time.monotonic())
            try:
                await stage.process(_record(event))
            except Exception as exc:  # noqa: BLE001 - Kafka failed: stop, do not ack
                await _stop(app, exc)
                return
            evaluate_progress.finished(time.monotonic())

    @app.agent(alerts, name="notify-alerts")
    async def notify_alerts(stream: Any) -> None:
        sink = sink_factory(settings)
        try:
            stage = NotifyStage(
                write=sink.bulk, notifiers=alerting.notifiers, dead_letter=send_dead_letter
            )
            async for event in stream.events():
                notify_progress.started(time.monotonic())
                try:
                    await stage.process(_record(event))
                except Exception as exc:  # noqa: BLE001 - engine or Kafka down past the deadline
                    await _stop(app, exc)
                    return
                notify_progress.finished(time.monotonic())
        finally:
            await sink.close()
            for notifier in alerting.notifiers:
                await notifier.close()
