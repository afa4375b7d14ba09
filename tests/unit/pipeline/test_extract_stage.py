"""The extract stage with in-memory forwarding: extracted or dead letter, never raised."""

from __future__ import annotations

import json

import pytest

from pipeline.stages import ExtractStage, SourceRecord

from .support import Forwarded, Letters, article_html, page_record, seed_paragraphs


async def test_page_becomes_a_clean_article() -> None:
    out, letters = Forwarded(), Letters()
    paragraphs = seed_paragraphs()
    assert (
        await ExtractStage(out, letters).process(page_record(article_html(paragraphs)))
        == "extracted"
    )
    assert letters == []
    [article] = out
    assert list(article.paragraphs) == paragraphs
    assert article.source_offset == "news.pages.v1[2]@7"
    assert article.language == "ar"
    assert article.url_id == "a" * 32


@pytest.mark.parametrize("value", [b"{not json", json.dumps({"url": "x"}).encode()])
async def test_bad_records_go_to_the_dlq(value: bytes) -> None:
    out, letters = Forwarded(), Letters()
    record = SourceRecord("news.pages.v1", 0, 41, None, value)
    assert await ExtractStage(out, letters).process(record) == "dead_letter"
    assert out == []
    [letter] = letters
    assert (letter.stage, letter.partition, letter.offset, letter.error_type) == (
        "extract",
        0,
        41,
        "bad_record",
    )
    assert "invalid record" in letter.reason


@pytest.mark.parametrize("body_b64", ["a", "\x80", "aGk= "])
async def test_a_page_whose_body_is_not_base64_is_a_bad_record(body_b64: str) -> None:
    # found by tests/fuzz: RawPage accepted it and `page.body` raised binascii.Error in the
    # stage, dead-lettered as an unexpected error with a traceback in the log
    page = json.loads(page_record(b"<p>x</p>").value)
    page["body_b64"] = body_b64
    letters = Letters()
    record = SourceRecord("news.pages.v1", 0, 41, None, json.dumps(page).encode())
    assert await ExtractStage(Forwarded(), letters).process(record) == "dead_letter"
    assert letters[0].error_type == "bad_record"
    assert "body_b64" in letters[0].reason


async def test_page_without_article_text_goes_to_the_dlq() -> None:
    out, letters = Forwarded(), Letters()
    html = "<html><body><nav>الرئيسية</nav></body></html>".encode()
    assert await ExtractStage(out, letters).process(page_record(html)) == "dead_letter"
    assert letters[0].error_type == "ExtractionError"
    assert out == []


async def test_binary_body_goes_to_the_dlq() -> None:
    letters = Letters()
    body = bytes(range(256)) * 40
    assert await ExtractStage(Forwarded(), letters).process(page_record(body)) == "dead_letter"
    assert letters[0].error_type == "DecodeError"
