"""The index stage with an in-memory sink: indexed, dead letter, retry, give up."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kernel.records import EnrichedArticle, ExtractedArticle
from pipeline.sinks.types import IndexAction, SinkError
from pipeline.stages import (
    BasicEnricher,
    DependencyUnavailable,
    Enrichment,
    IndexStage,
    SourceRecord,
)

from .support import FAST, Letters, MemorySink, article_record, extracted, seed_paragraphs


async def test_article_is_indexed() -> None:
    sink, letters = MemorySink(), Letters()
    article = extracted(seed_paragraphs())
    assert await IndexStage(sink, letters, retry=FAST).process(article_record(article)) == "indexed"
    doc = sink.docs[("articles", article.url_id)]
    assert doc["paragraph_count"] == 9
    assert seed_paragraphs()[0] in doc["text"]
    assert letters == []


async def test_replay_overwrites_the_same_document() -> None:
    sink = MemorySink()
    stage = IndexStage(sink, Letters(), retry=FAST)
    await stage.process(article_record(extracted(seed_paragraphs()), offset=1))
    await stage.process(article_record(extracted(seed_paragraphs()), offset=2))
    assert len(sink.docs) == 1


async def test_bad_record_goes_to_the_dlq() -> None:
    letters = Letters()
    record = SourceRecord("news.extracted.v1", 0, 5, None, b"[]")
    assert await IndexStage(MemorySink(), letters, retry=FAST).process(record) == "dead_letter"
    assert (letters[0].stage, letters[0].offset, letters[0].error_type) == (
        "index",
        5,
        "bad_record",
    )


async def test_transient_engine_errors_are_retried() -> None:
    sink = MemorySink([SinkError("down", retriable=True), SinkError("429", retriable=True)])
    letters = Letters()
    outcome = await IndexStage(sink, letters, retry=FAST).process(article_record(extracted(["نص"])))
    assert outcome == "indexed"
    assert letters == [] and len(sink.docs) == 1


async def test_refused_document_is_a_dead_letter_not_a_retry() -> None:
    sink = MemorySink([SinkError("mapping", retriable=False)])
    letters = Letters()
    outcome = await IndexStage(sink, letters, retry=FAST).process(article_record(extracted(["نص"])))
    assert outcome == "dead_letter"
    assert letters[0].error_type == "index_refused"


async def test_engine_down_past_deadline_stops_without_acknowledging() -> None:
    sink = MemorySink([SinkError("down", retriable=True)] * 1000)
    letters = Letters()
    with pytest.raises(DependencyUnavailable, match=r"news\.extracted\.v1\[0\]@3"):
        await IndexStage(sink, letters, retry=FAST).process(article_record(extracted(["نص"])))
    assert letters == [] and sink.docs == {}


class CountingSink(MemorySink):
    """Refuses for good any bulk holding a document whose text says "REFUSE"."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None:
        self.calls.append(len(actions))
        if any("REFUSE" in str(action.document.get("text", "")) for action in actions):
            raise SinkError("mapper_parsing_exception", retriable=False)
        await super().bulk(actions, version)


class Recorder:
    """An enricher's commits and a publisher's articles, in order."""

    def __init__(self) -> None:
        self.committed: list[str] = []
        self.published: list[str] = []
        self.inner = BasicEnricher()

    def enrich(self, article: ExtractedArticle) -> Enrichment:
        base = self.inner.enrich(article)
        enriched = EnrichedArticle(
            url_id=article.url_id,
            url=article.url,
            source_id=article.source_id,
            outlet=article.outlet,
            title=article.title,
            story_id=article.url_id,
            published_at=None,
            fetched_at=article.fetched_at,
            paragraphs=(),
        )
        return Enrichment(base.actions, ((article.url_id, {"seen": True}),), enriched)

    async def commit(self, enrichment: Enrichment) -> None:
        self.committed += [key for key, _ in enrichment.changes]

    async def publish(self, article: EnrichedArticle) -> None:
        self.published.append(article.url_id)


def batch(*texts: str) -> list[SourceRecord]:
    return [
        article_record(extracted([text], url_id=f"{i:032x}"), offset=i)
        for i, text in enumerate(texts)
    ]


async def test_a_batch_is_one_bulk_request_then_committed_and_published_in_order() -> None:
    sink, recorder = CountingSink(), Recorder()
    stage = IndexStage(sink, Letters(), recorder, retry=FAST, publish=recorder.publish)
    outcomes = await stage.process_batch(batch("أ", "ب", "ج"))
    assert outcomes == ["indexed"] * 3
    assert sink.calls == [3]
    ids = [f"{i:032x}" for i in range(3)]
    assert recorder.committed == ids
    assert recorder.published == ids


async def test_a_refused_article_in_a_batch_goes_alone_to_the_dlq() -> None:
    sink, recorder, letters = CountingSink(), Recorder(), Letters()
    stage = IndexStage(sink, letters, recorder, retry=FAST, publish=recorder.publish)
    bad_json = SourceRecord("news.extracted.v1", 0, 9, None, b"{")
    outcomes = await stage.process_batch([*batch("أ", "REFUSE", "ج"), bad_json])
    assert outcomes == ["indexed", "dead_letter", "indexed", "dead_letter"]
    assert sink.calls == [3, 1, 1, 1]  # the batch, then each article alone
    assert [(letter.offset, letter.error_type) for letter in letters] == [
        (9, "bad_record"),
        (1, "index_refused"),
    ]
    assert recorder.committed == [f"{i:032x}" for i in range(3)]  # the state saw all three
    assert recorder.published == [f"{i:032x}" for i in (0, 2)]
    assert {doc_id for _, doc_id in sink.docs} == {f"{i:032x}" for i in (0, 2)}


async def test_engine_down_past_deadline_commits_nothing_of_the_batch() -> None:
    recorder = Recorder()
    sink = MemorySink([SinkError("down", retriable=True)] * 1000)
    stage = IndexStage(sink, Letters(), recorder, retry=FAST, publish=recorder.publish)
    with pytest.raises(DependencyUnavailable):
        await stage.process_batch(batch("أ", "ب"))
    assert recorder.committed == [] and recorder.published == []
