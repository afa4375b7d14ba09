from pathlib import Path

import pytest

from connectors.exceptions import SourceConfigError
from connectors.feeds import parse_feed
from connectors.sources import load_sources

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_sources_file_validates() -> None:
    registry = load_sources(ROOT / "deploy" / "sources.yaml")
    assert len(registry.sources) >= 10
    assert all(not s.allow_private for s in registry.sources)  # only the demo may use loopback


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


def test_html_served_as_feed_is_reported() -> None:
    result = parse_feed(b"<html><body><p>not a feed</p></body></html>", "https://x.example/")
    assert result.entries == ()
    assert result.problem is not None
