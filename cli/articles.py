"""The recorded articles the dry-run commands read (``marsad dedupe``, ``marsad alerts test``):
JSON lines, one article each, in order (``source``, ``url``, ``published``, ``title``,
``text``; optional ``url_id`` and ``seen_at``), turned into the dedupe stage's
:class:`~pipeline.dedupe.ArticleInput` after the extract stage's boilerplate filter. A line
that is not an article is reported on stderr, counted, and skipped: invalid JSON (including a
number too long for an integer or arrays nested past the recursion limit), text with a lone
surrogate (a ``\\ud800`` escape, which is not Unicode text), a time outside the years 2 to 9998
(:data:`EARLIEST`, :data:`LATEST`), or no time and none left after the previous line's.
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
# The stages compute up to a year either side of an article's times (dedupe retention and
# expiry schedule, alert baselines up to 26 weeks back, UTC offsets), so the reader keeps them
# a year inside what datetime can hold.
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


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
                article, dropped = parse_article(decode_line(line), clock)
            except BadLine as exc:
                print(f"{self.prog}: {self.name}:{number}: not an article: {exc}", file=sys.stderr)
                self.bad += 1
                continue
            clock = article.seen_at
            yield number, article, dropped


def decode_line(line: str) -> Any:
    """The JSON value of one line; ``BadLine`` if the line is not JSON that Python can hold."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(str(exc)) from None
    except ValueError as exc:  # an integer past sys.get_int_max_str_digits()
        raise BadLine(str(exc).partition(";")[0]) from None
    except RecursionError:
        raise BadLine("JSON nested too deeply") from None


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
    for field in ("source", "url", "title", "text", "url_id"):
        _check_text(raw.get(field), field)
    published = _time(raw.get("published"), "published")
    seen_at = _time(raw.get("seen_at"), "seen_at") or published or _next_second(clock)
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


def _check_text(value: Any, field: str) -> None:
    """Refuse a string with a lone surrogate: JSON's ``\\ud800`` escape decodes to one, but it
    is not Unicode text (it cannot be encoded, hashed or written out)."""
    if not isinstance(value, str):
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadLine(f"{field!r} has a lone surrogate at character {exc.start}") from None


def _next_second(clock: datetime) -> datetime:
    """When a line without ``seen_at`` or ``published`` is seen: a second after the last."""
    if clock > LATEST - timedelta(seconds=1):
        raise BadLine(f"no 'seen_at' and no time after the previous line's ({clock.isoformat()})")
    return clock + timedelta(seconds=1)


def _time(value: Any, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadLine(f"{field!r} must be an ISO 8601 string")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise BadLine(f"{field!r} is not ISO 8601: {value!r}") from None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    if not EARLIEST <= when <= LATEST:
        raise BadLine(f"{field!r} is outside the years 2 to 9998: {value!r}")
    return when
