"""Prefixes seen later than their last event: the time features move on, the rest stays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.config import CalendarConfig
from workbench.errors import EventLogError
from workbench.features import PrefixFeaturizer, advance_prefixes


@pytest.fixture(scope="module")
def fitted(demo_events: pd.DataFrame) -> tuple[PrefixFeaturizer, pd.DataFrame]:
    calendar = CalendarConfig(timezone="Europe/Copenhagen")
    featurizer = PrefixFeaturizer(top_activities=10, calendar=calendar).fit(demo_events)
    return featurizer, featurizer.transform(demo_events)


def test_idle_hours_is_zero_at_the_event(fitted) -> None:  # type: ignore[no-untyped-def]
    _, X = fitted
    assert "idle_hours" in X.columns and (X["idle_hours"] == 0).all()


def test_advancing_moves_the_time_features_only(fitted, demo_events: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    featurizer, X = fitted
    rows = X.iloc[:200]
    times = demo_events.loc[rows.index, "timestamp"].reset_index(drop=True)
    moments = times + pd.Timedelta(hours=30)
    later = advance_prefixes(featurizer, rows, times=times, moments=moments)
    assert later.index.equals(rows.index) and list(later.columns) == list(rows.columns)
    assert np.allclose(later["idle_hours"], 30.0)
    assert np.allclose(later["elapsed_hours"] - rows["elapsed_hours"], 30.0)
    assert (later["working_hours_elapsed"] >= rows["working_hours_elapsed"] - 1e-9).all()
    local = moments.dt.tz_convert("Europe/Copenhagen")
    assert np.allclose(later["weekday"], local.dt.weekday)
    # the hours in the current status grow by the idle time; the other statuses stay
    hours_cols = [c for c in X.columns if c.startswith("hours_in__")]
    grown = np.nansum((later[hours_cols] - rows[hours_cols]).to_numpy(), axis=1)
    labels = featurizer.categories_["last_activity"]
    current = [labels[int(c)] if c == c else None for c in rows["last_activity"]]
    tracked = np.array([a in featurizer.activities_ for a in current])
    assert tracked.any() and np.allclose(grown[tracked], 30.0) and np.allclose(grown[~tracked], 0.0)
    unchanged = [c for c in X.columns if c not in {"idle_hours", "elapsed_hours", "working_hours_elapsed",
                                                   "hour", "weekday", *hours_cols}]
    pd.testing.assert_frame_equal(later[unchanged], rows[unchanged])
    assert rows["idle_hours"].eq(0).all()  # the input is not changed


def test_a_prefix_cannot_be_seen_before_its_event(fitted, demo_events: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    featurizer, X = fitted
    times = demo_events.loc[X.index[:3], "timestamp"].reset_index(drop=True)
    with pytest.raises(EventLogError, match="a prefix cannot be seen before its last event"):
        advance_prefixes(featurizer, X.iloc[:3], times=times, moments=times - pd.Timedelta(hours=1))
