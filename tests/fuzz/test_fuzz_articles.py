"""The JSON-lines reader of the dry-run commands (cli.articles) on arbitrary lines.

Contract: "A line that is not an article is reported on stderr, counted, and skipped":
iterating never raises; every line is either yielded as an article or counted as bad (blank
lines are neither); ``parse_article`` refuses a non-article with ``BadLine`` and nothing else.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cli.articles import DEFAULT_START, ArticleLines, BadLine, parse_article
from cli.commands.dedupe import dry_run
from pipeline.dedupe import DedupeConfig, Deduplicator

from .strategies import any_text, date_strings, surrogate_text, texts, urls

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), any_text, surrogate_text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(any_text, inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ("source", "url", "published", "title", "text", "url_id", "seen_at")


@st.composite
def article_objects(draw: st.DrawFn) -> dict[str, Any]:
    """Objects with the reader's fields, each present or not, well-typed or not."""
    good = {
        "source": st.one_of(texts, surrogate_text),
        "url": st.one_of(urls(), surrogate_text),
        "published": date_strings,
        "title": texts,
        "text": st.lists(texts, max_size=4).map("\n".join),
        "url_id": st.text(alphabet="0123456789abcdef", max_size=32),
        "seen_at": date_strings,
    }
    article: dict[str, Any] = {}
    for name in FIELDS:
        if draw(st.integers(0, 9)) == 0:
            continue
        article[name] = draw(json_values if draw(st.integers(0, 5)) == 0 else good[name])
    return article


lines = st.one_of(
    article_objects().map(lambda a: json.dumps(a, ensure_ascii=False)),
    json_values.map(json.dumps),
    any_text,
    st.sampled_from(("", "   ", "{", "[]", "null", '{"source": 1}', "1" * 5000, "[" * 5000)),
)


# Found here: a 5000-digit number, JSON nested too deep, a lone surrogate in the url, a time past
# datetime.max (regression tests in tests/unit/test_articles_reader.py).
@settings(report_multiple_bugs=False)
@given(st.lists(lines, max_size=8))
def test_every_line_is_an_article_or_counted(given_lines: list[str]) -> None:
    reader = ArticleLines(given_lines, prog="fuzz")
    with contextlib.redirect_stderr(io.StringIO()) as reported:
        read = list(reader)
    assert reported.getvalue().count("not an article") == reader.bad
    blank = sum(1 for line in given_lines if not line.strip())
    assert len(read) + reader.bad + blank == len(given_lines)
    numbers = [number for number, _, _ in read]
    assert numbers == sorted(set(numbers))
    for _, article, _ in read:
        assert article.source.strip()
        assert article.url.strip()
        assert article.seen_at.tzinfo is not None


@given(st.one_of(article_objects(), json_values), st.datetimes(timezones=st.just(UTC)))
def test_parse_article_raises_only_bad_line(raw: Any, clock: datetime) -> None:
    try:
        article, dropped = parse_article(raw, clock)
    except BadLine:
        return
    assert all(set(d) == {"reason", "text"} for d in dropped)
    assert article.published is None or article.published.tzinfo is not None


@settings(report_multiple_bugs=False)
@given(st.lists(lines, max_size=6))
def test_marsad_dedupe_reads_any_lines(given_lines: list[str]) -> None:
    """What the reader yields, the dedupe stage takes (times it can compute with, real text):
    every article line gets its verdict lines, and only those."""
    with contextlib.redirect_stderr(io.StringIO()):
        articles = {number for number, _, _ in ArticleLines(given_lines, prog="fuzz")}
        out = io.StringIO()
        bad = dry_run(given_lines, Deduplicator(DedupeConfig()), out)
    assert {json.loads(line)["line"] for line in out.getvalue().splitlines()} == articles
    blank = sum(1 for line in given_lines if not line.strip())
    assert len(articles) + bad + blank == len(given_lines)


def test_default_start_is_aware() -> None:
    assert DEFAULT_START.tzinfo is not None
