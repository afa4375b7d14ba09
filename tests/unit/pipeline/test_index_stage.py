"""The index stage with an in-memory sink: indexed, dead letter, retry, give up."""

from __future__ import annotations

import pytest

from pipeline.sinks.types import SinkError
from pipeline.stages import DependencyUnavailable, IndexStage, SourceRecord

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
