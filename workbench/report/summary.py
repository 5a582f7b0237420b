"""The first page of a report: the headline, figure cards and what the scenarios would change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.errors import ConfigError
from workbench.report._checks import as_tuple, check_text

__all__ = ["Figure", "ManagerSummary", "ScenarioChange"]


@dataclass(frozen=True)
class Figure:
    """One headline figure, shown as a card on the summary page.

    Parameters
    ----------
    label : str
        What the figure is ("Median time to close").
    value : str
        The figure, already formatted ("31 h", "11,512", "2.6%").
    detail : str, default ""
        A short qualifier shown under it ("95% CI 29-33 h", "of 13,015 tickets").
    """

    label: str
    value: str
    detail: str = ""

    def __post_init__(self) -> None:
        check_text(self.label, "Figure.label", required=True)
        check_text(self.value, "Figure.value", required=True)
        check_text(self.detail, "Figure.detail")


@dataclass(frozen=True)
class ScenarioChange:
    """What one what-if scenario would change in one KPI, with its 95% interval.

    Parameters
    ----------
    scenario, kpi : str
        The scenario's name and the KPI in plain words.
    baseline, scenario_value : float
        The KPI today (simulated baseline) and with the change.
    difference, ci_low, ci_high : float
        ``scenario_value - baseline`` and its 95% interval (NaN when unknown).
    unit : str
        ``"h"``, ``"days"``, ``"%"`` (values in percent), ``"rate"`` (fractions, shown as
        percent), ``"tickets"``, ... or ``""``. Differences of ``"%"``/``"rate"`` KPIs are
        shown in percentage points.
    verdict_text : str
        The change in plain words ("about 4 h faster; clearly better").
    tone : {"better", "worse", "unclear", "same", ""}, default ""
        Colours the verdict (``"same"``: no practical difference); ``""`` leaves it neutral.
    """

    scenario: str
    kpi: str
    baseline: float
    scenario_value: float
    difference: float
    ci_low: float
    ci_high: float
    unit: str
    verdict_text: str
    tone: Literal["better", "worse", "unclear", "same", ""] = ""

    def __post_init__(self) -> None:
        check_text(self.scenario, "ScenarioChange.scenario", required=True)
        check_text(self.kpi, "ScenarioChange.kpi", required=True)
        check_text(self.unit, "ScenarioChange.unit")
        check_text(self.verdict_text, "ScenarioChange.verdict_text")
        for name in ("baseline", "scenario_value", "difference", "ci_low", "ci_high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"ScenarioChange.{name} must be a number (NaN when unknown), got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.tone not in ("better", "worse", "unclear", "same", ""):
            raise ConfigError(
                f"ScenarioChange.tone must be 'better', 'worse', 'unclear', 'same' or '', got {self.tone!r}"
            )


@dataclass(frozen=True)
class ManagerSummary:
    """The first page: one headline, figure cards, what the scenarios would change, notes.

    ``practical_difference`` is the share of today's value below which a change is called
    "no practical difference" (said under the scenario table).
    """

    headline: str
    figures: tuple[Figure, ...] = ()
    changes: tuple[ScenarioChange, ...] = ()
    notes: tuple[str, ...] = ()
    practical_difference: float = 0.02

    def __post_init__(self) -> None:
        check_text(self.headline, "ManagerSummary.headline", required=True)
        for name, kind in (("figures", Figure), ("changes", ScenarioChange), ("notes", str)):
            items = as_tuple(getattr(self, name), f"ManagerSummary.{name}")
            for item in items:
                if not isinstance(item, kind):
                    raise ConfigError(
                        f"ManagerSummary.{name} holds a {type(item).__name__}; expected {kind.__name__}"
                    )
            object.__setattr__(self, name, items)
