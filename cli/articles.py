"""The recorded articles the dry-run commands read (``marsad dedupe``, ``marsad alerts test``):
JSON lines, one article each, in order (``source``, ``url``, ``published``, ``title``,
``text``; optional ``url_id`` and ``seen_at``), turned into the dedupe stage's
:class:`~pipeline.dedupe.ArticleInput` after the extract stage's boilerplate filter. A line
that is not an article is reported on stderr, counted, and skipped.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.dedupe import ArticleInput
from pipeline.text import filter_paragraphs

DEFAULT_START = datetime(2000, 1, 1, tzinfo=UTC)


class BadLine(ValueError):
    """A JSON line that is not an article; the message says why."""


class ArticleLines:
    """The articles of ``lines`` with their line numbers and the lines the filter dropped;
    ``bad`` counts the lines that were not articles (each reported as
    ``{prog}: {name}:{number}: not an article: {reason}``)."""

    def __init__(self, lines: list[str], *, prog: str, name: str = "-") -> None:
        self.lines = lines
        self.prog = prog
        self.name = name
        self.bad = 0

    def __iter__(self) -> Iterator[tuple[int, ArticleInput, list[dict[str, str]]]]:
        clock = DEFAULT_START
        for number, line in enumerate(self.lines, start=1):
            if not line.strip():
                continue
            try:
                article, dropped = parse_article(json.loads(line), clock)
            except (json.JSONDecodeError, BadLine) as exc:
                print(f"{self.prog}: {self.name}:{number}: not an article: {exc}", file=sys.stderr)
                self.bad += 1
                continue
            clock = article.seen_at
            yield number, article, dropped


def parse_article(raw: Any, clock: datetime) -> tuple[ArticleInput, list[dict[str, str]]]:
    """The article of one JSON object, and the lines the boilerplate filter dropped."""
    if not isinstance(raw, dict):
        raise BadLine("expected a JSON object")
    for field in ("source", "url", "text"):
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise BadLine(f"missing or empty {field!r}")
    title = raw.get("title") or ""
    if not isinstance(title, str):
        raise BadLine("'title' must be a string")
    published = _time(raw.get("published"), "published")
    seen_at = _time(raw.get("seen_at"), "seen_at") or published or clock + timedelta(seconds=1)
    url_id = raw.get("url_id") or hashlib.sha256(raw["url"].encode("utf-8")).hexdigest()[:32]
    paragraphs = [p.strip() for p in raw["text"].splitlines() if p.strip()]
    filtered = filter_paragraphs(paragraphs, title or None)
    article = ArticleInput(
        url_id=str(url_id),
        source=raw["source"],
        url=raw["url"],
        published=published,
        seen_at=seen_at,
        title=title,
        paragraphs=filtered.kept,
    )
    dropped = [{"reason": d.reason, "text": d.text} for d in filtered.dropped]
    return article, dropped


def _time(value: Any, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadLine(f"{field!r} must be an ISO 8601 string")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise BadLine(f"{field!r} is not ISO 8601: {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
