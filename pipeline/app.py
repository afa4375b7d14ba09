"""The Faust application: four agents wired to their topics and the DLQ.

- ``extract-pages`` reads ``news.pages.v1`` (4 partitions) and forwards clean articles to
  ``news.extracted.v1`` (4 partitions), each into the partition of its page, so a page
  partition's order is kept;
- ``sequence-articles`` reads ``news.extracted.v1`` and forwards every article into the one
  partition of ``news.sequenced.v1``: the one order the dedupe decisions are taken in;
- ``dedupe-articles`` reads ``news.sequenced.v1``, decides (state: table ``dedupe-state``) and
  forwards each article with its verdict to ``news.deduped.v1`` (4 partitions, by url_id);
- ``index-articles`` reads ``news.deduped.v1``, tags, builds the documents and indexes a batch
  in one bulk request, then publishes the enriched articles.

Every agent but ``dedupe-articles`` runs in every worker, on the partitions Kafka gives it;
``dedupe-articles`` runs in the worker that holds ``news.sequenced.v1``'s partition and moves
with it (a worker dying, a worker joining): the new holder rebuilds the state from the table,
and a worker that lost the partition drops its copy from memory (docs/scaling.md).

Each agent takes batches (``batch_size`` records, or what came within ``batch_wait_s``) and
acknowledges a batch only when its stage returned, that is after the next hop (Kafka, the
engine, or the DLQ) acknowledged; Faust commits only acknowledged offsets.

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
from kernel.topics import ALERTS, ARTICLES, DEDUPED, DLQ, EXTRACTED, PAGES, SEQUENCED
from pipeline.alerting import Alerting, load_marks, published_deliveries
from pipeline.alerts import AlertEvent, AlertState
from pipeline.dedupe import Deduplicator
from pipeline.enrich import DedupedArticle, DedupeDecider, VerdictEnricher, enrichment_parts
from pipeline.health import StageProgress
from pipeline.sampler import WorkerMonitor
from pipeline.seams.faust_recovery import SeekThenResumeTableManager
from pipeline.sinks.factory import open_sink
from pipeline.sinks.types import SearchSink
from pipeline.stages import (
    DedupeStage,
    DependencyUnavailable,
    ExtractStage,
    IndexStage,
    SequenceStage,
    SourceRecord,
)
from pipeline.stages.alerts import TICK_KEY, AlertStage, NotifyStage, alert_record
from pipeline.stages.base import parse_where

log = logging.getLogger(__name__)


def dedupe_decider(
    app: faust.App, settings: Settings, monitor: WorkerMonitor | None = None
) -> DedupeDecider:
    """The dedupe stage's decider, its state in a changelog-backed table of one partition (that
    of ``news.sequenced.v1``); the deduplicator's size is sampled by ``monitor``."""
    table = app.Table(
        "dedupe-state",
        partitions=SEQUENCED.partitions,
        key_type=bytes,
        value_type=bytes,
        # the stage writes a batch's state after the batch, outside Faust's per-event context:
        # the producer's partitioner places the records (one partition: the same one)
        use_partitioner=True,
        help="Deduplicator state records (pipeline.dedupe), rebuilt into memory at start",
    )
    _, config = enrichment_parts(settings)

    def deduplicator() -> Deduplicator:
        dedup = Deduplicator(config)
        if monitor is not None:
            monitor.watch_dedupe(dedup.stats)
        return dedup

    return DedupeDecider(deduplicator, table)


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
        topic_partitions=SEQUENCED.partitions,
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
    dlq = app.topic(settings.topic(DLQ), key_type=bytes, value_type=bytes)
    articles = app.topic(settings.topic(ARTICLES), key_type=bytes, value_type=bytes)
    watched = {settings.topic(t) for t in (PAGES, EXTRACTED, SEQUENCED, DEDUPED)}
    if alerting is not None:
        watched |= {settings.topic(ARTICLES), settings.topic(ALERTS)}
    monitor.install(app, topics=watched)

    async def send_dead_letter(letter: DeadLetter) -> None:
        key = letter.key.encode() if letter.key else None
        await (await dlq.send(key=key, value=letter.to_bytes()))  # wait for Kafka's ack

    _article_agents(
        app,
        settings,
        monitor=monitor,
        articles=articles,
        send_dead_letter=send_dead_letter,
        sink_factory=sink_factory,
    )
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


def _article_agents(
    app: faust.App,
    settings: Settings,
    *,
    monitor: WorkerMonitor,
    articles: Any,
    send_dead_letter: Callable[[DeadLetter], Awaitable[None]],
    sink_factory: Callable[[Settings], SearchSink],
) -> None:
    """The four agents from a page to its documents (see the module's docstring)."""
    pages = app.topic(settings.topic(PAGES), key_type=bytes, value_type=bytes)
    extracted = app.topic(settings.topic(EXTRACTED), key_type=bytes, value_type=bytes)
    sequenced = app.topic(settings.topic(SEQUENCED), key_type=bytes, value_type=bytes)
    deduped = app.topic(settings.topic(DEDUPED), key_type=bytes, value_type=bytes)
    decider = dedupe_decider(app, settings, monitor)
    tagger, _ = enrichment_parts(settings)
    extract_progress = monitor.stage(ExtractStage.name, "extract-pages")
    sequence_progress = monitor.stage(SequenceStage.name, "sequence-articles")
    dedupe_progress = monitor.stage(DedupeStage.name, "dedupe-articles")
    index_progress = monitor.stage(IndexStage.name, "index-articles")

    def on_revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        """Faust revokes every partition before a rebalance: if the dedupe stage's was among
        them, another worker may decide until it comes back, so the state in memory is stale."""
        revoked = args[0] if args else kwargs.get("revoked", ())
        if any(tp.topic == sequenced.get_topic_name() for tp in revoked):
            decider.reset()

    app.on_partitions_revoked.connect(on_revoked)

    async def forward(article: ExtractedArticle) -> Awaitable[object]:
        """Queued in order, into its page's partition; the returned future is Kafka's
        acknowledgement."""
        where = parse_where(article.source_offset)
        partition = (where[1] if where is not None else 0) % EXTRACTED.partitions
        key = article.url_id.encode()
        ack: Awaitable[object] = await extracted.send(
            key=key, value=article.to_bytes(), partition=partition
        )
        return ack

    async def sequence(key: bytes | None, value: bytes) -> Awaitable[object]:
        return await sequenced.send(key=key, value=value)

    async def decided(article: ExtractedArticle, verdict: Any) -> Awaitable[object]:
        value = DedupedArticle(article, verdict).to_bytes()
        return await deduped.send(key=article.url_id.encode(), value=value)

    async def publish(article: EnrichedArticle) -> Awaitable[object]:
        ack: Awaitable[object] = await articles.send(
            key=article.url_id.encode(), value=article.to_bytes()
        )
        return ack

    @app.agent(pages, name="extract-pages")
    async def extract_pages(stream: Any) -> None:
        stage = ExtractStage(forward, send_dead_letter)
        await _in_batches(app, stream, settings, extract_progress, stage.process_batch)

    @app.agent(extracted, name="sequence-articles")
    async def sequence_articles(stream: Any) -> None:
        stage = SequenceStage(sequence, send_dead_letter)
        await _in_batches(app, stream, settings, sequence_progress, stage.process_batch)

    @app.agent(sequenced, name="dedupe-articles")
    async def dedupe_articles(stream: Any) -> None:
        stage = DedupeStage(decider, decided, send_dead_letter)
        await _in_batches(app, stream, settings, dedupe_progress, stage.process_batch)

    @app.agent(deduped, name="index-articles")
    async def index_articles(stream: Any) -> None:
        sink = sink_factory(settings)
        try:
            stage = IndexStage(
                sink,
                send_dead_letter,
                VerdictEnricher(tagger),
                publish=publish,
                decode=DedupedArticle.from_bytes,
            )
            await _in_batches(app, stream, settings, index_progress, stage.process_batch)
        finally:
            await sink.close()


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
