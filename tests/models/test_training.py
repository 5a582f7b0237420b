"""Training from a config: split, tune, fit, evaluate once; predictions per prefix for the audit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.features import prefix_index
from workbench.models import load_training_config, predict_frame, remaining_time


@pytest.mark.slow
def test_duration_model_beats_the_baseline_and_reports_what_it_did(duration_result) -> None:  # type: ignore[no-untyped-def]
    m = duration_result.metrics
    assert m["test_mae"] < m["baseline_mae"]
    assert m["test_n"] == duration_result.counts["test"] > 0
    assert m["tuning_trials"] == 2
    per = duration_result.per_prefix
    assert list(per.columns) == ["prefix_length", "n", "mae", "baseline_mae"]
    assert per["n"].sum() == m["test_n"] and per["prefix_length"].min() >= 2
    assert set(duration_result.fingerprint) == {"data_sha256", "config_sha256"}
    assert duration_result.params["split"] == "temporal" and duration_result.params["target"] == "remaining_time"
    assert duration_result.importance["gain"].iloc[0] >= duration_result.importance["gain"].iloc[-1]
    assert "attr__user" not in duration_result.model.featurizer.feature_names_out_  # person ids are no feature
    assert duration_result.cautions == ()  # a sound model on a sound split: nothing to warn about


def test_a_small_training_part_or_a_model_no_better_than_its_baseline_is_a_caution() -> None:
    from workbench.models.training import training_cautions

    sound = training_cautions({"train": 3000, "validation": 600, "test": 900}, {"test_mae": 4.4, "baseline_mae": 5.3},
                              split_kind="temporal")
    assert sound == ()
    # traffic fines' first 10,000 cases: cases years long in a six-year log, so few end before the test period
    small = training_cautions({"train": 209, "validation": 101, "test": 7348}, {"test_mae": 334.5, "baseline_mae": 326.1},
                              split_kind="temporal")
    assert len(small) == 2
    assert small[0].startswith("only 209 training examples against 7,348 test examples") and "holdout" in small[0]
    assert "no better than the baseline" in small[1] and "334.50 vs 326.10 days" in small[1]
    weak = training_cautions({"train": 500, "validation": 100, "test": 100}, {"test_auc": 0.55}, split_kind="holdout")
    assert weak == ("the model ranks cases barely better than chance (AUC 0.55; 0.5 is chance)",)


@pytest.mark.slow
def test_predict_frame_gives_the_test_prefixes_with_truth_prediction_and_groups(  # type: ignore[no-untyped-def]
    duration_result, demo_events: pd.DataFrame
) -> None:
    model = duration_result.model
    frame = predict_frame(model, demo_events)
    assert list(frame.columns) == ["case_id", "prefix_length", "timestamp", "y_true", "y_pred", "department", "channel"]
    assert len(frame) == duration_result.counts["test"]
    assert set(frame["case_id"]) <= set(model.split.cases["test"])
    assert (frame["timestamp"] >= model.split.scored_from["test"]).all()
    truth = remaining_time(demo_events, until="resolution", statuses=model.statuses)
    keys = prefix_index(demo_events)
    lookup = pd.Series(truth.to_numpy(), index=pd.MultiIndex.from_frame(keys[["case_id", "prefix_length"]]))
    expected = lookup.loc[list(zip(frame["case_id"], frame["prefix_length"], strict=True))].to_numpy()
    np.testing.assert_allclose(frame["y_true"], expected)
    assert np.mean(np.abs(frame["y_pred"] - frame["y_true"])) == pytest.approx(duration_result.metrics["test_mae"])
    val = predict_frame(model, demo_events, part="validation", group_attributes=("priority",))
    assert list(val.columns)[-1] == "priority" and len(val) == duration_result.counts["validation"]


@pytest.mark.slow
def test_reopen_model_gives_calibrated_probabilities(reopen_result, demo_events: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    m = reopen_result.metrics
    for key in ("test_auc", "test_average_precision", "test_brier", "test_calibration_error", "baseline_brier"):
        assert key in m and np.isfinite(m[key])
    frame = predict_frame(reopen_result.model, demo_events)
    assert "y_proba" in frame.columns and frame["y_proba"].between(0, 1).all()
    assert set(frame["y_true"].unique()) <= {0.0, 1.0}
    # few reopens in the small demo's validation part: "auto" calibrates with a sigmoid
    assert reopen_result.model.estimator.calibrator_["method"] == "sigmoid"


def test_training_config_errors_are_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlog: demo.yaml\ntarget: remaining_time\nbudjet: {trials: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'budjet': unknown key \\(check the spelling\\)"):
        load_training_config(bad)
    bad.write_text("name: x\nlog: demo.yaml\ntarget: duration\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'target': Input should be 'remaining_time' or 'reopen'"):
        load_training_config(bad)
    bad.write_text("name: x\nlog: demo.yaml\ntarget: reopen\nbudget: {trials: null}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"set budget\.trials and/or budget\.seconds"):
        load_training_config(bad)


def test_shipped_training_configs_load(repo_root: Path) -> None:
    for name in ("demo_duration", "demo_reopen", "bpic2013_duration"):
        config = load_training_config(repo_root / "configs" / "training" / f"{name}.yaml")
        assert config.log.exists(), config.log
    assert load_training_config(repo_root / "configs" / "training" / "bpic2013_duration.yaml").split.kind == "holdout"


def test_snapshots_are_seen_between_events_with_the_target_counted_from_them(  # type: ignore[no-untyped-def]
    demo_events: pd.DataFrame, demo_config
) -> None:
    import numpy as np

    from workbench.features import PrefixFeaturizer
    from workbench.models import build_examples, holdout_split
    from workbench.models.training import with_snapshots

    featurizer = PrefixFeaturizer(top_activities=5).fit(demo_events)
    split = holdout_split(demo_events, fractions=(0.6, 0.2, 0.2))
    ex = build_examples(demo_events, featurizer=featurizer, target="remaining_time", until="end",
                        statuses=demo_config.statuses, split=split, assume_complete=True)
    rows = ex.mask("train")
    X0, y0 = with_snapshots(ex, rows, demo_events, featurizer, k=0, rng=np.random.default_rng(1))
    assert len(X0) == rows.sum()
    X, y = with_snapshots(ex, rows, demo_events, featurizer, k=1, rng=np.random.default_rng(1))
    snaps = X.iloc[len(X0):]
    assert len(snaps) > 0.5 * len(X0) and (snaps["idle_hours"] > 0).all()
    assert (y.iloc[len(X0):] >= 0).all()  # seen before the next event, so before the end
    # remaining + elapsed is the case's duration, whether the prefix is seen at its event or later
    durations = np.sort(y0.to_numpy() + X0["elapsed_hours"].to_numpy() / 24)
    seen_later = y.iloc[len(X0):].to_numpy() + snaps["elapsed_hours"].to_numpy() / 24
    pos = np.clip(np.searchsorted(durations, seen_later), 1, len(durations) - 1)
    nearest = np.minimum(np.abs(durations[pos] - seen_later), np.abs(durations[pos - 1] - seen_later))
    assert nearest.max() < 1e-6
    X2, _ = with_snapshots(ex, rows, demo_events, featurizer, k=1, rng=np.random.default_rng(1))
    pd.testing.assert_frame_equal(X, X2)  # same seed, same snapshots
    X3, _ = with_snapshots(ex, rows, demo_events, featurizer, k=1, rng=np.random.default_rng(2))
    assert not X3["idle_hours"].equals(X["idle_hours"])
