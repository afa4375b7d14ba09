"""When to poll each source next, and how healthy it is: pure functions over typed values.

A source that keeps producing new articles is polled faster (down to a floor), one that does
not is polled slower (up to a ceiling); every delay gets jitter. A failing source backs off
exponentially (twice its interval, doubling with each failure in a row, up to
``backoff_cap_s``); the next poll that answers resets it. ``Retry-After`` is honoured (up to
``max_retry_after_s``). The back-off, the jitter and the Retry-After floor are the project's
one retry policy (:mod:`kernel.retry`), fed with the failure count persisted in the state.
Health:

- ``ok``: the last poll answered;
- ``slow``: it answered, but slowly or asking us to slow down (429/503 with Retry-After);
- ``failing``: ``failing_after`` polls in a row did not answer;
- ``gone``: ``gone_after`` polls in a row were answered with 404/410 or "no such host" by
  every way in; it is then polled once a day.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from connectors.outcomes import PollOutcome
from kernel.retry import RetryPolicy, jittered

Health = Literal["ok", "slow", "failing", "gone"]
HEALTHS: tuple[Health, ...] = ("ok", "slow", "failing", "gone")


@dataclass(frozen=True, slots=True)
class PollSummary:
    """What one poll of a source amounted to."""

    answered: bool
    """At least one way in answered usefully (a usable document or 304 Not Modified)."""
    new_items: int = 0
    gone: bool = False
    """Every way in answered 404/410 or its host does not exist."""
    retry_after_s: float | None = None
    slowest_s: float = 0.0
    outcome: str = PollOutcome.OK
    """A :class:`PollOutcome`, or the label of the commonest failure when nothing answered."""
    detail: str = ""
    returned: str = ""
    """What the ways in returned, for an operator (``rss20 feed, 25 entries; ...``)."""


@dataclass(frozen=True, slots=True)
class SourceState:
    """A source's polling state, persisted between runs (times are Unix seconds)."""

    source_id: str
    interval_s: float
    health: Health = "ok"
    failures: int = 0
    gone_strikes: int = 0
    next_poll_at: float = 0.0
    last_poll_at: float | None = None
    last_ok_at: float | None = None
    last_new_at: float | None = None
    last_outcome: str = PollOutcome.NEVER_POLLED
    last_detail: str = ""
    last_returned: str = ""
    polls: int = 0
    new_total: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> SourceState:
        data: dict[str, Any] = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if known.get("health") not in HEALTHS:
            known["health"] = "ok"
        return cls(**known)


@dataclass(frozen=True, slots=True)
class PollingPolicy:
    faster: float = 0.5
    slower: float = 1.5
    min_factor: float = 0.25
    """The interval never drops below ``poll_interval_s * min_factor`` (nor ``floor_s``)."""
    max_factor: float = 8.0
    floor_s: float = 30.0
    ceiling_s: float = 6 * 3600.0
    backoff_cap_s: float = 6 * 3600.0
    gone_interval_s: float = 24 * 3600.0
    failing_after: int = 3
    gone_after: int = 3
    slow_after_s: float = 10.0
    jitter: float = 0.2
    max_retry_after_s: float = 6 * 3600.0

    def bounds(self, base_s: float) -> tuple[float, float]:
        low = max(self.floor_s, base_s * self.min_factor)
        high = max(low, min(self.ceiling_s, base_s * self.max_factor))
        return low, high

    def backoff(self, base_s: float) -> RetryPolicy:
        """The retry policy of a failing source whose interval is ``base_s``: twice the
        interval after the first failure, doubling, up to ``backoff_cap_s``."""
        return RetryPolicy(
            first_delay_s=2 * base_s,
            max_delay_s=self.backoff_cap_s,
            jitter=self.jitter,
            max_server_wait_s=self.max_retry_after_s,
        )

    def initial(
        self,
        source_id: str,
        base_s: float,
        now: float,
        rng: random.Random,
        spread_s: float = 60.0,
    ) -> SourceState:
        """A source never polled: its first poll falls somewhere in the next
        ``min(base, spread_s)`` seconds, so thousands of new sources do not all start at once."""
        low, high = self.bounds(base_s)
        interval = min(max(base_s, low), high)
        first = now + rng.uniform(0, min(base_s, spread_s))
        return SourceState(source_id, interval, next_poll_at=first)

    def after_poll(
        self,
        state: SourceState,
        base_s: float,
        summary: PollSummary,
        now: float,
        rng: random.Random,
    ) -> SourceState:
        low, high = self.bounds(base_s)
        state = replace(
            state,
            last_poll_at=now,
            last_outcome=summary.outcome,
            last_detail=summary.detail[:500],
            last_returned=summary.returned[:500],
            polls=state.polls + 1,
        )
        backoff = self.backoff(max(low, state.interval_s))
        asked = backoff.server_wait_s(summary.retry_after_s)
        if summary.answered:  # answered: the failure count starts again from nothing
            if summary.new_items:
                interval = max(low, state.interval_s * self.faster)
            else:
                interval = min(high, state.interval_s * self.slower)
            slow = summary.retry_after_s is not None or summary.slowest_s > self.slow_after_s
            delay = max(jittered(interval, self.jitter, rng), asked)
            return replace(
                state,
                interval_s=interval,
                health="slow" if slow else "ok",
                failures=0,
                gone_strikes=0,
                next_poll_at=now + delay,
                last_ok_at=now,
                last_new_at=now if summary.new_items else state.last_new_at,
                new_total=state.new_total + summary.new_items,
            )
        failures = state.failures + 1
        gone_strikes = state.gone_strikes + 1 if summary.gone else 0
        health: Health = state.health
        if gone_strikes >= self.gone_after:
            health = "gone"
        elif failures >= self.failing_after:
            health = "failing"
        if health == "gone":
            delay = max(jittered(self.gone_interval_s, self.jitter, rng), asked)
        else:
            delay = backoff.delay_s(failures, rng, server_wait_s=summary.retry_after_s)
        return replace(
            state,
            health=health,
            failures=failures,
            gone_strikes=gone_strikes,
            next_poll_at=now + delay,
        )
