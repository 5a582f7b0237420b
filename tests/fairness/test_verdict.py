"""The verdict wording is part of the contract: reviewers read it, reports quote it."""

from __future__ import annotations

import numpy as np

from workbench.fairness.compare import compare_groups
from workbench.fairness.metrics import (
    HISTORICAL_METRICS,
    PROCESS_METRICS,
    REGRESSION_METRICS,
    FlagRule,
    outcome_activity_metric,
)
from workbench.fairness.verdict import process_verdict, verdict_for_row


def _row(**kw):
    row = {"attribute": "department", "group": "Jobcenter", "suppressed": False, "is_reference": False,
           "flagged": False, "worse": False, "reason": "", "threshold": 0.10,
           "reference": "the best-off group ('HR')", "estimate": 52.4, "reference_estimate": 40.0,
           "ratio": 1.31, "ratio_low": 1.22, "ratio_high": 1.40,
           "difference": 12.4, "difference_low": 8.8, "difference_high": 16.0}
    row.update(kw)
    return row


CYCLE = HISTORICAL_METRICS["cycle_time_h"]
RULE = FlagRule()


def test_flagged_duration_verdict():
    text = verdict_for_row(_row(flagged=True, worse=True), spec=CYCLE, rule=RULE, case_noun="tickets")
    assert text == ("Department 'Jobcenter': tickets take 31% longer (95% CI 22%–40%) than the best-off group "
                    "('HR'): 52.4 h vs 40.0 h. Flagged.")


def test_not_flagged_when_the_interval_does_not_clear_the_threshold():
    text = verdict_for_row(_row(worse=True, ratio=1.12, ratio_low=0.97, ratio_high=1.27),
                           spec=CYCLE, rule=RULE, case_noun="tickets")
    assert text.endswith("tickets take 12% longer (95% CI −3% to 27%) than the best-off group ('HR'): "
                         "52.4 h vs 40.0 h. Not flagged: the interval does not clear the 10% threshold.")


def test_better_off_group_verdict():
    text = verdict_for_row(_row(ratio=0.8, ratio_low=0.7, ratio_high=0.9, estimate=32.0),
                           spec=CYCLE, rule=RULE, case_noun="tickets")
    assert text == ("Department 'Jobcenter': tickets take 20% less time (95% CI 10%–30%) than the best-off group "
                    "('HR'): 32.0 h vs 40.0 h. Not flagged.")


def test_outcome_rate_verdict():
    spec = outcome_activity_metric("job_offer", "Make Job Offer", favourable=True)
    row = _row(attribute="protected", group="True", flagged=True, worse=True, estimate=0.040,
               reference_estimate=0.253, reference="all applications together", difference=-0.213,
               difference_low=-0.222, difference_high=-0.203, threshold=0.05)
    assert verdict_for_row(row, spec=spec, rule=RULE) == (
        "Protected 'True': 'Make Job Offer' happens 21.3 percentage points less often (95% CI 20.3–22.2) than "
        "all applications together: 4.0% vs 25.3%. Flagged.")


def test_suppressed_and_reference_verdicts():
    assert verdict_for_row(_row(suppressed=True), spec=CYCLE, rule=RULE, min_group_size=10) == (
        "Department 'Jobcenter': suppressed (fewer than 10 cases).")
    assert verdict_for_row(_row(is_reference=True, estimate=40.0), spec=CYCLE, rule=RULE) == (
        "Department 'Jobcenter': the best-off group on cycle time, used as the reference (40.0 h).")


def test_own_error_within_threshold_is_explained():
    spec = REGRESSION_METRICS["mean_signed_error"]
    row = _row(group="B", reference="all cases together", estimate=0.1, reference_estimate=-4.7, difference=4.8,
               difference_low=4.3, difference_high=5.2, worse=True, threshold=1.0,
               reason="own error within threshold")
    assert verdict_for_row(row, spec=spec, rule=RULE).endswith(
        "Not flagged: the group's own mean signed error (0.1 h) stays within the 1.0 h threshold.")


def test_process_verdict_worse_while_average_improves():
    spec = PROCESS_METRICS["waiting_time_h"]
    row = _row(estimate=25.2, reference_estimate=19.9, ratio=1.27, ratio_low=1.24, ratio_high=1.30,
               flagged=True, worse=True, reason="worse while the average improves")
    assert process_verdict(row, spec=spec, rule=RULE, overall_change=-0.07, overall_improves=True) == (
        "Department 'Jobcenter': waiting time rises by 27% (95% CI 24%–30%) under the scenario (19.9 h -> 25.2 h), "
        "while it falls by 7% on average (a significant improvement). Flagged: worse while the average improves.")


def test_compare_groups_blanks_suppressed_figures_but_keeps_the_row():
    reps = np.array([[10.0, 20.0, 30.0]] * 50) + np.random.default_rng(0).normal(0, 0.1, (50, 3))
    table = compare_groups(
        audit="historical", attribute="department", groups=["A", "B", "Tiny"], n_cases=np.array([100, 100, 3]),
        suppressed=np.array([False, False, True]), group_values=reps, reference_values=np.full((50, 3), 15.0),
        reference_name="all cases together", reference_index=None, spec=CYCLE, rule=RULE, threshold=0.10,
    )
    tiny = table.set_index("group").loc["Tiny"]
    assert bool(tiny["suppressed"]) and not bool(tiny["flagged"])
    assert np.isnan(tiny["estimate"]) and np.isnan(tiny["n_cases"]) and np.isnan(tiny["ratio_low"])
    assert tiny["verdict"] == "Department 'Tiny': suppressed (fewer than 10 cases)."
    assert table.set_index("group").loc["B", "flagged"]  # 20 vs 15: +33%, far beyond 10%
    assert not table.set_index("group").loc["A", "flagged"]  # better off
