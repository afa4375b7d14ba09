"""The index template's Arabic analyzer, proven on the real engine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from kernel.settings import Settings
from pipeline.sinks.bodies import parse_hits, search_body
from pipeline.sinks.factory import open_sink
from pipeline.sinks.types import IndexAction, SinkError

DOCS = {
    "ahrar": "قالت حركة أحرار الشام إن مقاتليها صدوا هجوما على ريف إدلب",
    "rockets": "سقطت صواريخ على الأحياء الشرقية من مدينة دوما",
    "shell": "سقطت قذيفة هاون على حي المزة في دمشق",
    "digits": "قتل ١٧ عنصرا من قوات النظام في المعارك",
    "ascii": "أصيب 23 مدنيا بجروح في القصف",
    "other": "افتتاح معرض الكتاب في عمان بمشاركة واسعة",
}


@pytest.fixture(scope="module")
def indexed(settings: Settings) -> Iterator[Settings]:
    async def load() -> None:
        sink = open_sink(settings)
        try:
            await sink.ensure_templates()
            await sink.bulk(
                [
                    IndexAction(
                        "articles",
                        f"search-{doc_id}",
                        {"url_id": doc_id, "title": "", "text": text},
                    )
                    for doc_id, text in DOCS.items()
                ]
            )
            await sink.refresh("articles")
        finally:
            await sink.close()

    asyncio.run(load())
    yield settings


def ids_for(settings: Settings, query: str) -> set[str]:
    async def go() -> set[str]:
        sink = open_sink(settings)
        try:
            response = await sink.search("articles", search_body(query, 20))
        finally:
            await sink.close()
        return {
            h.id.removeprefix("search-") for h in parse_hits(response) if h.id.startswith("search-")
        }

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("احرار الشام", "ahrar"),  # hamza-less alef finds أحرار
        ("أحرار الشام", "ahrar"),
        ("الصواريخ", "rockets"),  # the definite article is stemmed away
        ("قَذِيفَةٌ", "shell"),  # diacritics are ignored
        ("قذيـــفة", "shell"),  # so is tatweel
        ("17 عنصرا", "digits"),  # ASCII digits find Arabic-Indic ones
        ("٢٣ مدنيا", "ascii"),  # and the other way round
        ("أحرار\u200f الشام", "ahrar"),  # a stray right-to-left mark is ignored, as in Python
        ("ٱلصواريخ", "rockets"),  # alef wasla folds to alef, as in Python
    ],
)
def test_arabic_query_variants_match(indexed: Settings, query: str, expected: str) -> None:
    assert ids_for(indexed, query) == {expected}


def test_unrelated_query_finds_nothing(indexed: Settings) -> None:
    assert ids_for(indexed, "انتخابات بلدية") == set()


def test_strict_mapping_refuses_unknown_fields(indexed: Settings) -> None:
    async def go() -> None:
        sink = open_sink(indexed)
        try:
            await sink.bulk([IndexAction("articles", "bad", {"url_id": "x", "surprise": 1})])
        finally:
            await sink.close()

    with pytest.raises(SinkError) as info:
        asyncio.run(go())
    assert info.value.retriable is False
