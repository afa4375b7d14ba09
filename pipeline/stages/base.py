"""What every stage shares: the source record, the retry policy, the dead-letter path.

Three outcomes for every record, never an exception out of the agent loop:

- done: the next hop (Kafka or the engine) acknowledged the result; only then may the
  offset be committed;
- dead letter: the record cannot be processed; it goes to ``news.dlq.v1`` with stage,
  offset and reason, and is counted;
- retry: a dependency is unreachable or overloaded; retried with the project's back-off
  (:mod:`kernel.retry`; :data:`STAGE_RETRY`: from 0.5 s, doubling, capped at 15 s, jittered)
  until a deadline (300 s), after which :class:`DependencyUnavailable` asks the worker to stop
  *without* committing, so the record is processed again after restart.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import ValidationError

from kernel.exceptions import MarsadError
from kernel.records import DeadLetter
from kernel.retry import RetryPolicy
from pipeline.metrics import DEAD_LETTERS, SINK_RETRIES
from pipeline.sinks.types import SinkError
from pipeline.stages.outcomes import StageOutcome

log = logging.getLogger(__name__)

DeadLetterSender = Callable[[DeadLetter], Awaitable[None]]
Rejected = Literal[StageOutcome.DEAD_LETTER]
T = TypeVar("T")


class DependencyUnavailable(MarsadError):
    """A dependency stayed unreachable past its deadline; the worker must stop."""


class BadRecord(ValueError):
    """A record that is not what its topic carries (besides pydantic's ``ValidationError``):
    dead-lettered as ``bad_record``."""


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


_WHERE = re.compile(r"^(?P<topic>.+)\[(?P<partition>\d+)\]@(?P<offset>\d+)$")


def parse_where(where: str) -> tuple[str, int, int] | None:
    """(topic, partition, offset) of a :attr:`SourceRecord.where` string (an extracted
    article's ``source_offset``); None if it is not one."""
    found = _WHERE.match(where)
    if found is None:
        return None
    return found["topic"], int(found["partition"]), int(found["offset"])


STAGE_RETRY = RetryPolicy(first_delay_s=0.5, max_delay_s=15.0, deadline_s=300.0)
"""A stage's writes: long enough to ride out an engine restart, short enough that a worker
whose engine is gone stops (and is restarted) rather than hang."""


async def with_retry(
    call: Callable[[], Awaitable[T]], policy: RetryPolicy, record: SourceRecord, what: str
) -> T:
    """Run ``call``, retrying retriable SinkErrors until the policy gives up."""
    retries = policy.start()
    while True:
        try:
            return await call()
        except SinkError as exc:
            if not exc.retriable:
                raise
            delay = retries.next_delay()
            if delay is None:
                raise DependencyUnavailable(
                    f"{what} unavailable for {retries.elapsed_s:.0f}s ({retries.failures} tries)"
                    f" at {record.where}: {exc}"
                ) from exc
            SINK_RETRIES.labels(what).inc()
            log.warning("retry what=%s at=%s in=%.1fs reason=%s", what, record.where, delay, exc)
            await asyncio.sleep(delay)


async def reject(
    send: DeadLetterSender, stage: str, record: SourceRecord, error: str, reason: str
) -> Rejected:
    """Send ``record`` to the DLQ with why; counted."""
    letter = DeadLetter(
        stage=stage,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode("utf-8", "replace") if record.key else None,
        error_type=error,
        reason=reason[:500],
        value_b64=(
            base64.b64encode(record.value).decode("ascii")
            if len(record.value) < 1_000_000
            else None
        ),
    )
    await send(letter)
    DEAD_LETTERS.labels(stage, error).inc()
    log.warning(
        "dead letter stage=%s at=%s error=%s reason=%s", stage, record.where, error, reason[:200]
    )
    return StageOutcome.DEAD_LETTER


def validation_reason(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return f"invalid record: {exc}"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "record"
    return f"invalid record: {where}: {first.get('msg')} ({exc.error_count()} errors)"
