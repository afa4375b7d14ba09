"""The sequence and dedupe stages, and the index stage on deduped records, in memory: the
split worker builds the documents the one-process enricher builds, the dedupe stage writes
state only after its verdicts were acknowledged, and a decider that lost its partition
rebuilds from the table."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from devtools.bench import raw_page
from devtools.demo import generate_articles
from kernel.records import ExtractedArticle
from kernel.settings import Settings
from pipeline.dedupe import Deduplicator
from pipeline.dedupe.verdicts import ArticleVerdict
from pipeline.document import extract_article
from pipeline.enrich import (
    DedupedArticle,
    DedupeDecider,
    DedupeEnricher,
    VerdictEnricher,
    article_input,
    enrichment_parts,
)
from pipeline.stages import DedupeStage, IndexStage, SequenceStage, SourceRecord, StageOutcome
from pipeline.stages.base import BadRecord, parse_where

from .support import FAST, Letters, MemorySink

PARTS = enrichment_parts(Settings())


def articles(count: int) -> list[ExtractedArticle]:
    return [
        extract_article(raw_page(a), source_offset=f"news.pages.v1[{n % 4}]@{n}")
        for n, a in enumerate(generate_articles(20261207, count))
    ]


def record(
    article: ExtractedArticle, offset: int, topic: str = "news.sequenced.v1"
) -> SourceRecord:
    return SourceRecord(topic, 0, offset, article.url_id.encode(), article.to_bytes())


class Queued:
    """A forward whose acknowledgements are futures the test resolves (or fails)."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.acks: list[asyncio.Future[None]] = []

    async def __call__(self, *value: Any) -> Awaitable[object]:
        self.sent.append(value)
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.acks.append(ack)
        return ack


def test_a_verdict_survives_its_record() -> None:
    dedup = Deduplicator(PARTS[1])
    for article in articles(60):
        verdict = dedup.process(article_input(article))
        back = DedupedArticle.from_bytes(DedupedArticle(article, verdict).to_bytes())
        assert back.article == article
        assert back.verdict == verdict


def test_a_record_that_is_not_a_deduped_article_is_a_bad_record() -> None:
    with pytest.raises(BadRecord):
        DedupedArticle.from_bytes(b'{"verdict": {}}')
    with pytest.raises(BadRecord):
        DedupedArticle.from_bytes(b"not json")


def test_where_parses_an_extracted_articles_source_offset() -> None:
    assert parse_where("news.pages.v1[3]@17") == ("news.pages.v1", 3, 17)
    assert parse_where("reference") is None


async def test_the_split_stages_build_the_one_process_documents() -> None:
    tagger, config = PARTS
    batch = articles(40)
    one = MemorySink()
    alone = IndexStage(one, Letters(), DedupeEnricher(lambda: Deduplicator(config), {}, tagger))
    await alone.process_batch([record(a, n, "news.extracted.v1") for n, a in enumerate(batch)])

    sequenced: list[tuple[bytes | None, bytes]] = []

    async def sequence(key: bytes | None, value: bytes) -> None:
        sequenced.append((key, value))

    out = await SequenceStage(sequence, Letters()).process_batch(
        [record(a, n, "news.extracted.v1") for n, a in enumerate(batch)]
    )
    assert out == ["sequenced"] * len(batch)
    deduped: list[bytes] = []

    async def forward(article: ExtractedArticle, verdict: ArticleVerdict) -> None:
        deduped.append(DedupedArticle(article, verdict).to_bytes())

    table: dict[bytes, bytes] = {}
    decider = DedupeDecider(lambda: Deduplicator(config), table)
    records = [SourceRecord("news.sequenced.v1", 0, n, k, v) for n, (k, v) in enumerate(sequenced)]
    assert await DedupeStage(decider, forward, Letters()).process_batch(records) == ["deduped"] * 40
    assert table  # state written once the verdicts were acknowledged
    split = MemorySink()
    index = IndexStage(
        split, Letters(), VerdictEnricher(tagger), retry=FAST, decode=DedupedArticle.from_bytes
    )
    done = await index.process_batch(
        [SourceRecord("news.deduped.v1", 0, n, None, v) for n, v in enumerate(deduped)]
    )
    assert done == ["indexed"] * 40

    def comparable(docs: dict[tuple[str, str], dict[str, Any]]) -> dict[Any, Any]:
        return {k: {f: v for f, v in d.items() if f != "indexed_at"} for k, d in docs.items()}

    assert comparable(split.docs) == comparable(one.docs)


async def test_state_is_written_only_after_every_verdict_was_acknowledged() -> None:
    table: dict[bytes, bytes] = {}
    decider = DedupeDecider(lambda: Deduplicator(PARTS[1]), table)
    forward = Queued()
    stage = DedupeStage(decider, forward, Letters())
    task = asyncio.create_task(
        stage.process_batch([record(a, n) for n, a in enumerate(articles(5))])
    )
    while len(forward.acks) < 5:
        await asyncio.sleep(0)
    assert table == {}  # decided and queued, not yet acknowledged
    for ack in forward.acks[:-1]:
        ack.set_result(None)
    await asyncio.sleep(0)
    assert table == {}
    forward.acks[-1].set_exception(ConnectionError("kafka down"))
    with pytest.raises(ConnectionError):
        await task
    assert table == {}  # the batch is redone after restart, from the state as it was


async def test_bad_records_are_dead_lettered_by_the_first_stage_that_reads_them() -> None:
    letters = Letters()

    async def sequence(key: bytes | None, value: bytes) -> None:
        raise AssertionError("a bad record must not reach the sequenced partition")

    bad = SourceRecord("news.extracted.v1", 2, 9, b"k", b"{}")
    assert await SequenceStage(sequence, letters).process(bad) == StageOutcome.DEAD_LETTER
    assert (letters[0].stage, letters[0].partition, letters[0].error_type) == (
        "sequence",
        2,
        "bad_record",
    )
    index_letters = Letters()
    index = IndexStage(
        MemorySink(), index_letters, VerdictEnricher(None), decode=DedupedArticle.from_bytes
    )
    bad_deduped = SourceRecord("news.deduped.v1", 1, 4, b"k", b'{"article": {}}')
    assert await index.process(bad_deduped) == StageOutcome.DEAD_LETTER
    assert index_letters[0].error_type == "bad_record"


async def test_a_decider_that_lost_its_partition_rebuilds_from_the_table() -> None:
    """Worker A decides, loses the partition (reset); B decides more from the table; A gets it
    back: it must know B's articles (from the table), not only its own."""
    config = PARTS[1]
    table: dict[bytes, bytes] = {}
    a = DedupeDecider(lambda: Deduplicator(config), table)
    b = DedupeDecider(lambda: Deduplicator(config), table)
    stream = articles(30)
    for article in stream[:10]:
        a.commit(a.decide(article)[1])
    a.reset()
    for article in stream[10:20]:
        b.commit(b.decide(article)[1])
    reference = Deduplicator(config)
    expected = [reference.process(article_input(x)) for x in stream]
    for article, verdict in zip(stream[20:], expected[20:], strict=True):
        got, changes = a.decide(article)
        a.commit(changes)
        assert [p.cluster_id for p in got.paragraphs] == [p.cluster_id for p in verdict.paragraphs]
        assert [p.outlet_count for p in got.paragraphs] == [
            p.outlet_count for p in verdict.paragraphs
        ]
    # and the check has teeth: a decider that kept its own stale memory would differ
    stale = DedupeDecider(lambda: Deduplicator(config), {})
    for article in stream[:10]:
        stale.decide(article)
    differs = [
        article.url_id
        for article, verdict in zip(stream[20:], expected[20:], strict=True)
        if [p.outlet_count for p in stale.decide(article)[0].paragraphs]
        != [p.outlet_count for p in verdict.paragraphs]
    ]
    assert differs
