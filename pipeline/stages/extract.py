"""The extract stage: raw page in, clean article out to ``news.extracted.v1``."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from pydantic import ValidationError

from kernel.records import ExtractedArticle, RawPage
from pipeline.document import extract_article
from pipeline.metrics import PAGES, PAGES_RECEIVED, PROCESS_SECONDS
from pipeline.stages.base import DeadLetterSender, SourceRecord, reject, validation_reason
from pipeline.stages.outcomes import DeadLetterError, StageOutcome
from pipeline.text import TextError

log = logging.getLogger(__name__)

Forward = Callable[[ExtractedArticle], Awaitable[None]]


class ExtractStage:
    """Decodes and extracts one page; ``forward`` must return once Kafka acknowledged."""

    name = "extract"

    def __init__(self, forward: Forward, dead_letter: DeadLetterSender) -> None:
        self._forward = forward
        self._dead_letter = dead_letter

    async def process(
        self, record: SourceRecord
    ) -> Literal[StageOutcome.EXTRACTED, StageOutcome.DEAD_LETTER]:
        started = time.perf_counter()
        PAGES_RECEIVED.inc()
        try:
            page = RawPage.model_validate_json(record.value)
            article = extract_article(page, source_offset=record.where)
        except ValidationError as exc:
            PAGES.labels(StageOutcome.DEAD_LETTER).inc()
            return await reject(
                self._dead_letter,
                self.name,
                record,
                DeadLetterError.BAD_RECORD,
                validation_reason(exc),
            )
        except TextError as exc:
            PAGES.labels(StageOutcome.DEAD_LETTER).inc()
            return await reject(self._dead_letter, self.name, record, type(exc).__name__, str(exc))
        except Exception as exc:
            log.exception("unexpected error at %s", record.where)
            PAGES.labels(StageOutcome.DEAD_LETTER).inc()
            return await reject(self._dead_letter, self.name, record, type(exc).__name__, str(exc))
        await self._forward(article)
        PAGES.labels(StageOutcome.EXTRACTED).inc()
        PROCESS_SECONDS.observe(time.perf_counter() - started)
        return StageOutcome.EXTRACTED
