"""The one retry policy: delays grow and are capped, jitter stays in its bounds, limits stop it,
and a server's Retry-After is a floor."""

from __future__ import annotations

import math
import random

import pytest

from kernel.retry import RetryPolicy, jittered

EXACT = RetryPolicy(first_delay_s=0.5, max_delay_s=10.0, jitter=0.0)


def rng(seed: int = 0) -> random.Random:
    return random.Random(seed)  # noqa: S311 - jitter, not security


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_delays_grow_exponentially_then_stop_at_the_cap() -> None:
    delays = [EXACT.backoff_s(n) for n in range(1, 8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert [EXACT.delay_s(n, rng()) for n in range(1, 8)] == delays


def test_the_multiplier_is_the_policys() -> None:
    triple = RetryPolicy(first_delay_s=1.0, max_delay_s=100.0, multiplier=3.0, jitter=0.0)
    assert [triple.backoff_s(n) for n in (1, 2, 3, 4, 5)] == [1.0, 3.0, 9.0, 27.0, 81.0]


def test_years_of_failures_are_the_cap_not_an_overflow() -> None:
    assert EXACT.backoff_s(100_000) == 10.0
    uncapped = RetryPolicy(first_delay_s=1.0, max_delay_s=math.inf, jitter=0.0)
    assert uncapped.backoff_s(100_000) == math.inf
    assert RetryPolicy(first_delay_s=0.0, max_delay_s=math.inf).backoff_s(100_000) == 0.0


@pytest.mark.parametrize("jitter", [0.1, 0.2, 0.5, 1.0])
def test_jitter_stays_within_its_share_either_side(jitter: float) -> None:
    policy = RetryPolicy(first_delay_s=4.0, max_delay_s=4.0, jitter=jitter)
    random_ = rng(7)
    delays = [policy.delay_s(3, random_) for _ in range(2000)]
    assert min(delays) >= 4.0 * (1 - jitter) and max(delays) <= 4.0 * (1 + jitter)
    assert max(delays) - min(delays) > 4.0 * jitter * 1.9  # it does spread, both ways
    assert abs(sum(delays) / len(delays) - 4.0) < 4.0 * jitter * 0.1  # centred on the delay


def test_jitter_is_reproducible_with_a_seeded_random() -> None:
    policy = RetryPolicy(first_delay_s=1.0, max_delay_s=30.0)
    first = [policy.delay_s(n, rng(3)) for n in range(1, 6)]
    again = [policy.delay_s(n, rng(3)) for n in range(1, 6)]
    assert first == again
    assert jittered(10.0, 0.0, rng()) == 10.0


def test_a_server_wait_is_a_floor_bounded_by_the_policy() -> None:
    policy = RetryPolicy(first_delay_s=1.0, max_delay_s=10.0, max_server_wait_s=600.0)
    assert policy.delay_s(1, rng(), server_wait_s=120.0) == 120.0  # never shortened by jitter
    assert policy.delay_s(1, rng(), server_wait_s=99_999.0) == 600.0
    assert policy.delay_s(1, rng(), server_wait_s=0.1) <= 1.5  # shorter: the back-off wins
    assert policy.delay_s(1, rng(), server_wait_s=None) <= 1.5
    unbounded = RetryPolicy(first_delay_s=1.0, max_delay_s=10.0)
    assert unbounded.delay_s(1, rng(), server_wait_s=99_999.0) == 99_999.0
    assert policy.server_wait_s(-5.0) == 0.0


def test_attempts_limit_counts_the_first_try() -> None:
    policy = RetryPolicy(first_delay_s=0.0, max_delay_s=0.0, max_attempts=3)
    assert [policy.gives_up(n) for n in (1, 2, 3, 4)] == [False, False, True, True]
    retries = policy.start(rng())
    assert [retries.next_delay(), retries.next_delay(), retries.next_delay()] == [0.0, 0.0, None]


def test_deadline_stops_when_the_next_try_would_start_too_late() -> None:
    clock = Clock()
    policy = RetryPolicy(first_delay_s=1.0, max_delay_s=4.0, jitter=0.0, deadline_s=10.0)
    retries = policy.start(rng(), clock)
    waits = []
    while (delay := retries.next_delay()) is not None:
        waits.append(delay)
        clock.now += delay
    assert waits == [1.0, 2.0, 4.0]  # 7 s spent; 4 more would end at 11 > 10
    assert retries.failures == 4 and retries.elapsed_s == 7.0


def test_a_server_wait_past_the_deadline_gives_up() -> None:
    policy = RetryPolicy(first_delay_s=1.0, max_delay_s=4.0, deadline_s=60.0)
    retries = policy.start(rng(), Clock())
    assert retries.next_delay(server_wait_s=120.0) is None


def test_without_limits_it_retries_for_ever() -> None:
    retries = RetryPolicy(first_delay_s=0.5, max_delay_s=30.0).start(rng(), Clock())
    delays = [retries.next_delay() for _ in range(1000)]
    assert None not in delays and max(d for d in delays if d is not None) <= 45.0


@pytest.mark.parametrize(
    "bad",
    [
        {"first_delay_s": -1.0},
        {"max_delay_s": -1.0},
        {"multiplier": 0.5},
        {"jitter": 1.5},
        {"jitter": -0.1},
        {"deadline_s": -1.0},
        {"max_attempts": 0},
        {"max_server_wait_s": -1.0},
        {"first_delay_s": math.nan},
    ],
)
def test_nonsense_is_refused(bad: dict[str, float]) -> None:
    values: dict[str, float] = {"first_delay_s": 1.0, "max_delay_s": 2.0, **bad}
    with pytest.raises(ValueError, match="retry"):
        RetryPolicy(**values)  # type: ignore[arg-type]


def test_failures_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        EXACT.backoff_s(0)
