"""parse_feed on arbitrary and damaged RSS/Atom bytes.

Contract (connectors.feeds, connectors.documents): bad input never raises; it becomes a
refusal outcome (``parse_error`` is reserved for a bug of ours, counted by discovery). A result
with entries is usable; every entry's URL is a string resolved against the base URL.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.documents import DocumentOutcome, DocumentResult
from connectors.feeds import parse_feed

from .strategies import (
    budget,
    charset_labels,
    content_types,
    damaged,
    date_strings,
    encodings,
    junk_bytes,
    texts,
    urls,
)

BASE = "https://example.com/feed/"
# feedparser 6 warns when an entry without updated_parsed is asked for it (_entry_time does)
pytestmark = pytest.mark.filterwarnings(
    "ignore:To avoid breaking existing software:DeprecationWarning:feedparser"
)


def check(result: DocumentResult) -> None:
    assert isinstance(result, DocumentResult)
    assert result.kind == "feed"
    assert isinstance(result.outcome, DocumentOutcome)
    assert result.outcome is not DocumentOutcome.PARSE_ERROR
    if result.entries:
        assert result.usable
    for entry in result.entries:
        assert isinstance(entry.url, str)
        assert entry.url.strip()
        assert entry.title is None or entry.title == entry.title.strip() != ""
        assert entry.published is None or entry.published.tzinfo is not None
    assert result.describe()


@st.composite
def rss(draw: st.DrawFn) -> bytes:
    items = []
    for _ in range(draw(st.integers(0, 4))):
        link = escape(draw(urls()))
        title = escape(draw(texts))
        when = escape(draw(date_strings))
        guid = escape(draw(st.one_of(urls(), texts)))
        items.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
            f"<pubDate>{when}</pubDate><description>{escape(draw(texts))}</description></item>"
        )
    encoding = draw(encodings)
    declared = draw(st.one_of(st.just(encoding), charset_labels))
    doc = (
        f"<?xml version='1.0' encoding='{declared}'?>"
        f"<rss version='2.0'><channel><title>{escape(draw(texts))}</title>{''.join(items)}"
        "</channel></rss>"
    )
    return doc.encode(encoding, errors="replace")


@st.composite
def atom(draw: st.DrawFn) -> bytes:
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        href = escape(draw(urls()), {"'": "&apos;"})
        entries.append(
            f"<entry><title>{escape(draw(texts))}</title><link href='{href}'/>"
            f"<id>{escape(draw(urls()))}</id><updated>{escape(draw(date_strings))}</updated>"
            "</entry>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>{escape(draw(texts))}</title>{''.join(entries)}</feed>"
    ).encode()


feeds = st.one_of(rss(), atom())


@budget(0.5)
@given(junk_bytes, content_types)
def test_arbitrary_bytes_never_raise(body: bytes, content_type: str | None) -> None:
    check(parse_feed(body, BASE, content_type))


@given(feeds, content_types)
def test_generated_feeds_never_raise(body: bytes, content_type: str | None) -> None:
    check(parse_feed(body, BASE, content_type))


@given(feeds.flatmap(damaged), content_types)
def test_damaged_feeds_never_raise(body: bytes, content_type: str | None) -> None:
    check(parse_feed(body, BASE, content_type))


@budget(0.5)
@given(urls(), feeds)
def test_any_base_url_never_raises(base: str, body: bytes) -> None:
    check(parse_feed(body, base, None))
