"""The extract stage: raw page in, clean article out to ``news.extracted.v1``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from pydantic import ValidationError

from kernel.records import ExtractedArticle, RawPage
from pipeline.document import extract_article
from pipeline.metrics import PAGES, PAGES_RECEIVED, PROCESS_SECONDS, cpu_step
from pipeline.stages.base import DeadLetterSender, SourceRecord, reject, validation_reason
from pipeline.stages.outcomes import DeadLetterError, StageOutcome
from pipeline.text import TextError

log = logging.getLogger(__name__)

Forward = Callable[[ExtractedArticle], Awaitable[Awaitable[object] | None]]
"""Queues an article for ``news.extracted.v1`` and returns once it is queued (so that articles
keep the order they were handed in), with an awaitable that waits for Kafka's acknowledgement
(or None: already acknowledged)."""

Outcome = Literal[StageOutcome.EXTRACTED, StageOutcome.DEAD_LETTER]


class ExtractStage:
    """Decodes and extracts pages; forwards them in the order they came, and returns once Kafka
    acknowledged them all."""

    name = "extract"

    def __init__(self, forward: Forward, dead_letter: DeadLetterSender) -> None:
        self._forward = forward
        self._dead_letter = dead_letter

    async def process(self, record: SourceRecord) -> Outcome:
        (outcome,) = await self.process_batch([record])
        return outcome

    async def process_batch(self, records: Sequence[SourceRecord]) -> list[Outcome]:
        """Each page extracted and queued in turn, then every acknowledgement awaited at once:
        within a partition, ``news.extracted.v1`` keeps the pages' order (a replay relies on
        it), and the batch waits for Kafka once, not once per page."""
        outcomes: list[Outcome] = []
        acks: list[Awaitable[object]] = []
        for record in records:
            started = time.perf_counter()
            article = await self._extract(record)
            if article is None:
                outcomes.append(StageOutcome.DEAD_LETTER)
                continue
            if (ack := await self._forward(article)) is not None:
                acks.append(ack)
            PROCESS_SECONDS.observe(time.perf_counter() - started)  # decoded, extracted, queued
            outcomes.append(StageOutcome.EXTRACTED)
        await asyncio.gather(*acks)
        PAGES.labels(StageOutcome.EXTRACTED).inc(outcomes.count(StageOutcome.EXTRACTED))
        return outcomes

    async def _extract(self, record: SourceRecord) -> ExtractedArticle | None:
        """The record's article; None once it is in the DLQ."""
        PAGES_RECEIVED.inc()
        try:
            with cpu_step("extract"):
                page = RawPage.model_validate_json(record.value)
                return extract_article(page, source_offset=record.where)
        except ValidationError as exc:
            PAGES.labels(StageOutcome.DEAD_LETTER).inc()
            await reject(
                self._dead_letter,
                self.name,
                record,
                DeadLetterError.BAD_RECORD,
                validation_reason(exc),
            )
        except TextError as exc:
            PAGES.labels(StageOutcome.DEAD_LETTER).inc()
            await reject(self._dead_letter, self.name, record, type(exc).__name__, str(exc))
        except Exception as exc:
            log.exception("unexpected error at %s", record.where)
            PAGES.labels(StageOutcome.DEAD_LETTER).inc()
            await reject(self._dead_letter, self.name, record, type(exc).__name__, str(exc))
        return None
