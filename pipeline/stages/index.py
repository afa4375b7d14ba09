"""The index stage: extracted article in, enriched documents acknowledged by the engine out.

Enrichment (deduplication, tagging) is pluggable: an :class:`Enricher` turns an article
into index actions plus state changes; the changes are committed only after the engine
acknowledged the documents. Then the enriched article (if the enricher made one) is handed
to ``publish`` (the worker writes it to ``news.articles.v1``, for the alert rules); the
event is acknowledged after that, so a crash in between publishes it again on restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from kernel.records import EnrichedArticle, ExtractedArticle
from kernel.retry import RetryPolicy
from pipeline.document import article_document
from pipeline.metrics import (
    ARTICLES,
    ARTICLES_RECEIVED,
    BULK_SECONDS,
    DOCUMENTS,
    ENRICH_SECONDS,
    INDEX_RETRIES,
    cpu_step,
)
from pipeline.sinks.types import IndexAction, SinkError
from pipeline.stages.base import (
    STAGE_RETRY,
    BadRecord,
    DeadLetterSender,
    SourceRecord,
    reject,
    validation_reason,
    with_retry,
)
from pipeline.stages.outcomes import DeadLetterError, StageOutcome

log = logging.getLogger(__name__)

StateChange = tuple[str, dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Enrichment:
    actions: tuple[IndexAction, ...]
    changes: tuple[StateChange, ...] = field(default=())
    article: EnrichedArticle | None = None
    """The article as indexed (clusters, tags), for ``news.articles.v1``; None: nothing to
    publish (no dedupe, no tags)."""


Publisher = Callable[[EnrichedArticle], Awaitable[Awaitable[object] | None]]
"""Queues an enriched article for ``news.articles.v1`` and returns once it is queued, with an
awaitable for Kafka's acknowledgement (or None: already acknowledged)."""
Outcome = Literal[StageOutcome.INDEXED, StageOutcome.DEAD_LETTER]


class DocumentWriter(Protocol):
    """All the index stage needs of a sink (a :class:`~pipeline.sinks.types.SearchSink` is one;
    so is a replay's batch)."""

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None: ...


class Enricher(Protocol):
    def enrich(self, article: Any) -> Enrichment: ...
    async def commit(self, enrichment: Enrichment) -> None: ...


def decode_extracted(value: bytes) -> ExtractedArticle:
    return ExtractedArticle.model_validate_json(value)


class BasicEnricher:
    """The article document alone, no state."""

    def enrich(self, article: ExtractedArticle) -> Enrichment:
        return Enrichment((IndexAction("articles", article.url_id, article_document(article)),))

    async def commit(self, enrichment: Enrichment) -> None:
        return None


class IndexStage:
    name = "index"

    def __init__(
        self,
        sink: DocumentWriter,
        dead_letter: DeadLetterSender,
        enricher: Enricher | None = None,
        retry: RetryPolicy | None = None,
        *,
        publish: Publisher | None = None,
        decode: Callable[[bytes], Any] = decode_extracted,
    ) -> None:
        """``decode`` turns a record's value into what ``enricher`` takes (an extracted article
        by default; in the worker, a :class:`~pipeline.enrich.DedupedArticle`); it raises
        pydantic's ``ValidationError`` or :class:`BadRecord` for a record that is not one."""
        self._decode = decode
        self._sink = sink
        self._dead_letter = dead_letter
        self._enricher = enricher or BasicEnricher()
        self._retry = retry or STAGE_RETRY
        self._publish = publish

    async def process(self, record: SourceRecord) -> Outcome:
        (outcome,) = await self.process_batch([record])
        return outcome

    async def process_batch(self, records: Sequence[SourceRecord]) -> list[Outcome]:
        """Enrich each record in order, write all their documents in one bulk call, then commit
        their state changes and publish them, in order; returns each record's outcome.

        One bulk request for many articles costs the engine and the client far less than one
        per article. If the engine refuses the batch for good, each article is written alone,
        so that only the ones it refuses go to the DLQ. Any other failure (the engine or Kafka
        down past the retry deadline) raises before a state change is committed: the caller
        acknowledges none of the batch and it is redone after restart."""
        outcomes: list[Outcome] = []
        enriched: list[tuple[int, SourceRecord, Enrichment]] = []
        for record in records:
            enrichment = await self._enrich(record)
            if enrichment is not None:
                enriched.append((len(outcomes), record, enrichment))
            outcomes.append(
                StageOutcome.DEAD_LETTER if enrichment is None else StageOutcome.INDEXED
            )
        refused = await self._write(enriched)
        for position, record, enrichment in enriched:
            await self._enricher.commit(enrichment)  # a refused article: the state saw it too
            if (reason := refused.get(position)) is not None:
                ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
                outcomes[position] = await reject(
                    self._dead_letter, self.name, record, DeadLetterError.INDEX_REFUSED, reason
                )
        written = [(p, e) for p, _, e in enriched if p not in refused]
        if self._publish is not None:
            # queued in order, then every acknowledgement awaited at once; Kafka down: raises,
            # the worker stops
            acks = [await self._publish(e.article) for _, e in written if e.article is not None]
            await asyncio.gather(*(ack for ack in acks if ack is not None))
        for _, enrichment in written:
            ARTICLES.labels(StageOutcome.INDEXED).inc()
            for index, count in Counter(a.kind for a in enrichment.actions).items():
                DOCUMENTS.labels(index).inc(count)
        return outcomes

    async def _enrich(self, record: SourceRecord) -> Enrichment | None:
        """The record's documents and state changes; None once it is in the DLQ."""
        ARTICLES_RECEIVED.inc()
        try:
            with cpu_step("decode"):
                article = self._decode(record.value)
            started = time.perf_counter()
            enrichment = self._enricher.enrich(article)
            ENRICH_SECONDS.observe(time.perf_counter() - started)
        except (ValidationError, BadRecord) as exc:
            ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
            reason = validation_reason(exc) if isinstance(exc, ValidationError) else str(exc)
            await reject(self._dead_letter, self.name, record, DeadLetterError.BAD_RECORD, reason)
            return None
        except Exception as exc:
            log.exception("enrichment failed at %s", record.where)
            ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
            await reject(self._dead_letter, self.name, record, type(exc).__name__, str(exc))
            return None
        return enrichment

    async def _write(self, enriched: list[tuple[int, SourceRecord, Enrichment]]) -> dict[int, str]:
        """Every document in one bulk call (retried); the positions the engine refused for
        good, with its reason. If it refuses the batch, each article is tried alone."""
        if not enriched:
            return {}
        actions = [action for _, _, enrichment in enriched for action in enrichment.actions]
        last = enriched[-1][1]
        try:
            await with_retry(self._timed_bulk(actions), self._retry, last, "engine")
        except SinkError as exc:  # refused for good (mapping error, bad document)
            if len(enriched) == 1:
                return {enriched[0][0]: str(exc)}
            log.warning("bulk of %d articles refused (%s); writing each alone", len(enriched), exc)
            refused: dict[int, str] = {}
            for position, record, enrichment in enriched:
                refused |= await self._write([(position, record, enrichment)])
            return refused
        return {}

    def _timed_bulk(self, actions: Sequence[IndexAction]) -> Callable[[], Awaitable[None]]:
        """The engine call for the retry loop: each try timed, each try after the first counted."""
        tries = 0

        async def bulk() -> None:
            nonlocal tries
            tries += 1
            if tries > 1:
                INDEX_RETRIES.labels("engine").inc()
            started = time.perf_counter()
            outcome = "error"
            try:
                await self._sink.bulk(actions)
                outcome = "ok"
            finally:
                BULK_SECONDS.labels(outcome).observe(time.perf_counter() - started)

        return bulk
