import gzip
from datetime import UTC, datetime, timedelta

import pytest

from connectors.sitemaps import parse_sitemap, parse_w3c_date
from connectors.xmlsafe import XMLSyntaxError, parse_xml
from tests.sites import content as c

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def item(n: int, hours_ago: float) -> c.Item:
    return c.Item(f"https://x.example/news/{n}.html", f"خبر {n}", NOW - timedelta(hours=hours_ago))


def test_news_sitemap_newest_first_and_old_entries_skipped() -> None:
    body = c.news_sitemap([item(1, 5), item(2, 1), item(3, 100)])
    result = parse_sitemap(body, max_age_h=48, now=NOW)
    assert (result.outcome, result.dialect, result.skipped) == ("ok", "urlset", 1)
    assert [e.url for e in result.entries] == [
        "https://x.example/news/2.html",
        "https://x.example/news/1.html",
    ]
    assert result.entries[0].title == "خبر 2"


def test_plain_sitemap_keeps_undated_entries_last() -> None:
    body = c.plain_sitemap([("https://x.example/a", None), ("https://x.example/b", NOW)])
    result = parse_sitemap(body, now=NOW)
    assert [e.url for e in result.entries] == ["https://x.example/b", "https://x.example/a"]


def test_sitemap_index_lists_children_newest_first() -> None:
    body = c.sitemap_index(
        [(f"https://x.example/s{n}.xml", NOW - timedelta(days=n)) for n in (2, 0, 1)]
    )
    result = parse_sitemap(body, now=NOW)
    assert (result.kind, result.outcome) == ("sitemap_index", "ok")
    assert result.children == tuple(f"https://x.example/s{n}.xml" for n in (0, 1, 2))
    assert result.describe() == "sitemap index, 3 child sitemaps"


def test_gzipped_sitemap_and_gzip_bomb() -> None:
    body = gzip.compress(c.news_sitemap([item(1, 1)]))
    assert [e.url for e in parse_sitemap(body, now=NOW).entries] == [
        "https://x.example/news/1.html"
    ]
    assert parse_sitemap(c.gzip_bomb(), max_bytes=1024 * 1024).outcome == "too_large"


def test_hostile_and_broken_sitemaps() -> None:
    cases = {
        "xml_entities": c.billion_laughs_sitemap(),
        "xml_doctype": c.external_dtd_sitemap("/etc/passwd"),
        "malformed": b"<urlset><url><loc>https://x.example/a</loc>",
        "not_a_sitemap": "<html><body><p>مرحبا</p></body></html>".encode(),
        "malformed_html": c.HTML_PAGE.replace(b"<!DOCTYPE html>", b""),
        "empty": b"",
    }
    for outcome, body in cases.items():
        expected = outcome.removesuffix("_html")
        assert parse_sitemap(body, now=NOW).outcome == expected, outcome
    xxe = parse_sitemap(c.xxe_sitemap("/etc/passwd"), now=NOW)
    assert (xxe.outcome, xxe.entries) == ("xml_entities", ())


def test_the_parser_itself_expands_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("MARSAD-SECRET", encoding="utf-8")
    root = parse_xml(c.xxe_sitemap(str(secret)))  # bypassing the refusal on purpose
    text = "".join(root.itertext())
    assert "MARSAD-SECRET" not in text
    with pytest.raises(XMLSyntaxError, match="amplification"):  # libxml2 refuses it as well
        parse_xml(c.billion_laughs_sitemap())


def test_w3c_dates() -> None:
    assert parse_w3c_date("2024-03-02") == datetime(2024, 3, 2, tzinfo=UTC)
    assert parse_w3c_date("2024-03-02T10:00:00Z") == datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert parse_w3c_date("2024-03-02T13:00:00+03:00") == datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert parse_w3c_date("yesterday") is None


def test_w3c_dates_come_out_in_utc_seconds_offsets_too() -> None:
    # found by tests/fuzz: Python reads a seconds offset, RFC 3339 JSON (the records) cannot
    # carry it and pydantic dropped the 30 s from RawPage.published_at
    when = parse_w3c_date("2024-03-02T13:00:30+03:00:30")
    assert when == datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert when is not None
    assert when.utcoffset() == timedelta(0)
    assert parse_w3c_date("0001-01-01T00:00:00+14:00") is None  # before year 1 in UTC
