"""The connector loop with a scripted fetcher and an in-memory publisher."""

from __future__ import annotations

from connectors.exceptions import FetchError, PublishError
from connectors.fetch import FetchedPage
from connectors.runner import Connector
from connectors.sources import Source, SourceRegistry
from pipeline.records import RawPage

FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>أ</title><link>http://127.0.0.1:9/a.html?utm_source=rss</link></item>
<item><title>ب</title><link>http://127.0.0.1:9/b.html</link></item>
<item><title>أ مكرر</title><link>http://127.0.0.1:9/a.html</link></item>
</channel></rss>""".encode()


def registry() -> SourceRegistry:
    source = Source(
        id="demo-a",
        name_ar="أ",
        name_latin="A",
        home="http://127.0.0.1:9/",
        country="SY",
        affiliation="demo",
        feeds=("http://127.0.0.1:9/feed.xml",),
        allow_private=True,
    )
    return SourceRegistry(version=1, sources=(source,))


class Pages:
    def __init__(self, broken: set[str]) -> None:
        self.broken = broken
        self.requests: list[str] = []

    async def fetch(self, url: str) -> FetchedPage:
        self.requests.append(url)
        if url in self.broken:
            raise FetchError("timeout", f"{url}: timed out")
        body = FEED if url.endswith("feed.xml") else "<p>نص</p>".encode()
        return FetchedPage(url, url, 200, "text/html; charset=utf-8", "utf-8", body)


class Kafka:
    def __init__(self, fail_first: int = 0) -> None:
        self.records: list[RawPage] = []
        self.fail_first = fail_first

    async def publish(self, page: RawPage) -> tuple[int, int]:
        if self.fail_first:
            self.fail_first -= 1
            raise PublishError("broker down")
        self.records.append(page)
        return 0, len(self.records) - 1


async def test_each_article_is_published_once_across_variants_and_polls() -> None:
    kafka = Kafka()
    connector = Connector(registry(), Pages(set()), kafka)
    first = await connector.run_once()
    second = await connector.run_once()
    assert [r.url_id for r in kafka.records] == sorted(
        {r.url_id for r in kafka.records}, key=[r.url_id for r in kafka.records].index
    )
    assert len(kafka.records) == 2  # a.html with and without utm_source is one article
    assert (first[0].new, first[0].published) == (2, 2)
    assert (second[0].new, second[0].published) == (0, 0)
    assert kafka.records[0].canonical_url == "https://127.0.0.1:9/a.html"
    assert kafka.records[0].body == "<p>نص</p>".encode()


async def test_failed_fetch_is_retried_on_the_next_poll() -> None:
    pages = Pages({"http://127.0.0.1:9/b.html"})
    kafka = Kafka()
    connector = Connector(registry(), pages, kafka)
    report = (await connector.run_once())[0]
    assert (report.published, report.failed) == (1, 1)
    pages.broken.clear()
    report = (await connector.run_once())[0]
    assert report.published == 1
    assert sorted(r.url.rsplit("/", 1)[1] for r in kafka.records) == [
        "a.html?utm_source=rss",
        "b.html",
    ]


async def test_unacknowledged_page_is_not_marked_seen() -> None:
    kafka = Kafka(fail_first=1)
    connector = Connector(registry(), Pages(set()), kafka)
    first = (await connector.run_once())[0]
    # a.html?utm_source=rss is refused by the broker; its variant a.html later in the same
    # feed is then still unseen, so the article is fetched and published again.
    assert (first.published, first.failed) == (2, 1)
    assert (await connector.run_once())[0].published == 0
    assert sorted(r.url_id for r in kafka.records) == sorted({r.url_id for r in kafka.records})
    assert len(kafka.records) == 2


async def test_unreachable_feed_is_counted_not_raised() -> None:
    pages = Pages({"http://127.0.0.1:9/feed.xml"})
    report = (await Connector(registry(), pages, Kafka()).run_once())[0]
    assert (report.discovered, report.failed) == (0, 1)
