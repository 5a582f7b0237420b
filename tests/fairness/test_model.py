from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import EventLogError
from workbench.fairness import audit_model
from workbench.fairness.bootstrap import cell_sums, weighted_auc
from workbench.fairness.model import _components, _estimates, metric_frames

from .conftest import make_scores


def _rows(result, metric):
    return result.table[result.table["metric"] == metric].set_index("group")


@pytest.mark.parametrize("task", ["regression", "classification"])
@pytest.mark.parametrize("by_case", [False, True])
def test_vectorised_figures_equal_fairlearn_metricframe(task, by_case):
    scores = make_scores(task=task, seed=3)
    scores = scores[~((scores.index % 3 == 2) & (scores["case_id"].str[-1] == "7"))]  # uneven prefixes per case
    pred = "y_proba" if task == "classification" else "y_pred"
    cutoff = float(np.quantile(scores[pred], 0.8))
    w = (1.0 / scores.groupby("case_id")["case_id"].transform("size")).to_numpy() if by_case else None
    by_group, overall = metric_frames(scores, "department", task=task, cutoff=cutoff, weights=w)
    codes, uniq = pd.factorize(scores["department"], sort=True)
    y, p = scores["y_true"].to_numpy(float), scores[pred].to_numpy(float)
    row_w = w if w is not None else np.ones(len(y))
    comp = {k: cell_sums(np.ones((1, len(y))), v * row_w, codes, len(uniq))
            for k, v in _components(task, y, p, cutoff).items()}
    est = _estimates(task, comp)
    for name, (groups, all_) in est.items():
        assert np.allclose(groups[0], by_group.loc[list(uniq), name].to_numpy(float), equal_nan=True), name
        assert np.isclose(all_[0], overall[name]), name
    if task == "classification":
        auc = [weighted_auc(row_w[None, codes == g], y[codes == g], p[codes == g])[0] for g in range(len(uniq))]
        assert np.allclose(auc, by_group.loc[list(uniq), "auc"].to_numpy(float), equal_nan=True)


def test_regression_flags_the_under_predicted_group_only():
    result = audit_model(make_scores(biased_group="A", seed=1), group_attributes=["department"], replicates=200)
    signed = _rows(result, "mean_signed_error")
    assert signed.loc["A", "flagged"] and "understate the remaining time" in signed.loc["A", "verdict"]
    # B and C differ from the (shifted) overall figure, but their own error is near 0: not flagged
    assert not signed.loc["B", "flagged"] and not signed.loc["C", "flagged"]
    assert "stays within the" in signed.loc["B", "verdict"]
    mae = _rows(result, "mae")
    assert mae.loc["A", "flagged"] and not mae.loc["B", "flagged"]
    tiny = result.table[result.table["group"] == "Tiny"]
    assert tiny["suppressed"].all() and len(tiny) == 3


def test_an_unbiased_model_is_not_flagged():
    for task in ("regression", "classification"):
        result = audit_model(make_scores(task=task, seed=2), group_attributes=["department"], replicates=200)
        assert not result.flagged, result.verdicts(flagged_only=True)


def test_classification_flags_the_group_the_model_cannot_rank():
    result = audit_model(make_scores(task="classification", biased_group="B", seed=4, n_cases=600),
                         group_attributes=["department"], replicates=200, at_risk_threshold=0.5)
    auc = _rows(result, "auc")
    assert auc.loc["B", "flagged"] and auc.loc["B", "verdict"].startswith("Department 'B': the AUC is ")
    assert not auc.loc["A", "flagged"]
    assert result.settings["model"]["at_risk_cutoff"] == 0.5
    assert set(result.table["metric"]) == {"selection_rate", "true_positive_rate", "false_positive_rate", "auc",
                                           "calibration_gap"}


def test_case_weighting_counts_every_case_once():
    scores = make_scores(seed=6, prefixes=1)
    long_case = scores.iloc[[0] * 40].assign(y_pred=scores["y_true"].iloc[0] + 500.0)  # one case, 40 bad prefixes
    both = pd.concat([scores, long_case], ignore_index=True)
    group = str(scores["department"].iloc[0])
    by_case = _rows(audit_model(both, group_attributes=["department"], replicates=50, time_unit="h"), "mae")
    by_prefix = _rows(audit_model(both, group_attributes=["department"], replicates=50, time_unit="h",
                                  weighting="prefix"), "mae")
    assert by_prefix.loc[group, "estimate"] > 3 * by_case.loc[group, "estimate"]


def test_bootstrap_resamples_cases_not_prefixes():
    one = make_scores(seed=5, prefixes=1, biased_group="A")
    many = make_scores(seed=5, prefixes=1, biased_group="A")
    many = many.loc[many.index.repeat(6)].reset_index(drop=True)  # 6 identical prefixes per case
    w1 = _rows(audit_model(one, group_attributes=["department"], replicates=300, weighting="prefix"), "mae")
    w6 = _rows(audit_model(many, group_attributes=["department"], replicates=300, weighting="prefix"), "mae")
    width1 = (w1["ratio_high"] - w1["ratio_low"]).loc["A"]
    width6 = (w6["ratio_high"] - w6["ratio_low"]).loc["A"]
    assert width6 == pytest.approx(width1, rel=0.25)  # a row bootstrap would shrink it by about sqrt(6)


def test_bad_scores_tables_get_clear_errors():
    scores = make_scores(seed=0)
    with pytest.raises(EventLogError, match="needs columns 'case_id' and 'y_true'"):
        audit_model(scores.drop(columns="y_true"), group_attributes=["department"])
    with pytest.raises(EventLogError, match="a classification audit needs the column 'y_proba'"):
        audit_model(scores, group_attributes=["department"], task="classification")
    with pytest.raises(EventLogError, match=r"group attribute\(s\) \['region'\] are not columns"):
        audit_model(scores, group_attributes=["region"])
    bad = scores.copy()
    bad.loc[3, "y_pred"] = np.nan
    with pytest.raises(EventLogError, match="1 rows of the scores table have no y_true or y_pred"):
        audit_model(bad, group_attributes=["department"])


def test_rates_over_too_few_positive_cases_are_not_judged():
    """A group whose 3 positive cases were all missed has TPR 0, but 3 cases cannot carry a verdict."""
    rng = np.random.default_rng(5)
    n = 400
    group = np.where(np.arange(n) < 60, "Small", "Large")
    y = (rng.random(n) < 0.3).astype(float)
    y[:60] = 0.0
    y[:3] = 1.0  # the small group has exactly 3 positive cases...
    proba = np.clip(0.5 * y + 0.4 * rng.random(n), 0, 1)
    proba[:3] = 0.01  # ...and the model misses all of them
    scores = pd.DataFrame({"case_id": [f"c{i}" for i in range(n)], "y_true": y, "y_proba": proba, "dept": group})
    result = audit_model(scores, group_attributes=["dept"], replicates=200, seed=1)
    rows = result.table[(result.table["group"] == "Small")].set_index("metric")
    expected = {
        "true_positive_rate": "not judged: only 3 positive cases (at least 10 needed)",
        "auc": "not judged: only 3 positive (or negative) cases (at least 10 needed)",
    }
    for metric, reason in expected.items():
        assert not rows.loc[metric, "flagged"]
        assert rows.loc[metric, "reason"] == reason
    assert rows.loc["true_positive_rate", "verdict"].endswith(
        "Not judged: only 3 positive cases (at least 10 needed).")
    assert rows.loc["true_positive_rate", "estimate"] == 0.0  # the figure is still shown
