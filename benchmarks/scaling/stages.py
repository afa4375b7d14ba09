"""The stages' own CPU per article, in this process, on the worker's code with in-memory hops.

Each stage is the worker's class (:mod:`pipeline.stages`) fed :class:`SourceRecord` batches of
``batch`` records, as ``pipeline.app`` feeds it; what would go to Kafka or the engine is done
up to the bytes (``to_bytes``, the bulk body) and kept in memory, acknowledged at once. CPU is
``time.process_time`` of this process around the stage calls; per step, the worker's own
``marsad_step_cpu_seconds_total`` counters (thread CPU around decode, dedupe, extract, tag,
document).
"""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psutil
from opensearchpy.client.utils import _bulk_body
from opensearchpy.serializer import JSONSerializer

from devtools.bench import step_cpu_now
from kernel.records import DeadLetter, EnrichedArticle, ExtractedArticle
from kernel.topics import DEDUPED, EXTRACTED, PAGES, SEQUENCED
from pipeline.dedupe import ArticleVerdict, DedupeConfig, Deduplicator
from pipeline.enrich import DedupedArticle, DedupeDecider, VerdictEnricher, article_input
from pipeline.sinks.types import IndexAction
from pipeline.stages import DedupeStage, ExtractStage, IndexStage, SequenceStage, SourceRecord
from pipeline.stages.index import StateChange
from pipeline.tagging import Tagger

Progress = Callable[[str], None]


@dataclass
class Cpu:
    """CPU of a measured section: the process's, and the worker's per-step counters."""

    items: int
    cpu_s: float
    wall_s: float
    steps: dict[str, float] = field(default_factory=dict)

    def ms(self) -> float:
        return 1000 * self.cpu_s / self.items

    def step_ms(self, step: str) -> float:
        return 1000 * self.steps.get(step, 0.0) / self.items


class Meter:
    """Process CPU, wall time and step counters between :meth:`start` and :meth:`stop`."""

    def start(self) -> None:
        self._steps = step_cpu_now()
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def stop(self, items: int) -> Cpu:
        cpu, wall = time.process_time() - self._cpu, time.perf_counter() - self._wall
        steps = {k: v - self._steps.get(k, 0.0) for k, v in step_cpu_now().items()}
        return Cpu(items, cpu, wall, {k: v for k, v in steps.items() if v > 0})


class DeadLetters:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def __call__(self, letter: DeadLetter) -> None:
        self.letters.append(letter)


def source_records(topic: str, start: int, values: Sequence[bytes]) -> list[SourceRecord]:
    return [SourceRecord(topic, 0, start + i, None, v) for i, v in enumerate(values)]


async def run_batches(
    process_batch: Callable[[list[SourceRecord]], Awaitable[object]],
    topic: str,
    values: Sequence[bytes],
    batch: int,
    first: int = 0,
) -> None:
    for start in range(0, len(values), batch):
        chunk = values[start : start + batch]
        await process_batch(source_records(topic, first + start, chunk))


# ---------------------------------------------------------------------------- dedupe stage


class CountingDecider:
    """:class:`DedupeDecider`, counting the state changes (changelog records) it hands out."""

    def __init__(self, inner: DedupeDecider) -> None:
        self.inner = inner
        self.changes = 0
        self.statuses: Counter[str] = Counter()

    def decide(self, article: ExtractedArticle) -> tuple[ArticleVerdict, tuple[StateChange, ...]]:
        verdict, changed = self.inner.decide(article)
        self.changes += len(changed)
        self.statuses[verdict.status.value] += 1
        return verdict, changed

    def commit(self, changes: Sequence[StateChange]) -> None:
        self.inner.commit(changes)


@dataclass
class Slice:
    """One slice of the dedupe stage's stream: its CPU, and the state at its end."""

    end: int
    cpu: Cpu
    probe_ms: float
    """The reference workload's CPU per article right after the slice (a fresh stage on the
    first ``probe`` articles): the machine's speed at the time, to tell the state's effect
    from the shared machine's drift."""
    forward_s: float
    changes: int
    table_records: int
    table_bytes: int
    rss: int
    stats: dict[str, int]


@dataclass
class DedupeRun:
    slices: list[Slice]
    statuses: Counter[str]
    rss_start: int
    deduped_bytes: int
    samples: list[bytes]
    """Every ``sample_every``-th record the stage forwarded (``DedupedArticle`` bytes)."""
    sample_bytes: int
    dead_letters: int
    table: dict[bytes, bytes]
    first_seen: datetime
    last_seen: datetime

    @property
    def articles(self) -> int:
        return self.slices[-1].end

    @property
    def cpu_s(self) -> float:
        return sum(s.cpu.cpu_s for s in self.slices)

    @property
    def changes(self) -> int:
        return sum(s.changes for s in self.slices)


def table_size(table: dict[bytes, bytes]) -> int:
    """Bytes of the table's keys and values: what its changelog holds once compacted."""
    return sum(len(k) + len(v) for k, v in table.items())


def seen_at(value: bytes) -> datetime:
    return ExtractedArticle.model_validate_json(value).fetched_at


async def dedupe_stage(
    records: Sequence[bytes],
    config: DedupeConfig,
    *,
    batch: int,
    slice_size: int,
    samples: int,
    probe: int,
    progress: Progress,
) -> DedupeRun:
    """``DedupeStage.process_batch`` over ``records`` with a real :class:`DedupeDecider` whose
    table is a dict, and a forward that makes the ``DedupedArticle`` bytes; CPU per slice."""
    first_seen, last_seen = seen_at(records[0]), seen_at(records[-1])
    table: dict[bytes, bytes] = {}
    made: list[Deduplicator] = []

    def make() -> Deduplicator:
        made.append(Deduplicator(config))
        return made[-1]

    # the corpus's clock is its own (2024): the decider restores "now" on first use, and a now
    # far after the corpus would make every article older than the retention
    decider = CountingDecider(DedupeDecider(make, table, lambda: first_seen))
    sample_every = max(1, len(records) // samples)
    kept: list[bytes] = []
    sizes = {"bytes": 0, "count": 0}
    forward_cpu = [0.0]

    async def forward(article: ExtractedArticle, verdict: Any) -> None:
        started = time.thread_time()
        value = DedupedArticle(article, verdict).to_bytes()
        key = article.url_id.encode()
        sizes["bytes"] += len(key) + len(value)
        if sizes["count"] % sample_every == 0 and len(kept) < samples:
            kept.append(value)
        sizes["count"] += 1
        forward_cpu[0] += time.thread_time() - started

    dead = DeadLetters()
    stage = DedupeStage(decider, forward, dead)
    process = psutil.Process()
    gc.collect()
    rss_start = process.memory_info().rss
    slices: list[Slice] = []
    meter = Meter()
    for start in range(0, len(records), slice_size):
        chunk = records[start : start + slice_size]
        changes, forwarded = decider.changes, forward_cpu[0]
        meter.start()
        await run_batches(stage.process_batch, SEQUENCED.name, chunk, batch, first=start)
        cpu = meter.stop(len(chunk))
        _, reference = await fresh_dedupe(records[:probe], config, batch)
        done = start + len(chunk)
        slices.append(
            Slice(
                end=done,
                cpu=cpu,
                probe_ms=reference.ms(),
                forward_s=forward_cpu[0] - forwarded,
                changes=decider.changes - changes,
                table_records=len(table),
                table_bytes=table_size(table),
                rss=process.memory_info().rss,
                stats=made[-1].stats(),
            )
        )
        progress(
            f"  dedupe stage: {done:,}/{len(records):,} articles, "
            f"{cpu.ms():.3f} ms CPU/article in this slice (reference {reference.ms():.3f})"
        )
    return DedupeRun(
        slices=slices,
        statuses=decider.statuses,
        rss_start=rss_start,
        deduped_bytes=sizes["bytes"],
        samples=kept,
        sample_bytes=sum(len(v) for v in kept),
        dead_letters=len(dead.letters),
        table=table,
        first_seen=first_seen,
        last_seen=last_seen,
    )


@dataclass(frozen=True)
class Restore:
    records: int
    kept: int
    cpu_s: float
    wall_s: float
    rss_growth: int
    same_state: bool


def restore(run: DedupeRun, config: DedupeConfig, first: bytes) -> Restore:
    """The worker's restore path: a fresh :class:`DedupeDecider` on the run's table rebuilds
    the deduplicator on its first decision (here a replay of the first article)."""
    process = psutil.Process()
    gc.collect()
    rss = process.memory_info().rss
    made: list[Deduplicator] = []

    def make() -> Deduplicator:
        made.append(Deduplicator(config))
        return made[-1]

    decider = DedupeDecider(make, run.table, lambda: run.last_seen)
    article = ExtractedArticle.model_validate_json(first)
    started, wall = time.process_time(), time.perf_counter()
    decider.decide(article)
    cpu_s, wall_s = time.process_time() - started, time.perf_counter() - wall
    restored = made[-1].stats()
    original = run.slices[-1].stats
    same = all(restored[k] == original[k] for k in ("versions", "clusters", "articles"))
    return Restore(
        records=len(run.table),
        kept=restored["versions"],
        cpu_s=cpu_s,
        wall_s=wall_s,
        rss_growth=process.memory_info().rss - rss,
        same_state=same,
    )


@dataclass(frozen=True)
class StateMemory:
    articles: int
    python_bytes: int
    index_bytes: int
    stats: dict[str, int]
    points: list[tuple[int, int]]
    """(articles, Python heap + native index bytes) after each slice."""

    @property
    def per_article(self) -> float:
        return (self.python_bytes + self.index_bytes) / self.articles

    @property
    def marginal_per_article(self) -> float:
        """Bytes per article over the second half of the stream (is it linear?)."""
        half = self.points[len(self.points) // 2 - 1] if len(self.points) > 1 else (0, 0)
        end = self.points[-1]
        return (end[1] - half[1]) / (end[0] - half[0])


def state_memory(records: Sequence[bytes], config: DedupeConfig, slice_size: int) -> StateMemory:
    """The deduplicator's state after ``records`` (its changes drained and dropped): the
    Python heap it holds (tracemalloc's growth; each record decoded while tracing, so what the
    state keeps of it is counted) plus what its native index reports."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    dedup = Deduplicator(config)
    points: list[tuple[int, int]] = []
    for i, value in enumerate(records, 1):
        dedup.process(article_input(ExtractedArticle.model_validate_json(value)))
        dedup.drain_changes()
        if i % slice_size == 0 or i == len(records):
            gc.collect()
            used = tracemalloc.get_traced_memory()[0] - before
            points.append((i, used + dedup.stats()["index_bytes"]))
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    stats = dedup.stats()
    return StateMemory(len(records), grown, stats["index_bytes"], stats, points)


def changelog_records(
    records: Sequence[bytes], config: DedupeConfig, first_seen: datetime
) -> list[list[tuple[bytes, bytes | None]]]:
    """Per article, the changelog records the dedupe stage's table writes (key, JSON value or a
    deletion), as :meth:`DedupeDecider.commit` encodes them, for the Kafka measurement."""
    decider = DedupeDecider(lambda: Deduplicator(config), {}, lambda: first_seen)
    out: list[list[tuple[bytes, bytes | None]]] = []
    for value in records:
        _, changes = decider.decide(ExtractedArticle.model_validate_json(value))
        out.append(
            [
                (k.encode(), None if v is None else json.dumps(v, ensure_ascii=False).encode())
                for k, v in changes
            ]
        )
    return out


# ------------------------------------------------------------------- partitioned stages


async def sequence_stage(records: Sequence[bytes], batch: int) -> Cpu:
    """``SequenceStage.process_batch``: validate, forward the bytes as they came."""
    forwarded: list[int] = []

    async def forward(key: bytes | None, value: bytes) -> None:
        forwarded.append(len(value))

    dead = DeadLetters()
    stage = SequenceStage(forward, dead)
    meter = Meter()
    meter.start()
    await run_batches(stage.process_batch, EXTRACTED.name, records, batch)
    cpu = meter.stop(len(records))
    assert not dead.letters, dead.letters[:1]  # noqa: S101 - generated records are valid
    return cpu


class BulkBody:
    """The index stage's engine, up to the bytes: the bulk body as opensearch-py encodes it."""

    def __init__(self) -> None:
        self.serializer = JSONSerializer()
        self.bytes = 0
        self.documents = 0

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None:
        from pipeline.sinks.bodies import bulk_operations  # noqa: PLC0415

        body = _bulk_body(self.serializer, bulk_operations(actions, "news", version))
        self.bytes += len(body.encode("utf-8"))
        self.documents += len(actions)


@dataclass(frozen=True)
class IndexRun:
    cpu: Cpu
    documents: int
    bulk_bytes: int
    published_bytes: int


async def index_stage(records: Sequence[bytes], tagger: Tagger, batch: int) -> IndexRun:
    """``IndexStage.process_batch`` as the worker builds it: decode ``DedupedArticle``, tag and
    build the documents (``VerdictEnricher``), one bulk body per batch, publish the enriched
    article (its bytes)."""
    sink = BulkBody()
    published = [0]

    async def publish(article: EnrichedArticle) -> None:
        published[0] += len(article.to_bytes())

    dead = DeadLetters()
    stage = IndexStage(
        sink, dead, VerdictEnricher(tagger), publish=publish, decode=DedupedArticle.from_bytes
    )
    meter = Meter()
    meter.start()
    await run_batches(stage.process_batch, DEDUPED.name, records, batch)
    cpu = meter.stop(len(records))
    assert not dead.letters, dead.letters[:1]  # noqa: S101
    return IndexRun(cpu, sink.documents, sink.bytes, published[0])


@dataclass(frozen=True)
class ExtractRun:
    cpu: Cpu
    articles: list[bytes]
    dead_letters: int


async def extract_stage(pages: Sequence[bytes], batch: int) -> ExtractRun:
    """``ExtractStage.process_batch``: decode the page record, trafilatura, boilerplate filter,
    fingerprint; the article's bytes."""
    out: list[bytes] = []

    async def forward(article: ExtractedArticle) -> None:
        out.append(article.to_bytes())

    dead = DeadLetters()
    stage = ExtractStage(forward, dead)
    meter = Meter()
    meter.start()
    await run_batches(stage.process_batch, PAGES.name, pages, batch)
    return ExtractRun(meter.stop(len(pages)), out, len(dead.letters))


async def fresh_dedupe(
    articles: Sequence[bytes], config: DedupeConfig, batch: int
) -> tuple[list[bytes], Cpu]:
    """``articles`` through a dedupe stage with a fresh state: the ``DedupedArticle`` records
    it forwards, and its CPU."""
    out: list[bytes] = []
    first = ExtractedArticle.model_validate_json(articles[0]).fetched_at

    async def forward(article: ExtractedArticle, verdict: Any) -> None:
        out.append(DedupedArticle(article, verdict).to_bytes())

    decider = DedupeDecider(lambda: Deduplicator(config), {}, lambda: first)
    stage = DedupeStage(decider, forward, DeadLetters())
    meter = Meter()
    meter.start()
    await run_batches(stage.process_batch, SEQUENCED.name, articles, batch)
    return out, meter.stop(len(articles))
