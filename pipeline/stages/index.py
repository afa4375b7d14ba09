"""The index stage: extracted article in, enriched documents acknowledged by the engine out.

Enrichment (deduplication, tagging) is pluggable: an :class:`Enricher` turns an article
into index actions plus state changes; the changes are committed only after the engine
acknowledged the documents.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from kernel.records import ExtractedArticle
from pipeline.document import article_document
from pipeline.metrics import ARTICLES
from pipeline.sink import IndexAction, SearchSink, SinkError
from pipeline.stages.base import (
    DeadLetterSender,
    RetryPolicy,
    SourceRecord,
    reject,
    validation_reason,
    with_retry,
)

log = logging.getLogger(__name__)

StateChange = tuple[str, dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Enrichment:
    actions: tuple[IndexAction, ...]
    changes: tuple[StateChange, ...] = field(default=())


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
        sink: SearchSink,
        dead_letter: DeadLetterSender,
        enricher: Enricher | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._sink = sink
        self._dead_letter = dead_letter
        self._enricher = enricher or BasicEnricher()
        self._retry = retry or RetryPolicy()

    async def process(self, record: SourceRecord) -> Literal["indexed", "dead_letter"]:
        try:
            article = ExtractedArticle.model_validate_json(record.value)
            enrichment = self._enricher.enrich(article)
        except ValidationError as exc:
            ARTICLES.labels("dead_letter").inc()
            return await reject(
                self._dead_letter, self.name, record, "bad_record", validation_reason(exc)
            )
        except Exception as exc:
            log.exception("enrichment failed at %s", record.where)
            ARTICLES.labels("dead_letter").inc()
            return await reject(self._dead_letter, self.name, record, type(exc).__name__, str(exc))
        try:
            await with_retry(
                lambda: self._sink.bulk(enrichment.actions), self._retry, record, "engine"
            )
        except SinkError as exc:  # refused for good (mapping error, bad document)
            ARTICLES.labels("dead_letter").inc()
            await self._enricher.commit(enrichment)  # the state saw the article all the same
            return await reject(self._dead_letter, self.name, record, "index_refused", str(exc))
        await self._enricher.commit(enrichment)
        ARTICLES.labels("indexed").inc()
        return "indexed"
