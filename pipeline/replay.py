"""Replay and backfill: the stored pages of ``news.pages.v1`` through the worker's own stages,
into a chosen index version.

A replay reads a fixed slice of the pages topic (from a date or an offset, up to the end offsets
seen when it started) in one deterministic order: the order in which the worker first processed
those pages, read from ``news.sequenced.v1`` (the dedupe stage's one partition, in the order
it decided; each record names its page's partition and offset), so that deduplication, which
depends on what it saw first, gives the clusters the worker gave; pages the worker has not
processed (or whose records retention removed) follow, the partitions merged by record
timestamp, partition, offset.

Each page goes through :class:`~pipeline.stages.ExtractStage` and
:class:`~pipeline.stages.IndexStage` with the worker's enricher (deduplication and tags, state
in memory, starting empty), and the documents are written in large bulk requests into
``{prefix}-{kind}-v{N}``, never through the alias: searches keep answering from the live version
until ``marsad index switch`` (or ``--switch``) moves the alias.

Resumable: after each acknowledged bulk request a checkpoint (``<home>/replay/<prefix>-v<N>.json``)
records the slice and how many pages of it are written. Run again, the replay re-derives the
deduplicator's state from the pages already written (extraction and enrichment, no writes: the
order is the same, so the state is too) and goes on from there. Idempotent: every document has
the id it always has (the article's ``url_id``, ``url_id:paragraph``), so pages written twice
leave one document each, with the same content.

Pages that cannot be extracted were dead-lettered when the worker first met them; a replay
counts them by reason and lists them in ``<prefix>-v<N>.dead.jsonl`` beside the checkpoint
instead of sending them to ``news.dlq.v1`` again.
"""

from __future__ import annotations

import heapq
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from kernel.exceptions import MarsadError
from kernel.records import DeadLetter, ExtractedArticle
from kernel.retry import RetryPolicy
from kernel.settings import Settings
from kernel.topics import PAGES, SEQUENCED
from pipeline.dedupe import Deduplicator
from pipeline.enrich import DedupeEnricher, enrichment_parts
from pipeline.sinks.bodies import TEMPLATES
from pipeline.sinks.types import IndexAction, SearchSink
from pipeline.stages import ExtractStage, IndexStage, SourceRecord
from pipeline.stages.base import parse_where, with_retry

log = logging.getLogger(__name__)

CHECKPOINT_VERSION = 1
BULK_ACTIONS = 2000
"""Documents per bulk request: a few MB, far fewer round trips than one request per article."""
REPLAY_RETRY = RetryPolicy(first_delay_s=0.5, max_delay_s=15.0, deadline_s=300.0)


class ReplayError(MarsadError):
    """A replay cannot start or go on (the reason says what to do)."""


@dataclass(frozen=True)
class Slice:
    """The pages a replay covers: ``[start, end)`` offsets of each partition of ``topic``."""

    topic: str
    start: dict[int, int]
    end: dict[int, int]
    order_topic: str = ""
    """The topic whose records give the worker's processing order (``news.extracted.v1``)."""
    order_end: dict[int, int] = field(default_factory=dict)
    """Its end offsets when the replay started: a resumed replay reads the same order."""

    @property
    def total(self) -> int:
        return sum(max(0, self.end[p] - self.start[p]) for p in self.start)

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "start": {str(p): o for p, o in sorted(self.start.items())},
            "end": {str(p): o for p, o in sorted(self.end.items())},
            "order_topic": self.order_topic,
            "order_end": {str(p): o for p, o in sorted(self.order_end.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slice:
        return cls(
            topic=str(data["topic"]),
            start={int(p): int(o) for p, o in data["start"].items()},
            end={int(p): int(o) for p, o in data["end"].items()},
            order_topic=str(data.get("order_topic", "")),
            order_end={int(p): int(o) for p, o in data.get("order_end", {}).items()},
        )


@dataclass
class Checkpoint:
    """What a replay has written: the first ``done`` pages of ``slice`` (in replay order)."""

    version: int
    slice: Slice
    done: int = 0
    documents: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": CHECKPOINT_VERSION,
            "index_version": self.version,
            "slice": self.slice.to_json(),
            "done": self.done,
            "documents": self.documents,
            "skipped": dict(sorted(self.skipped.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        if data.get("format") != CHECKPOINT_VERSION:
            raise ValueError(f"unknown checkpoint format {data.get('format')!r}")
        return cls(
            version=int(data["index_version"]),
            slice=Slice.from_json(data["slice"]),
            done=int(data["done"]),
            documents=int(data["documents"]),
            skipped={str(k): int(v) for k, v in data.get("skipped", {}).items()},
        )


def checkpoint_path(settings: Settings, version: int) -> Path:
    return settings.home / "replay" / f"{settings.index_prefix}-v{version}.json"


def load_checkpoint(path: Path) -> Checkpoint | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return Checkpoint.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReplayError(
            f"the replay checkpoint {path} is unreadable ({exc}): delete it to start over"
        ) from exc


def save_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(checkpoint.to_json(), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)  # atomic: a replay killed mid-write leaves the previous one


def _consumer(settings: Settings) -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id="marsad-replay",
        enable_auto_commit=False,  # a replay is no consumer group: it commits nothing
        **settings.kafka_security().kafka_python_kwargs(),
    )


def plan_slice(
    settings: Settings, *, since: datetime | None = None, from_offset: int | None = None
) -> Slice:
    """The pages from ``since`` (record time) or from ``from_offset`` (of every partition) up
    to the current end of the pages topic. Offsets older than the topic keeps start at its
    beginning: what retention removed cannot be replayed (the slice says how many remain)."""
    topic = settings.topic(PAGES)
    consumer = _consumer(settings)
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise ReplayError(f"topic {topic} does not exist on {settings.kafka_bootstrap}")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        first = consumer.beginning_offsets(tps)
        end = consumer.end_offsets(tps)
        if since is not None and from_offset is None:
            found = consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
            start = {
                tp.partition: (found[tp].offset if found.get(tp) is not None else end[tp])
                for tp in tps
            }
        elif from_offset is not None and since is None:
            start = {tp.partition: min(max(from_offset, first[tp]), end[tp]) for tp in tps}
        else:
            raise ReplayError("give exactly one of --since DATE and --from-offset N")
        start = {p: max(o, first[TopicPartition(topic, p)]) for p, o in start.items()}
        order_topic = settings.topic(SEQUENCED)
        order_partitions = consumer.partitions_for_topic(order_topic) or set()
        order_end = consumer.end_offsets([TopicPartition(order_topic, p) for p in order_partitions])
        return Slice(
            topic,
            start,
            {tp.partition: end[tp] for tp in tps},
            order_topic,
            {tp.partition: offset for tp, offset in order_end.items()},
        )
    finally:
        consumer.close()


def _partition_records(
    settings: Settings, topic: str, partition: int, begin: int, stop: int
) -> Iterator[Any]:
    """The records of one partition in ``[begin, stop)``, in offset order, read lazily."""
    if begin >= stop:
        return
    consumer = _consumer(settings)
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        consumer.seek(tp, begin)
        position = begin
        while position < stop:
            batch = consumer.poll(timeout_ms=5000, max_records=200).get(tp, [])
            if not batch:
                if consumer.position(tp) >= stop:
                    return  # the rest was compacted or deleted
                continue
            for record in batch:
                if record.offset >= stop:
                    return
                position = record.offset + 1
                yield record
    finally:
        consumer.close()


def worker_order(settings: Settings, slice_: Slice) -> list[tuple[int, int]]:
    """(partition, offset) of the slice's pages in the order the worker first processed them:
    the ``source_offset`` of each record of the order topic, up to its recorded end."""
    order: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for partition, stop in sorted(slice_.order_end.items()):
        for record in _partition_records(settings, slice_.order_topic, partition, 0, stop):
            try:
                where = parse_where(str(json.loads(record.value)["source_offset"]))
            except (ValueError, KeyError, TypeError):
                continue  # not an extracted article: it says nothing of the order
            if where is None or where[0] != slice_.topic:
                continue
            page = (where[1], where[2])
            if page in seen or not slice_.start.get(page[0], 0) <= page[1] < slice_.end.get(
                page[0], 0
            ):
                continue  # processed again after a restart, or outside the slice
            seen.add(page)
            order.append(page)
    return order


def _source(record: Any) -> SourceRecord:
    value = record.value if isinstance(record.value, bytes) else b""
    return SourceRecord(record.topic, record.partition, record.offset, record.key, value)


def replay_order(settings: Settings, slice_: Slice) -> Iterator[SourceRecord]:
    """Every page of the slice, in the worker's order (:func:`worker_order`), then the rest
    merged by (timestamp, partition, offset): the same order on every run over the slice."""
    streams = {
        p: _partition_records(settings, slice_.topic, p, slice_.start[p], slice_.end[p])
        for p in sorted(slice_.start)
    }
    following = dict(slice_.start)  # the next offset of each partition not yet given
    for partition, offset in worker_order(settings, slice_):
        if offset < following[partition]:
            continue  # within a partition the worker went in offset order: already given
        for record in streams[partition]:
            following[partition] = record.offset + 1
            yield _source(record)  # pages before it that the worker skipped come in place
            if record.offset >= offset:
                break
    rest = [
        (((r.timestamp, r.partition, r.offset), r) for r in stream) for stream in streams.values()
    ]
    for _, record in heapq.merge(*rest, key=lambda item: item[0]):
        yield _source(record)


class _Batch:
    """The index stage's sink during a replay: documents are gathered for one large bulk request
    into the target version. Nothing counts as written until :meth:`flush` returns."""

    def __init__(self) -> None:
        self.actions: dict[tuple[str, str], IndexAction] = {}
        self.writing = True

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None:
        if self.writing:
            for action in actions:  # a later write of the same id replaces the earlier one
                self.actions.pop((action.kind, action.doc_id), None)
                self.actions[(action.kind, action.doc_id)] = action


@dataclass
class ReplayReport:
    checkpoint: Checkpoint
    resumed_from: int
    path: Path

    @property
    def skipped_total(self) -> int:
        return sum(self.checkpoint.skipped.values())


Progress = Callable[[int, int], None]
"""Told (pages done, pages in the slice) as a replay goes on."""


class _Replay:
    """One run of :func:`replay`: the stages, the batch, the checkpoint."""

    def __init__(
        self,
        sink: SearchSink,
        checkpoint: Checkpoint,
        path: Path,
        enricher: DedupeEnricher,
        bulk_actions: int,
    ) -> None:
        self.sink = sink
        self.checkpoint = checkpoint
        self.path = path
        self.dead_path = path.with_suffix(".dead.jsonl")
        self.bulk_actions = bulk_actions
        self.resumed_from = checkpoint.done
        self.batch = _Batch()
        self.batch.writing = self.resumed_from == 0
        self.extracted: list[ExtractedArticle] = []
        self.letters: list[DeadLetter] = []  # of the page in hand
        self.pending: list[DeadLetter] = []  # pages skipped since the last checkpoint
        self.skipped = Counter(checkpoint.skipped)
        self.extract = ExtractStage(self._forward, self._dead_letter)
        self.index = IndexStage(self.batch, self._dead_letter, enricher)
        self.seen = 0
        self.last: SourceRecord | None = None

    async def _forward(self, article: ExtractedArticle) -> None:
        self.extracted.append(article)

    async def _dead_letter(self, letter: DeadLetter) -> None:
        self.letters.append(letter)

    async def page(self, record: SourceRecord) -> None:
        """Extract and enrich one page (its documents join the batch once writing)."""
        self.seen += 1
        self.last = record
        if self.seen == self.resumed_from + 1:
            self.batch.writing = True  # the state is where the interrupted run left it
        await self.extract.process(record)
        for article in self.extracted:
            await self.index.process(
                SourceRecord(
                    record.topic, record.partition, record.offset, record.key, article.to_bytes()
                )
            )
        self.extracted.clear()
        if self.batch.writing:
            self.pending.extend(self.letters)
        self.letters.clear()
        if len(self.batch.actions) >= self.bulk_actions:
            await self.flush()

    async def flush(self) -> None:
        """Write the batch, then the skipped pages, then the checkpoint (in that order)."""
        if self.last is None or not self.batch.writing:
            return
        actions = list(self.batch.actions.values())
        version = self.checkpoint.version

        async def write() -> None:
            await self.sink.bulk(actions, version=version)

        if actions:
            await with_retry(write, REPLAY_RETRY, self.last, "engine")
        self.batch.actions.clear()
        if self.pending:
            self.dead_path.parent.mkdir(parents=True, exist_ok=True)
            with self.dead_path.open("a", encoding="utf-8") as out:
                for letter in self.pending:
                    self.skipped[f"{letter.stage}: {letter.error_type}"] += 1
                    out.write(letter.model_dump_json() + "\n")
            self.pending.clear()
        self.checkpoint.done = self.seen
        self.checkpoint.documents += len(actions)
        self.checkpoint.skipped = dict(self.skipped)
        save_checkpoint(self.path, self.checkpoint)


async def replay(
    settings: Settings,
    sink: SearchSink,
    slice_: Slice,
    version: int,
    *,
    make_enricher: Callable[[dict[bytes, bytes]], DedupeEnricher],
    progress: Progress | None = None,
    bulk_actions: int = BULK_ACTIONS,
    records: Callable[[Settings, Slice], Iterator[SourceRecord]] = replay_order,
) -> ReplayReport:
    """Replay ``slice_`` into ``version``'s indices (made from the current templates if
    missing), resuming from its checkpoint if one exists for the same slice."""
    path = checkpoint_path(settings, version)
    checkpoint = load_checkpoint(path)
    if checkpoint is not None and checkpoint.done >= checkpoint.slice.total:
        checkpoint = None  # that replay finished: this is a new one
    if checkpoint is not None:
        unfinished = checkpoint.slice
        if (unfinished.topic, unfinished.start) != (slice_.topic, slice_.start):
            raise ReplayError(
                f"{path} holds an unfinished replay into version {version} of other pages "
                f"({checkpoint.done} of {unfinished.total} done): run it again with the same "
                "arguments to finish it, or delete the checkpoint to start over"
            )
        slice_ = unfinished  # the end offsets and order it started with, whatever came since
    else:
        checkpoint = Checkpoint(version, slice_)
        path.with_suffix(".dead.jsonl").unlink(missing_ok=True)
    for kind in TEMPLATES:
        await sink.create_version(kind, version)
    run = _Replay(sink, checkpoint, path, make_enricher({}), bulk_actions)
    for record in records(settings, slice_):
        await run.page(record)
        if progress is not None:
            progress(run.seen, slice_.total)
    await run.flush()
    return ReplayReport(checkpoint, run.resumed_from, path)


def enricher_factory(
    settings: Settings,
) -> Callable[[dict[bytes, bytes]], DedupeEnricher]:
    """The worker's enricher (deduplication and tags), with its state in a plain dict."""
    tagger, config = enrichment_parts(settings)
    return lambda table: DedupeEnricher(lambda: Deduplicator(config), table, tagger)


__all__ = [
    "Checkpoint",
    "ReplayError",
    "ReplayReport",
    "Slice",
    "checkpoint_path",
    "enricher_factory",
    "load_checkpoint",
    "plan_slice",
    "replay",
    "replay_order",
    "worker_order",
]
