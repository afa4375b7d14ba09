"""The alert stages: enriched articles in, alert events out; alert events in, notifications out.

``news.articles.v1 ─► AlertStage ─► news.alerts.v1 ─► NotifyStage ─► alerts index, notifiers``

:class:`AlertStage` turns each :class:`~kernel.records.EnrichedArticle` into mentions (one per
kept paragraph: its cluster, source, outlet group, tags), runs the rules on them
(:class:`~pipeline.alerts.Evaluator`, state in memory) and publishes every alert change to
``news.alerts.v1``; then it writes the state records the article changed to a changelog-backed
table (keyed by rule and alert key), from which the state is rebuilt after a restart. A
:class:`~kernel.records.Tick` (the wall clock, written by a worker's timer) moves event time on
while no article arrives, so windows close and silences are noticed.

Exactly once on the topic, across a crash at any point:

- an article processed again after a restart whose state already holds it changes nothing
  (a cluster counts once per key; an open alert with the same evidence is not news);
- an article whose state changes were lost is evaluated again into the same events (ids and
  event times are deterministic), and those already on ``news.alerts.v1`` (read once at start,
  :func:`published_deliveries`) are not sent again.

:class:`NotifyStage` indexes each event into the alerts index (document id: the delivery id,
so a redone event replaces itself) and hands live (non-historical) ones to every notifier,
each with bounded retries and a dead letter (:func:`pipeline.notifiers.deliver`). A crash
between a notification and the commit sends it again: notifications are at least once, with
the same ``X-Marsad-Delivery`` id for receivers to recognise.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from kernel.records import EnrichedArticle, Tick, utcnow
from kernel.retry import RetryPolicy
from pipeline.alerts import (
    AlertEvent,
    AlertState,
    Change,
    ClusterEvidence,
    Evaluator,
    Evidence,
    Mention,
    coalesce,
    group_of,
)
from pipeline.metrics import ALERT_ARTICLES, ALERT_EVENTS, ALERT_NOTIFICATIONS, cpu_step
from pipeline.notifiers import Delivery, Notifier, deliver, delivery_id
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

TICK_KEY = b"tick"
LIVE_HORIZON = timedelta(days=2)
"""A tick moves event time on only while the stream is this close to the wall clock: a replay
of last year's news is not aged into silences by today's clock."""
FEEDBACK_EVERY_S = 60.0

Mark = tuple[str, tuple[str, ...], str, datetime]
"""(rule id, key values in the rule's key order, "noise" | "expected", when marked)."""


def mentions_of(article: EnrichedArticle, groups: Mapping[str, str]) -> list[Mention]:
    """One mention per kept paragraph of ``article`` (event time: published, else fetched)."""
    when = article.event_time
    group = group_of(article.source_id, groups)
    return [
        Mention(
            time=when,
            source=article.source_id,
            group=group,
            cluster_id=p.cluster_id,
            story_id=article.story_id,
            url=article.url,
            actors=p.actors,
            places=p.places,
            governorates=p.governorates,
            event_types=p.event_types,
            text=p.text,
        )
        for p in article.paragraphs
    ]


def event_bytes(event: AlertEvent) -> bytes:
    return json.dumps(event.as_json(), ensure_ascii=False).encode("utf-8")


def event_from_json(data: Mapping[str, Any]) -> AlertEvent:
    """The inverse of :meth:`AlertEvent.as_json` (a record of ``news.alerts.v1``)."""
    ev = data["evidence"]
    expected_range = ev.get("expected_range")
    first_seen = ev.get("first_seen")
    evidence = Evidence(
        observed=int(ev["observed"]),
        expected=ev.get("expected"),
        expected_range=None if expected_range is None else (expected_range[0], expected_range[1]),
        p_value=ev.get("p_value"),
        groups=tuple(ev.get("groups", ())),
        top_clusters=tuple(
            ClusterEvidence(c["cluster_id"], c["url"], int(c["sightings"]), tuple(c["groups"]))
            for c in ev.get("top_clusters", ())
        ),
        first_seen=None if first_seen is None else datetime.fromisoformat(first_seen),
        reason=str(ev.get("reason", "")),
        notes=dict(ev.get("notes", {})),
    )
    return AlertEvent(
        alert_id=str(data["alert_id"]),
        change=Change(data["change"]),
        rule=str(data["rule"]),
        kind=str(data["kind"]),
        key={str(k): str(v) for k, v in data["key"].items()},
        window_start=datetime.fromisoformat(data["window_start"]),
        window_end=datetime.fromisoformat(data["window_end"]),
        at=datetime.fromisoformat(data["at"]),
        historical=bool(data["historical"]),
        evidence=evidence,
    )


class AlertStage:
    """Evaluates the rules on ``news.articles.v1``; see the module's docstring."""

    name = "alerts"

    def __init__(
        self,
        *,
        make_evaluator: Callable[[AlertState], Evaluator],
        table: MutableMapping[bytes, bytes],
        send: Callable[[AlertEvent], Awaitable[None]],
        dead_letter: DeadLetterSender,
        groups: Mapping[str, str],
        published: Callable[[], Awaitable[set[str]]],
        load_marks: Callable[[], Awaitable[Sequence[Mark]]] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._make_evaluator = make_evaluator
        self._table = table
        self._send = send
        self._dead_letter = dead_letter
        self._groups = groups
        self._load_published = published
        self._load_marks = load_marks
        self._clock = clock
        self._evaluator: Evaluator | None = None
        self._published: set[str] = set()
        self._marks_loaded_at: float | None = None

    async def _ready(self) -> Evaluator:
        """The evaluator, rebuilt from the table on the first record after (re)start."""
        if self._evaluator is None:
            records = list(self._table.items())
            state = AlertState.from_records(records)
            self._published = await self._load_published()
            self._evaluator = self._make_evaluator(state)
            log.info(
                "alert state restored records=%d published_events=%d",
                len(records),
                len(self._published),
            )
        return self._evaluator

    async def process(self, record: SourceRecord) -> StageOutcome:
        evaluator = await self._ready()
        await self._refresh_marks(evaluator)
        now = self._clock()
        try:
            with cpu_step("alerts"):
                if record.key == TICK_KEY:
                    tick = Tick.model_validate_json(record.value).tick
                    watermark = evaluator.state.watermark
                    live = watermark is not None and tick - watermark <= LIVE_HORIZON
                    events = evaluator.advance(tick) if live else []
                else:
                    article = EnrichedArticle.model_validate_json(record.value)
                    events = [
                        event
                        for mention in mentions_of(article, self._groups)
                        for event in evaluator.process(mention, now=now)
                    ]
                    ALERT_ARTICLES.inc()
        except ValidationError as exc:
            return await reject(
                self._dead_letter,
                self.name,
                record,
                DeadLetterError.BAD_RECORD,
                validation_reason(exc),
            )
        for event in coalesce(events):
            delivery = delivery_id(event)
            if delivery in self._published:
                continue  # sent before a crash that lost the state change: not twice
            await self._send(event)  # acknowledged by Kafka, or raises: the worker stops
            self._published.add(delivery)
            ALERT_EVENTS.labels(event.change.value, str(event.historical).lower()).inc()
            log.info(
                "alert %s id=%s rule=%s key=%s observed=%d historical=%s",
                event.change.value,
                event.alert_id,
                event.rule,
                event.key,
                event.evidence.observed,
                event.historical,
            )
        self._write_state(evaluator.state.take_changes())
        return StageOutcome.EVALUATED

    def _write_state(self, changes: Mapping[bytes, bytes | None]) -> None:
        for key, value in changes.items():
            if value is None:
                self._table.pop(key, None)
            else:
                self._table[key] = value

    async def _refresh_marks(self, evaluator: Evaluator) -> None:
        """Analysts' marks (noise, expected) from the alerts index, at most once a minute; the
        engine unreachable keeps the marks known so far."""
        if self._load_marks is None:
            return
        now = time.monotonic()
        if self._marks_loaded_at is not None and now - self._marks_loaded_at < FEEDBACK_EVERY_S:
            return
        self._marks_loaded_at = now
        try:
            marks = await self._load_marks()
        except SinkError as exc:
            log.warning("alert marks not reloaded (kept %s): %s", "the previous ones", exc)
            return
        evaluator.feedback.replace(marks)


class NotifyStage:
    """Indexes each alert event and notifies about live ones; see the module's docstring."""

    name = "notify"

    def __init__(
        self,
        *,
        write: Callable[[Sequence[IndexAction]], Awaitable[None]],
        notifiers: Iterable[Notifier],
        dead_letter: DeadLetterSender,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._write = write
        self._notifiers = tuple(notifiers)
        self._dead_letter = dead_letter
        self._retry = retry or STAGE_RETRY
        self._sleep = sleep

    async def process(self, record: SourceRecord) -> StageOutcome:
        try:
            event = event_from_json(json.loads(record.value))
        except (ValueError, KeyError, TypeError) as exc:
            return await reject(
                self._dead_letter,
                self.name,
                record,
                DeadLetterError.BAD_RECORD,
                f"not an alert event: {type(exc).__name__}: {exc}",
            )
        action = IndexAction("alerts", delivery_id(event), event.as_json())

        async def index() -> None:
            await self._write([action])

        try:
            await with_retry(index, self._retry, record, "engine")
        except SinkError as exc:  # refused for good: the event is still on the topic
            await reject(
                self._dead_letter, self.name, record, DeadLetterError.INDEX_REFUSED, str(exc)
            )
        if event.historical:
            return StageOutcome.NOTIFIED  # a backfill pages nobody; it is indexed all the same
        where = (record.topic, record.partition, record.offset)
        for notifier in self._notifiers:
            outcome = await deliver(
                notifier, event, self._dead_letter, where=where, sleep=self._sleep
            )
            ALERT_NOTIFICATIONS.labels(notifier.name, outcome.value).inc()
            if outcome is Delivery.DEAD_LETTER:
                log.warning("alert %s not delivered by %s", event.alert_id, notifier.name)
        return StageOutcome.NOTIFIED


def alert_record(event: AlertEvent) -> tuple[bytes, bytes]:
    """Key and value of ``event`` on ``news.alerts.v1`` (keyed by alert id: one alert's
    changes stay in order)."""
    return event.alert_id.encode(), event_bytes(event)
