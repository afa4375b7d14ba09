"""The sequence stage: every partition of ``news.extracted.v1`` into the one partition of
``news.sequenced.v1``, the order the dedupe stage decides in.

It runs in every worker, on the partitions of ``news.extracted.v1`` each one holds, and does
the part of the dedupe stage's input checking that needs no state: a record that is not an
extracted article goes to the DLQ here (stage ``sequence``), not onto the single partition.
Records are forwarded as they came (bytes, key), queued in order, and the batch returns once
Kafka acknowledged them all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from pydantic import ValidationError

from kernel.records import ExtractedArticle
from pipeline.metrics import SEQUENCED_ARTICLES, cpu_step
from pipeline.stages.base import DeadLetterSender, SourceRecord, reject, validation_reason
from pipeline.stages.outcomes import DeadLetterError, StageOutcome

log = logging.getLogger(__name__)

ForwardRecord = Callable[[bytes | None, bytes], Awaitable[Awaitable[object] | None]]
"""Queues a record (key, value) for ``news.sequenced.v1``; returns once it is queued, with an
awaitable for Kafka's acknowledgement (or None: already acknowledged)."""

Outcome = Literal[StageOutcome.SEQUENCED, StageOutcome.DEAD_LETTER]


class SequenceStage:
    name = "sequence"

    def __init__(self, forward: ForwardRecord, dead_letter: DeadLetterSender) -> None:
        self._forward = forward
        self._dead_letter = dead_letter

    async def process(self, record: SourceRecord) -> Outcome:
        (outcome,) = await self.process_batch([record])
        return outcome

    async def process_batch(self, records: Sequence[SourceRecord]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        acks: list[Awaitable[object]] = []
        for record in records:
            try:
                with cpu_step("decode"):
                    ExtractedArticle.model_validate_json(record.value)
            except ValidationError as exc:
                SEQUENCED_ARTICLES.labels(StageOutcome.DEAD_LETTER).inc()
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
            if (ack := await self._forward(record.key, record.value)) is not None:
                acks.append(ack)
            outcomes.append(StageOutcome.SEQUENCED)
        await asyncio.gather(*acks)
        SEQUENCED_ARTICLES.labels(StageOutcome.SEQUENCED).inc(
            outcomes.count(StageOutcome.SEQUENCED)
        )
        return outcomes
