"""Analysts' marks: a key marked noise needs a larger rise for a while; expected is flagged."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from pipeline.alerts import (
    AlertEvent,
    AlertState,
    Change,
    Evaluator,
    Feedback,
    Mention,
    RuleConfigError,
    parse_rules,
)
from tests.unit.alerts.test_alert_replay import GROUPS, SPIKE, START, burst

SURGE = START + timedelta(days=2, hours=12)
NUSRA = ("actor-spike", ("nusra",))


def steady(hours: int, skip: datetime) -> list[Mention]:
    """Four mentions of nusra an hour from four groups: the usual rate."""
    return [
        m
        for h in range(hours)
        if START + timedelta(hours=h) != skip
        for m in burst(START + timedelta(hours=h), 4, GROUPS[:4], "nusra")
    ]


def run(
    surge: int,
    marks: list[tuple[str, tuple[str, ...], str, datetime]],
    rule: dict[str, Any] = SPIKE,
    **feedback: Any,
) -> list[AlertEvent]:
    ruleset = parse_rules({"version": 1, "allowed_lateness": "30m", "feedback": feedback,
                           "rules": [rule]})  # fmt: skip
    evaluator = Evaluator(ruleset, feedback=Feedback(marks))
    stream = [*steady(72, SURGE), *burst(SURGE, surge, GROUPS[:6], "nusra")]
    events = [e for m in sorted(stream, key=lambda m: m.time) for e in evaluator.process(m)]
    return [e for e in events if e.change is Change.OPEN]


def noise(at: datetime) -> list[tuple[str, tuple[str, ...], str, datetime]]:
    return [(*NUSRA, "noise", at)]


def test_a_rise_that_fires_does_not_fire_once_the_key_is_marked_noise() -> None:
    plain = run(14, [])
    assert [e.window_start for e in plain] == [SURGE]
    assert "feedback" not in plain[0].evidence.notes
    assert run(14, noise(START + timedelta(days=1))) == []


def test_a_key_marked_noise_still_fires_on_a_much_larger_rise() -> None:
    alerts = run(40, noise(START + timedelta(days=1)))
    assert [e.window_start for e in alerts] == [SURGE]
    evidence = alerts[0].evidence
    assert evidence.expected == pytest.approx(12.0)  # the usual 4 an hour, times 3
    assert evidence.notes["feedback"] == {
        "mark": "noise",
        "marked_at": (START + timedelta(days=1)).isoformat(),
        "until": (START + timedelta(days=15)).isoformat(),
        "factor": 3.0,
    }


def test_after_the_noise_period_the_key_fires_as_before() -> None:
    marked = noise(START)  # two days before the surge
    assert run(14, marked, noise_period="1d") == run(14, [])
    assert run(14, marked, noise_period="3d") == []


def test_the_noise_factor_is_configurable() -> None:
    assert run(20, noise(START), noise_factor=1.5)  # 20 against 6 is still a rise
    assert run(20, noise(START), noise_factor=3) == []  # against 12 it is not (p = 0.021)


def test_a_mark_made_after_the_window_leaves_it_alone() -> None:
    assert run(14, noise(SURGE + timedelta(hours=2))) == run(14, [])


def test_a_threshold_needs_noise_factor_times_the_count() -> None:
    rule = {"id": "actor-spike", "kind": "threshold", "key": ["actor"], "count": 10,
            "min_count": 10, "cooldown": "0m"}  # fmt: skip
    assert [e.window_start for e in run(14, [], rule)] == [SURGE]
    assert run(14, noise(START), rule, noise_factor=2) == []  # needs 20
    assert [e.window_start for e in run(20, noise(START), rule, noise_factor=2)] == [SURGE]


def test_expected_opens_flagged_and_is_not_updated_for_mere_growth() -> None:
    ruleset = parse_rules({"version": 1, "rules": [SPIKE]})
    marks = [(*NUSRA, "expected", START + timedelta(days=2))]
    evaluator = Evaluator(ruleset, feedback=Feedback(marks))
    plain = Evaluator(ruleset)
    events: list[AlertEvent] = []
    plain_events: list[AlertEvent] = []
    stream = [
        *steady(72, SURGE),
        *burst(SURGE, 30, GROUPS[:4], "nusra"),  # grows for a while, from four groups
        *burst(SURGE + timedelta(minutes=55), 1, GROUPS[8:9], "nusra"),  # then a new group
    ]
    for mention in sorted(stream, key=lambda m: m.time):
        events += evaluator.process(mention)
        plain_events += plain.process(mention)
    changes = [e.change for e in events if e.change is not Change.RESOLVE]
    assert changes == [Change.OPEN, Change.UPDATE]
    assert events[0].evidence.notes["feedback"]["mark"] == "expected"
    assert "group-8" in events[1].evidence.groups
    assert [e.change for e in plain_events].count(Change.UPDATE) > 1  # unmarked: every growth


def test_marks_are_replaced_at_runtime_and_the_latest_wins() -> None:
    feedback = Feedback()
    early, late = START, START + timedelta(days=1)
    kept = feedback.replace(
        [
            (*NUSRA, "expected", late),
            (*NUSRA, "noise", early),
            ("actor-spike", ("isis",), "wrong", late),  # not a mark: left out
            ("actor-spike", ("sdf",), "noise", datetime(2025, 9, 1)),  # no time zone
        ]
    )
    assert kept == 1
    assert len(feedback) == 1
    ruleset = parse_rules({"version": 1, "rules": [SPIKE]})
    mark = feedback.active(*NUSRA, SURGE, SURGE + timedelta(hours=1), ruleset.feedback)
    assert mark is not None and mark.kind == "expected"
    evaluator = Evaluator(ruleset, feedback=feedback)
    evaluator.feedback.replace(noise(START))
    events = [
        e
        for m in sorted([*steady(72, SURGE), *burst(SURGE, 14, GROUPS[:6], "nusra")],
                        key=lambda m: m.time)
        for e in evaluator.process(m)
    ]  # fmt: skip
    assert events == []


def test_a_flagged_alert_round_trips_through_the_state_records() -> None:
    ruleset = parse_rules({"version": 1, "rules": [SPIKE]})
    evaluator = Evaluator(ruleset, feedback=Feedback(noise(START)))
    for mention in sorted([*steady(61, SURGE), *burst(SURGE, 40, GROUPS[:6], "nusra")],
                          key=lambda m: m.time):  # fmt: skip
        evaluator.process(mention)
    assert evaluator.state.rules["actor-spike"].alerts
    assert AlertState.from_records(evaluator.state.records().items()) == evaluator.state


@pytest.mark.parametrize(
    ("feedback", "field"),
    [
        ({"noise_period": "soon"}, "not a duration"),
        ({"noise_factor": 0.5}, "feedback.noise_factor"),
        ({"expected_period": "0m"}, "longer than zero"),
        ({"noise": 3}, "feedback.noise"),
    ],
)
def test_the_feedback_settings_are_validated(feedback: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleConfigError, match=field):
        parse_rules({"version": 1, "feedback": feedback, "rules": [SPIKE]})
