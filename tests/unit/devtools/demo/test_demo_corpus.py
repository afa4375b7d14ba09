"""The seeded corpus generator: deterministic, distinct, realistic, traceable to the seeds."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime

import lxml.html  # type: ignore[import-untyped]
import pytest

from devtools.demo import generate_articles
from devtools.demo.catalog import SEED_IDS, seed_lines
from devtools.demo.variation import PLACE_GROUPS, revise_count, shift_weekdays, swap_place


def fingerprint(seed: int, count: int) -> list[str]:
    return [hashlib.sha256(a.html).hexdigest() for a in generate_articles(seed, count)]


def test_deterministic_per_seed_and_different_across_seeds() -> None:
    assert fingerprint(7, 200) == fingerprint(7, 200)
    assert fingerprint(7, 50) == fingerprint(7, 200)[:50]
    assert not set(fingerprint(7, 200)) & set(fingerprint(8, 200))


def test_articles_are_distinct_and_well_formed() -> None:
    articles = list(generate_articles(3, 2000))
    assert len(articles) == 2000
    assert len({a.url for a in articles}) == 2000
    assert len({a.paragraphs for a in articles}) == 2000
    assert {a.outlet_id for a in articles} == {"ofoq", "nabd", "maydan", "mashriq"}
    times = [a.published for a in articles]
    assert times == sorted(times) and all(t.tzinfo is UTC for t in times)
    assert all(3 <= len(a.paragraphs) <= 12 for a in articles)
    assert all(len(a.origins) == len(a.paragraphs) for a in articles)


def test_pages_decode_and_carry_their_paragraphs() -> None:
    for article in generate_articles(11, 60):
        text = article.html.decode(article.charset)
        tree = lxml.html.fromstring(text)
        assert tree.get("dir") == "rtl"
        assert tree.xpath("string(//h1)") == article.title
        body = [p.text_content() for p in tree.xpath("//article//p")]
        assert [p for p in body if p in article.paragraphs] == list(article.paragraphs)
        canonical = tree.xpath("string(//link[@rel='canonical']/@href)")
        assert canonical == article.url
    charsets = {a.charset for a in generate_articles(11, 60)}
    assert charsets == {"utf-8", "windows-1256"}


def test_origins_trace_back_to_seed_lines() -> None:
    edited = 0
    for article in generate_articles(5, 300):
        for paragraph, origin in zip(article.paragraphs, article.origins, strict=True):
            seed_id = next(s for s in SEED_IDS if s.startswith(origin.seed))
            source = seed_lines(seed_id)[origin.line - 1].strip()
            if origin.edits:
                edited += 1
                assert paragraph != source
            else:
                assert paragraph == source
    assert edited > 100


def test_count_revisions_look_like_the_seed_bulletin() -> None:
    paragraph = "استهدفت قوات الأسد حي جوبر وبلدة عين ترما بـ 15 صاروخ فيل"
    outcomes = {revise_count(paragraph, random.Random(i)) for i in range(40)}  # noqa: S311
    assert "استهدفت قوات الأسد حي جوبر وبلدة عين ترما بأكثر من 10 صواريخ فيل" in outcomes
    assert any("بـ 16 صاروخ" in o or "بـ 18 صاروخ" in o for o in outcomes)
    assert revise_count("في 16/11/2014", random.Random(0)) == "في 16/11/2014"  # noqa: S311
    assert revise_count("الدورة الـ٣٥", random.Random(1)) != "الدورة الـ٣٥"  # noqa: S311


def test_place_and_weekday_edits() -> None:
    swapped = swap_place("قصف على بلدة عين ترما", random.Random(2))  # noqa: S311
    assert "عين ترما" not in swapped
    assert any(name in swapped for name in PLACE_GROUPS[0])
    assert shift_weekdays("أكد ناشطون اليوم السبت", 1) == "أكد ناشطون اليوم الأحد"
    assert shift_weekdays("أمس الجمعة واليوم السبت", 7) == "أمس الجمعة واليوم السبت"


def test_rejects_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next(generate_articles(1, 1, start=datetime(2024, 1, 1)))
