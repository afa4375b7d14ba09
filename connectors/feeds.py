"""A typed boundary around feedparser: feed bytes in, article links out."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser


@dataclass(frozen=True, slots=True)
class FeedEntry:
    url: str
    title: str | None
    published: datetime | None


@dataclass(frozen=True, slots=True)
class FeedResult:
    entries: tuple[FeedEntry, ...]
    problem: str | None
    """Why the feed was malformed, if feedparser noticed (entries may still be usable)."""


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def parse_feed(body: bytes, base_url: str) -> FeedResult:
    """Parse RSS/Atom/RDF bytes; relative links are resolved against ``base_url``."""
    parsed = feedparser.parse(body)
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not isinstance(link, str) or not link.strip():
            continue
        title = entry.get("title")
        entries.append(
            FeedEntry(
                url=urljoin(base_url, link.strip()),
                title=title if isinstance(title, str) else None,
                published=_entry_time(entry),
            )
        )
    problem: str | None = None
    if parsed.get("bozo"):
        problem = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
    if not entries and problem is None and not parsed.get("version"):
        problem = "not a feed: no RSS/Atom structure found"
    return FeedResult(entries=tuple(entries), problem=problem)
