from __future__ import annotations

import pytest

from workbench.errors import StageError
from workbench.fairness import audit_process_change

from .conftest import make_group_kpis


def _rows(result, kpi):
    return result.table[result.table["metric"] == kpi].set_index("group")


def test_group_worse_while_the_average_improves_is_flagged():
    group_kpis, kpis = make_group_kpis(worse_group="A", worse_factor=1.04, overall_factor=0.9)
    result = audit_process_change(group_kpis, kpis)
    wait = _rows(result, "waiting_time_h")
    assert wait.loc["A", "flagged"] and wait.loc["A", "reason"] == "worse while the average improves"
    assert not wait.loc["B", "flagged"] and not wait.loc["C", "flagged"]
    assert "under the scenario" in wait.loc["A", "verdict"] and wait.loc["A", "verdict"].endswith(
        "Flagged: worse while the average improves.")
    assert any(n.startswith("Overall waiting time:") and "the average improves" in n for n in result.notes)


def test_group_worse_beyond_threshold_is_flagged_whatever_the_average_does():
    group_kpis, kpis = make_group_kpis(worse_group="B", worse_factor=1.3, overall_factor=1.05)
    result = audit_process_change(group_kpis, kpis)
    cycle = _rows(result, "cycle_time_h")
    assert cycle.loc["B", "flagged"] and cycle.loc["B", "reason"].startswith("worse by more than 10%")
    assert not cycle.loc["A", "flagged"]  # 5% worse, like everyone: under the threshold


def test_a_neutral_scenario_flags_nothing_and_small_groups_are_suppressed():
    group_kpis, kpis = make_group_kpis(overall_factor=1.0)
    result = audit_process_change(group_kpis, kpis)
    assert not result.flagged
    tiny = result.table[result.table["group"] == "Tiny"]
    assert len(tiny) == 3 and tiny["suppressed"].all() and tiny["estimate"].isna().all()
    assert set(tiny["verdict"]) == {"Department 'Tiny': suppressed (fewer than 10 cases)."}


def test_inputs_are_checked():
    group_kpis, kpis = make_group_kpis()
    with pytest.raises(StageError, match="needs at least 2 paired replications, got 1"):
        audit_process_change(group_kpis[group_kpis["replication"] == 0], kpis[kpis["replication"] == 0])
    with pytest.raises(StageError, match="replications of the baseline and the scenario differ"):
        bad = group_kpis[~((group_kpis["arm"] == "scenario") & (group_kpis["replication"] == 3))]
        audit_process_change(bad, kpis)
    with pytest.raises(StageError, match=r"the kpis table lacks column\(s\) \['value'\]"):
        audit_process_change(group_kpis, kpis.drop(columns="value"))
    with pytest.raises(StageError, match=r"group attribute\(s\) \['channel'\] are not in the simulation"):
        audit_process_change(group_kpis, kpis, group_attributes=["channel"])


def test_ratio_interval_is_paired_on_log_ratios():
    import pandas as pd

    from workbench.fairness.process import paired_change

    # a congested replication doubles everything: the differences vary widely, the ratios do not
    base, scen = [23.3, 15.3, 33.0], [87.6, 30.1, 104.2]
    ch = paired_change(base, scen, confidence=0.95)
    assert ch["low"] < 0 < ch["high"]  # the difference alone cannot tell
    assert ch["ratio_low"] > 1.2 and ch["ratio"] == pytest.approx((87.6 / 23.3 * 30.1 / 15.3 * 104.2 / 33.0) ** (1 / 3))
    rows = [(r, arm, "department", "A", "waiting_time_h", v, 500) for r, (b, s) in enumerate(zip(base, scen, strict=False))
            for arm, v in (("baseline", b), ("scenario", s))]
    group_kpis = pd.DataFrame(rows, columns=["replication", "arm", "attribute", "group", "kpi", "value", "n_cases"])
    kpis = group_kpis[["replication", "arm", "kpi", "value"]]
    result = audit_process_change(group_kpis, kpis, kpi_names=["waiting_time_h"])
    assert bool(result.table["flagged"].iloc[0])
