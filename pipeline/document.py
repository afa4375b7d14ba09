"""Raw page → extracted article → the article document that is indexed: pure functions."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from kernel.records import ExtractedArticle, RawPage, utcnow
from pipeline.text import content_fingerprint, decode_body, extract_page


def _published(page: RawPage, extracted: date | None) -> datetime | None:
    if page.published_at is not None:
        return page.published_at
    if extracted is not None:
        return datetime(extracted.year, extracted.month, extracted.day, tzinfo=UTC)
    return None


def extract_article(page: RawPage, *, source_offset: str) -> ExtractedArticle:
    """Decode and extract one page; raises TextError when that is impossible."""
    decoded = decode_body(page.body, page.content_type)
    extracted = extract_page(decoded.text, page.url)
    reasons = Counter(d.reason for d in extracted.dropped)
    return ExtractedArticle(
        url_id=page.url_id,
        url=page.url,
        canonical_url=page.canonical_url,
        source_id=page.source_id,
        outlet=page.outlet,
        title=extracted.title or page.feed_title or "",
        paragraphs=extracted.paragraphs,
        dropped_reasons=tuple(sorted(reasons)),
        dropped_count=len(extracted.dropped),
        language=extracted.language,
        encoding=decoded.encoding,
        content_hash=content_fingerprint(extracted.paragraphs),
        published_at=_published(page, extracted.published),
        fetched_at=page.fetched_at,
        source_offset=source_offset,
    )


def article_document(article: ExtractedArticle) -> dict[str, Any]:
    """The base article document (dedupe and tag fields are added by their stages)."""
    return {
        "url_id": article.url_id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source_id": article.source_id,
        "outlet": article.outlet,
        "title": article.title,
        "text": "\n\n".join(article.paragraphs),
        "paragraph_count": len(article.paragraphs),
        "dropped_count": article.dropped_count,
        "dropped_reasons": list(article.dropped_reasons),
        "language": article.language,
        "encoding": article.encoding,
        "content_hash": article.content_hash,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "fetched_at": article.fetched_at.isoformat(),
        "indexed_at": utcnow().isoformat(),
        "source_offset": article.source_offset,
    }
