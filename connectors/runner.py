"""The connector loop: poll each source's feeds, fetch new articles, publish them.

A page is marked seen only after Kafka acknowledged it, so a failed fetch or publish is
retried on the next poll instead of being lost.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from connectors.exceptions import FetchError, PublishError
from connectors.feeds import parse_feed
from connectors.fetch import FetchedPage
from connectors.metrics import FETCH_SECONDS, FETCHES, ITEMS, POLLS, PUBLISHED
from connectors.sources import Source, SourceRegistry
from connectors.urls import canonicalize, url_id
from pipeline.records import RawPage, utcnow

log = logging.getLogger(__name__)


class PageFetcher(Protocol):
    async def fetch(self, url: str) -> FetchedPage: ...


class RawPagePublisher(Protocol):
    async def publish(self, page: RawPage) -> tuple[int, int]: ...


@dataclass(slots=True)
class PollReport:
    source: str
    discovered: int = 0
    new: int = 0
    published: int = 0
    failed: int = 0


class Connector:
    """Polls every source of a registry and publishes what it fetches."""

    def __init__(
        self, registry: SourceRegistry, fetcher: PageFetcher, publisher: RawPagePublisher
    ) -> None:
        self._registry = registry
        self._fetcher = fetcher
        self._publisher = publisher
        self._seen: set[str] = set()

    async def poll_source(self, source: Source) -> PollReport:
        report = PollReport(source=source.id)
        for feed_url in source.feeds:
            try:
                feed_page = await self._fetcher.fetch(str(feed_url))
            except FetchError as exc:
                POLLS.labels(source.id, exc.outcome).inc()
                log.warning(
                    "feed fetch failed source=%s outcome=%s %s", source.id, exc.outcome, exc
                )
                report.failed += 1
                continue
            feed = parse_feed(feed_page.body, feed_page.final_url)
            if feed.problem and not feed.entries:
                POLLS.labels(source.id, "bad_feed").inc()
                log.warning(
                    "unusable feed source=%s url=%s problem=%s", source.id, feed_url, feed.problem
                )
                report.failed += 1
                continue
            POLLS.labels(source.id, "ok").inc()
            for entry in feed.entries:
                report.discovered += 1
                try:
                    key = url_id(entry.url)
                except ValueError:
                    ITEMS.labels(source.id, "bad_url").inc()
                    continue
                if key in self._seen:
                    ITEMS.labels(source.id, "seen").inc()
                    continue
                ITEMS.labels(source.id, "new").inc()
                report.new += 1
                if await self._fetch_and_publish(
                    source, entry.url, key, entry.published, entry.title
                ):
                    report.published += 1
                else:
                    report.failed += 1
        return report

    async def _fetch_and_publish(
        self, source: Source, url: str, key: str, published: datetime | None, title: str | None
    ) -> bool:
        started = time.perf_counter()
        try:
            page = await self._fetcher.fetch(url)
        except FetchError as exc:
            FETCHES.labels(source.id, exc.outcome).inc()
            log.warning("page fetch failed source=%s outcome=%s %s", source.id, exc.outcome, exc)
            return False
        FETCH_SECONDS.labels(source.id).observe(time.perf_counter() - started)
        FETCHES.labels(source.id, "ok").inc()
        record = RawPage(
            url_id=key,
            url=url,
            canonical_url=canonicalize(url),
            source_id=source.id,
            outlet=source.name_ar,
            fetched_at=utcnow(),
            published_at=published,
            feed_title=title,
            http_status=page.status,
            content_type=page.content_type,
            charset=page.charset,
            body_b64=RawPage.encode_body(page.body),
        )
        try:
            partition, offset = await self._publisher.publish(record)
        except PublishError as exc:
            log.error(  # noqa: TRY400 - the reason is in the message; no traceback wanted
                "publish failed source=%s url_id=%s %s", source.id, key, exc
            )
            return False
        self._seen.add(key)
        PUBLISHED.labels(source.id).inc()
        log.info(
            "published source=%s url_id=%s at=%s[%d]@%d", source.id, key, "pages", partition, offset
        )
        return True

    async def run_once(self) -> list[PollReport]:
        """Poll every source once, concurrently; return what each poll did."""
        return list(await asyncio.gather(*(self.poll_source(s) for s in self._registry.sources)))

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll each source at its own interval (with jitter) until ``stop`` is set."""
        await asyncio.gather(*(self._source_loop(s, stop) for s in self._registry.sources))

    async def _source_loop(self, source: Source, stop: asyncio.Event) -> None:
        while not stop.is_set():
            report = await self.poll_source(source)
            log.info(
                "polled source=%s discovered=%d new=%d published=%d failed=%d",
                source.id,
                report.discovered,
                report.new,
                report.published,
                report.failed,
            )
            delay = source.poll_interval_s * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                continue
