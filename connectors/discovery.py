"""Reading a source's ways in: fetch each feed, sitemap (following an index to its newest
children) and listing page with conditional GET, parse it, count the outcome, and sum up what
the poll amounted to for the scheduler."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from connectors.config import ConnectorConfig
from connectors.documents import Discovered, DocumentOutcome, DocumentResult
from connectors.exceptions import FetchError
from connectors.feeds import parse_feed
from connectors.fetch import FetchedPage, Validators
from connectors.listings import parse_listing
from connectors.metrics import ConnectorMetrics
from connectors.outcomes import FetchOutcome, PollOutcome
from connectors.protocols import PageFetcher
from connectors.schedule import PollSummary
from connectors.sitemaps import parse_sitemap
from connectors.sources import Source, WayIn
from connectors.state import StateStore

log = logging.getLogger(__name__)

GONE = frozenset({FetchOutcome.HTTP_404, FetchOutcome.HTTP_410, FetchOutcome.DNS_ERROR})
"""Failures saying a way in is gone (404, 410, no such host): a poll whose ways in all fail
so is ``gone``, and a source gone poll after poll is polled once a day."""


@dataclass(slots=True)
class Tally:
    """The ways in of one poll, as they answered."""

    ways: int = 0
    answered: int = 0
    gone: int = 0
    failures: Counter[FetchOutcome | DocumentOutcome] = field(default_factory=Counter)
    retry_after_s: float | None = None
    slowest_s: float = 0.0
    returned: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self, new_items: int) -> PollSummary:
        answered = self.answered > 0
        gone = not answered and self.ways > 0 and self.gone == self.ways
        outcome: PollOutcome | FetchOutcome | DocumentOutcome
        if answered:
            outcome = PollOutcome.PARTIAL if self.failures else PollOutcome.OK
        elif gone:
            outcome = PollOutcome.GONE
        else:
            # labelled by the commonest failure: a FetchOutcome or a DocumentOutcome
            top = self.failures.most_common(1)
            outcome = top[0][0] if top else PollOutcome.NO_ANSWER
        return PollSummary(
            answered=answered,
            new_items=new_items,
            gone=gone,
            retry_after_s=self.retry_after_s,
            slowest_s=self.slowest_s,
            outcome=outcome,
            detail="; ".join(self.problems),
            returned="; ".join(self.returned),
        )


@dataclass(frozen=True, slots=True)
class Found:
    """Everything a poll's ways in yielded; validators are saved once entries are registered."""

    entries: list[Discovered]
    validators: list[tuple[str, Validators, str]]
    tally: Tally


class Discovery:
    def __init__(
        self,
        fetcher: PageFetcher,
        state: StateStore,
        metrics: ConnectorMetrics,
        config: ConnectorConfig,
    ) -> None:
        self._fetcher = fetcher
        self._state = state
        self._metrics = metrics
        self._config = config

    async def discover(self, source: Source) -> Found:
        found = Found([], [], Tally())
        for way in source.ways_in:
            found.tally.ways += 1
            found.entries.extend(await self._way(source, way, found))
        return found

    async def _way(self, source: Source, way: WayIn, found: Found) -> list[Discovered]:
        tally = found.tally
        validators, last_kind = self._state.validators(way.url)
        if last_kind == "sitemap_index":
            validators = Validators()  # an index's children may change while it does not
        try:
            page, result = await self._document(source, way, way.url, validators)
        except FetchError as exc:
            tally.failures[exc.outcome] += 1
            tally.gone += exc.outcome in GONE
            if exc.retry_after_s is not None:
                tally.retry_after_s = max(tally.retry_after_s or 0.0, exc.retry_after_s)
            tally.returned.append(f"{way.kind}: {exc.outcome}")
            tally.problems.append(str(exc)[:200])
            return []
        tally.slowest_s = max(tally.slowest_s, page.elapsed_s)
        if result is None:
            tally.answered += 1
            tally.returned.append(f"{way.kind}: not modified")
            return []
        tally.returned.append(f"{way.kind}: {result.describe()}")
        if not result.usable:
            tally.failures[result.outcome] += 1
            tally.problems.append(f"{way.url}: {result.outcome}: {result.problem}"[:200])
            return []
        tally.answered += 1
        entries = list(result.entries)
        if result.kind == "sitemap_index" and way.sitemap is not None:
            entries = await self._children(source, way, result)
        found.validators.append((way.url, page.validators, result.kind))
        return entries

    async def _children(
        self, source: Source, way: WayIn, index: DocumentResult
    ) -> list[Discovered]:
        assert way.sitemap is not None  # noqa: S101 - only called for sitemaps
        entries: list[Discovered] = []
        for child in index.children[: way.sitemap.max_children]:
            try:
                _, result = await self._document(source, way, child, Validators())
            except FetchError:
                continue  # counted by _document
            if result is None or not result.usable:
                continue
            if result.kind == "sitemap_index":
                self._metrics.documents.labels(
                    source.id, "sitemap", DocumentOutcome.NESTED_INDEX
                ).inc()
                continue
            entries.extend(result.entries)
        return entries

    async def _document(
        self, source: Source, way: WayIn, url: str, validators: Validators
    ) -> tuple[FetchedPage, DocumentResult | None]:
        """Fetch and parse one document; None for 304. FetchError is counted, then raised."""
        is_sitemap = way.kind == "sitemap"
        try:
            page = await self._fetcher.fetch(
                url,
                validators=validators if (validators.etag or validators.last_modified) else None,
                allow_private=source.allow_private,
                binary_ok=is_sitemap,
                max_bytes=self._config.sitemap_max_bytes if is_sitemap else None,
            )
        except FetchError as exc:
            self._metrics.documents.labels(source.id, way.kind, exc.outcome).inc()
            log.warning(
                "document failed source=%s kind=%s outcome=%s url=%s detail=%s",
                source.id, way.kind, exc.outcome, url, exc,
            )  # fmt: skip
            raise
        self._metrics.bytes.labels(source.id).inc(page.wire_bytes)
        self._metrics.fetch_seconds.labels(source.id).observe(page.elapsed_s)
        if page.not_modified:
            self._metrics.documents.labels(source.id, way.kind, DocumentOutcome.NOT_MODIFIED).inc()
            return page, None
        try:
            result = parse_document(source, way, page, self._config.sitemap_max_bytes)
        except Exception as exc:  # a parser bug on odd input is counted, not fatal
            log.exception("parser failed source=%s kind=%s url=%s", source.id, way.kind, url)
            problem = f"{type(exc).__name__}: {exc}"
            result = DocumentResult(way.kind, DocumentOutcome.PARSE_ERROR, problem=problem)
        self._metrics.documents.labels(source.id, way.kind, result.outcome).inc()
        if not result.usable:
            log.warning(
                "document refused source=%s kind=%s outcome=%s url=%s problem=%s",
                source.id, way.kind, result.outcome, url, result.problem,
            )  # fmt: skip
        return page, result


def parse_document(
    source: Source, way: WayIn, page: FetchedPage, sitemap_max_bytes: int
) -> DocumentResult:
    """Parse a fetched way in as what the source says it is."""
    if way.kind == "feed":
        return parse_feed(page.body, page.final_url, page.content_type)
    if way.kind == "sitemap":
        max_age_h = way.sitemap.max_age_h if way.sitemap else 48.0
        return parse_sitemap(
            page.body, max_age_h=max_age_h, max_bytes=sitemap_max_bytes, url=page.final_url
        )
    pattern = way.listing.pattern if way.listing else ".*"
    home_host = urlsplit(str(source.home)).hostname or ""
    return parse_listing(page.body, page.final_url, pattern, home_host, page.content_type)
