"""The connector loop with a scripted fetcher and an in-memory publisher (no sockets)."""

from __future__ import annotations

import asyncio
import functools
import random
from pathlib import Path

import pytest

from connectors.config import ConnectorConfig
from connectors.exceptions import FetchError, PublishError
from connectors.fetch import FetchedPage, Validators
from connectors.outbox import Outbox
from connectors.runner import Connector
from connectors.schedule import PollingPolicy
from connectors.sources import Source, SourceRegistry
from connectors.state import StateStore
from kernel.records import RawPage

FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>أ</title><link>http://127.0.0.1:9/a.html?utm_source=rss</link></item>
<item><title>ب</title><link>http://127.0.0.1:9/b.html</link></item>
<item><title>أ مكرر</title><link>http://127.0.0.1:9/a.html</link></item>
</channel></rss>""".encode()
QUICK = ConnectorConfig(retry_base_s=0.0)


def registry(*ids: str) -> SourceRegistry:
    sources = tuple(
        Source(
            id=sid,
            name_ar="أ",
            name_latin="A",
            home="http://127.0.0.1:9/",
            country="SY",
            affiliation="demo",
            feeds=("http://127.0.0.1:9/feed.xml",),
            allow_private=True,
        )
        for sid in ids or ("demo-a",)
    )
    return SourceRegistry(version=1, sources=sources)


class Pages:
    def __init__(self, broken: set[str] | None = None, outcome: str = "timeout") -> None:
        self.broken = broken or set()
        self.outcome = outcome
        self.requests: list[str] = []
        self.conditional: list[Validators | None] = []

    async def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        allow_private: bool = False,
        max_bytes: int | None = None,
        binary_ok: bool = False,
    ) -> FetchedPage:
        self.requests.append(url)
        if url in self.broken:
            raise FetchError(self.outcome, f"{url}: {self.outcome}")
        if url.endswith("feed.xml"):
            self.conditional.append(validators)
            if validators is not None and validators.etag == '"v1"':
                return FetchedPage(url, url, 304, None, None, b"", validators)
            return FetchedPage(url, url, 200, "application/rss+xml", None, FEED, Validators('"v1"'))
        return FetchedPage(url, url, 200, "text/html; charset=utf-8", "utf-8", "<p>نص</p>".encode())


class Kafka:
    def __init__(self, fail_first: int = 0, *, retriable: bool = True) -> None:
        self.records: list[RawPage] = []
        self.fail_first = fail_first
        self.retriable = retriable
        self.attempts = 0
        self.down = asyncio.Event()

    async def publish(self, page: RawPage) -> tuple[int, int]:
        self.attempts += 1
        if self.down.is_set():
            await asyncio.sleep(3600)  # a broker that does not answer
        if self.fail_first:
            self.fail_first -= 1
            raise PublishError("broker down", retriable=self.retriable)
        self.records.append(page)
        return 0, len(self.records) - 1


def paths(kafka: Kafka) -> list[str]:
    return sorted(r.url.rsplit("/", 1)[1] for r in kafka.records)


async def test_each_article_is_published_once_across_variants_and_polls() -> None:
    kafka = Kafka()
    connector = Connector(registry(), Pages(), kafka)
    first = await connector.run_once()
    second = await connector.run_once()
    assert len(kafka.records) == 2  # a.html with and without utm_source is one article
    assert (first[0].new, first[0].published) == (2, 2)
    assert (second[0].new, second[0].published) == (0, 0)
    assert kafka.records[0].canonical_url == "https://127.0.0.1:9/a.html"
    assert kafka.records[0].body == "<p>نص</p>".encode()
    assert kafka.records[0].feed_title == "أ"


async def test_the_same_article_in_two_sources_is_published_once() -> None:
    kafka = Kafka()
    reports = await Connector(registry("one", "two"), Pages(), kafka).run_once()
    assert len(kafka.records) == 2
    assert sorted(r.new for r in reports) == [0, 2]


async def test_second_poll_is_conditional_and_not_modified_counts_as_an_answer() -> None:
    pages = Pages()
    connector = Connector(registry(), pages, Kafka())
    await connector.run_once()
    report = (await connector.run_once())[0]
    assert pages.conditional == [None, Validators('"v1"')]
    assert report.summary is not None and report.summary.answered
    assert report.summary.returned == "feed: not modified"


async def test_failed_fetch_is_retried_on_the_next_poll() -> None:
    pages = Pages({"http://127.0.0.1:9/b.html"})
    kafka = Kafka()
    connector = Connector(registry(), pages, kafka, config=QUICK)
    report = (await connector.run_once())[0]
    assert (report.published, report.failed) == (1, 1)
    pages.broken.clear()
    report = (await connector.run_once())[0]
    assert (report.new, report.published) == (0, 1)  # not new, but still pending: fetched now
    assert paths(kafka) == ["a.html?utm_source=rss", "b.html"]


async def test_permanent_failures_are_given_up_at_once() -> None:
    pages = Pages({"http://127.0.0.1:9/b.html"}, outcome="http_404")
    connector = Connector(registry(), pages, Kafka(), config=QUICK)
    await connector.run_once()
    await connector.run_once()
    assert pages.requests.count("http://127.0.0.1:9/b.html") == 1
    assert connector.state.counts() == {"fetched": 1, "failed": 1}


async def test_transient_failures_are_given_up_after_max_attempts() -> None:
    pages = Pages({"http://127.0.0.1:9/b.html"})
    connector = Connector(
        registry(), pages, Kafka(), config=ConnectorConfig(retry_base_s=0, max_attempts=3)
    )
    for _ in range(5):
        await connector.run_once()
    assert pages.requests.count("http://127.0.0.1:9/b.html") == 3
    assert connector.state.counts() == {"fetched": 1, "failed": 1}


async def test_a_page_kafka_refuses_at_first_is_sent_again_and_published_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The connector's outbox, with a back-off of milliseconds instead of half a second.
    quick_outbox = functools.partial(Outbox, retry_base_s=0.001, retry_cap_s=0.01)
    monkeypatch.setattr("connectors.runner.Outbox", quick_outbox)
    kafka = Kafka(fail_first=2)
    connector = Connector(registry(), Pages(), kafka)
    report = (await connector.run_once())[0]
    assert (report.published, kafka.attempts) == (2, 4)
    assert len({r.url_id for r in kafka.records}) == len(kafka.records) == 2
    assert (
        connector.metrics.registry.get_sample_value("marsad_connector_publish_retries_total") == 2
    )


async def test_a_page_kafka_refuses_for_good_is_counted_and_not_retried() -> None:
    kafka = Kafka(fail_first=1, retriable=False)
    connector = Connector(registry(), Pages(), kafka)
    report = (await connector.run_once())[0]
    assert report.published == 1
    assert connector.state.counts() == {"fetched": 1, "failed": 1}
    assert (
        connector.metrics.registry.get_sample_value("marsad_connector_publish_refused_total") == 1
    )


async def test_a_restart_remembers_what_was_fetched(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    pages, kafka = Pages(), Kafka()
    state = StateStore(path)
    await Connector(registry(), pages, kafka, state=state).run_once()
    state.close()
    state = StateStore(path)
    report = (await Connector(registry(), pages, Kafka(), state=state).run_once())[0]
    state.close()
    assert (report.new, report.published) == (0, 0)
    assert sum("feed.xml" not in u for u in pages.requests) == 2


async def test_unacknowledged_pages_are_handed_back_and_published_after_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite"
    kafka = Kafka()
    kafka.down.set()
    state = StateStore(path)
    config = ConnectorConfig(stall_after_s=0.2)
    connector = Connector(registry(), Pages(), kafka, state=state, config=config)
    report = (await connector.run_once())[0]
    assert (report.fetched, report.published) == (2, 0)
    assert connector.outbox.stalled.is_set()
    assert state.counts() == {"pending": 2}  # handed back, not marked fetched
    state.close()
    state = StateStore(path)
    kafka = Kafka()
    report = (await Connector(registry(), Pages(), kafka, state=state).run_once())[0]
    assert (report.new, report.published) == (0, 2)
    assert state.counts() == {"fetched": 2}


async def test_a_full_outbox_stops_fetching() -> None:
    pages, kafka = Pages(), Kafka()
    kafka.down.set()
    connector = Connector(registry(), pages, kafka, config=ConnectorConfig(outbox_capacity=1))
    poll = asyncio.create_task(connector.poll_source(registry().sources[0]))
    await asyncio.sleep(0.05)
    assert not poll.done()  # waiting for room in the outbox
    assert sum("feed.xml" not in u for u in pages.requests) == 2  # one sent, one waiting
    assert connector.outbox.waiting == 1
    poll.cancel()
    assert await connector.outbox.close(0) == 1


async def test_unreachable_feed_is_counted_not_raised() -> None:
    pages = Pages({"http://127.0.0.1:9/feed.xml"})
    connector = Connector(registry(), pages, Kafka())
    report = (await connector.run_once())[0]
    assert (report.discovered, report.new) == (0, 0)
    assert report.summary is not None and report.summary.outcome == "timeout"
    state = connector.state.load_source("demo-a")
    assert state is not None and state.failures == 1


async def test_a_crashing_poll_does_not_stop_the_others() -> None:
    class Exploding(Pages):
        async def fetch(self, url: str, **kwargs: object) -> FetchedPage:  # type: ignore[override]
            if "boom" in url:
                raise RuntimeError("bug")
            return await super().fetch(url, **kwargs)  # type: ignore[arg-type]

    boom = Source(
        id="boom", name_ar="ب", name_latin="B", home="http://127.0.0.1:9/", country="SY",
        affiliation="demo", feeds=("http://127.0.0.1:9/boom.xml",), allow_private=True,
    )  # fmt: skip
    both = SourceRegistry(version=1, sources=(boom, *registry().sources))
    kafka = Kafka()
    reports = await Connector(both, Exploding(), kafka).run_once()
    assert [r.summary.outcome for r in reports if r.summary] == ["error", "ok"]
    assert len(kafka.records) == 2


async def test_run_forever_polls_on_schedule_and_stops_cleanly() -> None:
    pages, kafka = Pages(), Kafka()
    policy = PollingPolicy(floor_s=0.05, min_factor=0.01, jitter=0.0)
    source = registry().sources[0].model_copy(update={"poll_interval_s": 0.1})
    connector = Connector(
        SourceRegistry(version=1, sources=(source,)), pages, kafka, policy=policy,
        rng=random.Random(1)  # noqa: S311,
    )  # fmt: skip
    stop = asyncio.Event()
    run = asyncio.create_task(connector.run_forever(stop))
    await asyncio.sleep(0.8)
    stop.set()
    result = await asyncio.wait_for(run, 5)
    assert (result.reason, result.handed_back, result.polls_cancelled) == ("stopped", 0, 0)
    assert pages.requests.count("http://127.0.0.1:9/feed.xml") >= 3
    assert len(kafka.records) == 2
    state = connector.state.load_source("demo-a")
    assert state is not None and state.polls >= 3 and state.last_new_at is not None


async def test_run_forever_hands_back_pages_when_stopped_during_an_outage() -> None:
    pages, kafka = Pages(), Kafka()
    kafka.down.set()
    config = ConnectorConfig(shutdown_grace_s=0.1, drain_timeout_s=0.1)
    policy = PollingPolicy(jitter=0.0)
    connector = Connector(registry(), pages, kafka, config=config, policy=policy)
    connector.state.save_source(policy.initial("demo-a", 300, 0.0, random.Random(0)))  # noqa: S311
    stop = asyncio.Event()
    run = asyncio.create_task(connector.run_forever(stop))
    await asyncio.sleep(0.3)
    stop.set()
    result = await asyncio.wait_for(run, 5)
    assert result.reason == "stopped"
    assert result.handed_back == 2
    assert connector.state.counts() == {"pending": 2}


async def test_unfetchable_urls_are_given_up_without_ending_the_poll() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><link>http://[broken/a.html</link></item>
<item><link>http://127.0.0.1:99999/port.html</link></item>
<item><link>http://127.0.0.1:9/crash.html</link></item>
<item><link>http://127.0.0.1:9/b.html</link></item></channel></rss>"""

    class Odd(Pages):
        async def fetch(self, url: str, **kwargs: object) -> FetchedPage:  # type: ignore[override]
            if url.endswith("feed.xml"):
                return FetchedPage(url, url, 200, "application/rss+xml", None, feed)
            if "crash" in url:
                raise KeyError("a bug")
            return await super().fetch(url, **kwargs)  # type: ignore[arg-type]

    kafka = Kafka()
    connector = Connector(registry(), Odd(), kafka)
    report = (await connector.run_once())[0]
    assert [r.url for r in kafka.records] == ["http://127.0.0.1:9/b.html"]
    assert report.summary is not None and report.summary.outcome == "ok"
    sample = connector.metrics.registry.get_sample_value
    assert sample("marsad_connector_items_total", {"source": "demo-a", "outcome": "bad_url"}) == 1
    assert (
        sample("marsad_connector_fetches_total", {"source": "demo-a", "outcome": "internal_error"})
        == 1
    )
