"""The index stage: extracted article in, enriched documents acknowledged by the engine out.

Enrichment (deduplication, tagging) is pluggable: an :class:`Enricher` turns an article
into index actions plus state changes; the changes are committed only after the engine
acknowledged the documents. Then the enriched article (if the enricher made one) is handed
to ``publish`` (the worker writes it to ``news.articles.v1``, for the alert rules); the
event is acknowledged after that, so a crash in between publishes it again on restart.
"""

from __future__ import annotations

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
)
from pipeline.sinks.types import IndexAction, SinkError
from pipeline.stages.base import (
    STAGE_RETRY,
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


Publisher = Callable[[EnrichedArticle], Awaitable[None]]


class DocumentWriter(Protocol):
    """All the index stage needs of a sink (a :class:`~pipeline.sinks.types.SearchSink` is one;
    so is a replay's batch)."""

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None: ...


class Enricher(Protocol):
    def enrich(self, article: ExtractedArticle) -> Enrichment: ...
    async def commit(self, enrichment: Enrichment) -> None: ...


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
        publish: Publisher | None = None,
    ) -> None:
        self._sink = sink
        self._dead_letter = dead_letter
        self._enricher = enricher or BasicEnricher()
        self._retry = retry or STAGE_RETRY
        self._publish = publish

    async def process(
        self, record: SourceRecord
    ) -> Literal[StageOutcome.INDEXED, StageOutcome.DEAD_LETTER]:
        ARTICLES_RECEIVED.inc()
        try:
            article = ExtractedArticle.model_validate_json(record.value)
            started = time.perf_counter()
            enrichment = self._enricher.enrich(article)
            ENRICH_SECONDS.observe(time.perf_counter() - started)
        except ValidationError as exc:
            ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
            return await reject(
                self._dead_letter,
                self.name,
                record,
                DeadLetterError.BAD_RECORD,
                validation_reason(exc),
            )
        except Exception as exc:
            log.exception("enrichment failed at %s", record.where)
            ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
            return await reject(self._dead_letter, self.name, record, type(exc).__name__, str(exc))
        try:
            await with_retry(self._timed_bulk(enrichment), self._retry, record, "engine")
        except SinkError as exc:  # refused for good (mapping error, bad document)
            ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
            await self._enricher.commit(enrichment)  # the state saw the article all the same
            return await reject(
                self._dead_letter, self.name, record, DeadLetterError.INDEX_REFUSED, str(exc)
            )
        await self._enricher.commit(enrichment)
        if self._publish is not None and enrichment.article is not None:
            await self._publish(enrichment.article)  # Kafka down: raises, the worker stops
        ARTICLES.labels(StageOutcome.INDEXED).inc()
        for index, count in Counter(action.kind for action in enrichment.actions).items():
            DOCUMENTS.labels(index).inc(count)
        return StageOutcome.INDEXED

    def _timed_bulk(self, enrichment: Enrichment) -> Callable[[], Awaitable[None]]:
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
                await self._sink.bulk(enrichment.actions)
                outcome = "ok"
            finally:
                BULK_SECONDS.labels(outcome).observe(time.perf_counter() - started)

        return bulk
