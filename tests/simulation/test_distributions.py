from __future__ import annotations

import numpy as np
import pytest

from workbench.simulation.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    duration_mean,
    fit_duration,
    quantile_table,
    scale_duration,
)


@pytest.mark.parametrize(
    ("family", "draw"),
    [
        ("gamma", lambda rng: rng.gamma(3.0, 200.0, 3000)),
        ("lognorm", lambda rng: rng.lognormal(6.0, 0.8, 3000)),
        ("expon", lambda rng: rng.exponential(500.0, 3000)),
    ],
)
def test_fit_picks_the_generating_family(family, draw):
    x = draw(np.random.default_rng(3))
    d = fit_duration(x)
    assert d.family == family
    assert duration_mean(d) == pytest.approx(x.mean(), rel=0.05)
    assert d.n == 3000 and d.ks is not None and d.ks < 0.05


def test_small_samples_fall_back_to_empirical_quantiles():
    x = np.array([5.0, 9.0, 14.0, 30.0, 31.0])
    d = fit_duration(x, min_samples=20)
    assert isinstance(d, Empirical)
    assert d.quantiles[0] == 5.0 and d.quantiles[-1] == 31.0


def test_zeros_are_a_separate_share_and_constants_are_fixed():
    rng = np.random.default_rng(0)
    x = np.r_[np.zeros(300), rng.exponential(60.0, 700)]
    d = fit_duration(x)
    assert d.p_zero == pytest.approx(0.3)
    assert duration_mean(d) == pytest.approx(x.mean(), rel=0.06)
    assert fit_duration(np.full(50, 30.0)) == Fixed(value=30.0, n=50)
    assert fit_duration(np.array([])) == Fixed(value=0.0, n=0)


def test_quantile_table_samples_the_distribution():
    d = LogNormal(s=0.5, scale=100.0, p_zero=0.25)
    table = np.asarray(quantile_table(d, 4096))
    assert (table[: int(0.25 * 4096) - 1] == 0).all()
    assert table.mean() == pytest.approx(duration_mean(d), rel=0.01)
    assert np.all(np.diff(table) >= 0)


def test_scale_duration_multiplies_every_family():
    for d in (
        Fixed(value=10.0),
        Exponential(scale=10.0),
        Gamma(a=2.0, scale=5.0),
        Empirical(quantiles=(1.0, 3.0)),
    ):
        assert duration_mean(scale_duration(d, 2.0)) == pytest.approx(2 * duration_mean(d))
    assert duration_mean(scale_duration(Gamma(a=2.0, scale=5.0), 0.0)) == 0.0
