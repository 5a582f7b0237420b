from __future__ import annotations

import pandas as pd
import pytest

from workbench.config import LogConfig
from workbench.errors import EventLogError
from workbench.simulation.validation import METRICS, score_logs, split_log, validate_model


def test_split_by_case_start(demo_events: pd.DataFrame):
    train, test, split = split_log(demo_events, train_share=0.8)
    n_train, n_test = train["case_id"].nunique(), test["case_id"].nunique()
    assert n_train == round(0.8 * (n_train + n_test))
    assert (
        train.groupby("case_id")["timestamp"].min().max()
        < split
        <= test.groupby("case_id")["timestamp"].min().min()
    )
    with pytest.raises(EventLogError, match="validation needs at least 10"):
        split_log(demo_events[demo_events["case_id"].isin(demo_events["case_id"].unique()[:5])])


def test_identical_logs_score_zero(demo_events: pd.DataFrame):
    part = demo_events[demo_events["case_id"].isin(demo_events["case_id"].unique()[:60])]
    scores = score_logs(part, part, use_starts=False)
    assert set(scores) == set(METRICS)
    assert all(v == pytest.approx(0.0) for v in scores.values())


@pytest.mark.slow
def test_validation_protocol_on_a_small_log(demo_events: pd.DataFrame, demo_config: LogConfig):
    res = validate_model(demo_events, config=demo_config, replications=2, seed=3)
    assert list(res.summary["metric"]) == list(METRICS)
    assert res.scores["replication"].nunique() == 2
    summary = res.summary.set_index("metric")["mean"]
    assert 0 <= summary["ngram_3_distance"] < 0.25  # the simulated test period follows the real control flow
    assert res.settings["test_cases"] == res.test_log["case_id"].nunique()
    assert res.simulated_log["timestamp"].max() <= demo_events["timestamp"].max()  # cropped at the log's end
