"""parse_sitemap on arbitrary, damaged and gzipped sitemaps and sitemap indexes.

Contract (connectors.sitemaps): "never raises for bad input (the outcome says why)". Entries
come out newest first with undated ones last, none older than ``max_age_h``; an index yields
its children newest first; a ``.xml.gz`` body reads as the document it compresses, and a
decompressed body over the cap is refused, not read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from connectors.documents import DocumentOutcome, DocumentResult
from connectors.outcomes import FetchOutcome
from connectors.sitemaps import parse_sitemap, parse_w3c_date

from .strategies import budget, damaged, date_strings, gzipped, junk_bytes, texts, urls

NOW = datetime(2024, 3, 2, 12, tzinfo=UTC)
DATETIME = TypeAdapter(datetime)
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"


def check(result: DocumentResult, max_age_h: float = 48.0) -> None:
    assert isinstance(result, DocumentResult)
    assert isinstance(result.outcome, DocumentOutcome | FetchOutcome)
    assert result.outcome is not DocumentOutcome.PARSE_ERROR
    dates = [e.published for e in result.entries]
    dated = [d for d in dates if d is not None]
    assert dates == dated + [None] * (len(dates) - len(dated)), "undated entries come last"
    assert dated == sorted(dated, reverse=True), "newest first"
    assert all(d >= NOW - timedelta(hours=max_age_h) for d in dated)
    assert all(isinstance(e.url, str) and e.url for e in result.entries)
    assert all(isinstance(c, str) and c for c in result.children)
    assert result.describe()


@st.composite
def urlset(draw: st.DrawFn) -> bytes:
    nodes = []
    for _ in range(draw(st.integers(0, 5))):
        loc = escape(draw(urls()))
        parts = [f"<loc>{loc}</loc>"]
        if draw(st.booleans()):
            parts.append(f"<lastmod>{escape(draw(date_strings))}</lastmod>")
        if draw(st.booleans()):
            parts.append(
                "<news:news><news:publication_date>"
                f"{escape(draw(date_strings))}</news:publication_date>"
                f"<news:title>{escape(draw(texts))}</news:title></news:news>"
            )
        nodes.append(f"<url>{''.join(parts)}</url>")
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='{NS}' xmlns:news='{NEWS}'>"
        f"{''.join(nodes)}</urlset>"
    ).encode()


@st.composite
def sitemapindex(draw: st.DrawFn) -> bytes:
    nodes = [
        f"<sitemap><loc>{escape(draw(urls()))}</loc>"
        f"<lastmod>{escape(draw(date_strings))}</lastmod></sitemap>"
        for _ in range(draw(st.integers(0, 5)))
    ]
    return f"<sitemapindex xmlns='{NS}'>{''.join(nodes)}</sitemapindex>".encode()


sitemaps = st.one_of(urlset(), sitemapindex())
max_ages = st.floats(0, 24 * 365 * 10, allow_nan=False)


@given(st.one_of(st.none(), date_strings, texts))
def test_w3c_dates_are_utc_or_none_and_survive_a_record(value: str | None) -> None:
    when = parse_w3c_date(value)
    if when is None:
        return
    assert when.utcoffset() == timedelta(0)
    assert DATETIME.validate_json(DATETIME.dump_json(when)) == when  # as RawPage carries it


@given(st.one_of(junk_bytes, junk_bytes.map(gzipped)))
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    check(parse_sitemap(body, now=NOW))


@given(sitemaps, max_ages)
def test_generated_sitemaps_never_raise(body: bytes, max_age_h: float) -> None:
    check(parse_sitemap(body, max_age_h=max_age_h, now=NOW), max_age_h)


@given(sitemaps.flatmap(damaged))
def test_damaged_sitemaps_never_raise(body: bytes) -> None:
    check(parse_sitemap(body, now=NOW))


@budget(0.5)
@given(st.one_of(sitemaps, junk_bytes).filter(lambda b: not b.startswith(b"\x1f\x8b")))
def test_a_gzipped_sitemap_reads_as_the_sitemap(body: bytes) -> None:
    assert parse_sitemap(gzipped(body), now=NOW) == parse_sitemap(body, now=NOW)


@budget(0.5)
@given(sitemaps.flatmap(damaged).map(gzipped).flatmap(damaged))
def test_damaged_gzip_never_raises(body: bytes) -> None:
    check(parse_sitemap(body, now=NOW))


@budget(0.5)
@given(sitemaps, st.integers(0, 64))
def test_a_gzipped_sitemap_over_the_cap_is_refused(body: bytes, room: int) -> None:
    cap = max(0, len(body) - 1 - room)
    result = parse_sitemap(gzipped(body), now=NOW, max_bytes=cap)
    assert result.outcome is FetchOutcome.TOO_LARGE
    assert not result.entries
