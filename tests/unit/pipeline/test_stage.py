"""The index stage with an in-memory sink: indexed, dead letter, retry, give up."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.records import DeadLetter, RawPage
from pipeline.sink import SinkError
from pipeline.stage import DependencyUnavailable, IndexStage, RetryPolicy, SourceRecord

SEEDS = Path(__file__).resolve().parents[3] / "connectors" / "demo" / "seeds"


def article_html(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html lang='ar' dir='rtl'><head><meta charset='utf-8'><title>فشل المفاوضات</title></head>"
        "<body><nav>الرئيسية | سياسة</nav>"
        f"<article><h1>فشل المفاوضات</h1>{body}</article></body></html>"
    ).encode()


def seed_paragraphs() -> list[str]:
    text = sorted(SEEDS.glob("000_*.txt"))[0].read_text(encoding="utf-8")
    # the body of the wire story; the seed's last lines are a scraped teaser block
    return [line for line in text.splitlines() if line.strip()][:9]


def page_record(body: bytes, offset: int = 7) -> SourceRecord:
    page = RawPage(
        url_id="a" * 32,
        url="https://example.com/news/1.html",
        canonical_url="https://example.com/news/1.html",
        source_id="demo",
        outlet="منفذ",
        fetched_at=datetime(2024, 3, 2, tzinfo=UTC),
        http_status=200,
        content_type="text/html; charset=utf-8",
        body_b64=RawPage.encode_body(body),
    )
    return SourceRecord("news.pages.v1", 2, offset, b"a" * 32, page.to_bytes())


class MemorySink:
    def __init__(self, failures: list[SinkError] | None = None) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.failures = failures or []

    async def index(self, kind: str, doc_id: str, document: dict[str, Any]) -> str:
        if self.failures:
            raise self.failures.pop(0)
        result = "updated" if doc_id in self.docs else "created"
        self.docs[doc_id] = document
        return result

    async def ensure_templates(self) -> None: ...
    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {}

    async def count(self, kind: str) -> int:
        return len(self.docs)

    async def refresh(self, kind: str) -> None: ...
    async def close(self) -> None: ...


class Letters(list[DeadLetter]):
    async def __call__(self, letter: DeadLetter) -> None:
        self.append(letter)


FAST = RetryPolicy(deadline_s=0.5, first_delay_s=0.01, max_delay_s=0.02)


async def test_page_is_indexed_with_its_article_text() -> None:
    sink, letters = MemorySink(), Letters()
    paragraphs = seed_paragraphs()
    outcome = await IndexStage(sink, letters, FAST).process(page_record(article_html(paragraphs)))
    assert outcome == "indexed"
    assert letters == []
    doc = sink.docs["a" * 32]
    assert doc["paragraph_count"] == len(paragraphs)
    assert paragraphs[0] in doc["text"]
    assert doc["source_offset"] == "news.pages.v1[2]@7"
    assert doc["language"] == "ar"


async def test_replay_overwrites_the_same_document() -> None:
    sink = MemorySink()
    stage = IndexStage(sink, Letters(), FAST)
    html = article_html(seed_paragraphs())
    await stage.process(page_record(html, offset=1))
    await stage.process(page_record(html, offset=2))
    assert len(sink.docs) == 1


@pytest.mark.parametrize(
    ("value", "error", "reason"),
    [
        (b"{not json", "bad_record", "invalid page record"),
        (json.dumps({"url": "x"}).encode(), "bad_record", "invalid page record"),
    ],
)
async def test_bad_records_go_to_the_dlq(value: bytes, error: str, reason: str) -> None:
    sink, letters = MemorySink(), Letters()
    record = SourceRecord("news.pages.v1", 0, 41, None, value)
    assert await IndexStage(sink, letters, FAST).process(record) == "dead_letter"
    assert sink.docs == {}
    [letter] = letters
    assert (letter.stage, letter.partition, letter.offset, letter.error_type) == (
        "index",
        0,
        41,
        error,
    )
    assert reason in letter.reason


async def test_page_without_article_text_goes_to_the_dlq() -> None:
    sink, letters = MemorySink(), Letters()
    html = "<html><body><nav>الرئيسية</nav></body></html>".encode()
    assert await IndexStage(sink, letters, FAST).process(page_record(html)) == "dead_letter"
    assert letters[0].error_type == "ExtractionError"
    assert sink.docs == {}


async def test_binary_body_goes_to_the_dlq() -> None:
    letters = Letters()
    body = bytes(range(256)) * 40
    assert await IndexStage(MemorySink(), letters, FAST).process(page_record(body)) == "dead_letter"
    assert letters[0].error_type == "DecodeError"


async def test_transient_engine_errors_are_retried() -> None:
    sink = MemorySink([SinkError("down", retryable=True), SinkError("429", retryable=True)])
    letters = Letters()
    assert (
        await IndexStage(sink, letters, FAST).process(page_record(article_html(seed_paragraphs())))
        == "indexed"
    )
    assert letters == [] and len(sink.docs) == 1


async def test_refused_document_is_a_dead_letter_not_a_retry() -> None:
    sink = MemorySink([SinkError("mapping", retryable=False)])
    letters = Letters()
    assert (
        await IndexStage(sink, letters, FAST).process(page_record(article_html(seed_paragraphs())))
        == "dead_letter"
    )
    assert letters[0].error_type == "index_refused"


async def test_engine_down_past_deadline_stops_without_acknowledging() -> None:
    sink = MemorySink([SinkError("down", retryable=True)] * 1000)
    letters = Letters()
    with pytest.raises(DependencyUnavailable, match=r"news\.pages\.v1"):
        await IndexStage(sink, letters, FAST).process(page_record(article_html(seed_paragraphs())))
    assert letters == [] and sink.docs == {}
