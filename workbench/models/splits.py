"""Splits of an event log into training, validation and test parts, without leakage.

Two protocols:

- :func:`temporal_split` (the default), as in Weytjens & De Weerdt (2022), "Creating
  unbiased public benchmark datasets with data leakage prevention for predictive process
  monitoring": drop cases longer than a maximum duration and, to debias the end of the
  log, cases that start later than ``log end - maximum duration``; the split time is the
  start of the first test case when cases are sorted by start; training cases *end*
  before it; test cases are those still running after it, and only their prefixes that
  end at or after the split time (and not after ``log end - maximum duration``) are
  scored. The validation part is cut the same way out of the training cases.
- :func:`holdout_split`, the protocol of the published remaining-time tables (PGTNet,
  Rama-Maneiro et al.): cases sorted by start, the first 64% train, the next 16%
  validation, the last 20% test. Cases overlap in time, so it leaks; it exists so the
  figures can be compared.

A :class:`Split` assigns every prefix (case id and prefix end time) to a part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.errors import ConfigError, EventLogError
from workbench.features import check_events
from workbench.schema import CASE_ID, TIMESTAMP

__all__ = ["PARTS", "Split", "case_bounds", "holdout_split", "temporal_split"]

PARTS = ("train", "validation", "test")
_NS_PER_DAY = 86_400 * 1_000_000_000


@dataclass(frozen=True)
class Split:
    """Which cases, and which of their prefixes, belong to each part.

    Attributes
    ----------
    kind : {"temporal", "holdout"}
    cases : dict of str to frozenset
        Case ids per part (``train``, ``validation``, ``test``).
    scored_from : dict of str to Timestamp or None
        Per part, the earliest prefix end time that is scored (temporal split).
    scored_until : Timestamp or None
        The latest prefix end time scored in validation and test (end-of-log debiasing).
    settings : dict
        The parameters and resolved values (split times, maximum duration), for tracking.
    """

    kind: Literal["temporal", "holdout"]
    cases: dict[str, frozenset[str]]
    scored_from: dict[str, pd.Timestamp | None] = field(default_factory=dict)
    scored_until: pd.Timestamp | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def assign(self, case_ids: pd.Series, times: pd.Series) -> pd.Series:
        """The part of each prefix (``"train"``, ``"validation"``, ``"test"`` or missing)."""
        out = pd.Series(pd.NA, index=case_ids.index, dtype="string", name="part")
        ids = case_ids.astype(str)
        for part in PARTS:
            mask = ids.isin(self.cases.get(part, frozenset())).to_numpy()
            start = self.scored_from.get(part)
            if start is not None:
                mask &= (times >= start).to_numpy()
            if part != "train" and self.scored_until is not None:
                mask &= (times <= self.scored_until).to_numpy()
            out[mask] = part
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (see :meth:`from_dict`)."""
        def ts(value: pd.Timestamp | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "kind": self.kind,
            "cases": {part: sorted(ids) for part, ids in self.cases.items()},
            "scored_from": {part: ts(value) for part, value in self.scored_from.items()},
            "scored_until": ts(self.scored_until),
            "settings": {k: (ts(v) if isinstance(v, pd.Timestamp) else v) for k, v in self.settings.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Split:
        def ts(value: str | None) -> pd.Timestamp | None:
            return None if value is None else pd.Timestamp(value)

        return cls(
            kind=data["kind"],
            cases={part: frozenset(ids) for part, ids in data["cases"].items()},
            scored_from={part: ts(value) for part, value in data.get("scored_from", {}).items()},
            scored_until=ts(data.get("scored_until")),
            settings=dict(data.get("settings", {})),
        )

    def summary(self) -> dict[str, Any]:
        """Sizes and settings as plain values (for MLflow parameters)."""
        info: dict[str, Any] = {"split": self.kind}
        for part in PARTS:
            info[f"split_{part}_cases"] = len(self.cases.get(part, ()))
        for key, value in self.settings.items():
            info[f"split_{key}"] = str(value) if isinstance(value, pd.Timestamp) else value
        return info


def case_bounds(events: pd.DataFrame) -> pd.DataFrame:
    """Start, end (first and last event time) and duration in days of every case."""
    check_events(events)
    g = events.groupby(CASE_ID, sort=False)[TIMESTAMP]
    bounds = pd.DataFrame({"start": g.min(), "end": g.max()})
    bounds.index = bounds.index.astype(str)
    bounds["days"] = (bounds["end"] - bounds["start"]).dt.total_seconds() / 86_400.0
    return bounds


def _order_by_start(bounds: pd.DataFrame) -> pd.DataFrame:
    ordered = bounds.rename_axis("_case").reset_index()
    ordered = ordered.sort_values(["start", "_case"], kind="stable")
    return ordered.set_index("_case")


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 < float(value) < 1.0:
        raise ConfigError(f"{name} must be between 0 and 1 (exclusive), got {value}")


def holdout_split(events: pd.DataFrame, *, fractions: Sequence[float] = (0.64, 0.16, 0.20)) -> Split:
    """Cases sorted by start time: the first ``fractions[0]`` train, then validation, then test.

    This is the protocol of the published remaining-time tables (PGTNet, Rama-Maneiro et al.).
    """
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-9:
        raise ConfigError(f"holdout fractions must be three positive numbers summing to 1, got {list(fractions)}")
    order = _order_by_start(case_bounds(events)).index.to_numpy()
    n = len(order)
    cut_train = int(n * fractions[0])
    cut_val = int(n * (fractions[0] + fractions[1]))
    if cut_train == 0 or cut_val == cut_train or cut_val >= n:
        raise EventLogError(f"the log has {n} cases, too few for a {list(fractions)} holdout split")
    cases = {
        "train": frozenset(order[:cut_train]),
        "validation": frozenset(order[cut_train:cut_val]),
        "test": frozenset(order[cut_val:]),
    }
    return Split(kind="holdout", cases=cases, settings={"fractions": list(map(float, fractions))})


def temporal_split(
    events: pd.DataFrame,
    *,
    test_fraction: float = 0.2,
    validation_fraction: float = 0.2,
    max_case_days: float | None = None,
    max_case_quantile: float = 0.95,
    cases: Sequence[str] | None = None,
) -> Split:
    """A strictly temporal split with end-of-log debiasing (Weytjens & De Weerdt).

    Parameters
    ----------
    test_fraction, validation_fraction : float
        Share of (retained) cases, by start time, whose start opens the test part, and
        likewise inside the training cases for the validation part.
    max_case_days : float, optional
        Cases longer than this are dropped, and so are cases starting after
        ``log end - max_case_days``. ``None``: the ``max_case_quantile`` of case durations.
    cases : sequence of str, optional
        Only these cases may be used (e.g. the completed ones); the log end is still the
        last event of the whole log.
    """
    _check_fraction("test_fraction", test_fraction)
    _check_fraction("validation_fraction", validation_fraction)
    _check_fraction("max_case_quantile", max_case_quantile)
    bounds = case_bounds(events)
    log_end = bounds["end"].max()
    if cases is not None:
        bounds = bounds[bounds.index.isin(pd.Index(cases).astype(str))]
    if len(bounds) < 10:
        raise EventLogError(f"the log has {len(bounds)} usable cases, too few for a temporal split (need 10)")
    if max_case_days is None:
        max_days = float(np.quantile(bounds["days"], max_case_quantile))
    else:
        if max_case_days <= 0:
            raise ConfigError(f"max_case_days must be positive, got {max_case_days}")
        max_days = float(max_case_days)
    latest_start = log_end - pd.Timedelta(days=max_days)
    kept = bounds[(bounds["days"] <= max_days * (1 + 1e-12)) & (bounds["start"] <= latest_start)]
    if len(kept) < 10:
        raise EventLogError(
            f"only {len(kept)} cases remain after dropping cases longer than {max_days:.1f} days and cases "
            f"starting after {latest_start}; raise max_case_days or max_case_quantile"
        )
    ordered = _order_by_start(kept)
    test_from = ordered["start"].iloc[int(len(ordered) * (1 - test_fraction))]
    test_cases = ordered.index[(ordered["end"] >= test_from).to_numpy()]
    pool = ordered[(ordered["end"] < test_from).to_numpy()]
    if len(pool) < 5:
        raise EventLogError(
            f"only {len(pool)} of the {len(ordered)} cases kept (at most {max_days:.1f} days long, started by "
            f"{latest_start:%Y-%m-%d}) end before the split time {test_from:%Y-%m-%d %H:%M}; the earliest case end "
            f"is {bounds['end'].min():%Y-%m-%d} (a log that holds only cases closed in a window cannot be split "
            "in time this way); lower max_case_days or test_fraction, or use the holdout split"
        )
    val_from = pool["start"].iloc[int(len(pool) * (1 - validation_fraction))]
    val_cases = pool.index[(pool["end"] >= val_from).to_numpy()]
    train_cases = pool.index[(pool["end"] < val_from).to_numpy()]
    if len(train_cases) == 0:
        raise EventLogError("no training case ends before the validation split time; lower validation_fraction")
    return Split(
        kind="temporal",
        cases={"train": frozenset(train_cases), "validation": frozenset(val_cases), "test": frozenset(test_cases)},
        scored_from={"train": None, "validation": val_from, "test": test_from},
        scored_until=latest_start,
        settings={
            "test_fraction": float(test_fraction),
            "validation_fraction": float(validation_fraction),
            "max_case_days": round(max_days, 4),
            "test_from": test_from,
            "validation_from": val_from,
            "scored_until": latest_start,
            "dropped_cases": int(len(bounds) - len(kept)),
        },
    )
