"""``marsad alerts list | show | mark`` and the marks the worker reads back, on a fake sink.

The alerts index holds one document per alert change (:class:`~pipeline.stages.alerts.NotifyStage`
writes ``AlertEvent.as_json()`` under its delivery id); these tests put such documents in
:class:`tests.unit.console.fakes.FakeSink` and run the commands and :mod:`pipeline.alerting`
against it. The real index is exercised by ``tests/integration/test_alerting.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from cli.commands import alerts as command
from pipeline.alerting import alert_events, latest_by_alert, load_marks, mark_alert
from pipeline.alerts import (
    AlertEvent,
    Change,
    ClusterEvidence,
    Evidence,
    Feedback,
    parse_rules,
)
from pipeline.notifiers import delivery_id
from pipeline.sinks.types import SearchSink
from tests.unit.console.fakes import FakeSink

T0 = datetime(2026, 3, 6, 10, tzinfo=UTC)
RULES = parse_rules(
    {
        "version": 1,
        "rules": [
            {"id": "actor-spike", "kind": "spike", "key": ["actor", "governorate"],
             "window": "1h", "reference": "previous"},
            {"id": "new-place", "kind": "new_term", "key": ["place"], "window": "1d",
             "lookback": "14d"},
        ],
    },
    "test rules",
)  # fmt: skip


def event(
    alert_id: str, change: Change, at: datetime, observed: int, rule: str = "actor-spike"
) -> AlertEvent:
    key = (
        {"actor": "هيئة تحرير الشام", "governorate": "Idleb"}
        if rule == "actor-spike"
        else {"place": "سراقب"}
    )
    return AlertEvent(
        alert_id=alert_id,
        change=change,
        rule=rule,
        kind="spike" if rule == "actor-spike" else "new_term",
        key=key,
        window_start=T0,
        window_end=T0 + timedelta(hours=1),
        at=at,
        historical=False,
        evidence=Evidence(
            observed=observed,
            expected=1.0,
            expected_range=(0, 4),
            p_value=0.0004,
            groups=("aljazeera", "syria-state"),
            top_clusters=(
                ClusterEvidence("c1", "https://example.com/a", 3, ("aljazeera", "syria-state")),
            ),
            first_seen=T0 + timedelta(minutes=5),
            reason=f"{observed} mentions against an expected 1.0",
        ),
    )


def engine(sink: FakeSink) -> SearchSink:
    """The fake as the protocol it stands in for (it implements what these calls use)."""
    return cast(SearchSink, sink)


def document(ev: AlertEvent) -> dict[str, Any]:
    return {"_id": delivery_id(ev), **ev.as_json()}


@pytest.fixture
def sink() -> FakeSink:
    # newest first, as the engine sorts them by "at" descending
    events = [
        event("b" * 24, Change.OPEN, T0 + timedelta(hours=3), 1, rule="new-place"),
        event("a" * 24, Change.UPDATE, T0 + timedelta(minutes=50), 9),
        event("a" * 24, Change.OPEN, T0 + timedelta(minutes=30), 6),
        event("c" * 24, Change.RESOLVE, T0 + timedelta(minutes=20), 7),
    ]
    return FakeSink({"alerts": [document(e) for e in events]})


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, sink: FakeSink) -> FakeSink:
    monkeypatch.setattr(command, "open_sink", lambda settings: sink)
    monkeypatch.setattr(command, "resolve", lambda settings: settings)
    return sink


def args(**values: Any) -> argparse.Namespace:
    defaults: dict[str, Any] = {"query": None, "rule": None, "open": False, "limit": 50}
    return argparse.Namespace(**{**defaults, "json": False, **values})


def test_latest_by_alert_gives_one_line_per_alert_open_first(sink: FakeSink) -> None:
    alerts = latest_by_alert(asyncio.run(alert_events(engine(sink))))
    assert [(a["alert_id"][0], a["change"], a["events"]) for a in alerts] == [
        ("b", "open", 1),
        ("a", "update", 2),
        ("c", "resolve", 1),
    ]
    assert alerts[1]["evidence"]["observed"] == 9  # the newest change of alert a


def test_list_prints_each_alert_and_filters_open_ones(
    cli: FakeSink, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.run_list(args(open=True)) == 0
    out, err = capsys.readouterr()
    assert "c" * 24 not in out  # resolved
    assert f"{'a' * 24}  open     actor-spike  actor=هيئة تحرير الشام × governorate=Idleb" in out
    assert "observed 9, expected 1.0 (range 0–4), p=0.0004" in out
    assert "groups aljazeera, syria-state · 2 change(s)" in out
    assert err == "2 of 2 alert(s)\n"


def test_list_by_rule_asks_the_index_for_that_rule_only(
    cli: FakeSink, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.run_list(args(rule="new-place", json=True)) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(a["rule"], a["key"]) for a in lines] == [("new-place", {"place": "سراقب"})]
    kind, body = cli.requests[-1]
    assert kind == "alerts" and {"term": {"rule": "new-place"}} in body["query"]["bool"]["filter"]


def test_show_prints_the_changes_oldest_first_with_evidence(
    cli: FakeSink, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.run_show(argparse.Namespace(alert_id="a" * 24, json=False)) == 0
    out = capsys.readouterr().out
    assert out.index(" open ") < out.index(" update ")
    assert "- https://example.com/a (cluster c1, 3 sighting(s), aljazeera, syria-state)" in out
    assert "first seen 2026-03-06T10:05:00+00:00" in out


def test_show_of_an_unknown_alert_exits_1(
    cli: FakeSink, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.run_show(argparse.Namespace(alert_id="nope", json=False)) == 1
    assert capsys.readouterr().err == "marsad alerts show: no alert nope\n"


def test_mark_marks_every_event_of_the_alert_and_the_worker_reads_it_back(
    cli: FakeSink, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.run_mark(argparse.Namespace(alert_id="a" * 24, verdict="noise")) == 0
    assert capsys.readouterr().out == f"marked {'a' * 24} noise (2 event(s))\n"
    marked = [d for d in cli.docs["alerts"] if d.get("triage")]
    assert {d["alert_id"] for d in marked} == {"a" * 24} and len(marked) == 2
    marks = asyncio.run(load_marks(engine(cli), RULES))
    assert [(rule, key, verdict) for rule, key, verdict, _ in marks] == [
        ("actor-spike", ("هيئة تحرير الشام", "Idleb"), "noise")
    ]
    feedback = Feedback(marks)
    assert len(feedback) == 1


def test_the_newest_mark_of_a_key_wins_and_unknown_rules_are_left_out(sink: FakeSink) -> None:
    asyncio.run(mark_alert(engine(sink), "a" * 24, "noise"))
    docs = sink.docs["alerts"]
    later = (T0 + timedelta(days=1)).isoformat()
    other = {**docs[0], "_id": "x", "rule": "gone-rule", "triage": "noise", "triaged_at": later}
    newer = {
        **docs[1],
        "_id": "y",
        "alert_id": "d" * 24,
        "triage": "expected",
        "triaged_at": "2099-01-01T00:00:00+00:00",
    }
    sink.docs["alerts"] = [*docs, other, newer]
    marks = asyncio.run(load_marks(engine(sink), RULES))
    assert [(rule, verdict) for rule, _, verdict, _ in marks] == [("actor-spike", "expected")]


def test_mark_of_an_unknown_alert_exits_1_and_writes_nothing(
    cli: FakeSink, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.run_mark(argparse.Namespace(alert_id="nope", verdict="expected")) == 1
    assert cli.written == []
    assert capsys.readouterr().err == "marsad alerts mark: no alert nope\n"


def test_an_unreachable_engine_exits_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    down = FakeSink({}, down=True)
    monkeypatch.setattr(command, "open_sink", lambda settings: down)
    monkeypatch.setattr(command, "resolve", lambda settings: settings)
    assert command.run_list(args()) == 2
    assert capsys.readouterr().err == (
        "marsad alerts list: search engine unreachable: connection refused\n"
    )


def test_a_bad_verdict_is_refused_before_any_write(sink: FakeSink) -> None:
    with pytest.raises(ValueError, match="verdict must be one of"):
        asyncio.run(mark_alert(engine(sink), "a" * 24, "boring"))
    assert sink.written == []


def test_mark_takes_only_the_two_verdicts() -> None:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    parsed = parser.parse_args(["alerts", "mark", "a" * 24, "expected"])
    assert (parsed.alert_id, parsed.verdict, parsed.func) == (
        "a" * 24,
        "expected",
        command.run_mark,
    )
    with pytest.raises(SystemExit):
        parser.parse_args(["alerts", "mark", "a" * 24, "boring"])


def test_marsad_search_alerts_searches_the_alerts_index(
    monkeypatch: pytest.MonkeyPatch, sink: FakeSink, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.commands import search  # noqa: PLC0415 - the command under test

    monkeypatch.setattr(search, "open_sink", lambda settings: sink)
    monkeypatch.setattr(search, "resolve", lambda settings: settings)
    parsed = argparse.Namespace(query="سراقب", size=5, json=False, unique=False, alerts=True)
    assert search.run(parsed) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 alert(s) match «سراقب»; showing 3\n")
    kind, body = sink.requests[-1]
    assert kind == "alerts"
    assert body["query"]["bool"]["must"][0]["simple_query_string"]["query"] == "سراقب"
