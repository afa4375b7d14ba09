"""The connector loop against fixture sites on loopback: every way in, deduplication within
and across polls and sources, state that survives a restart, conditional GET, a global bound
on requests, health and adaptive polling, and hostile sources counted without a crash."""

from __future__ import annotations

import asyncio
import gzip
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.config import ConnectorConfig
from connectors.fetch import Fetcher, FetcherConfig
from connectors.runner import Connector
from connectors.schedule import PollingPolicy
from connectors.sources import Source, SourceRegistry
from connectors.state import StateStore
from connectors.urls import url_id
from kernel.records import RawPage
from tests.sites import FixtureServer, Reply, Request, serve_in_thread
from tests.sites import content as c


class MemoryKafka:
    def __init__(self) -> None:
        self.records: list[RawPage] = []

    async def publish(self, page: RawPage) -> tuple[int, int]:
        self.records.append(page)
        return 0, len(self.records) - 1


def article_router(request: Request) -> Reply | None:
    if request.path.startswith(("/news/", "/story/", "/s/")):
        return Reply(body=c.article(request.path))
    return None


def site_routes(base: str) -> dict[str, Reply]:
    now = datetime.now(UTC)
    feed_items = c.items(base, 3)  # /news/1..3
    return {
        "/robots.txt": Reply(body=b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/rss.xml": Reply(
            body=c.rss(feed_items), content_type="application/rss+xml", conditional=True
        ),
        "/atom.xml": Reply(
            body=c.atom(c.items(base, 3, start=3)), content_type="application/atom+xml"
        ),
        "/rdf.xml": Reply(
            body=c.rdf(c.items(base, 2, start=6)), content_type="application/rdf+xml"
        ),
        "/rss091.xml": Reply(body=c.rss091(c.items(base, 1, start=8)), content_type="text/xml"),
        "/news-sitemap.xml": Reply(
            body=c.news_sitemap(
                [
                    *c.items(base, 2, start=9),
                    c.Item(f"{base}/news/old.html", "قديم", now - timedelta(days=9)),
                ]
            ),
            content_type="application/xml",
        ),
        "/index.xml": Reply(
            body=c.sitemap_index(
                [(f"{base}/sm-{n}.xml", now - timedelta(hours=n)) for n in (3, 1, 2)]
            ),
            content_type="application/xml",
        ),
        **{
            f"/sm-{n}.xml": Reply(
                body=c.plain_sitemap([(f"{base}/s/{n}", now)]), content_type="application/xml"
            )
            for n in (1, 2, 3)
        },
        "/sitemap.xml.gz": Reply(
            body=gzip.compress(c.plain_sitemap([(f"{base}/s/gz", None)])),
            content_type="application/x-gzip",
        ),
        "/section": Reply(
            body=c.listing(
                [
                    ("/story/11", "خبر أول"),
                    (f"{base}/story/12#comments", "خبر ثان"),
                    ("/story/11", "مكرر"),
                    ("https://elsewhere.example/story/13", "موقع آخر"),
                    ("/tag/syria", "وسم"),
                ]
            )
        ),
    }


def source(sid: str, base: str, **ways: Any) -> Source:
    return Source(
        id=sid,
        name_ar="مصدر " + sid,
        name_latin=sid,
        home=base + "/",
        country="SY",
        affiliation="demo",
        allow_private=True,
        poll_interval_s=60,
        **ways,
    )


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    server = FixtureServer(router=article_router)
    with serve_in_thread(server):
        server.routes.update(site_routes(server.base_url))
        yield server


def registry(base: str) -> SourceRegistry:
    return SourceRegistry(
        version=1,
        sources=(
            source(
                "feeds",
                base,
                feeds=[
                    f"{base}/rss.xml",
                    f"{base}/atom.xml",
                    f"{base}/rdf.xml",
                    f"{base}/rss091.xml",
                ],
            ),
            source(
                "sitemaps",
                base,
                sitemaps=[
                    {"url": f"{base}/news-sitemap.xml"},
                    {"url": f"{base}/index.xml", "kind": "plain", "max_children": 2},
                    {"url": f"{base}/sitemap.xml.gz", "kind": "plain"},
                ],
            ),
            source(
                "listing", base, listings=[{"url": f"{base}/section", "pattern": r"/story/\d+$"}]
            ),
            source("shared", base, feeds=[f"{base}/rss.xml"]),
        ),
    )


def fast_fetcher(**overrides: Any) -> Fetcher:
    return Fetcher(FetcherConfig(min_delay_s=0.0, **overrides))


EXPECTED_PATHS = {
    *(f"/news/{n}.html" for n in range(1, 10 + 1)),
    "/s/1", "/s/2", "/s/gz",  # the index's two newest children, the gzipped sitemap
    "/story/11", "/story/12",
}  # fmt: skip


async def test_every_way_in_discovers_its_articles_once(
    site: FixtureServer, tmp_path: Path
) -> None:
    kafka = MemoryKafka()
    state = StateStore(tmp_path / "state.sqlite")
    async with fast_fetcher() as fetcher:
        connector = Connector(registry(site.base_url), fetcher, kafka, state=state)
        reports = {r.source: r for r in await connector.run_once()}
    published = {r.url.split("?")[0].removeprefix(site.base_url) for r in kafka.records}
    assert published == EXPECTED_PATHS
    assert len({r.url_id for r in kafka.records}) == len(kafka.records)  # once each
    article_hits = Counter(r.path for r in site.requests if r.path in EXPECTED_PATHS)
    assert set(article_hits.values()) == {1}
    assert "/news/old.html" not in {r.path for r in site.requests}  # too old for the sitemap
    assert "/sm-3.xml" not in {r.path for r in site.requests}  # beyond max_children
    assert reports["feeds"].summary is not None
    assert "rss10 feed, 2 entries" in reports["feeds"].summary.returned  # RDF
    assert "atom10 feed, 3 entries" in reports["feeds"].summary.returned
    assert "rss091n feed, 1 entries" in reports["feeds"].summary.returned
    assert reports["listing"].new == 2
    # /news/1-3 are in the "feeds" and the "shared" sources: whichever polls first gets them
    assert reports["feeds"].new + reports["shared"].new == 8
    assert reports["shared"].new in {0, 3}
    metrics = connector.metrics.registry
    seen = metrics.get_sample_value(
        "marsad_connector_items_total", {"source": "feeds", "outcome": "seen"}
    )
    assert seen is not None and seen >= 1  # /news/3 is in the RSS and the Atom feed
    assert state.counts() == {"fetched": len(EXPECTED_PATHS)}
    state.close()


async def test_a_restart_fetches_nothing_again_and_sends_conditional_gets(
    site: FixtureServer, tmp_path: Path
) -> None:
    path = tmp_path / "state.sqlite"
    for run in (1, 2):
        kafka = MemoryKafka()
        state = StateStore(path)
        before = len(site.requests)
        async with fast_fetcher() as fetcher:
            connector = Connector(registry(site.base_url), fetcher, kafka, state=state)
            await connector.run_once()
        state.close()
        requests = site.requests[before:]
        if run == 1:
            assert len(kafka.records) == len(EXPECTED_PATHS)
            continue
        assert kafka.records == []
        assert not [r for r in requests if r.path in EXPECTED_PATHS]
        rss = [r for r in requests if r.path == "/rss.xml"]
        assert rss and all("if-none-match" in r.headers for r in rss)


async def test_pending_articles_survive_a_restart(site: FixtureServer, tmp_path: Path) -> None:
    base = site.base_url
    site.routes["/flaky-feed.xml"] = Reply(
        body=c.rss([c.Item(f"{base}/flaky/1.html", "عاجل", datetime.now(UTC))]),
        content_type="application/rss+xml",
    )
    site.routes["/flaky/1.html"] = Reply(503)
    flaky = SourceRegistry(
        version=1, sources=(source("flaky", base, feeds=[f"{base}/flaky-feed.xml"]),)
    )
    path = tmp_path / "state.sqlite"
    quick_retry = ConnectorConfig(retry_base_s=0.0)
    for run in (1, 2):
        kafka, state = MemoryKafka(), StateStore(path)
        async with fast_fetcher() as fetcher:
            connector = Connector(flaky, fetcher, kafka, state=state, config=quick_retry)
            report = (await connector.run_once())[0]
        key = url_id(f"{base}/flaky/1.html")
        if run == 1:
            assert (report.new, report.failed, kafka.records) == (1, 1, [])
            assert state.status(key) == "pending"
            site.routes["/flaky/1.html"] = Reply(body=c.article("عاجل"))
        else:
            assert report.new == 0  # already known...
            assert [r.url_id for r in kafka.records] == [key]  # ...and fetched now
            assert state.status(key) == "fetched"
        state.close()


async def test_requests_in_flight_stay_under_the_global_bound() -> None:
    servers = [
        FixtureServer(
            {"/robots.txt": Reply(404)}, router=lambda r: Reply(body=b"<p>x</p>", delay_s=0.15)
        )
        for _ in range(4)
    ]
    with serve_in_thread(*servers):
        async with fast_fetcher(concurrency=2) as fetcher:
            await asyncio.gather(
                *(
                    fetcher.fetch(s.url(f"/news/{n}"), allow_private=True)
                    for s in servers
                    for n in range(3)
                )
            )
    events = sorted(
        [(r.started, 1) for s in servers for r, _ in s.finished if r.path != "/robots.txt"]
        + [(end, -1) for s in servers for r, end in s.finished if r.path != "/robots.txt"]
    )
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    assert peak == 2


async def test_hostile_sources_are_counted_and_the_others_still_publish(
    site: FixtureServer, tmp_path: Path
) -> None:
    base = site.base_url
    site.routes.update(
        {
            "/h/html-feed": Reply(body=c.HTML_PAGE),
            "/h/laughs": Reply(body=c.billion_laughs_feed(), content_type="application/rss+xml"),
            "/h/missing": Reply(404),
            "/h/busy": Reply(429, headers=(("Retry-After", "600"),)),
            "/h/broken-sitemap": Reply(body=b"<urlset><url><loc>x", content_type="application/xml"),
            "/h/nolinks": Reply(body=c.listing([("/about", "من نحن")])),
            "/h/mixed-feed": Reply(
                body=c.rss(
                    [
                        c.Item(f"{base}/h/image.png", "صورة", datetime.now(UTC)),
                        c.Item(f"{base}/news/77.html", "خبر", datetime.now(UTC)),
                    ]
                ),
                content_type="application/rss+xml",
            ),
            "/h/image.png": Reply(body=c.PNG, content_type="image/png"),
        }
    )
    hostile = SourceRegistry(
        version=1,
        sources=(
            source("html-feed", base, feeds=[f"{base}/h/html-feed"]),
            source("laughs", base, feeds=[f"{base}/h/laughs"]),
            source("missing", base, feeds=[f"{base}/h/missing"]),
            source(
                "busy",
                "http://localhost:" + str(site.port),
                feeds=[f"http://localhost:{site.port}/h/busy"],
            ),
            source("broken-sitemap", base, sitemaps=[f"{base}/h/broken-sitemap"]),
            source("nolinks", base, listings=[{"url": f"{base}/h/nolinks", "pattern": "/story/"}]),
            source("mixed", base, feeds=[f"{base}/h/mixed-feed"]),
        ),
    )
    kafka, state = MemoryKafka(), StateStore(tmp_path / "state.sqlite")
    policy = PollingPolicy(floor_s=1.0, jitter=0.0)
    async with fast_fetcher() as fetcher:
        connector = Connector(hostile, fetcher, kafka, state=state, policy=policy)
        reports = {r.source: r for r in await connector.run_once()}
    outcomes = {sid: r.summary.outcome if r.summary else None for sid, r in reports.items()}
    assert outcomes == {
        "html-feed": "not_a_feed",
        "laughs": "xml_entities",
        "missing": "gone",
        "busy": "http_429",
        "broken-sitemap": "malformed",
        "nolinks": "no_links",
        "mixed": "ok",
    }
    assert [r.url.removeprefix(base) for r in kafka.records] == ["/news/77.html?utm_source=rss"]
    sample = connector.metrics.registry.get_sample_value
    assert (
        sample("marsad_connector_fetches_total", {"source": "mixed", "outcome": "binary_content"})
        == 1
    )
    assert (
        sample(
            "marsad_connector_documents_total",
            {"source": "laughs", "kind": "feed", "outcome": "xml_entities"},
        )
        == 1
    )
    assert sample("marsad_connector_polls_total", {"source": "missing", "outcome": "gone"}) == 1
    busy = state.load_source("busy")
    assert busy is not None and busy.next_poll_at - (busy.last_poll_at or 0) >= 600
    assert state.status(url_id(f"{base}/h/image.png")) == "failed"  # permanent: not retried
    state.close()
