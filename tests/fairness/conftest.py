"""Small synthetic inputs of the documented shapes, for the fairness tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.config import StatusMeanings

STATUSES = StatusMeanings(
    registered=("Registered",),
    assigned=("Assigned",),
    in_progress=("In progress",),
    resolved=("Resolved",),
    reopened=("Reopened",),
    closed=("Closed",),
)


def make_log(
    *,
    seed: int = 0,
    sizes: dict[str, int] | None = None,
    slow_department: str | None = None,
    slow_factor: float = 2.0,
    queue_factor: float = 1.0,
    confound: bool = False,
) -> pd.DataFrame:
    """A canonical ticket log: Registered -> Assigned -> In progress -> Resolved -> Closed.

    ``slow_department`` gets ``slow_factor`` times the work time and ``queue_factor``
    times the queue time. ``confound``: department 'A' raises mostly the slow
    category 'Hard' (whose tickets take 3x longer for everyone).
    """
    rng = np.random.default_rng(seed)
    sizes = sizes or {"A": 150, "B": 150, "C": 150}
    rows = []
    start = pd.Timestamp("2024-01-01", tz="UTC")
    n = 0
    for dept, size in sizes.items():
        for _ in range(size):
            n += 1
            cid = f"T{n:05d}"
            hard_share = 0.8 if (confound and dept == "A") else 0.2
            category = "Hard" if rng.random() < hard_share else "Easy"
            t0 = start + pd.Timedelta(hours=float(rng.uniform(0, 24 * 200)))
            queue = rng.exponential(4.0) * (queue_factor if dept == slow_department else 1.0)
            work = rng.exponential(10.0) * (3.0 if category == "Hard" else 1.0)
            work *= slow_factor if dept == slow_department else 1.0
            times = [t0, t0 + pd.Timedelta(minutes=5), t0 + pd.Timedelta(hours=0.1 + queue)]
            times.append(times[-1] + pd.Timedelta(hours=work))
            acts = ["Registered", "Assigned", "In progress", "Resolved"]
            if rng.random() < 0.1:  # a real reopen: reopened and resolved again
                times += [times[-1] + pd.Timedelta(hours=5), times[-1] + pd.Timedelta(hours=9)]
                acts += ["Reopened", "Resolved"]
            times.append(times[-1] + pd.Timedelta(hours=24))
            acts.append("Closed")
            for a, t in zip(acts, times, strict=False):
                rows.append((cid, a, t, dept, category, "Mail" if rng.random() < 0.5 else "Portal"))
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "department", "category", "channel"])
    frame["resource"] = pd.NA
    frame["team"] = "Desk"
    return frame.sort_values(["case_id", "timestamp"], kind="mergesort").reset_index(drop=True)


@pytest.fixture
def statuses() -> StatusMeanings:
    return STATUSES


def make_scores(*, seed: int = 0, n_cases: int = 400, prefixes: int = 3, task: str = "regression",
                biased_group: str | None = None) -> pd.DataFrame:
    """A scores table: ``prefixes`` rows per case, groups A/B/C (+ 'Tiny' with 3 cases)."""
    rng = np.random.default_rng(seed)
    depts = np.r_[rng.choice(["A", "B", "C"], n_cases - 3), ["Tiny"] * 3]
    case = np.repeat([f"c{i}" for i in range(n_cases)], prefixes)
    dept = np.repeat(depts, prefixes)
    m = len(case)
    if task == "regression":
        y = rng.exponential(40.0, m)
        pred = y + rng.normal(0, 8.0, m)
        if biased_group:
            pred[dept == biased_group] -= 20.0
        return pd.DataFrame({"case_id": case, "y_true": y, "y_pred": pred, "department": dept})
    y = (rng.random(m) < 0.3).astype(int)
    score = 1.5 * y + rng.normal(0, 1, m)
    if biased_group:
        sel = dept == biased_group
        score[sel] = rng.normal(0.5, 1, sel.sum())  # no signal: AUC about 0.5
    proba = 1 / (1 + np.exp(-(score - 1.0)))
    return pd.DataFrame({"case_id": case, "y_true": y, "y_proba": proba, "department": dept})


def make_group_kpis(*, seed: int = 0, replications: int = 8, worse_group: str | None = None,
                    worse_factor: float = 1.3, overall_factor: float = 0.9,
                    sizes: dict[str, float] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulation results of the documented shape: (group_kpis, kpis)."""
    rng = np.random.default_rng(seed)
    sizes = sizes or {"A": 300.0, "B": 300.0, "C": 300.0, "Tiny": 4.0}
    base = {"cycle_time_h": 40.0, "waiting_time_h": 20.0, "waiting_on_user_h": 5.0}
    rows, krows = [], []
    for r in range(replications):
        shared = rng.normal(0, 1.0)  # common random numbers: the same luck in both arms
        for arm in ("baseline", "scenario"):
            for kpi, b in base.items():
                krows.append((r, arm, kpi, (b + shared) * (overall_factor if arm == "scenario" else 1.0)))
                for group, size in sizes.items():
                    v = b + shared + rng.normal(0, 0.4)
                    if arm == "scenario":
                        v *= worse_factor if group == worse_group else overall_factor
                    rows.append((r, arm, "department", group, kpi, v, size))
    group_kpis = pd.DataFrame(rows, columns=["replication", "arm", "attribute", "group", "kpi", "value", "n_cases"])
    kpis = pd.DataFrame(krows, columns=["replication", "arm", "kpi", "value"])
    return group_kpis, kpis
