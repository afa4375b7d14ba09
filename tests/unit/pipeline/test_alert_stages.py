"""The alert stages without Kafka or an engine: AlertStage (rules on enriched articles, state
in a table, events sent once across crashes) and NotifyStage (index, notify, dead letters)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kernel.records import DeadLetter, EnrichedArticle, TaggedParagraph, Tick
from pipeline.alerts import AlertEvent, AlertState, Change, Evaluator, parse_rules
from pipeline.notifiers import NotifyError, delivery_id
from pipeline.sinks.types import IndexAction, SinkError
from pipeline.stages import SourceRecord, StageOutcome
from pipeline.stages.alerts import (
    TICK_KEY,
    AlertStage,
    NotifyStage,
    alert_record,
    event_from_json,
    mentions_of,
)

NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
RULES = {
    "version": 1,
    "allowed_lateness": "1h",
    "rules": [
        {
            "id": "surge",
            "kind": "threshold",
            "key": ["actor"],
            "window": "1h",
            "count": 3,
            "min_count": 3,
            "min_groups": 2,
        }
    ],
}


def article(n: int, *, actor: str = "nusra", at: datetime = NOW) -> EnrichedArticle:
    return EnrichedArticle(
        url_id=f"{n:032x}",
        url=f"https://outlet{n}.example/{n}",
        source_id=f"outlet{n}",
        outlet=f"outlet{n}",
        title="t",
        story_id=f"story{n}",
        published_at=at,
        fetched_at=at,
        paragraphs=(
            TaggedParagraph(index=0, cluster_id=f"cluster{n}", text="نص", actors=(actor,)),
        ),
    )


def record(value: bytes, offset: int, key: bytes | None = b"k") -> SourceRecord:
    return SourceRecord("news.articles.v1", 0, offset, key, value)


class Letters(list[DeadLetter]):
    async def __call__(self, letter: DeadLetter) -> None:
        self.append(letter)


class Sent(list[AlertEvent]):
    async def __call__(self, event: AlertEvent) -> None:
        self.append(event)


def evaluator(state: AlertState) -> Evaluator:
    return Evaluator(parse_rules(RULES), state)


def stage(table: dict[bytes, bytes], sent: Sent, letters: Letters) -> AlertStage:
    async def published() -> set[str]:
        return {delivery_id(event) for event in sent}

    return AlertStage(
        make_evaluator=evaluator,
        table=table,
        send=sent,
        dead_letter=letters,
        groups={},
        published=published,
        clock=lambda: NOW,
    )


def run(stage_: AlertStage | NotifyStage, rec: SourceRecord) -> StageOutcome:
    return asyncio.run(stage_.process(rec))


def test_a_surge_opens_once_and_the_state_survives_a_restart() -> None:
    table: dict[bytes, bytes] = {}
    sent, letters = Sent(), Letters()
    first = stage(table, sent, letters)
    for n in range(3):
        assert run(first, record(article(n).to_bytes(), n)) is StageOutcome.EVALUATED
    assert [e.change for e in sent] == [Change.OPEN]
    assert table  # the state is in the table

    again = stage(table, sent, letters)  # a restart: rebuilt from the table
    run(again, record(article(2).to_bytes(), 2))  # the last article redone: nothing new
    assert [e.change for e in sent] == [Change.OPEN]
    run(again, record(article(3).to_bytes(), 3))  # a fourth cluster: the alert grows
    assert [e.change for e in sent] == [Change.OPEN, Change.UPDATE]
    assert sent[-1].evidence.observed == 4
    assert letters == []


def test_two_updates_at_the_same_event_time_are_two_events() -> None:
    sent, letters = Sent(), Letters()
    surge = stage({}, sent, letters)
    for n in range(5):  # all published at the same instant: the watermark does not move
        run(surge, record(article(n).to_bytes(), n))
    assert [(e.change, e.evidence.observed) for e in sent] == [
        (Change.OPEN, 3),
        (Change.UPDATE, 4),
        (Change.UPDATE, 5),
    ]
    assert len({delivery_id(e) for e in sent}) == 3


def test_an_event_sent_before_its_state_was_saved_is_not_sent_again() -> None:
    sent, letters = Sent(), Letters()
    lost: dict[bytes, bytes] = {}
    first = stage(lost, sent, letters)
    for n in range(3):
        run(first, record(article(n).to_bytes(), n))
    assert [e.change for e in sent] == [Change.OPEN]
    # the crash lost every state write: the restarted stage evaluates all three again
    again = stage({}, sent, letters)
    for n in range(3):
        run(again, record(article(n).to_bytes(), n))
    assert [e.change for e in sent] == [Change.OPEN]  # recognised on the topic, not resent


def test_a_bad_record_is_a_dead_letter_and_changes_nothing() -> None:
    table: dict[bytes, bytes] = {}
    sent, letters = Sent(), Letters()
    outcome = run(stage(table, sent, letters), record(b'{"url_id": 1}', 7))
    assert outcome is StageOutcome.DEAD_LETTER
    assert [(d.stage, d.offset, d.error_type) for d in letters] == [("alerts", 7, "bad_record")]
    assert sent == []


def test_a_tick_closes_windows_only_while_the_stream_is_live() -> None:
    table: dict[bytes, bytes] = {}
    sent, letters = Sent(), Letters()
    live = stage(table, sent, letters)
    for n in range(3):
        run(live, record(article(n).to_bytes(), n))
    far = Tick(tick=NOW + timedelta(days=30)).to_bytes()
    run(live, record(far, 3, key=TICK_KEY))  # a month ahead of the data: not this stream's time
    assert [e.change for e in sent] == [Change.OPEN]
    near = Tick(tick=NOW + timedelta(hours=5)).to_bytes()
    run(live, record(near, 4, key=TICK_KEY))  # hours later, no article: the alert resolves
    assert [e.change for e in sent] == [Change.OPEN, Change.RESOLVE]


def test_mentions_carry_the_outlet_group_and_the_event_time() -> None:
    (mention,) = mentions_of(article(1), {"outlet1": "group-a"})
    assert (mention.group, mention.time, mention.cluster_id) == ("group-a", NOW, "cluster1")
    (unknown,) = mentions_of(article(2), {})
    assert unknown.group == "outlet2"  # a source of no group is its own


# -- notify -------------------------------------------------------------------------------


class Writes(list[IndexAction]):
    def __init__(self, error: SinkError | None = None) -> None:
        super().__init__()
        self.error = error

    async def __call__(self, actions: Sequence[IndexAction]) -> None:
        if self.error is not None:
            raise self.error
        self.extend(actions)


class Notifier:
    name = "fake"

    def __init__(self, failures: Sequence[NotifyError] = ()) -> None:
        self.failures = list(failures)
        self.sent: list[AlertEvent] = []

    async def send(self, event: AlertEvent) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(event)

    async def close(self) -> None:
        return None


async def no_wait(delay: float) -> None:
    return None


def opened_event() -> AlertEvent:
    sent, letters = Sent(), Letters()
    surge = stage({}, sent, letters)
    for n in range(3):
        run(surge, record(article(n).to_bytes(), n))
    (event,) = sent
    return event


def test_alert_events_travel_as_json_and_come_back_equal() -> None:
    event = opened_event()
    key, value = alert_record(event)
    assert key == event.alert_id.encode()
    assert event_from_json(json.loads(value)) == event


def test_notify_indexes_then_notifies_retrying_a_failure() -> None:
    event = opened_event()
    writes, letters = Writes(), Letters()
    notifier = Notifier([NotifyError("503", retriable=True)])
    notify = NotifyStage(write=writes, notifiers=[notifier], dead_letter=letters, sleep=no_wait)
    _, value = alert_record(event)
    assert run(notify, record(value, 5)) is StageOutcome.NOTIFIED
    assert [(a.kind, a.doc_id) for a in writes] == [("alerts", delivery_id(event))]
    assert notifier.sent == [event]
    assert letters == []


def test_notify_refused_for_good_is_a_dead_letter_with_where_it_was() -> None:
    event = opened_event()
    writes, letters = Writes(), Letters()
    notifier = Notifier([NotifyError("401", retriable=False)])
    notify = NotifyStage(write=writes, notifiers=[notifier], dead_letter=letters, sleep=no_wait)
    _, value = alert_record(event)
    run(notify, SourceRecord("news.alerts.v1", 0, 9, b"k", value))
    assert [(d.stage, d.offset, d.error_type) for d in letters] == [
        ("notify:fake", 9, "notify_refused")
    ]


def test_historical_events_are_indexed_but_page_nobody() -> None:
    event = replace(opened_event(), historical=True)
    writes, letters = Writes(), Letters()
    notifier = Notifier()
    notify = NotifyStage(write=writes, notifiers=[notifier], dead_letter=letters, sleep=no_wait)
    _, value = alert_record(event)
    run(notify, record(value, 1))
    assert len(writes) == 1
    assert notifier.sent == []


def test_an_index_refusal_is_a_dead_letter_and_the_notification_still_goes() -> None:
    event = opened_event()
    writes, letters = Writes(SinkError("mapping", retriable=False)), Letters()
    notifier = Notifier()
    notify = NotifyStage(write=writes, notifiers=[notifier], dead_letter=letters, sleep=no_wait)
    _, value = alert_record(event)
    run(notify, record(value, 2))
    assert [d.error_type for d in letters] == ["index_refused"]
    assert notifier.sent == [event]


@pytest.mark.parametrize("value", [b"not json", b"{}", b'{"alert_id": "x"}'])
def test_notify_turns_what_is_not_an_alert_event_into_a_dead_letter(value: bytes) -> None:
    writes, letters = Writes(), Letters()
    notify = NotifyStage(write=writes, notifiers=[Notifier()], dead_letter=letters)
    assert run(notify, record(value, 3)) is StageOutcome.DEAD_LETTER
    assert writes == []
    assert [d.error_type for d in letters] == ["bad_record"]
