"""Duration distributions: fitted with scipy over several families, readable in YAML.

Every duration in a simulation model is one of the families below, in seconds.
:func:`fit_duration` fits each candidate family by maximum likelihood
(``scipy.stats``, location fixed at 0), keeps the one with the smallest
Kolmogorov-Smirnov statistic among those whose mean is within 10% of the sample
mean, and falls back to the empirical quantiles when the
sample is small or no family fits well. An exact-zero share (instant steps) is
kept apart as ``p_zero``.

The engine never calls scipy in its hot loop: :meth:`quantile_table` gives a table
of quantiles, and a duration is ``table[int(u * len(table))]`` for a uniform ``u``
-- one index, and the same ``u`` gives the same duration in the baseline and the
scenario (common random numbers).
"""

from __future__ import annotations

import warnings
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from workbench.config import FrozenModel

__all__ = [
    "FAMILIES",
    "Duration",
    "Empirical",
    "Exponential",
    "Fixed",
    "Gamma",
    "LogNormal",
    "TruncatedNormal",
    "Weibull",
    "duration_mean",
    "fit_duration",
    "quantile_table",
    "scale_duration",
]

#: Families tried by :func:`fit_duration`, in order.
FAMILIES: tuple[str, ...] = ("expon", "gamma", "lognorm", "weibull_min", "norm")
_TABLE_SIZE = 1024
_EMPIRICAL_POINTS = 101


class _Base(FrozenModel):
    #: share of exact zeros (instant steps); the family describes the rest
    p_zero: float = Field(default=0.0, ge=0.0, le=1.0)
    #: observations the fit used (information only)
    n: int | None = None
    #: Kolmogorov-Smirnov statistic of the fit (information only)
    ks: float | None = None


class Fixed(_Base):
    """Always ``value`` seconds."""

    family: Literal["fixed"] = "fixed"
    value: float = Field(ge=0.0)


class Exponential(_Base):
    family: Literal["expon"] = "expon"
    scale: float = Field(gt=0.0, description="mean in seconds")


class Gamma(_Base):
    family: Literal["gamma"] = "gamma"
    a: float = Field(gt=0.0, description="shape")
    scale: float = Field(gt=0.0)


class LogNormal(_Base):
    family: Literal["lognorm"] = "lognorm"
    s: float = Field(gt=0.0, description="sigma of log(duration)")
    scale: float = Field(gt=0.0, description="median in seconds")


class Weibull(_Base):
    family: Literal["weibull_min"] = "weibull_min"
    c: float = Field(gt=0.0, description="shape")
    scale: float = Field(gt=0.0)


class TruncatedNormal(_Base):
    """A normal distribution cut at zero."""

    family: Literal["norm"] = "norm"
    mean: float
    std: float = Field(gt=0.0)


class Empirical(_Base):
    """Quantiles at evenly spaced probabilities 0, 1/(k-1), ..., 1; sampled by interpolation."""

    family: Literal["empirical"] = "empirical"
    quantiles: tuple[float, ...] = Field(min_length=1)


Duration = Annotated[
    Fixed | Exponential | Gamma | LogNormal | Weibull | TruncatedNormal | Empirical,
    Field(discriminator="family"),
]


def _scipy(dist: _Base):
    from scipy import stats

    if isinstance(dist, Exponential):
        return stats.expon(scale=dist.scale)
    if isinstance(dist, Gamma):
        return stats.gamma(dist.a, scale=dist.scale)
    if isinstance(dist, LogNormal):
        return stats.lognorm(dist.s, scale=dist.scale)
    if isinstance(dist, Weibull):
        return stats.weibull_min(dist.c, scale=dist.scale)
    if isinstance(dist, TruncatedNormal):
        a = (0.0 - dist.mean) / dist.std
        return stats.truncnorm(a, np.inf, loc=dist.mean, scale=dist.std)
    raise TypeError(f"no scipy distribution for family {getattr(dist, 'family', type(dist).__name__)!r}")


def quantile_table(dist: Duration, size: int = _TABLE_SIZE) -> list[float]:
    """Quantiles at the midpoints of ``size`` equal-probability strata (``p_zero`` included).

    ``table[int(u * size)]`` for ``u`` uniform on [0, 1) samples the distribution.
    """
    probs = (np.arange(size) + 0.5) / size
    p0 = dist.p_zero
    inner = np.clip((probs - p0) / (1.0 - p0), 0.0, 1.0) if p0 < 1.0 else np.zeros(size)
    if isinstance(dist, Fixed):
        values = np.full(size, dist.value)
    elif isinstance(dist, Empirical):
        q = np.asarray(dist.quantiles, dtype=float)
        values = np.interp(inner, np.linspace(0.0, 1.0, len(q)), q) if len(q) > 1 else np.full(size, q[0])
    else:
        with np.errstate(all="ignore"):
            values = _scipy(dist).ppf(np.clip(inner, 1e-9, 1 - 1e-9))
        values = np.nan_to_num(values, nan=0.0, posinf=0.0)
    values = np.where(probs < p0, 0.0, np.maximum(values, 0.0))
    return values.astype(float).tolist()


def duration_mean(dist: Duration) -> float:
    """Mean of the distribution in seconds (including the zero share)."""
    if isinstance(dist, Fixed):
        inner = dist.value
    elif isinstance(dist, Empirical):
        inner = float(np.mean(quantile_table(dist.model_copy(update={"p_zero": 0.0}))))
    else:
        inner = float(_scipy(dist).mean())
    return (1.0 - dist.p_zero) * inner


def fit_duration(
    values: np.ndarray,
    *,
    families: tuple[str, ...] = FAMILIES,
    min_samples: int = 20,
    max_ks: float = 0.1,
    max_fit: int = 4000,
    max_mean_error: float = 0.1,
) -> Duration:
    """Fit a duration distribution (seconds) to ``values``.

    Parameters
    ----------
    values : array of float
        Observed durations in seconds; negative and missing values are dropped.
    families : tuple of str
        Candidate scipy families (see :data:`FAMILIES`).
    min_samples : int
        Below this many positive values the empirical quantiles are used.
    max_ks : float
        When the best family's KS statistic is above this (and above the 5% critical value
        ``1.36 / sqrt(n)``), the empirical quantiles are used.
    max_fit : int
        Larger samples are thinned to this many evenly spaced order statistics for fitting.
    max_mean_error : float
        A family whose mean is further than this share from the sample mean is rejected
        (the mean drives utilisation and queues, so it must be right).

    Returns
    -------
    Duration
        The chosen distribution, with ``n`` and ``ks`` filled in.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x) & (x >= 0)]
    n = len(x)
    if n == 0:
        return Fixed(value=0.0, n=0)
    positive = np.sort(x[x > 0])
    p_zero = round(1.0 - len(positive) / n, 6)
    if len(positive) == 0:
        return Fixed(value=0.0, n=n)
    if len(positive) == 1 or np.ptp(positive) <= 1e-6 * max(positive.mean(), 1e-9):
        return Fixed(value=float(positive.mean()), p_zero=p_zero, n=n)
    if len(positive) < min_samples:
        return _empirical(positive, p_zero, n)
    sample = positive
    if len(sample) > max_fit:
        sample = sample[np.linspace(0, len(sample) - 1, max_fit).round().astype(int)]
    best: tuple[float, _Base] | None = None
    target_mean = float(positive.mean())
    for family in families:
        candidate = _fit_family(family, sample)
        if candidate is None:
            continue
        ks = _ks(candidate, sample)
        with np.errstate(all="ignore"):
            mean = float(_scipy(candidate).mean())
        if not np.isfinite(mean) or abs(mean - target_mean) > max_mean_error * target_mean:
            continue  # fits the body but not the mean (a tail far too heavy or light): not good enough
        if np.isfinite(ks) and (best is None or ks < best[0]):
            best = (ks, candidate)
    if best is None or best[0] > max(max_ks, 1.36 / np.sqrt(len(sample))):
        return _empirical(positive, p_zero, n, ks=None if best is None else round(best[0], 4))
    ks, dist = best
    fitted: Any = dist.model_copy(update={"p_zero": p_zero, "n": n, "ks": round(float(ks), 4)})
    return fitted  # one of the Duration families: _fit_family builds only those


def _empirical(positive: np.ndarray, p_zero: float, n: int, ks: float | None = None) -> Empirical:
    k = min(_EMPIRICAL_POINTS, len(positive))
    q = np.quantile(positive, np.linspace(0.0, 1.0, k))
    return Empirical(quantiles=tuple(_round(v) for v in q), p_zero=p_zero, n=n, ks=ks)


def _round(v: float) -> float:
    return float(f"{v:.6g}")


def _fit_family(family: str, x: np.ndarray) -> _Base | None:
    from scipy import stats

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy's optimiser probing bad regions
        try:
            if family == "expon":
                return Exponential(scale=_round(x.mean()))
            if family == "gamma":
                a, _, scale = stats.gamma.fit(x, floc=0)
                return Gamma(a=_round(a), scale=_round(scale))
            if family == "lognorm":
                logs = np.log(x)
                return LogNormal(s=_round(max(logs.std(), 1e-6)), scale=_round(np.exp(logs.mean())))
            if family == "weibull_min":
                c, _, scale = stats.weibull_min.fit(x, floc=0)
                return Weibull(c=_round(c), scale=_round(scale))
            if family == "norm":
                return TruncatedNormal(mean=_round(x.mean()), std=_round(max(x.std(), 1e-6)))
        except (ValueError, RuntimeError, FloatingPointError):
            return None
    raise ValueError(f"unknown distribution family {family!r}; choose from {', '.join(FAMILIES)}")


def _ks(dist: _Base, x: np.ndarray) -> float:
    from scipy import stats

    with np.errstate(all="ignore"):
        return float(stats.kstest(x, _scipy(dist).cdf).statistic)


def scale_duration(dist: Duration, factor: float) -> Duration:
    """The same distribution with every duration multiplied by ``factor``."""
    if factor < 0:
        raise ValueError(f"factor must not be negative, got {factor}")
    if factor == 0:
        return Fixed(value=0.0, n=dist.n)
    if isinstance(dist, Fixed):
        return dist.model_copy(update={"value": dist.value * factor})
    if isinstance(dist, Empirical):
        return dist.model_copy(update={"quantiles": tuple(_round(q * factor) for q in dist.quantiles)})
    if isinstance(dist, TruncatedNormal):
        return dist.model_copy(update={"mean": dist.mean * factor, "std": dist.std * factor})
    return dist.model_copy(update={"scale": dist.scale * factor})
