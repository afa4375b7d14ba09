"""Turn a raw page into the article document that is indexed: a pure function."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from pipeline.records import RawPage, utcnow
from pipeline.text import content_fingerprint, decode_body, extract_page


def _published(page: RawPage, extracted: date | None) -> datetime | None:
    if page.published_at is not None:
        return page.published_at
    if extracted is not None:
        return datetime(extracted.year, extracted.month, extracted.day, tzinfo=UTC)
    return None


def build_article(page: RawPage, *, source_offset: str) -> dict[str, Any]:
    """Decode, extract and describe one page; raises TextError when that is impossible."""
    decoded = decode_body(page.body, page.content_type)
    extracted = extract_page(decoded.text, page.url)
    published = _published(page, extracted.published)
    reasons = Counter(d.reason for d in extracted.dropped)
    return {
        "url_id": page.url_id,
        "url": page.url,
        "canonical_url": page.canonical_url,
        "source_id": page.source_id,
        "outlet": page.outlet,
        "title": extracted.title or page.feed_title or "",
        "text": "\n\n".join(extracted.paragraphs),
        "paragraph_count": len(extracted.paragraphs),
        "dropped_count": len(extracted.dropped),
        "dropped_reasons": sorted(reasons),
        "language": extracted.language,
        "encoding": decoded.encoding,
        "content_hash": content_fingerprint(extracted.paragraphs),
        "published_at": published.isoformat() if published else None,
        "fetched_at": page.fetched_at.isoformat(),
        "indexed_at": utcnow().isoformat(),
        "source_offset": source_offset,
    }
