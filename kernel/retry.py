"""The one retry policy: first delay, multiplier, cap, jitter, deadline, attempts, server wait.

Every back-off in Marsad is computed here, so that "how long until we try again" means the
same thing everywhere: the connector's Kafka start-up and its outbox (:mod:`connectors`), an
article fetched again later and a failing source polled again later (:mod:`connectors.runner`,
:mod:`connectors.schedule`), and the pipeline's writes to the search engine
(:mod:`pipeline.stages.base`).

The delay after the n-th failure in a row (n >= 1) is::

    backoff(n) = min(max_delay_s, first_delay_s * multiplier ** (n - 1))
    delay(n)   = max(backoff(n) * U(1 - jitter, 1 + jitter),  server wait)

**One jitter formula**: the capped delay times a factor drawn uniformly from
``[1 - jitter, 1 + jitter]`` (:func:`jittered`). It is symmetric so that, on average, a loop
waits exactly the delay it computed: a source's polling interval keeps its meaning (one-sided
jitter would poll every source faster than its interval), and thousands of connectors or
pages that failed at the same moment still spread out. The cap bounds the delay *before*
jitter, so the longest wait is ``max_delay_s * (1 + jitter)``; the shortest is
``backoff(n) * (1 - jitter)``. With the default ``jitter=0.5`` the shortest wait is half the
delay, as in the hand-written loops this module replaced (they drew ``U(0.5, 1.0)``).

**Server wait** (``Retry-After``): a wait the other side asked for is a floor, never shortened
by jitter, and bounded by ``max_server_wait_s`` (a hostile or broken server must not park us
for a year).

**Giving up**: after ``max_attempts`` tries in all, or when the next try would start after
``deadline_s`` (counted from the first try). Both are optional: the outbox retries until the
broker is back (its stall watchdog decides when to stop), a source is polled forever.

Why not a library (tenacity, backoff, stamina)? They are good at one shape: a loop they run
around one call, whose attempt count and start time live in memory. Half of Marsad's back-offs
are not that shape: a failing source's next poll and a failed article's next fetch are *times
written to the state store* from a failure count that survives restarts, computed by pure
functions (:meth:`RetryPolicy.delay_s` with the persisted count); the library's wait
strategies are not meant to be called that way (tenacity's take a ``RetryCallState``; backoff's
are generators). The other loops have side effects between tries that they must see (a stall
flag, metrics, a broker-down log line, a :class:`DependencyUnavailable` instead of the last
exception). Using a library for two loops and this arithmetic for the rest would keep two
jitter formulas, which is what this module removes; and the arithmetic is a dozen lines,
tested in ``tests/unit/kernel/test_retry.py``. No dependency was added.

The policy is a frozen value; the randomness is an injectable :class:`random.Random` and the
clock an injectable callable, so every delay is reproducible in tests.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Retries", "RetryPolicy", "jittered"]

_RNG = random.Random()  # noqa: S311 - jitter, not security


def jittered(delay_s: float, fraction: float, rng: random.Random) -> float:
    """``delay_s`` times a factor drawn uniformly from ``[1 - fraction, 1 + fraction]``.

    The one jitter formula of the project; also used for waits that are not back-offs (a
    source's regular polling interval), so that every delay spreads the same way.
    """
    return delay_s * rng.uniform(1 - fraction, 1 + fraction)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait after each failure in a row, and when to stop trying."""

    first_delay_s: float
    """The delay after the first failure (before jitter)."""
    max_delay_s: float
    """The cap of the delay before jitter (``math.inf``: none)."""
    multiplier: float = 2.0
    """Each further failure multiplies the delay by this much."""
    jitter: float = 0.5
    """The share of the delay drawn at random either way (0: none; at most 1)."""
    deadline_s: float | None = None
    """Give up when the next try would start this long after the first one (None: never)."""
    max_attempts: int | None = None
    """Give up after this many tries, the first included (None: never)."""
    max_server_wait_s: float | None = None
    """The longest ``Retry-After`` honoured (None: any)."""

    def __post_init__(self) -> None:
        if not (self.first_delay_s >= 0 and self.max_delay_s >= 0):
            raise ValueError(f"retry delays must be >= 0: {self}")
        if not self.multiplier >= 1:
            raise ValueError(f"retry multiplier must be >= 1: {self}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"retry jitter must be within [0, 1]: {self}")
        if self.deadline_s is not None and not self.deadline_s >= 0:
            raise ValueError(f"retry deadline must be >= 0: {self}")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError(f"retry max_attempts must be >= 1: {self}")
        if self.max_server_wait_s is not None and not self.max_server_wait_s >= 0:
            raise ValueError(f"retry max_server_wait_s must be >= 0: {self}")

    def backoff_s(self, failures: int) -> float:
        """The delay after ``failures`` failures in a row, capped, before jitter."""
        if failures < 1:
            raise ValueError(f"failures counts from 1, not {failures}")
        if self.first_delay_s == 0:
            return 0.0
        try:
            raw = self.first_delay_s * float(self.multiplier) ** (failures - 1)
        except OverflowError:  # a source failing for years: the cap, not an exception
            raw = math.inf
        return min(self.max_delay_s, raw)

    def server_wait_s(self, asked_s: float | None) -> float:
        """The part of a server's ``Retry-After`` we honour (0 when it asked nothing)."""
        if asked_s is None or not asked_s > 0:
            return 0.0
        if self.max_server_wait_s is None:
            return asked_s
        return min(asked_s, self.max_server_wait_s)

    def delay_s(
        self, failures: int, rng: random.Random, *, server_wait_s: float | None = None
    ) -> float:
        """The wait after ``failures`` failures in a row: the capped back-off with jitter, or
        the server's (bounded) ``Retry-After`` if that is longer."""
        backoff = jittered(self.backoff_s(failures), self.jitter, rng)
        return max(backoff, self.server_wait_s(server_wait_s))

    def gives_up(self, failures: int, elapsed_s: float = 0.0, next_delay_s: float = 0.0) -> bool:
        """Whether to stop after ``failures`` failed tries, ``elapsed_s`` after the first began,
        rather than wait ``next_delay_s`` and try again."""
        if self.max_attempts is not None and failures >= self.max_attempts:
            return True
        return self.deadline_s is not None and elapsed_s + next_delay_s > self.deadline_s

    def start(
        self,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Retries:
        """Begin one run of tries (call it right before the first)."""
        return Retries(self, rng or _RNG, clock)


class Retries:
    """One run of a policy in a loop: counts the failures and the time since the first try.

    ::

        retries = policy.start()
        while True:
            try:
                return await call()
            except Transient as exc:
                delay = retries.next_delay(server_wait_s=exc.retry_after_s)
                if delay is None:
                    raise GaveUp(...) from exc
                await asyncio.sleep(delay)
    """

    __slots__ = ("_clock", "_rng", "_started", "failures", "policy")

    def __init__(self, policy: RetryPolicy, rng: random.Random, clock: Callable[[], float]) -> None:
        self.policy = policy
        self.failures = 0
        self._rng = rng
        self._clock = clock
        self._started = clock()

    @property
    def elapsed_s(self) -> float:
        """Seconds since the first try began."""
        return self._clock() - self._started

    def next_delay(self, *, server_wait_s: float | None = None) -> float | None:
        """Count a failure; return how long to wait before the next try, or None to give up."""
        self.failures += 1
        delay = self.policy.delay_s(self.failures, self._rng, server_wait_s=server_wait_s)
        if self.policy.gives_up(self.failures, self.elapsed_s, delay):
            return None
        return delay
