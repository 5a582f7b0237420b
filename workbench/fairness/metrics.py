"""What each audited figure means: its name, direction, how groups are compared, how it is said.

A :class:`MetricSpec` tells the comparison which way is worse (``higher``,
``lower`` or ``either``), whether groups are compared by ratio (durations, errors:
"31% longer") or by difference (rates: "4.1 percentage points more often"), and
the words of the verdict. :class:`FlagRule` holds the thresholds a disparity's
confidence interval must clear before a group is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.errors import ConfigError

__all__ = [
    "CLASSIFICATION_METRICS",
    "DEFAULT_RULE",
    "HISTORICAL_METRICS",
    "PROCESS_METRICS",
    "REGRESSION_METRICS",
    "FlagRule",
    "MetricSpec",
    "outcome_activity_metric",
]

Direction = Literal["higher", "lower", "either"]
Compare = Literal["ratio", "difference"]


@dataclass(frozen=True)
class MetricSpec:
    """One audited figure.

    Parameters
    ----------
    name : str
        Column-friendly name (``cycle_time_h``).
    label : str
        Name in tables and charts (``cycle time``).
    unit : str
        ``"h"`` for hours, ``"d"`` for days, ``"rate"`` for shares, ``"score"`` for AUC-like scores, ``""``.
    worse : {"higher", "lower", "either"}
        Which direction of the group's figure against the reference is a disadvantage.
        ``either`` figures (e.g. systematic over- or under-prediction) are always compared
        with the overall figure, since there is no best-off group.
    compare : {"ratio", "difference"}
        Ratio (relative, thresholded by ``FlagRule.relative``) or difference (absolute,
        thresholded by ``FlagRule.absolute``, or by ``FlagRule.relative`` times the overall
        MAE for signed errors).
    higher_phrase, lower_phrase : str
        Verdict phrase when the group's figure is above / below the reference;
        ``{cases}`` is the case noun and ``{amount}`` the size of the gap.
    own_error : bool
        The figure is itself an error whose ideal is 0 (mean signed error, calibration
        gap): a group is flagged only when its own figure's interval also lies beyond the
        threshold on the same side, so one badly served group does not get every other
        group flagged for differing from the (shifted) overall figure, and a model that is
        biased for everyone does not get every group flagged either.
    """

    name: str
    label: str
    unit: str
    worse: Direction
    compare: Compare
    higher_phrase: str
    lower_phrase: str
    own_error: bool = False

    @property
    def is_rate(self) -> bool:
        return self.unit == "rate"


@dataclass(frozen=True)
class FlagRule:
    """When a disparity is flagged.

    A group is flagged only when the whole confidence interval of its disparity lies
    beyond the threshold on the worse side, so noise in small groups does not raise
    alarms.

    Parameters
    ----------
    reference : {"overall", "best"}
        Compare each group with the figure over all cases (default) or with the
        best-off group (by point estimate). ``overall`` is the robust choice: the
        best-off group is picked *because* its estimate is lowest, so with many small
        or heavy-tailed groups it is often lucky (the winner's curse) and the others
        look worse than they are; ``best`` gives the sharper "than the best-off group"
        reading where groups are large. ``either``-direction figures always use
        ``overall``.
    relative : float
        Threshold of ratio comparisons: 0.10 flags a group whose interval lies wholly
        above +10% (or below -10% where lower is worse).
    absolute : float
        Threshold of difference comparisons of rates and scores, in the figure's own
        units: 0.05 is 5 percentage points (or 0.05 of AUC).
    confidence : float
        Level of the confidence intervals.
    """

    reference: Literal["best", "overall"] = "overall"
    relative: float = 0.10
    absolute: float = 0.05
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if self.reference not in ("best", "overall"):
            raise ConfigError(f"reference must be 'best' or 'overall', got {self.reference!r}")
        if not 0 <= self.relative < 10:
            raise ConfigError(f"relative threshold must be between 0 and 10 (0.10 = 10%), got {self.relative}")
        if not 0 <= self.absolute:
            raise ConfigError(f"absolute threshold must be 0 or more, got {self.absolute}")
        if not 0.5 <= self.confidence < 1:
            raise ConfigError(f"confidence must be between 0.5 and 1 (e.g. 0.95), got {self.confidence}")


#: The default flag rule (overall reference, 10% / 5 points, 95% intervals).
DEFAULT_RULE = FlagRule()


def _m(
    name: str, label: str, unit: str, worse: Direction, compare: Compare, higher: str, lower: str, own: bool = False
) -> MetricSpec:
    return MetricSpec(name, label, unit, worse, compare, higher, lower, own)


def _by_name(*specs: MetricSpec) -> dict[str, MetricSpec]:
    return {spec.name: spec for spec in specs}


def _share_at_risk(name: str) -> MetricSpec:
    """The share of a group's cases a model puts at risk (regression: by threshold; classification: by score)."""
    return _m(name, "share predicted at risk", "rate", "either", "difference",
              "{amount} more of the {cases} are predicted at risk", "{amount} fewer of the {cases} are predicted at risk")


def _time_change(name: str, label: str) -> MetricSpec:
    """A duration under a simulated change: worse when it rises, compared by ratio."""
    return _m(name, label, "h", "higher", "ratio", f"{label} rises by {{amount}}", f"{label} falls by {{amount}}")


HISTORICAL_METRICS: dict[str, MetricSpec] = _by_name(
    _m("cycle_time_h", "cycle time", "h", "higher", "ratio",
       "{cases} take {amount} longer", "{cases} take {amount} less time"),
    _m("queue_wait_h", "time waiting in queue", "h", "higher", "ratio",
       "{cases} wait {amount} longer in the queue", "{cases} wait {amount} less in the queue"),
    _m("reopen_rate", "reopen rate", "rate", "higher", "difference",
       "{cases} are reopened {amount} more often", "{cases} are reopened {amount} less often"),
)


def outcome_activity_metric(name: str, activity: str, *, favourable: bool) -> MetricSpec:
    """The share of cases in which ``activity`` happens (e.g. "Make Job Offer").

    ``favourable=True``: the outcome is good for the person (a lower rate is worse);
    ``False``: it is bad for them (a higher rate is worse).
    """
    return MetricSpec(
        name=name,
        label=f"share of cases with '{activity}'",
        unit="rate",
        worse="lower" if favourable else "higher",
        compare="difference",
        higher_phrase=f"'{activity}' happens {{amount}} more often",
        lower_phrase=f"'{activity}' happens {{amount}} less often",
    )


REGRESSION_METRICS: dict[str, MetricSpec] = _by_name(
    _m("mae", "mean absolute error", "h", "higher", "ratio",
       "prediction errors are {amount} larger", "prediction errors are {amount} smaller"),
    _m("mean_signed_error", "mean signed error (predicted - actual)", "h", "either", "difference",
       "predictions overstate the remaining time by {amount} more", "predictions understate the remaining "
       "time by {amount} more", own=True),
    _share_at_risk("share_at_risk"),
)

CLASSIFICATION_METRICS: dict[str, MetricSpec] = _by_name(
    _share_at_risk("selection_rate"),
    _m("true_positive_rate", "true-positive rate", "rate", "lower", "difference",
       "the model catches {amount} more of the positive {cases}",
       "the model catches {amount} fewer of the positive {cases}"),
    _m("false_positive_rate", "false-positive rate", "rate", "higher", "difference",
       "the model raises {amount} more false alarms", "the model raises {amount} fewer false alarms"),
    _m("auc", "AUC", "score", "lower", "difference",
       "the AUC is {amount} higher", "the AUC is {amount} lower"),
    _m("calibration_gap", "calibration gap (mean predicted - observed rate)", "rate", "either", "difference",
       "predicted risk overstates the observed rate by {amount} more",
       "predicted risk understates the observed rate by {amount} more", own=True),
)

PROCESS_METRICS: dict[str, MetricSpec] = _by_name(
    _time_change("cycle_time_h", "cycle time"),
    _time_change("waiting_time_h", "waiting time"),
    _time_change("waiting_on_user_h", "time waiting on the user"),
)
