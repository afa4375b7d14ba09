from pathlib import Path

import pytest
import yaml

from connectors.exceptions import SourceConfigError
from connectors.feeds import parse_feed
from connectors.sources import Source, load_sources
from tests.sites import content as c

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "deploy" / "sources.yaml"


def test_shipped_sources_file_validates() -> None:
    registry = load_sources(SHIPPED)
    assert len(registry.sources) >= 30
    assert all(not s.allow_private for s in registry.sources)  # only the demo may use loopback
    affiliations = {s.affiliation for s in registry.sources}
    assert affiliations == {"state_media", "opposition", "pan_arab", "international", "agency"}
    assert sum(s.country == "SY" for s in registry.sources) >= 10
    kinds = {w.kind for s in registry.sources for w in s.ways_in}
    assert kinds == {"feed", "sitemap", "listing"}


def test_every_shipped_source_says_its_addresses_are_unverified() -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert all(entry.get("verified") is False for entry in raw["sources"])
    assert all(entry["name_ar"] and entry["name_latin"] for entry in raw["sources"])


def test_invalid_sources_file_says_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text("version: 1\nsources:\n  - id: x!\n    name_ar: س\n", encoding="utf-8")
    with pytest.raises(SourceConfigError, match="does not validate"):
        load_sources(bad)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    entry = (
        "  - {id: aa, name_ar: أ, name_latin: A, home: 'https://a.example/', country: SY,"
        " affiliation: agency, feeds: ['https://a.example/feed']}\n"
    )
    path = tmp_path / "s.yaml"
    path.write_text("version: 1\nsources:\n" + entry + entry, encoding="utf-8")
    with pytest.raises(SourceConfigError, match="duplicate source ids"):
        load_sources(path)


def test_missing_sources_file(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigError, match="not found"):
        load_sources(tmp_path / "nope.yaml")


BASE = {
    "id": "aa",
    "name_ar": "أ",
    "name_latin": "A",
    "home": "https://a.example/",
    "country": "SY",
    "affiliation": "agency",
}


def test_a_source_needs_a_way_in() -> None:
    with pytest.raises(ValueError, match="no way in"):
        Source.model_validate(BASE)


def test_listing_patterns_must_compile() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        Source.model_validate(
            {**BASE, "listings": [{"url": "https://a.example/news", "pattern": "(unclosed"}]}
        )


def test_ways_in_in_order_with_sitemap_shorthand() -> None:
    source = Source.model_validate(
        {
            **BASE,
            "feeds": ["https://a.example/feed"],
            "sitemaps": [
                "https://a.example/news.xml",
                {"url": "https://a.example/s.xml", "kind": "plain"},
            ],
            "listings": [{"url": "https://a.example/syria", "pattern": r"/\d+$"}],
        }
    )
    assert [(w.kind, w.url) for w in source.ways_in] == [
        ("feed", "https://a.example/feed"),
        ("sitemap", "https://a.example/news.xml"),
        ("sitemap", "https://a.example/s.xml"),
        ("listing", "https://a.example/syria"),
    ]
    assert source.sitemaps[0].kind == "news" and source.sitemaps[1].kind == "plain"


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>عنب</title>
<item><title>قصف على حلب</title><link>/news/1.html?utm_source=rss</link>
<pubDate>Sat, 02 Mar 2024 10:00:00 GMT</pubDate></item>
<item><title>بلا رابط</title></item>
</channel></rss>""".encode()


def test_rss_entries_resolve_relative_links() -> None:
    result = parse_feed(RSS, "http://127.0.0.1:8000/feed.xml")
    assert result.problem is None
    assert [e.url for e in result.entries] == ["http://127.0.0.1:8000/news/1.html?utm_source=rss"]
    assert result.entries[0].title == "قصف على حلب"
    assert result.entries[0].published is not None and result.entries[0].published.day == 2
    assert (result.outcome, result.dialect, result.skipped) == ("ok", "rss20", 1)


def test_html_served_as_feed_is_reported() -> None:
    result = parse_feed(b"<html><body><p>not a feed</p></body></html>", "https://x.example/")
    assert result.entries == ()
    assert result.outcome == "not_a_feed"
    assert result.problem is not None


ITEMS = c.items("https://x.example", 2)


@pytest.mark.parametrize(
    ("body", "dialect"),
    [
        (c.rss(ITEMS), "rss20"),
        (c.atom(ITEMS), "atom10"),
        (c.rdf(ITEMS), "rss10"),
        (c.rss091(ITEMS), "rss091n"),
    ],
)
def test_every_feed_dialect(body: bytes, dialect: str) -> None:
    result = parse_feed(body, "https://x.example/feed")
    assert (result.outcome, result.dialect) == ("ok", dialect)
    assert [e.url.split("?")[0] for e in result.entries] == [i.url for i in ITEMS]
    assert [e.title for e in result.entries] == [i.title for i in ITEMS]


def test_broken_feeds_have_their_outcome() -> None:
    assert parse_feed(c.MALFORMED_FEED, "https://x.example/").outcome == "malformed_recovered"
    assert parse_feed(c.GARBAGE_XML, "https://x.example/").outcome == "malformed"
    assert parse_feed(c.EMPTY_FEED, "https://x.example/").outcome == "empty"
    assert parse_feed(b"", "https://x.example/").outcome == "empty"
    assert parse_feed(c.PNG, "https://x.example/").outcome in {"undecodable", "not_a_feed"}


def test_entity_declarations_are_refused_before_feedparser() -> None:
    for body in (c.billion_laughs_feed(), c.xxe_feed("/etc/passwd")):
        result = parse_feed(body, "https://x.example/")
        assert (result.outcome, result.entries) == ("xml_entities", ())


def test_feed_charset_by_declaration_and_by_detection() -> None:
    declared = parse_feed(c.rss(ITEMS, encoding="windows-1256"), "https://x.example/")
    undeclared = parse_feed(
        c.rss(ITEMS, encoding="windows-1256", declare=False),
        "https://x.example/",
        "application/rss+xml; charset=utf-8",  # wrong
    )
    iso = parse_feed(c.rss(ITEMS, encoding="iso-8859-6"), "https://x.example/")
    for result in (declared, undeclared, iso):
        assert [e.title for e in result.entries] == [i.title for i in ITEMS]
