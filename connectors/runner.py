"""The connector loop: poll each source's ways in, fetch the new articles, publish them.

Discovered article URLs are recorded as *pending* in the state store before anything is
fetched; a page is marked *fetched* only after Kafka acknowledged it (:mod:`connectors.outbox`),
so a failed fetch, a broker outage or a restart never loses an article, and an article already
fetched is never fetched again, even after a restart.

``run_forever`` polls each source when its schedule says (:mod:`connectors.schedule`), with a
bound on concurrent polls, until ``stop`` is set; then it lets running polls finish for a grace
period, waits for Kafka to acknowledge what was fetched, and hands back the rest (still pending:
fetched again by the next run).

An article whose fetch failed is fetched again later, after the project's back-off
(:mod:`kernel.retry`: ``retry_base_s``, doubling, ±20 %, at least the host's ``Retry-After``),
until ``max_attempts``; the attempt count is persisted, so a restart does not reset it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from connectors.config import ConnectorConfig
from connectors.discovery import Discovery
from connectors.documents import Discovered
from connectors.exceptions import FetchError
from connectors.fetch import FetchedPage
from connectors.metrics import ConnectorMetrics
from connectors.outbox import Outbox
from connectors.outcomes import FetchOutcome, ItemOutcome, PollOutcome, PublishOutcome, RunEnd
from connectors.protocols import PageFetcher, RawPagePublisher
from connectors.schedule import PollingPolicy, PollSummary, SourceState
from connectors.sources import Source, SourceRegistry
from connectors.state import NewArticle, PendingArticle, StateStore
from connectors.urls import canonicalize, url_id
from kernel.records import RawPage, utcnow
from kernel.retry import RetryPolicy

log = logging.getLogger(__name__)

PERMANENT = frozenset(
    {
        FetchOutcome.HTTP_401, FetchOutcome.HTTP_403, FetchOutcome.HTTP_404,
        FetchOutcome.HTTP_410, FetchOutcome.HTTP_451, FetchOutcome.HTTP_4XX,
        FetchOutcome.ROBOTS_DISALLOWED, FetchOutcome.BINARY_CONTENT, FetchOutcome.TOO_LARGE,
        FetchOutcome.BLOCKED_ADDRESS, FetchOutcome.BAD_URL, FetchOutcome.BAD_REDIRECT,
        FetchOutcome.REDIRECT_LOOP, FetchOutcome.TOO_MANY_REDIRECTS,
        FetchOutcome.UNSUPPORTED_ENCODING, FetchOutcome.INTERNAL_ERROR,
    }
)  # fmt: skip
"""Fetching the same URL again would fail the same way: the article is given up at once."""
HOST_WAIT = frozenset({FetchOutcome.DEFERRED, FetchOutcome.HTTP_429, FetchOutcome.HTTP_503})
"""The host asked us to slow down: the poll stops fetching its pages."""
TROUBLE_LIMIT = 3
"""Transient failures in a row after which a poll stops fetching that source's pages."""
ARTICLE_RETRY_CAP_S = 6 * 3600.0
"""The longest back-off before fetching a failed article again; ``max_attempts`` ends the tries
long before with the defaults (60 s doubling: 8 min before the fifth and last)."""


@dataclass(slots=True)
class PollReport:
    source: str
    discovered: int = 0
    new: int = 0
    fetched: int = 0
    published: int = 0
    failed: int = 0
    summary: PollSummary | None = None


@dataclass(frozen=True, slots=True)
class RunResult:
    reason: RunEnd
    """``stopped`` (asked to) or ``stalled`` (Kafka acknowledged nothing past the deadline)."""
    polls_cancelled: int
    handed_back: int


class Connector:
    """Polls every source of a registry and publishes what it fetches."""

    def __init__(
        self,
        registry: SourceRegistry,
        fetcher: PageFetcher,
        publisher: RawPagePublisher,
        *,
        state: StateStore | None = None,
        metrics: ConnectorMetrics | None = None,
        config: ConnectorConfig | None = None,
        policy: PollingPolicy | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._registry = registry
        self._fetcher = fetcher
        self.state = state if state is not None else StateStore()
        self.metrics = metrics if metrics is not None else ConnectorMetrics()
        self.config = config or ConnectorConfig()
        self.policy = policy or PollingPolicy()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._clock = clock
        self._article_retry = RetryPolicy(
            first_delay_s=self.config.retry_base_s,
            max_delay_s=ARTICLE_RETRY_CAP_S,
            jitter=0.2,
            max_attempts=self.config.max_attempts,
        )
        self._discovery = Discovery(fetcher, self.state, self.metrics, self.config)
        self.outbox = Outbox(
            publisher,
            capacity=self.config.outbox_capacity,
            on_ack=self._acked,
            on_refused=self._refused,
            metrics=self.metrics,
            stall_after_s=self.config.stall_after_s,
            rng=self._rng,
        )
        self._in_flight: set[str] = set()
        self._published: Counter[str] = Counter()
        self._stopping = False

    # one poll -----------------------------------------------------------------------------

    async def poll_source(self, source: Source) -> PollReport:
        """Read the ways in, record new article URLs, fetch the due ones, hand them to Kafka."""
        report = PollReport(source=source.id)
        found = await self._discovery.discover(source)
        report.discovered = len(found.entries)
        report.new = self._register(source, found.entries)
        for url, validators, kind in found.validators:  # only once the entries are recorded
            self.state.save_validators(url, validators, kind)
        report.fetched, report.failed = await self._fetch_due(source)
        report.summary = found.tally.summary(report.new)
        self.metrics.polls.labels(source.id, report.summary.outcome).inc()
        return report

    def _register(self, source: Source, entries: list[Discovered]) -> int:
        items = self.metrics.items
        batch: list[NewArticle] = []
        this_poll: set[str] = set()
        for entry in entries:
            try:
                key = url_id(entry.url)
            except ValueError:
                items.labels(source.id, ItemOutcome.BAD_URL).inc()
                continue
            if key in this_poll or key in self._in_flight or self.state.known(key):
                items.labels(source.id, ItemOutcome.SEEN).inc()
                continue
            this_poll.add(key)
            if len(batch) >= source.max_items_per_poll:
                items.labels(source.id, ItemOutcome.OVER_LIMIT).inc()
                continue
            batch.append(NewArticle(key, source.id, entry.url, entry.title, entry.published))
        added = self.state.add_pending(batch, now=self._clock())
        items.labels(source.id, ItemOutcome.NEW).inc(len(added))
        return len(added)

    async def _fetch_due(self, source: Source) -> tuple[int, int]:
        fetched = failed = trouble = 0
        due = self.state.due(source.id, source.max_items_per_poll, now=self._clock())
        for article in due:
            if self._stopping:
                break
            if article.url_id in self._in_flight:
                continue
            self._in_flight.add(article.url_id)
            try:
                page = await self._fetch_article(source, article)
            except FetchError as exc:
                self._in_flight.discard(article.url_id)
                self._article_failed(source, article, exc)
                failed += 1
                if exc.outcome in HOST_WAIT:
                    break
                trouble = 0 if exc.outcome in PERMANENT else trouble + 1
                if trouble >= TROUBLE_LIMIT:
                    break
                continue
            trouble = 0
            self.metrics.fetches.labels(source.id, FetchOutcome.OK).inc()
            self.metrics.bytes.labels(source.id).inc(page.wire_bytes)
            self.metrics.fetch_seconds.labels(source.id).observe(page.elapsed_s)
            record = RawPage(
                url_id=article.url_id,
                url=article.url,
                canonical_url=canonicalize(article.url),
                source_id=source.id,
                outlet=source.name_ar,
                fetched_at=utcnow(),
                published_at=article.published,
                feed_title=article.title,
                http_status=page.status,
                content_type=page.content_type,
                charset=page.charset,
                body_b64=RawPage.encode_body(page.body),
            )
            await self.outbox.put(record)  # waits while the outbox is full: back-pressure
            fetched += 1
        return fetched, failed

    async def _fetch_article(self, source: Source, article: PendingArticle) -> FetchedPage:
        try:
            return await self._fetcher.fetch(article.url, allow_private=source.allow_private)
        except (FetchError, asyncio.CancelledError):
            raise
        except Exception as exc:  # one odd URL must not end the poll, nor recur
            log.exception("fetch crashed source=%s url_id=%s", source.id, article.url_id)
            raise FetchError(FetchOutcome.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}") from exc

    def _article_failed(self, source: Source, article: PendingArticle, exc: FetchError) -> None:
        self.metrics.fetches.labels(source.id, exc.outcome).inc()
        now = self._clock()
        failures = article.attempts + 1
        if exc.outcome in PERMANENT or self._article_retry.gives_up(failures):
            self.state.mark_failed(article.url_id, exc.outcome)
            log.warning(
                "article given up source=%s url_id=%s outcome=%s attempts=%d detail=%s",
                source.id, article.url_id, exc.outcome, failures, exc,
            )  # fmt: skip
            return
        if exc.outcome == FetchOutcome.DEFERRED:  # not the article's fault: not counted
            self.state.retry_later(
                article.url_id, exc.outcome, now + (exc.retry_after_s or 60.0), count=False
            )
            return
        wait = self._article_retry.delay_s(failures, self._rng, server_wait_s=exc.retry_after_s)
        self.state.retry_later(article.url_id, exc.outcome, now + wait)
        log.info(
            "article retry later source=%s url_id=%s outcome=%s in_s=%.0f",
            source.id, article.url_id, exc.outcome, wait,
        )  # fmt: skip

    def _acked(self, page: RawPage, partition: int, offset: int) -> None:
        self.state.mark_fetched(page.url_id, now=self._clock())
        self._in_flight.discard(page.url_id)
        self._published[page.source_id] += 1
        self.metrics.published.labels(page.source_id).inc()
        log.debug(
            "published source=%s url_id=%s at=pages[%d]@%d",
            page.source_id, page.url_id, partition, offset,
        )  # fmt: skip

    def _refused(self, page: RawPage, reason: str) -> None:
        self.state.mark_failed(page.url_id, PublishOutcome.REFUSED)
        self._in_flight.discard(page.url_id)

    # scheduling ---------------------------------------------------------------------------

    def _source_state(self, source: Source, now: float) -> SourceState:
        known = self.state.load_source(source.id)
        if known is not None:
            return known
        spread = min(60.0, 0.02 * len(self._registry.sources))  # 3,000 sources: one minute
        return self.policy.initial(source.id, source.poll_interval_s, now, self._rng, spread)

    def _after_poll(self, source: Source, report: PollReport) -> SourceState:
        now = self._clock()
        summary = report.summary or PollSummary(answered=False, outcome=PollOutcome.ERROR)
        state = self.policy.after_poll(
            self._source_state(source, now), source.poll_interval_s, summary, now, self._rng
        )
        self.state.save_source(state)
        self.metrics.set_health(source.id, state.health)
        log.info(
            "polled source=%s outcome=%s discovered=%d new=%d fetched=%d failed=%d health=%s"
            " next_in_s=%.0f",
            source.id, summary.outcome, report.discovered, report.new, report.fetched,
            report.failed, state.health, state.next_poll_at - now,
        )  # fmt: skip
        return state

    async def _poll_safely(self, source: Source) -> PollReport:
        """A poll that never raises: a bug in one source's poll is logged and counted."""
        try:
            return await self.poll_source(source)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("poll crashed source=%s error=%s", source.id, type(exc).__name__)
            self.metrics.polls.labels(source.id, PollOutcome.ERROR).inc()
            summary = PollSummary(answered=False, outcome=PollOutcome.ERROR, detail=str(exc))
            return PollReport(source.id, summary=summary)

    async def run_once(self) -> list[PollReport]:
        """Poll every source once, wait until Kafka acknowledged every page, return reports."""
        self._published.clear()
        bound = asyncio.Semaphore(self.config.poll_concurrency)

        async def one(source: Source) -> PollReport:
            async with bound:
                report = await self._poll_safely(source)
                self._after_poll(source, report)
                return report

        watch = asyncio.create_task(self.outbox.watch())
        try:
            reports = await asyncio.gather(*(one(s) for s in self._registry.sources))
            await self._join_or_stall()
        finally:
            watch.cancel()
        for report in reports:
            report.published = self._published[report.source]
        return list(reports)

    async def _join_or_stall(self) -> None:
        join = asyncio.create_task(self.outbox.join())
        stalled = asyncio.create_task(self.outbox.stalled.wait())
        await asyncio.wait({join, stalled}, return_when=asyncio.FIRST_COMPLETED)
        join.cancel()
        stalled.cancel()
        if self.outbox.stalled.is_set():
            handed = await self.outbox.close(0)
            log.error("kafka stalled: pages handed back count=%d", handed)

    async def run_forever(self, stop: asyncio.Event) -> RunResult:
        """Poll each source on its schedule until ``stop`` is set or Kafka stalls."""
        sources = {s.id: s for s in self._registry.sources}
        now = self._clock()
        order = itertools.count()
        heap: list[tuple[float, int, str]] = []
        for source in sources.values():
            state = self._source_state(source, now)
            self.metrics.set_health(source.id, state.health)
            heapq.heappush(heap, (state.next_poll_at, next(order), source.id))
        pruned = self.state.prune(self.config.retention_days * 86400, now=now)
        log.info("connector started sources=%d pruned=%d", len(sources), pruned)
        running: set[asyncio.Task[None]] = set()
        wake = asyncio.Event()

        async def poll(source: Source) -> None:
            report = await self._poll_safely(source)
            state = self._after_poll(source, report)
            heapq.heappush(heap, (state.next_poll_at, next(order), source.id))
            wake.set()

        watch = asyncio.create_task(self.outbox.watch())
        last_prune = time.monotonic()
        while not stop.is_set() and not self.outbox.stalled.is_set():
            now = self._clock()
            while heap and heap[0][0] <= now and len(running) < self.config.poll_concurrency:
                _, _, source_id = heapq.heappop(heap)
                task = asyncio.create_task(poll(sources[source_id]), name=f"poll-{source_id}")
                running.add(task)
                task.add_done_callback(running.discard)
            wait = min(1.0, max(0.01, heap[0][0] - now)) if heap else 1.0
            await _first(stop, self.outbox.stalled, wake, timeout=wait)
            wake.clear()
            if time.monotonic() - last_prune > 3600:
                self.state.prune(self.config.retention_days * 86400, now=self._clock())
                last_prune = time.monotonic()
        return await self._shutdown(running, watch)

    async def _shutdown(
        self, running: set[asyncio.Task[None]], watch: asyncio.Task[None]
    ) -> RunResult:
        stalled = self.outbox.stalled.is_set()
        self._stopping = True
        cancelled = 0
        if running:
            log.info("connector stopping polls_running=%d", len(running))
            _, late = await asyncio.wait(set(running), timeout=self.config.shutdown_grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            cancelled = len(late)
        handed = await self.outbox.close(0 if stalled else self.config.drain_timeout_s)
        watch.cancel()
        result = RunResult(RunEnd.STALLED if stalled else RunEnd.STOPPED, cancelled, handed)
        log.info(
            "connector stopped reason=%s polls_cancelled=%d pages_handed_back=%d pending=%d",
            result.reason, cancelled, handed, self.state.counts().get("pending", 0),
        )  # fmt: skip
        return result


async def _first(*events: asyncio.Event, timeout: float) -> None:
    """Return when one of ``events`` is set or ``timeout`` seconds have passed."""
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
