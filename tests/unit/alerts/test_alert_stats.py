"""The count test: exact tails, checked against scipy.stats; 0 over 0 never fires."""

from __future__ import annotations

import itertools

import pytest
from scipy import stats  # type: ignore[import-untyped]  # no stubs; tests only

from pipeline.alerts import judge, negbin_sf, poisson_sf

GRID_MU = [0.01, 0.5, 1.0, 3.7, 12.0, 80.0, 1500.0]


@pytest.mark.parametrize("mu", GRID_MU)
def test_poisson_tail_matches_scipy(mu: float) -> None:
    for k in [0, 1, 2, 5, int(mu), int(mu) + 1, int(mu * 2) + 3, int(mu * 3) + 20]:
        expected = float(stats.poisson.sf(k - 1, mu))
        assert poisson_sf(k, mu) == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(("mu", "var"), [(0.5, 2.0), (3.0, 9.0), (12.0, 30.0), (200.0, 900.0)])
def test_negative_binomial_tail_matches_scipy(mu: float, var: float) -> None:
    n, p = mu * mu / (var - mu), mu / var
    for k in [1, 2, int(mu), int(mu) + 1, int(mu * 3) + 5]:
        expected = float(stats.nbinom.sf(k - 1, n, p))
        assert negbin_sf(k, mu, var) == pytest.approx(expected, rel=1e-8, abs=1e-300)


def test_negative_binomial_without_overdispersion_is_poisson() -> None:
    assert negbin_sf(7, 3.0, 3.0) == poisson_sf(7, 3.0)


def test_p_value_falls_as_the_count_rises_and_rises_with_the_rate() -> None:
    tails = [poisson_sf(k, 2.0) for k in range(30)]
    assert all(a >= b for a, b in itertools.pairwise(tails))
    assert all(poisson_sf(6, a) <= poisson_sf(6, b) for a, b in [(0.5, 1), (1, 4), (4, 9)])
    assert negbin_sf(10, 3.0, 12.0) > poisson_sf(10, 3.0)  # overdispersion: less surprising


def test_zero_over_zero_never_fires() -> None:
    verdict = judge(0, 0, 0.0, p_value=0.5, min_count=1, min_groups=1)
    assert not verdict.fires
    assert verdict.p_value == 1.0


def test_minimum_count_groups_and_ratio() -> None:
    assert judge(12, 4, 0.0, p_value=1e-3, min_count=3, min_groups=2).fires
    assert "min_count" in judge(2, 2, 0.0, p_value=0.5, min_count=3, min_groups=1).reason
    assert "min_groups" in judge(12, 1, 0.0, p_value=1e-3, min_count=3, min_groups=2).reason
    ratio = judge(130, 9, 100.0, p_value=0.05, min_count=3, min_groups=2, min_ratio=2)
    assert not ratio.fires
    assert "expected" in ratio.reason


def test_a_small_rise_on_a_small_base_is_not_significant() -> None:
    verdict = judge(3, 3, 1.0, p_value=1e-3, min_count=3, min_groups=1)
    assert not verdict.fires
    assert verdict.p_value == pytest.approx(float(stats.poisson.sf(2, 1.0)))
    assert verdict.expected_high >= 3
