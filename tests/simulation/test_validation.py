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


def test_a_log_of_case_activity_and_time_only_gets_a_verdict(demo_config: LogConfig):
    """No resource, no team (like the Helpdesk log of Tax et al.), nine weeks and more: the waiting
    and load-response checks have nothing to compare, and say so instead of failing."""
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io import prepare_log

    raw = generate_demo_log(DemoParams(days=84, runout_days=14), seed=11).events
    events = prepare_log(raw, demo_config, pseudonymise=False).events[["case_id", "activity", "timestamp"]]
    res = validate_model(events, replications=1, seed=3)
    assert res.verdict is not None
    checks = {c.name: c for c in res.verdict.checks}
    assert checks["cycle_time"].level is not None
    assert checks["load_response"].level is None
    assert checks["load_response"].detail == "no waiting to compare in busy and quiet weeks"
