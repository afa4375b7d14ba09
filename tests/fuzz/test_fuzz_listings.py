"""parse_listing on arbitrary and damaged section pages.

Contract (connectors.listings): a page becomes ``ok`` with article links in page order, without
repeats, or a refusal (``no_links``, ``undecodable``, ``malformed``, ``empty``). Every link is
an absolute http(s) URL without fragment, matches the source's pattern and is on its site.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from connectors.documents import DocumentOutcome, DocumentResult
from connectors.listings import on_site, parse_listing

from .strategies import budget, content_types, damaged, encodings, junk_bytes, texts, urls

BASE = "https://www.example.com/news/"
HOME = "example.com"
PATTERN = r"/news/"


def check(result: DocumentResult, pattern: str = PATTERN, home: str = HOME) -> None:
    assert isinstance(result, DocumentResult)
    assert isinstance(result.outcome, DocumentOutcome)
    assert result.outcome is not DocumentOutcome.PARSE_ERROR
    assert (result.outcome is DocumentOutcome.OK) == bool(result.entries)
    found = [e.url for e in result.entries]
    assert len(found) == len(set(found))
    for url in found:
        assert urlsplit(url).scheme in {"http", "https"}
        assert "#" not in url
        assert re.search(pattern, url)
        assert on_site(url, home)


def attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@st.composite
def listing(draw: st.DrawFn) -> bytes:
    anchors = "".join(
        f'<a href="{attribute(draw(st.one_of(urls(), texts)))}">{draw(texts)}</a>'
        for _ in range(draw(st.integers(0, 6)))
    )
    base = f'<base href="{attribute(draw(urls()))}">' if draw(st.booleans()) else ""
    encoding = draw(encodings)
    page = (
        f"<html><head><meta charset='{encoding}'>{base}</head><body><ul>{anchors}</ul>"
        "<!-- a comment --></body></html>"
    )
    return page.encode(encoding, errors="replace")


@budget(0.5)
@given(junk_bytes, content_types)
def test_arbitrary_bytes_never_raise(body: bytes, content_type: str | None) -> None:
    check(parse_listing(body, BASE, PATTERN, HOME, content_type))


@given(listing(), content_types)
def test_generated_listings_never_raise(body: bytes, content_type: str | None) -> None:
    check(parse_listing(body, BASE, PATTERN, HOME, content_type))


@given(listing().flatmap(damaged))
def test_damaged_listings_never_raise(body: bytes) -> None:
    check(parse_listing(body, BASE, PATTERN, HOME))


@budget(0.5)
@given(listing(), urls(), st.sampled_from((".*", r"/\d{4}/", "news|أخبار", "^https://")))
def test_any_base_url_and_pattern_never_raise(body: bytes, base: str, pattern: str) -> None:
    check(parse_listing(body, base, pattern, HOME), pattern)
