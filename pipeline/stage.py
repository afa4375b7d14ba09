"""The index stage: raw page in, article document acknowledged by the engine out.

Three outcomes for every record, never an exception out of the agent loop:

- indexed: the engine acknowledged the document (only then may the offset be committed);
- dead letter: the record cannot be processed (bad record, undecodable, no article text,
  document refused by the engine); it goes to ``news.dlq.v1`` with stage, offset and reason;
- retry: the engine is unreachable or overloaded; retried with jittered back-off until a
  deadline, after which :class:`DependencyUnavailable` asks the worker to stop *without*
  committing, so the record is processed again after restart.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from pipeline.document import build_article
from pipeline.exceptions import MarsadError
from pipeline.metrics import DEAD_LETTERS, PAGES, PROCESS_SECONDS, SINK_RETRIES
from pipeline.records import DeadLetter, RawPage
from pipeline.sink import SearchSink, SinkError
from pipeline.text import TextError

log = logging.getLogger(__name__)

Outcome = Literal["indexed", "dead_letter"]
DeadLetterSender = Callable[[DeadLetter], Awaitable[None]]


class DependencyUnavailable(MarsadError):
    """A dependency stayed unreachable past its deadline; the worker must stop."""


@dataclass(frozen=True, slots=True)
class SourceRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes

    @property
    def where(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    deadline_s: float = 300.0
    first_delay_s: float = 0.5
    max_delay_s: float = 15.0


class IndexStage:
    """Processes one record at a time; wire it to a stream and a DLQ sender."""

    name = "index"

    def __init__(
        self,
        sink: SearchSink,
        dead_letter: DeadLetterSender,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._sink = sink
        self._dead_letter = dead_letter
        self._retry = retry or RetryPolicy()

    async def process(self, record: SourceRecord) -> Outcome:
        started = time.perf_counter()
        try:
            page = RawPage.model_validate_json(record.value)
            document = build_article(page, source_offset=record.where)
        except ValidationError as exc:
            return await self._reject(record, "bad_record", exc, _validation_reason(exc))
        except TextError as exc:
            return await self._reject(record, type(exc).__name__, exc, str(exc))
        except Exception as exc:
            log.exception("unexpected error at %s", record.where)
            return await self._reject(record, type(exc).__name__, exc, str(exc))
        try:
            await self._index_with_retry(page.url_id, document, record)
        except SinkError as exc:  # refused for good (mapping error, bad document)
            return await self._reject(record, "index_refused", exc, str(exc))
        PAGES.labels("indexed").inc()
        PROCESS_SECONDS.observe(time.perf_counter() - started)
        return "indexed"

    async def _index_with_retry(
        self, doc_id: str, document: dict[str, object], record: SourceRecord
    ) -> None:
        deadline = time.monotonic() + self._retry.deadline_s
        delay = self._retry.first_delay_s
        while True:
            try:
                await self._sink.index("articles", doc_id, document)
                return
            except SinkError as exc:
                if not exc.retryable:
                    raise
                if time.monotonic() + delay > deadline:
                    raise DependencyUnavailable(
                        f"search engine unavailable for {self._retry.deadline_s:.0f}s "
                        f"while indexing {record.where}: {exc}"
                    ) from exc
                SINK_RETRIES.labels("articles").inc()
                log.warning("index retry at=%s in=%.1fs reason=%s", record.where, delay, exc)
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
                delay = min(delay * 2, self._retry.max_delay_s)

    async def _reject(
        self, record: SourceRecord, error: str, exc: Exception, reason: str
    ) -> Outcome:
        letter = DeadLetter(
            stage=self.name,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode("utf-8", "replace") if record.key else None,
            error_type=error,
            reason=reason[:500],
            value_b64=base64.b64encode(record.value).decode("ascii")
            if len(record.value) < 1_000_000
            else None,
        )
        await self._dead_letter(letter)
        DEAD_LETTERS.labels(self.name, error).inc()
        PAGES.labels("dead_letter").inc()
        log.warning(
            "dead letter at=%s error=%s reason=%s", record.where, type(exc).__name__, reason[:200]
        )
        return "dead_letter"


def _validation_reason(exc: ValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {"msg": str(exc), "loc": ()}
    where = ".".join(str(p) for p in first.get("loc", ())) or "record"
    return f"invalid page record: {where}: {first.get('msg')} ({exc.error_count()} errors)"
