"""The dedupe stage: ``news.sequenced.v1`` (one partition, one total order) in, each article
with its verdict out to ``news.deduped.v1`` (partitioned by ``url_id``).

Only the decision runs here (``Deduplicator.process``: ~0.4 ms an article); tags, documents
and the engine are the index stage's, on every partition. A batch's state changes are written
to the durable table only after Kafka acknowledged every verdict of the batch: a crash in
between redoes the batch from the table as it was, which gives the same verdicts (an article
seen again is a replay to the deduplicator, and changes no count).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from kernel.records import ExtractedArticle
from pipeline.metrics import DEDUPED_ARTICLES, cpu_step
from pipeline.stages.base import DeadLetterSender, SourceRecord, reject, validation_reason
from pipeline.stages.index import StateChange
from pipeline.stages.outcomes import DeadLetterError, StageOutcome

log = logging.getLogger(__name__)

Outcome = Literal[StageOutcome.DEDUPED, StageOutcome.DEAD_LETTER]


class Decider(Protocol):
    """What the stage needs of :class:`pipeline.enrich.DedupeDecider`."""

    def decide(self, article: ExtractedArticle) -> tuple[Any, tuple[StateChange, ...]]: ...
    def commit(self, changes: Sequence[StateChange]) -> None: ...


Forward = Callable[[ExtractedArticle, Any], Awaitable[Awaitable[object] | None]]
"""Queues an article and its verdict for ``news.deduped.v1``; returns once queued, with an
awaitable for Kafka's acknowledgement (or None: already acknowledged)."""


class DedupeStage:
    name = "dedupe"

    def __init__(self, decider: Decider, forward: Forward, dead_letter: DeadLetterSender) -> None:
        self._decider = decider
        self._forward = forward
        self._dead_letter = dead_letter

    async def process(self, record: SourceRecord) -> Outcome:
        (outcome,) = await self.process_batch([record])
        return outcome

    async def process_batch(self, records: Sequence[SourceRecord]) -> list[Outcome]:
        """Decide on each record in order and queue its verdict; once Kafka acknowledged them
        all, write the batch's state changes in order. Kafka down past its deadline raises
        before any state change is written: the batch is redone after restart."""
        outcomes: list[Outcome] = []
        acks: list[Awaitable[object]] = []
        changes: list[tuple[StateChange, ...]] = []
        for record in records:
            try:
                with cpu_step("decode"):
                    article = ExtractedArticle.model_validate_json(record.value)
                verdict, changed = self._decider.decide(article)
            except ValidationError as exc:
                DEDUPED_ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
                outcomes.append(
                    await reject(
                        self._dead_letter,
                        self.name,
                        record,
                        DeadLetterError.BAD_RECORD,
                        validation_reason(exc),
                    )
                )
                continue
            except Exception as exc:
                log.exception("dedupe failed at %s", record.where)
                DEDUPED_ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
                outcomes.append(
                    await reject(self._dead_letter, self.name, record, type(exc).__name__, str(exc))
                )
                continue
            if (ack := await self._forward(article, verdict)) is not None:
                acks.append(ack)
            changes.append(changed)
            outcomes.append(StageOutcome.DEDUPED)
        await asyncio.gather(*acks)
        for changed in changes:
            self._decider.commit(changed)
        DEDUPED_ARTICLES.labels(StageOutcome.DEDUPED).inc(len(changes))
        return outcomes
