"""The records the simulation feeds the stages: serialized extracted articles from the dedupe
benchmark's seeded corpus (known clusters, news-like duplication), and raw pages of the demo
generator for the extract stage (HTML that trafilatura has to work through)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

from benchmarks.dedupe.corpus import generate
from connectors.urls import url_id
from devtools.bench import raw_page
from devtools.demo import generate_articles
from kernel.records import ExtractedArticle, RawPage
from kernel.topics import PAGES
from pipeline.dedupe import ArticleInput
from pipeline.text import content_fingerprint

PARTITIONS = 4
"""The partitions of ``news.pages.v1``: the source offsets the articles carry."""
PARAGRAPHS_PER_ARTICLE = 4.6
"""A little over the corpus's mean (4.3), so that one generation gives the articles asked for."""


def extracted_article(article: ArticleInput, position: int) -> ExtractedArticle:
    """``article`` as the extract stage would have sent it: the worker's ``url_id`` (so a
    refetch keeps its id), a title from the first words, the corpus's fingerprint."""
    words = article.paragraphs[0].split() if article.paragraphs else []
    return ExtractedArticle(
        url_id=url_id(article.url),
        url=article.url,
        canonical_url=article.url,
        source_id=article.source,
        outlet=article.source,
        title=" ".join(words[:10]),
        paragraphs=article.paragraphs,
        dropped_reasons=(),
        dropped_count=0,
        language="ar",
        encoding="utf-8",
        content_hash=article.content_hash or content_fingerprint(article.paragraphs),
        published_at=article.published,
        fetched_at=article.seen_at,
        extracted_at=article.seen_at,
        source_offset=f"{PAGES.name}[{position % PARTITIONS}]@{position // PARTITIONS}",
    )


def extracted_records(
    seed: int, count: int, progress: Callable[[str], None] = print
) -> list[bytes]:
    """``count`` serialized extracted articles, oldest first (``benchmarks.dedupe.corpus``:
    stories published by 1-30 outlets with edits, refetches, republications, re-told stories;
    its clock runs over about six days, whatever the count)."""
    paragraphs = int(count * PARAGRAPHS_PER_ARTICLE) + 100
    while True:
        progress(f"  generating the corpus ({paragraphs:,} paragraphs, seed {seed})...")
        items = generate(seed, paragraphs)
        if len(items) >= count:
            break
        paragraphs = int(paragraphs * 1.2)
    progress(f"  serializing {count:,} extracted articles...")
    return [extracted_article(item.article, i).to_bytes() for i, item in enumerate(items[:count])]


def page_records(seed: int, count: int) -> list[bytes]:
    """``count`` serialized raw pages of the demo generator (as ``marsad bench`` publishes)."""
    pages: list[RawPage] = [raw_page(a) for a in islice(generate_articles(seed, count), count)]
    return [page.to_bytes() for page in pages]
