from connectors.listings import on_site, parse_listing, site_key
from tests.sites import content as c

BASE = "https://www.example.org/syria"
PATTERN = r"/news/\d+\.html$"


def test_only_matching_links_on_the_site_in_page_order() -> None:
    body = c.listing(
        [
            ("/news/2.html", "خبر ٢"),
            ("https://m.example.org/news/3.html#top", "خبر ٣"),
            ("/news/2.html", "مكرر"),
            ("https://other.example/news/4.html", "موقع آخر"),
            ("/tag/5", "وسم"),
        ]
    )
    result = parse_listing(body, BASE, PATTERN, "www.example.org")
    assert [(e.url, e.title) for e in result.entries] == [
        ("https://www.example.org/news/2.html", "خبر ٢"),
        ("https://m.example.org/news/3.html", "خبر ٣"),
    ]
    assert (result.outcome, result.skipped) == ("ok", 2)  # other.example, facebook.com


def test_base_href_is_honoured() -> None:
    body = (
        b'<html><head><base href="https://cdn.example.org/ar/"></head>'
        b'<body><a href="news/1.html">x</a></body></html>'
    )
    result = parse_listing(body, BASE, PATTERN, "example.org")
    assert [e.url for e in result.entries] == ["https://cdn.example.org/ar/news/1.html"]


def test_a_page_without_matching_links_is_reported() -> None:
    result = parse_listing(c.listing([("/about", "من نحن")]), BASE, PATTERN, "example.org")
    assert (result.outcome, result.entries) == ("no_links", ())


def test_arabic_link_text_in_legacy_charsets() -> None:
    for encoding, meta in (("iso-8859-6", True), ("windows-1256", True), ("windows-1256", False)):
        body = c.listing([("/news/9.html", "غارات على دير الزور")], encoding=encoding, meta=meta)
        result = parse_listing(body, BASE, PATTERN, "example.org", "text/html")
        assert [e.title for e in result.entries] == ["غارات على دير الزور"], (encoding, meta)


def test_undecodable_and_empty_pages() -> None:
    assert parse_listing(b"", BASE, PATTERN, "example.org").outcome == "empty"
    assert parse_listing(c.PNG, BASE, PATTERN, "example.org").outcome == "undecodable"


def test_site_keys() -> None:
    assert site_key("WWW.Example.org.") == "example.org"
    assert on_site("https://news.example.org/a", "www.example.org")
    assert not on_site("https://example.org.evil.test/a", "example.org")
