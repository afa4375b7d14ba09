import random

import pytest

from connectors.schedule import PollingPolicy, PollSummary, SourceState

POLICY = PollingPolicy(jitter=0.0)
BASE = 300.0


def poll(state: SourceState, summary: PollSummary, now: float = 1000.0) -> SourceState:
    return POLICY.after_poll(state, BASE, summary, now, random.Random(0))  # noqa: S311


def start() -> SourceState:
    return POLICY.initial("s", BASE, 0.0, random.Random(0))  # noqa: S311


def test_productive_sources_are_polled_faster_down_to_the_floor() -> None:
    state = start()
    intervals = []
    for _ in range(6):
        state = poll(state, PollSummary(answered=True, new_items=3))
        intervals.append(state.interval_s)
    assert intervals == [150.0, 75.0, 75.0, 75.0, 75.0, 75.0]  # base / 4
    assert state.health == "ok" and state.last_new_at == 1000.0 and state.new_total == 18


def test_quiet_sources_are_polled_slower_up_to_the_ceiling() -> None:
    state = start()
    for _ in range(20):
        state = poll(state, PollSummary(answered=True))
    assert state.interval_s == BASE * 8
    assert state.next_poll_at == 1000.0 + BASE * 8
    assert state.last_new_at is None


def test_failing_sources_back_off_exponentially_and_turn_failing() -> None:
    state = start()
    delays, healths = [], []
    for _ in range(4):
        state = poll(state, PollSummary(answered=False, outcome="timeout"))
        delays.append(state.next_poll_at - 1000.0)
        healths.append(state.health)
    assert delays == [600.0, 1200.0, 2400.0, 4800.0]
    assert healths == ["ok", "ok", "failing", "failing"]
    recovered = poll(state, PollSummary(answered=True, new_items=1))
    assert (recovered.health, recovered.failures) == ("ok", 0)


def test_sources_answering_404_everywhere_are_gone_and_polled_daily() -> None:
    state = start()
    for _ in range(3):
        state = poll(state, PollSummary(answered=False, gone=True, outcome="gone"))
    assert state.health == "gone"
    assert state.next_poll_at - 1000.0 == POLICY.gone_interval_s


def test_retry_after_and_slowness_make_a_source_slow() -> None:
    asked = poll(start(), PollSummary(answered=True, retry_after_s=3600.0))
    assert asked.health == "slow" and asked.next_poll_at - 1000.0 == 3600.0
    sluggish = poll(start(), PollSummary(answered=True, slowest_s=15.0))
    assert sluggish.health == "slow"
    refused = poll(start(), PollSummary(answered=False, retry_after_s=99999.0))
    assert refused.next_poll_at - 1000.0 == POLICY.max_retry_after_s


def test_jitter_stays_within_its_share() -> None:
    policy = PollingPolicy(jitter=0.2)
    rng = random.Random(7)  # noqa: S311
    delays = [
        policy.after_poll(start(), BASE, PollSummary(answered=True), 0.0, rng).next_poll_at
        for _ in range(200)
    ]
    expected = BASE * 1.5
    assert min(delays) >= expected * 0.8 and max(delays) <= expected * 1.2
    assert max(delays) - min(delays) > expected * 0.2  # it does vary


def test_first_polls_are_spread_out() -> None:
    rng = random.Random(3)  # noqa: S311
    firsts = [POLICY.initial(str(n), BASE, 0.0, rng).next_poll_at for n in range(100)]
    assert min(firsts) >= 0 and max(firsts) <= 60 and len(set(firsts)) == 100


@pytest.mark.parametrize("health", ["ok", "slow", "failing", "gone"])
def test_state_round_trips_through_json(health: str) -> None:
    state = SourceState("s", 120.0, health=health, last_new_at=5.0, last_returned="feed: ok")  # type: ignore[arg-type]
    assert SourceState.from_json(state.to_json()) == state
    assert (
        SourceState.from_json('{"source_id": "s", "interval_s": 1, "health": "??", "x": 1}').health
        == "ok"
    )
