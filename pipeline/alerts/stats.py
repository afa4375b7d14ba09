"""Counts judged with tests made for counts: Poisson and negative binomial upper tails.

A window's mentions are few (0, 1, 3, 12), so a ratio against the reference ("3 over 1 is a
300 % rise") says nothing; the question is how surprising ``observed`` is if mentions arrive at
the ``expected`` rate. :func:`poisson_sf` answers P(X >= k) for X ~ Poisson(mu);
:func:`negbin_sf` the same for a negative binomial of mean ``mu`` and variance ``var > mu``
(a seasonal baseline whose weeks differ more than Poisson allows: news is overdispersed).

Why hand-written and not ``scipy.stats``: the worker would load scipy (and numpy, ~100 MB)
for two tail sums, and the standard library's ``math`` has ``lgamma`` but no regularized
incomplete gamma. The tails here are exact finite sums of probability masses computed in log
space (``math.lgamma``), summed from the side that avoids cancellation, so they are accurate to
about 1e-12 in the range alerts use (k up to a few thousand). ``tests/unit/alerts/test_stats.py``
checks them against scipy.stats (installed for the tests only) on a grid.

:func:`judge` turns a count into a verdict: "0 over 0" never fires, a minimum count and a
minimum number of independent outlet groups are required, and the p-value must be small.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

_EPS = 1e-17
_MAX_TERMS = 1_000_000
_LogPmf = Callable[[int], float]


_CACHE = 65_536
"""Tails and ranges are pure functions of a few numbers that repeat: window counts are small
integers and references are means of them. Cached per process (the 50-rule benchmark asks
the same (count, mean, variance) hundreds of thousands of times)."""


@functools.lru_cache(maxsize=_CACHE)
def poisson_sf(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu)."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0

    def log_pmf(i: int) -> float:
        return i * math.log(mu) - mu - math.lgamma(i + 1)

    return _tail(k, mu, log_pmf)


@functools.lru_cache(maxsize=_CACHE)
def negbin_sf(k: int, mu: float, var: float) -> float:
    """P(X >= k) for a negative binomial of mean ``mu`` and variance ``var``.

    With ``var <= mu`` there is no overdispersion and this is :func:`poisson_sf`.
    """
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    if var <= mu * (1 + 1e-9):
        return poisson_sf(k, mu)
    r = mu * mu / (var - mu)  # size (number of successes)
    p = mu / var  # success probability
    log_p, log_q = math.log(p), math.log1p(-p)

    def log_pmf(i: int) -> float:
        return math.lgamma(i + r) - math.lgamma(r) - math.lgamma(i + 1) + r * log_p + i * log_q

    return _tail(k, mu, log_pmf)


def _tail(k: int, mean: float, log_pmf: _LogPmf) -> float:
    """P(X >= k) from a unimodal mass function: the upper sum when k is past the mean, else one
    minus the lower sum (both without cancellation where they are used)."""
    if k > mean:
        total, i = 0.0, k
        while i < k + _MAX_TERMS:
            term = math.exp(log_pmf(i))
            total += term
            if term <= total * _EPS:
                break
            i += 1
        return min(1.0, total)
    lower = math.fsum(math.exp(log_pmf(i)) for i in range(k))
    return max(0.0, 1.0 - lower)


@dataclass(frozen=True, slots=True)
class Judgement:
    """Whether a count is surprising, and the numbers that say why."""

    fires: bool
    observed: int
    expected: float
    expected_high: int
    """The upper end of the expected range: the count that the reference reaches with
    probability at least ``p_value`` (so anything above is surprising)."""
    p_value: float
    groups: int
    reason: str


def judge(
    observed: int,
    groups: int,
    expected: float,
    *,
    variance: float | None = None,
    p_value: float,
    min_count: int,
    min_groups: int,
    min_ratio: float = 1.0,
    floor: float = 0.5,
) -> Judgement:
    """Judge ``observed`` mentions from ``groups`` outlet groups against the ``expected`` rate.

    ``floor`` is the rate assumed when the reference is empty (so 0 over 0 is a count of 0
    against 0.5: never significant, and 3 over 0 needs the test like any other).
    """
    mu = max(expected, floor)
    var = variance if variance is not None and variance > mu else mu
    p = negbin_sf(observed, mu, var)
    high = _upper_quantile(mu, var, p_value)
    if observed == 0:
        reason = "nothing observed"
    elif observed < min_count:
        reason = f"count {observed} < min_count {min_count}"
    elif groups < min_groups:
        reason = f"outlet groups {groups} < min_groups {min_groups}"
    elif observed < min_ratio * mu:
        reason = f"count {observed} < {min_ratio} x expected {mu:.2f}"
    elif p > p_value:
        reason = f"p {p:.3g} > {p_value}"
    else:
        reason = "significant"
    return Judgement(reason == "significant", observed, expected, high, p, groups, reason)


@functools.lru_cache(maxsize=_CACHE)
def _upper_quantile(mu: float, var: float, alpha: float) -> int:
    """The largest count whose upper tail is still above ``alpha``: the expected range's top."""
    k = max(0, math.floor(mu))
    while negbin_sf(k + 1, mu, var) > alpha:
        k += 1
    return k
