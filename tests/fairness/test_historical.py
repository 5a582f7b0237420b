from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ConfigError, PrivacyError
from workbench.fairness import FlagRule, OutcomeActivity, QueueWait, audit_history

from .conftest import STATUSES, make_log


def _rows(result, metric):
    return result.table[result.table["metric"] == metric].set_index("group")


def test_a_slow_department_is_flagged_and_the_others_are_not():
    events = make_log(slow_department="B", slow_factor=2.5)
    result = audit_history(events, group_attributes=["department"], statuses=STATUSES, replicates=200, seed=1)
    cycle = _rows(result, "cycle_time_h")
    assert cycle.loc["B", "flagged"] and not cycle.loc["A", "flagged"] and not cycle.loc["C", "flagged"]
    assert cycle.loc["B", "verdict"].startswith("Department 'B': cases take ")
    assert cycle.loc["B", "verdict"].endswith("Flagged.")
    assert result.flagged


def test_no_difference_no_flag():
    result = audit_history(make_log(seed=3), group_attributes=["department", "channel"], statuses=STATUSES,
                           replicates=200, seed=2)
    assert not result.flagged
    assert set(result.table["metric"]) == {"cycle_time_h", "reopen_rate", "queue_wait_h"}


def test_small_groups_are_suppressed_and_shown():
    events = make_log(sizes={"A": 100, "B": 100, "Tiny": 6}, slow_department="Tiny", slow_factor=10.0)
    result = audit_history(events, group_attributes=["department"], statuses=STATUSES, replicates=100,
                           min_group_size=10)
    tiny = result.table[result.table["group"] == "Tiny"]
    assert len(tiny) == 3  # one row per metric: shown, not dropped
    assert tiny["suppressed"].all() and not tiny["flagged"].any()
    assert tiny["estimate"].isna().all() and tiny["n_cases"].isna().all()
    assert set(tiny["verdict"]) == {"Department 'Tiny': suppressed (fewer than 10 cases)."}
    assert "suppressed" in result.summary()


def test_strata_control_for_case_mix():
    # department A raises mostly 'Hard' tickets: slower, but not because of who they are
    events = make_log(sizes={"A": 250, "B": 250, "C": 250}, confound=True, seed=5)
    crude = audit_history(events, group_attributes=["department"], statuses=STATUSES, outcomes=["cycle_time"],
                          replicates=200, seed=1)
    controlled = audit_history(events, group_attributes=["department"], statuses=STATUSES,
                               outcomes=["cycle_time"], strata=["category"], replicates=200, seed=1)
    assert _rows(crude, "cycle_time_h").loc["A", "flagged"]
    a = _rows(controlled, "cycle_time_h").loc["A"]
    assert not a["flagged"] and a["controlled_for"] == "category"
    assert "within the same category" in a["verdict"]


def test_queue_wait_and_reopens():
    events = make_log(slow_department="C", slow_factor=1.0, queue_factor=4.0, seed=2)
    result = audit_history(events, group_attributes=["department"], statuses=STATUSES, replicates=200, seed=4)
    queue = _rows(result, "queue_wait_h")
    assert queue.loc["C", "flagged"] and "wait" in queue.loc["C", "verdict"]
    reopen = _rows(result, "reopen_rate")
    assert reopen["estimate"].between(0.02, 0.25).all()
    # queue wait from the case start when no start status is given
    alt = audit_history(events, group_attributes=["department"], statuses=STATUSES, outcomes=["queue_wait"],
                        queue_wait=QueueWait(end=("In progress",)), replicates=50)
    assert (_rows(alt, "queue_wait_h")["estimate"] > queue["estimate"]).all()  # includes the 5 min to assignment
    assert any("from the case's first event" in n for n in alt.notes)


def test_outcomes_without_statuses_are_skipped_with_a_note():
    events = make_log(seed=1)
    result = audit_history(events, group_attributes=["department"], replicates=50,
                           outcome_activities=[OutcomeActivity("reopened", ("Reopened",), favourable=False)])
    assert set(result.table["metric"]) == {"cycle_time_h", "reopened"}
    assert any(n.startswith("reopen rate skipped: the log config maps no 'resolved' status") for n in result.notes)
    assert any(n.startswith("time waiting in queue skipped") for n in result.notes)


def test_outcome_activity_rate_flags_the_group_with_fewer_good_outcomes():
    events = make_log(seed=2)
    cases = events.drop_duplicates("case_id")
    rng = np.random.default_rng(0)
    p = np.where(cases["department"] == "A", 0.1, 0.5)
    offered = cases.loc[rng.random(len(cases)) < p, ["case_id", "timestamp"]]
    extra = offered.assign(activity="Offer", timestamp=offered["timestamp"] + pd.Timedelta(minutes=1))
    events = pd.concat([events, extra.merge(cases[["case_id", "department", "category", "channel"]])],
                       ignore_index=True).sort_values(["case_id", "timestamp"], kind="mergesort")
    result = audit_history(events, group_attributes=["department"], outcomes=[], replicates=200,
                           outcome_activities=[OutcomeActivity("offer", ("Offer",), favourable=True)])
    offer = _rows(result, "offer")
    assert offer.loc["A", "flagged"] and not offer.loc["B", "flagged"]
    assert "'Offer' happens" in offer.loc["A", "verdict"] and "less often" in offer.loc["A", "verdict"]
    with pytest.raises(ConfigError, match="outcome activity 'x': none of \\['Nope'\\] occurs in the log"):
        audit_history(events, group_attributes=["department"], outcomes=[],
                      outcome_activities=[OutcomeActivity("x", ("Nope",))])


def test_same_seed_same_result_other_seed_other_intervals():
    events = make_log(seed=4)
    kw = {"group_attributes": ["department"], "statuses": STATUSES, "replicates": 100}
    a = audit_history(events, seed=1, **kw).table
    b = audit_history(events, seed=1, **kw).table
    c = audit_history(events, seed=2, **kw).table
    pd.testing.assert_frame_equal(a, b)
    assert np.allclose(a["estimate"], c["estimate"], equal_nan=True)
    assert not np.allclose(a["ratio_low"], c["ratio_low"], equal_nan=True)


def test_best_off_reference_and_staff_refusal():
    events = make_log(slow_department="B", slow_factor=2.5)
    result = audit_history(events, group_attributes=["department"], statuses=STATUSES, outcomes=["cycle_time"],
                           replicates=100, rule=FlagRule(reference="best"))
    cycle = _rows(result, "cycle_time_h")
    assert cycle["is_reference"].sum() == 1
    assert "than the best-off group ('" in cycle.loc["B", "verdict"]
    with pytest.raises(PrivacyError, match="describes staff"):
        audit_history(events, group_attributes=["team"], statuses=STATUSES)


def test_intersections_are_audited_when_asked():
    events = make_log(seed=6)
    result = audit_history(events, group_attributes=["department", "channel"], statuses=STATUSES,
                           outcomes=["cycle_time"], intersections=True, replicates=50)
    assert "department × channel" in set(result.table["attribute"])
